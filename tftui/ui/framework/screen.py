"""ViewScreen: what every view of tftui shares, the node tree included.

A header (cluster, view title, badges), a status line (errors first, then counts, filter, age, source),
the view's body, a one-line `/` filter and the footer. The screen watches one feed (services/feed.py):
a change posts a message, snapshots are applied at most every ``feed.min_interval`` and not while another
screen covers this one. Errors take one path whatever raised them (a feed's fetch, the view's own code
turning a snapshot into rows, any worker of the screen): the status line, a notification and the log;
the last good data stays on screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from tftui.core.humanize import age
from tftui.services.feed import Feed, describe_error
from tftui.services.registry import Services

from .dialogs import RawScreen
from .errors import ErrorPath
from .footer import Footer
from .keys import bindings


class FeedChanged(Message):
    """A feed the screen watches has something new (posted from the feed's thread, coalesced)."""

    def __init__(self, feed: Feed) -> None:
        super().__init__()
        self.feed = feed


class ViewScreen(ErrorPath, Screen):
    """Subclasses set NAME, TITLE, SERVICE and compose_body(); they show snapshots in show()."""

    NAME: ClassVar[str] = ""  # the `:` command name, and the prefix of this screen's widget ids
    ALIASES: ClassVar[tuple[str, ...]] = ()
    TITLE: ClassVar[str] = ""
    SERVICE: ClassVar[str] = "cluster"  # the feed it watches (services/registry.py)
    PARENT: ClassVar[str | None] = None  # opened from this view, it stacks on it (esc goes back there)
    BINDINGS = bindings("view.back", "view.filter", "view.refresh", "view.pause", "view.raw")
    DEFAULT_CSS = """
    ViewScreen .view-header { height: 1; background: $panel; padding: 0 1; }
    ViewScreen .view-status { height: 1; background: $boost; padding: 0 1; }
    ViewScreen .view-filter { dock: bottom; height: 1; margin-bottom: 1; border: none; padding: 0 1;
                              display: none; background: $boost; }
    ViewScreen .view-filter.shown { display: block; }
    ViewScreen .view-filter:focus { border: none; background: $boost; }
    """

    def __init__(self, services: Services, feed: Feed | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.feed: Feed = feed if feed is not None else services.feed(self.SERVICE)
        self.filter_text = ""
        self.applied_version = -1  # the feed version on screen: a benchmark or test waits on it
        self.rows_pending = False  # the view finishes showing the snapshot later (rows built in a thread)
        self._reported_feed_error: tuple[float, str] | None = None
        self._feed_callbacks: dict[int, Callable[[], None]] = {}
        self._feed_unsubscribe: dict[int, Callable[[], None]] = {}
        self._feed_pending: set[int] = set()
        self._feed_stale: dict[int, Feed] = {}
        self._feed_applied_at: dict[int, float] = {}

    # ------------------------------------------------------------------ layout
    def wid(self, part: str) -> str:
        """This screen's id for one of its widgets (ids are unique per view: `routes-table`, `events-filter`)."""
        return f"{self.NAME}-{part}"

    def compose(self) -> ComposeResult:
        yield Static(id=self.wid("header"), classes="view-header", markup=False)
        yield Static(id=self.wid("status"), classes="view-status", markup=False)
        yield from self.compose_body()
        yield Input(placeholder="/ filter: text or regex, !x inverts, esc clears", id=self.wid("filter"),
                    classes="view-filter")
        yield Footer(show_command_palette=False)

    def compose_body(self) -> Iterator[Widget]:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.update_header()
        self.update_status()
        self.set_interval(1.0, self._tick)
        self.watch_feed(self.feed, self._apply)

    def on_unmount(self) -> None:
        for unsubscribe in self._feed_unsubscribe.values():
            unsubscribe()
        self._feed_unsubscribe.clear()

    # ------------------------------------------------------------------ feeds
    def watch_feed(self, feed: Feed, callback: Callable[[], None]) -> None:
        """Call ``callback`` on the UI thread after ``feed`` changes: at most once per ``feed.min_interval``,
        never while another screen covers this one (it catches up when shown), at once if there is data."""
        key = id(feed)
        self.unwatch_feed(feed)
        self._feed_callbacks[key] = callback

        def listener(_snapshot: Any) -> None:
            if key not in self._feed_pending:  # one message in flight at most, however often the source publishes
                self._feed_pending.add(key)
                self.post_message(FeedChanged(feed))

        self._feed_unsubscribe[key] = feed.subscribe(listener)
        if feed.version or feed.snapshot is not None:
            self._run_callback(feed)

    def unwatch_feed(self, feed: Feed) -> None:
        unsubscribe = self._feed_unsubscribe.pop(id(feed), None)
        if unsubscribe is not None:
            unsubscribe()
        self._feed_callbacks.pop(id(feed), None)
        self._feed_pending.discard(id(feed))

    def on_feed_changed(self, message: FeedChanged) -> None:
        feed = message.feed
        if id(feed) not in self._feed_callbacks:
            return
        if not self.is_current:
            self._feed_stale[id(feed)] = feed  # covered by another screen: catch up when shown again
            return
        wait = feed.min_interval - (time.monotonic() - self._feed_applied_at.get(id(feed), 0.0))
        if wait > 0:
            self.set_timer(wait, lambda: self._run_callback(feed))
        else:
            self._run_callback(feed)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        stale, self._feed_stale = self._feed_stale, {}
        for feed in stale.values():
            self._run_callback(feed)

    def _run_callback(self, feed: Feed) -> None:
        self._feed_pending.discard(id(feed))
        self._feed_applied_at[id(feed)] = time.monotonic()
        callback = self._feed_callbacks.get(id(feed))
        if callback is None:
            return
        try:
            callback()
        except Exception as exc:  # the view's own code failed on this snapshot: keep what is shown
            self.report_error(f"{self.NAME}: cannot show the new data: {describe_error(exc)}", exc)

    def _apply(self) -> None:
        """The watched feed changed: show its snapshot, report a new error once."""
        version = self.feed.version
        try:
            if self.feed.snapshot is not None:  # before the first fetch there is only busy/error to show
                self.show(self.feed.snapshot)
        finally:
            if not self.rows_pending:
                self.applied_version = version
            error = self.feed.error
            if error and self._reported_feed_error != (self._error_epoch(), error):  # the source logged it
                self._reported_feed_error = (self._error_epoch(), error)
                self.notify(error, severity="error", timeout=10, markup=False)
            elif not error:
                self._reported_feed_error = None
            self.update_header()
            self.update_status()

    def _error_epoch(self) -> float:
        return self.feed.updated_at or 0.0  # the same error after new good data is news again

    def show(self, snapshot: Any) -> None:
        """Put the snapshot on screen (in place)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ header and status line
    def header_text(self) -> Text:
        text = Text()
        text.append("tftui ", style="bold")
        text.append(f"│ {self.services.spec.name} │ {self.TITLE}")
        if self.feed.paused:
            text.append(" │ PAUSED", style="bold yellow")
        if self.services.readonly:
            text.append(" │ READ-ONLY", style="bold red")
        return text

    def update_header(self) -> None:
        for header in self.query(f"#{self.wid('header')}").results(Static):  # none before compose
            header.update(self.header_text())

    def counts(self) -> str:
        """``shown/total`` (and paging) for the status line."""
        return ""

    def status_text(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        error = self.feed.error or self.worker_error
        if error:
            text.append(f"ERROR {error}", style="bold red")
            text.append(" · ")
        counts = self.counts()
        if counts:
            text.append(counts)
            text.append(" · ")
        if self.filter_text:
            text.append(f"filter: {self.filter_text}", style="bold yellow")
            text.append(" · ")
        if self.feed.busy:
            text.append("refreshing… ", style="dim")
        at = self.feed.updated_at
        text.append(f"updated {age(self.services.clock() - at)} ago" if at else "not fetched yet", style="dim")
        text.append(f" · {self.feed.source}", style="dim")
        return text

    def update_status(self) -> None:
        for status in self.query(f"#{self.wid('status')}").results(Static):
            status.update(self.status_text())

    def _tick(self) -> None:
        self.update_status()

    # ------------------------------------------------------------------ the filter
    @property
    def filter_box(self) -> Input:
        return self.query_one(f"#{self.wid('filter')}", Input)

    def action_filter(self) -> None:
        box = self.filter_box
        box.add_class("shown")
        box.value = self.filter_text
        box.focus()
        self.refresh_bindings()

    @on(Input.Changed, ".view-filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.has_class("shown") and event.value.strip() != self.filter_text:
            self.set_filter(event.value.strip())

    @on(Input.Submitted, ".view-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.filter_text:
            event.input.remove_class("shown")
        self.focus_body()

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self.filter_changed()
        self.update_status()

    def filter_changed(self) -> None:
        """Show what the filter keeps now."""

    def focus_body(self) -> None:
        """Give the keyboard back to the view's main widget."""

    # ------------------------------------------------------------------ keys every view has
    def action_back(self) -> None:
        """esc: first the filter goes, then the view."""
        box = self.filter_box
        if box.has_class("shown") or self.filter_text:
            box.remove_class("shown")
            box.value = ""
            if self.filter_text:
                self.set_filter("")
            self.focus_body()
            self.refresh_bindings()
        elif len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.app.pop_screen()

    def action_refresh(self) -> None:
        self.worker_error = None
        self.feed.refresh_soon()
        self.update_status()

    def action_pause(self) -> None:
        self.feed.set_paused(not self.feed.paused)
        self.update_header()
        self.notify("paused: no automatic refresh (ctrl+r still refreshes)" if self.feed.paused else "resumed",
                    timeout=3)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pause":
            return self.feed.can_pause
        if action == "back" and self.query(".view-filter") and self.app.screen_stack[0] is self:
            return bool(self.filter_text) or self.filter_box.has_class("shown")  # the node view: nothing behind
        return True

    def action_open_view(self, name: str) -> None:
        self.app.open_view(name)  # type: ignore[attr-defined]

    def raw_text(self) -> tuple[str, str] | None:
        """(title, text) of what `y` shows for the current selection, or None."""
        return None

    def action_raw(self) -> None:
        raw = self.raw_text()
        if raw is None:
            self.notify("nothing raw to show here", timeout=3)
            return
        self.app.push_screen(RawScreen(*raw))
