"""`:stats` — a stat table over time (what `contrail-stats` asks), one line per source: a sparkline over the
whole range, the last value, min and max; the source under the cursor plotted a few lines high below.
`o` picks the table, the value plotted, where-terms and how far back (default: every vrouter's active
flows, StatTable.VrouterStatsAgent.flow_rate, over the last hour)."""

from __future__ import annotations

from rich.text import Text

from tftui.core.analytics.forms import (
    DEFAULT_STATS_TABLE,
    DEFAULT_STATS_VALUE,
    STATS_FIELDS,
    StatsAsk,
    describe_stats,
    parse_stats_form,
    stats_values,
)
from tftui.core.analytics.plot import plot, spark
from tftui.core.analytics.query import StatsQuery
from tftui.core.analytics.results import StatSeries
from tftui.core.humanize import clock
from tftui.services.analytics import AnalyticsService, StatsSnapshot
from tftui.services.analytics_feeds import stats_feed

from ..framework import Column, Row, register
from .analytics_base import AnalyticsView

PLOT_HEIGHT = 5


def _number(v: float) -> str:
    return f"{v:.0f}" if v == int(v) and abs(v) < 1e12 else f"{v:.4g}"


@register
class StatsView(AnalyticsView):
    NAME = "stats"
    ALIASES = ("stat", "contrail-stats", "stattable")
    TITLE = "Stats — analytics"
    ITEMS = "sources"
    DETAIL_HEIGHT = PLOT_HEIGHT + 2
    FIELDS = STATS_FIELDS
    FORM_TITLE = "Stats: which stat table, which value, how far back"
    COLUMNS = (
        Column("source", "Source", 14, priority=0, min_width=8),
        Column("spark", "Over the range", 40, priority=0, min_width=12, grow=True),
        Column("last", "Last", 8, priority=0),
        Column("min", "Min", 8, priority=1),
        Column("max", "Max", 8, priority=1),
    )

    def __init__(self, services, ask: StatsAsk | None = None, **kwargs) -> None:
        self.ask = ask or StatsAsk(StatsQuery(DEFAULT_STATS_TABLE, (DEFAULT_STATS_VALUE, "T", "Source")),
                                   DEFAULT_STATS_VALUE, "1h")
        self.span: tuple[int, int] = (0, 0)  # the time range every sparkline spreads over
        super().__init__(services, **kwargs)

    def make_feed(self, service: AnalyticsService):
        return stats_feed(service, self.ask.query, self.ask.value, self.ask.last)

    def _width(self, key: str, default: int) -> int:
        return next((w for c, w in self.columns_shown if c.key == key), default)

    def _cells(self, s: StatSeries) -> tuple:
        values = [v for _, v in s.points]
        return (s.key, spark(s.points, self._width("spark", 40), *self.span), _number(values[-1]),
                _number(min(values)), _number(max(values)))

    def rows(self, snap: StatsSnapshot) -> list[Row]:
        series = [s for s in snap.series if s.points]
        self.span = (min((s.points[0][0] for s in series), default=0), max((s.points[-1][0] for s in series),
                                                                              default=0))
        return [Row(s.key, lambda s=s: self._cells(s), s,
                    search=f"{s.key} {_number(s.points[-1][1])}") for s in series]

    def summary(self, snap: StatsSnapshot) -> Text:
        text = Text(describe_stats(self.ask))
        text.append("  · o changes the query", style="dim")
        if self.span[1]:
            text.append(f"\nfrom {clock(self.span[0] / 1e6)} to {clock(self.span[1] / 1e6)}", style="dim")
        if not snap.series:
            text.append(f"\nno {self.ask.value} values in {self.ask.query.table} over the last {self.ask.last}",
                        style="bold yellow")
        return text

    def detail(self, row: Row) -> Text:
        s: StatSeries = row.item
        values = [v for _, v in s.points]
        width = max(10, self.size.width - 12)
        text = Text(f"{s.key}: {self.ask.value}, {len(values)} points, last {_number(values[-1])}\n", style="bold")
        lines = plot(s.points, width, PLOT_HEIGHT, *self.span)
        for i, line in enumerate(lines):
            label = _number(max(values)) if i == 0 else _number(min(values)) if i == len(lines) - 1 else ""
            text.append(f"{label:>9} ", style="dim")
            text.append(line + "\n", style="cyan")
        text.rstrip()
        return text

    def form_values(self) -> dict[str, str]:
        return stats_values(self.ask)

    def apply_form(self, answers: dict[str, str]) -> None:
        self.ask = parse_stats_form(answers)
        self.replace_feed(self.make_feed(self.analytics))
