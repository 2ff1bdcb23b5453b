"""What the analytics query views (logs, flow history, stats, a UVE) share: a feed of their own, made from their
query; `o` changes the query in a form whose answers are checked before anything is sent; the query in words
above the table. Their SERVICE is the analytics API itself: without one, `:` says so instead of opening them."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work

from tftui.core.analytics.forms import Field
from tftui.core.analytics.query import QueryError
from tftui.services.analytics import AnalyticsService
from tftui.services.feed import Feed

from ..framework import ResourceView, bindings
from ..framework.dialogs import FormScreen


class AnalyticsView(ResourceView):
    SERVICE = "analytics_service"
    BINDINGS = bindings("analytics.query")
    FIELDS: ClassVar[tuple[Field, ...]] = ()  # the query form's boxes; none: no form
    FORM_TITLE: ClassVar[str] = ""

    def __init__(self, services, **kwargs: Any) -> None:
        super().__init__(services, feed=self.make_feed(services.get("analytics_service")), **kwargs)

    @property
    def analytics(self) -> AnalyticsService:
        return self.services.get("analytics_service")

    def make_feed(self, service: AnalyticsService) -> Feed:
        """The feed of the view's current query."""
        raise NotImplementedError

    def replace_feed(self, feed: Feed) -> None:
        """Watch ``feed`` instead (a new query): the old one stops with its last listener."""
        self.unwatch_feed(self.feed)
        self.feed = feed
        self.worker_error = None
        self._reported_feed_error = None
        self.watch_feed(feed, self._apply)
        self.update_header()
        self.update_status()

    # ------------------------------------------------------------------ the query form
    def form_values(self) -> dict[str, str]:
        """The current query, as the form's boxes show it."""
        return {}

    def apply_form(self, answers: dict[str, str]) -> None:
        """Make the query the answers say (QueryError: what is wrong with them) and show its results."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "query":
            return bool(self.FIELDS)
        return super().check_action(action, parameters)

    @work(name="query form", group="form", exclusive=True)
    async def action_query(self) -> None:
        values, error = self.form_values(), ""
        while True:
            answers = await self.app.push_screen_wait(FormScreen(self.FORM_TITLE, self.FIELDS, values, error))
            if answers is None:
                return
            try:
                self.apply_form(answers)
            except QueryError as exc:  # asked again, with the answers kept and what is wrong said
                values, error = answers, str(exc)
            else:
                return
