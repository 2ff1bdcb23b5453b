"""`:logs` — what `contrail-logs` prints: the message table or an object's log, by object type and id, message
type, source, module and level, over the last N minutes (`o` changes the query); `l` follows: new lines are
appended as they arrive, the cursor kept on the newest while it is on the last line."""

from __future__ import annotations

from rich.text import Text

from tftui.core.analytics.forms import LOG_FIELDS, describe_log_query, log_values, parse_log_form
from tftui.core.analytics.query import LogQuery
from tftui.core.analytics.results import LogLine, format_ts
from tftui.core.humanize import clock
from tftui.services.analytics import AnalyticsService
from tftui.services.analytics_feeds import LogFeed, LogsState

from ..framework import Column, Row, Tone, bindings, register
from .analytics_base import AnalyticsView

_LEVEL_TONES = {"SYS_EMERG": "err", "SYS_ALERT": "err", "SYS_CRIT": "err", "SYS_ERR": "err", "SYS_WARN": "warn"}


def log_key(ln: LogLine) -> str:
    return f"{ln.timestamp}|{ln.source}|{ln.module}|{ln.message_type}|{ln.sequence}"


def log_detail(ln: LogLine) -> Text:
    """The line as contrail-logs prints it, its message whole."""
    text = Text(f"{format_ts(ln.timestamp)}  {ln.source}  {ln.module}", style="bold")
    if ln.level:
        text.append(f"  {ln.level}", style="dim")
    text.append(f"\n{ln.message_type}: ", style="bold")
    text.append(ln.text)
    return text


LOG_COLUMNS = (
    Column("time", "Time", 8, priority=0),
    Column("source", "Source", 10, priority=0, min_width=6),
    Column("module", "Module", 22, priority=2),
    Column("level", "Level", 10, priority=3),
    Column("type", "Message type", 14, priority=1),
    Column("text", "Message", 30, priority=0, min_width=24, grow=True),
)


def log_cells(ln: LogLine) -> tuple:
    return (clock(ln.timestamp / 1e6), ln.source, ln.module, Tone(ln.level, _LEVEL_TONES.get(ln.level, "dim")),
            ln.message_type, ln.text)


@register
class LogsView(AnalyticsView):
    NAME = "logs"
    ALIASES = ("contrail-logs", "messages")
    TITLE = "Logs — analytics (contrail-logs)"
    ITEMS = "lines"
    FOLLOW_TAIL = True
    PAGE = 5000  # a followed log keeps 5000 lines: all in one table, End is the newest
    DETAIL_HEIGHT = 4
    BINDINGS = bindings("logs.follow")
    FIELDS = LOG_FIELDS
    FORM_TITLE = "Logs: what contrail-logs would be asked"
    COLUMNS = LOG_COLUMNS

    def __init__(self, services, query: LogQuery | None = None, last: str = "10m", follow: bool = False,
                 **kwargs) -> None:
        self.log_query, self.last, self.follow = query or LogQuery(), last, follow
        super().__init__(services, **kwargs)

    def make_feed(self, service: AnalyticsService) -> LogFeed:
        return LogFeed(service, self.log_query, self.last, self.follow)

    def rows(self, state: LogsState) -> list[Row]:
        return [Row(log_key(ln), log_cells(ln), ln, search=f"{ln.source} {ln.module} {ln.level} {ln.message_type} "
                                                             f"{ln.text}",
                    rank=3 if ln.level in ("SYS_EMERG", "SYS_ALERT", "SYS_CRIT", "SYS_ERR") else
                    2 if ln.level == "SYS_WARN" else 0) for ln in state.lines]

    def summary(self, state: LogsState) -> Text:
        text = Text(describe_log_query(state.query, state.last))
        if state.follow:
            text.append("  · following (l stops)", style="bold green")
        else:
            text.append("  · l follows, o changes the query", style="dim")
        if state.dropped:
            text.append(f"  · {state.dropped} older lines let go", style="dim")
        return text

    def detail(self, row: Row) -> Text:
        return log_detail(row.item)

    def raw(self, row: Row) -> str:
        return row.item.line + "\n\n" + super().raw(row)

    # ------------------------------------------------------------------ keys
    def form_values(self) -> dict[str, str]:
        return log_values(self.log_query, self.last)

    def apply_form(self, answers: dict[str, str]) -> None:
        self.log_query, self.last = parse_log_form(answers)
        self.replace_feed(self.make_feed(self.analytics))

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        self.replace_feed(self.make_feed(self.analytics))
        self.notify("following: new lines are appended as they arrive" if self.follow else "not following",
                    timeout=2)
