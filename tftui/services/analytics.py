"""What the analytics views and commands watch: alarms (with ack), UVEs, logs (with follow), flow history, stats.

Every method is async and returns an immutable snapshot; the views' subscription mechanism (branch fw)
can wrap them as they are. Writes (alarm acknowledgement) are refused under ``readonly`` before any I/O
and need the caller's ``confirmed=True`` — the operator's answer to a prompt.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from tftui.clients.analytics import NOT_FOUND, AnalyticsClient, AnalyticsError
from tftui.clients.configapi import ConfigApiClient, ConfigApiError
from tftui.core.analytics.alarms import Alarm
from tftui.core.analytics.query import (
    USECS,
    FlowQuery,
    LogQuery,
    StatsQuery,
    last_range,
    resolve_time,
    windows,
)
from tftui.core.analytics.results import (
    FlowRow,
    LogLine,
    StatSeries,
    flow_row,
    log_line,
    session_row,
    stat_series,
)
from tftui.core.analytics.settings import AnalyticsSettings, analytics_settings
from tftui.core.analytics.uve import UveFilters, UveRow, uve_rows
from tftui.core.inventory import ClusterSpec, ConfigError
from tftui.core.policy.settings import config_api_settings


class ReadOnlyError(RuntimeError):
    pass


class NotConfirmedError(RuntimeError):
    pass


class NoAnalyticsError(RuntimeError):
    """The cluster has no analytics API: neither ``analytics_api`` nor an analytics node."""


@dataclass(frozen=True)
class AlarmsSnapshot:
    alarms: tuple[Alarm, ...]
    partial: bool = False
    at: float = 0.0

    @property
    def unacknowledged(self) -> tuple[Alarm, ...]:
        return tuple(a for a in self.alarms if not a.ack)

    @property
    def serious_unacknowledged(self) -> tuple[Alarm, ...]:
        """Critical or major, not acknowledged: what makes ``tftui alarms`` exit 1 (and the tree's bell)."""
        return tuple(a for a in self.alarms if a.serious and not a.ack)

    def by_node(self) -> dict[str, tuple[Alarm, ...]]:
        out: dict[str, list[Alarm]] = {}
        for a in self.unacknowledged:
            out.setdefault(a.name, []).append(a)
        return {k: tuple(v) for k, v in out.items()}

    def find(self, ident: str) -> Alarm | None:
        """By short id, or by ``TABLE/NAME/TYPE``."""
        return next((a for a in self.alarms if ident in (a.id, f"{a.table}/{a.name}/{a.type}")), None)


@dataclass(frozen=True)
class UveSnapshot:
    uve_type: str
    name: str
    data: dict
    flat: bool = True
    partial: bool = False
    at: float = 0.0

    @property
    def rows(self) -> tuple[UveRow, ...]:
        return tuple(uve_rows(self.data))


@dataclass(frozen=True)
class LogSnapshot:
    lines: tuple[LogLine, ...]
    start_us: int
    end_us: int
    table: str = ""
    at: float = 0.0


@dataclass(frozen=True)
class FlowSnapshot:
    rows: tuple[FlowRow, ...]
    export_rate: int | None = None  # None: unknown (no config API)
    at: float = 0.0

    @property
    def export_off(self) -> bool:
        return self.export_rate == 0

    @property
    def note(self) -> str:
        if self.export_off:
            return ("flow export is off (global-vrouter-config flow_export_rate = 0, the default since R4.0): "
                    "analytics keeps no flow records; see live flows with `tftui flows`")
        if not self.rows and self.export_rate is None:
            return ("no flow records; if flow export is off (flow_export_rate 0, the default since R4.0) "
                    "analytics keeps none: see live flows with `tftui flows`")
        return ""


@dataclass(frozen=True)
class StatsSnapshot:
    table: str
    value_field: str
    series: tuple[StatSeries, ...]
    rows: tuple[dict, ...] = field(default=(), compare=False)
    at: float = 0.0


class AnalyticsService:
    def __init__(self, settings: AnalyticsSettings, cluster: ClusterSpec | None = None, *, readonly: bool = False,
                 client: AnalyticsClient | None = None, clock: Callable[[], float] = time.time):
        self.settings = settings
        self.cluster = cluster
        self.readonly = readonly
        self.client = client or AnalyticsClient(settings)
        self.clock = clock

    @classmethod
    def from_cluster(cls, cluster: ClusterSpec, *, readonly: bool = False) -> AnalyticsService:
        settings = analytics_settings(cluster)
        if settings is None:
            raise NoAnalyticsError(f"cluster {cluster.name} has no analytics API: set analytics_api, "
                                   f"or give a node the analytics role")
        return cls(settings, cluster, readonly=readonly)

    async def close(self) -> None:
        await self.client.aclose()

    aclose = close  # the app's service registry closes what it built by this name

    def _now_us(self) -> int:
        return int(self.clock() * USECS)

    # ------------------------------------------------------------------ alarms
    async def alarms(self, ackfilt: bool | None = None, tables: tuple[str, ...] = ()) -> AlarmsSnapshot:
        reply = await self.client.alarms(tables=tables, ackfilt=ackfilt)
        return AlarmsSnapshot(tuple(reply.data), reply.partial, self.clock())

    async def acknowledge(self, alarm: Alarm, *, confirmed: bool) -> AlarmsSnapshot:
        """Acknowledge, then the fresh snapshot (where the alarm shows ``ack``)."""
        if self.readonly:
            raise ReadOnlyError("read-only mode: alarms are not acknowledged (started with --readonly)")
        if not confirmed:
            raise NotConfirmedError("acknowledging an alarm needs the operator's confirmation")
        await self.client.acknowledge(alarm)
        return await self.alarms()

    # ------------------------------------------------------------------ UVEs
    async def uve_types(self) -> tuple[str, ...]:
        return tuple((await self.client.uve_types()).data)

    async def uve_keys(self, uve_type: str) -> tuple[str, ...]:
        return tuple((await self.client.uve_keys(uve_type)).data)

    async def uve(self, uve_type: str, name: str, flat: bool = True, cfilt: tuple[str, ...] = ()) -> UveSnapshot:
        reply = await self.client.uve(uve_type, name, flat=flat, filters=UveFilters(cfilt=cfilt))
        return UveSnapshot(uve_type, name, reply.data, flat or bool(cfilt), reply.partial, self.clock())

    # ------------------------------------------------------------------ logs
    async def logs(self, query: LogQuery, last: str = "10m", start: str | int | None = None,
                   end: str | int | None = None) -> LogSnapshot:
        """As contrail-logs does: the range in 10-minute windows, one query each, lines in time order."""
        now = self._now_us()
        if start is None:
            start, end = last_range(last)
        s, e = resolve_time(start, now), resolve_time(end if end is not None else "now", now)
        lines: list[LogLine] = []
        for ws, we in windows(s, e):
            rows = await self.client.query(query.body(ws, we))
            lines.extend(log_line(r) for r in rows)
        lines.sort(key=lambda ln: ln.timestamp, reverse=query.reverse)
        return LogSnapshot(tuple(lines), s, e, query.table, self.clock())

    async def follow_logs(self, query: LogQuery, last: str = "10m", interval: float = 2.0) -> AsyncIterator[LogSnapshot]:
        """The first snapshot, then every ``interval`` seconds one with only the lines that arrived since."""
        snap = await self.logs(query, last)
        yield snap
        seen = {(ln.timestamp, ln.source, ln.module, ln.text) for ln in snap.lines}
        since = snap.end_us
        while True:
            await asyncio.sleep(interval)
            now = self._now_us()
            new = await self.logs(query, start=since - 2 * USECS, end=now)  # overlap: clocks and late writes
            fresh = tuple(ln for ln in new.lines if (ln.timestamp, ln.source, ln.module, ln.text) not in seen)
            seen.update((ln.timestamp, ln.source, ln.module, ln.text) for ln in fresh)
            since = now
            if fresh:
                yield LogSnapshot(fresh, new.start_us, now, new.table, self.clock())

    async def node_history(self, node: str, object_type: str, last: str = "1h") -> LogSnapshot:
        """A node's state history: the NodeStatusUVE object logs of its object table."""
        return await self.logs(LogQuery(object_type=object_type, object_id=node, message_type="NodeStatusUVE"), last)

    # ------------------------------------------------------------------ flows, stats
    async def flow_export_rate(self) -> int | None:
        """global-vrouter-config's flow_export_rate (0 when unset); None without a config API."""
        if self.cluster is None:
            return None
        try:
            cfg = config_api_settings(self.cluster)
        except ConfigError:
            return None
        if cfg is None:
            return None
        async with ConfigApiClient(cfg) as api:
            try:
                gvcs = await api.list_all("global-vrouter-config")
            except ConfigApiError:
                return None
        rates = [int(g.get("flow_export_rate") or 0) for g in gvcs]
        return rates[0] if rates else 0

    async def flowlog(self, query: FlowQuery, last: str = "1h") -> FlowSnapshot:
        rate = await self.flow_export_rate()
        if rate == 0:
            return FlowSnapshot((), 0, self.clock())
        start, end = last_range(last)
        rows = await self.client.query(query.body(start, end))
        decode = session_row if query.sessions else flow_row
        return FlowSnapshot(tuple(decode(r) for r in rows), rate, self.clock())

    async def stats(self, query: StatsQuery, value_field: str, last: str = "1h",
                    key_field: str = "Source") -> StatsSnapshot:
        start, end = last_range(last)
        try:
            rows = await self.client.query(query.body(start, end))
        except AnalyticsError as exc:
            if exc.kind == NOT_FOUND:
                raise AnalyticsError(NOT_FOUND, f"no stat table {query.table} on this cluster ({exc})") from None
            raise
        return StatsSnapshot(query.table, value_field, tuple(stat_series(rows, value_field, key_field)),
                             tuple(rows), self.clock())
