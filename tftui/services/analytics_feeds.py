"""The analytics views' feeds, each over AnalyticsService, so they share the framework's refresh, pause and
error path: alarms (fetched again every few seconds: nothing pushes them), every UVE type's keys, one UVE,
a log query (once, or followed: new lines appended as they arrive), a node's state history, flow records
and a stat table."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from tftui.clients.analytics import AnalyticsError
from tftui.core.analytics.query import FlowQuery, LogQuery, QueryError, StatsQuery
from tftui.core.analytics.results import LogLine
from tftui.core.analytics.uve import singular
from tftui.core.redact import redact
from tftui.core.sorting import natural_key

from .analytics import AnalyticsService, LogSnapshot
from .feed import Feed, FetchFeed, describe_error

log = logging.getLogger(__name__)

ALARMS_EVERY = 10.0  # seconds between two looks at the alarms
HISTORY_EVERY = 10.0  # seconds between two looks at a node's state history
FOLLOW_EVERY = 2.0  # seconds between two looks for new log lines (contrail-logs --tail polls as often)
KEEP_LINES = 5000  # a followed log keeps its newest lines, as the event log does
EXPECTED = (AnalyticsError, QueryError)


def source_line(service: AnalyticsService, what: str = "") -> str:
    """What the status line names as the data's origin."""
    where = f"analytics API {redact(service.settings.url)}"
    return f"{where} · {what}" if what else where


# ---------------------------------------------------------------------------------------------- alarms, UVEs


def alarms_feed(service: AnalyticsService, every: float = ALARMS_EVERY) -> FetchFeed:
    return FetchFeed(service.alarms, source_line(service, "alarms"), EXPECTED, every=every)


@dataclass(frozen=True)
class UveIndex:
    """Every UVE the server has: (singular type, key), by type then key in natural order."""

    entries: tuple[tuple[str, str], ...]
    types: tuple[str, ...]


async def uve_index(service: AnalyticsService) -> UveIndex:
    types = tuple(singular(t) for t in await service.uve_types())
    keys = await asyncio.gather(*(service.uve_keys(t) for t in types))
    entries = tuple((t, k) for t, ks in sorted(zip(types, keys, strict=True)) for k in sorted(ks, key=natural_key))
    return UveIndex(entries, types)


def uve_index_feed(service: AnalyticsService) -> FetchFeed:
    return FetchFeed(lambda: uve_index(service), source_line(service, "UVE types and keys"), EXPECTED)


def uve_feed(service: AnalyticsService, uve_type: str, name: str, flat: bool) -> FetchFeed:
    return FetchFeed(lambda: service.uve(uve_type, name, flat=flat),
                     source_line(service, f"{uve_type}/{name}{'?flat' if flat else ''}"), EXPECTED)


# ---------------------------------------------------------------------------------------------- logs


@dataclass(frozen=True)
class LogsState:
    lines: tuple[LogLine, ...]
    query: LogQuery
    last: str
    follow: bool
    dropped: int = 0  # older lines let go to keep KEEP_LINES


class LogFeed(Feed):
    """A log query, once (``ctrl+r`` asks again), or followed: the window's lines, then every ``every`` seconds
    the lines that arrived since, appended. Paused, it stops asking (nothing is lost: the next look covers
    the pause); a failed look keeps the lines and tries again from the window's start."""

    can_pause = True

    def __init__(self, service: AnalyticsService, query: LogQuery, last: str = "10m", follow: bool = False,
                 every: float = FOLLOW_EVERY, keep: int = KEEP_LINES) -> None:
        super().__init__()
        self.service, self.query, self.last, self.follow = service, query, last, follow
        self.every, self.keep = every, keep
        self.source = source_line(service, query.table + (" · following" if follow else ""))
        self._task: asyncio.Task | None = None
        self._resumed = asyncio.Event()
        self._resumed.set()

    def start(self) -> None:
        # a task being cancelled counts as gone: a screen's mount unwatches and watches again at once
        if self._task is None or self._task.done() or self._task.cancelling():
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"feed {self.source}")

    def refresh_soon(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"feed {self.source}")

    def set_paused(self, paused: bool) -> None:
        super().set_paused(paused)
        if paused:
            self._resumed.clear()
        else:
            self._resumed.set()

    def idle(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def aclose(self) -> None:
        self.idle()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def _show(self, lines: tuple[LogLine, ...], dropped: int = 0) -> None:
        cut = max(0, len(lines) - self.keep)
        self.busy = False
        self.publish(LogsState(lines[cut:], self.query, self.last, self.follow, dropped + cut))

    def _failed(self, exc: Exception) -> None:
        message = describe_error(exc, EXPECTED)
        if isinstance(exc, EXPECTED):
            log.error("%s: %s", self.source, message)
        else:
            log.exception("%s: fetch failed", self.source)
        self.busy = False
        self.publish(error=message)

    async def _run(self) -> None:
        self.busy = True
        self.publish(error=self.error)
        if not self.follow:
            try:
                snap = await self.service.logs(self.query, self.last)
            except Exception as exc:  # every failure is the feed's error; the last lines stay
                self._failed(exc)
            else:
                self._show(snap.lines)
            return
        while True:
            try:
                first = True
                async for snap in self.service.follow_logs(self.query, self.last, self.every):
                    await self._resumed.wait()  # paused: what arrived waits here, unseen; nothing more is asked
                    if first:
                        self._show(snap.lines)
                        first = False
                    else:
                        old: LogsState = self.snapshot
                        self._show(old.lines + snap.lines, old.dropped)
            except Exception as exc:
                self._failed(exc)
            await asyncio.sleep(self.every)


# ---------------------------------------------------------------------------------------------- a node's history


async def node_history(service: AnalyticsService, node: str, object_types: tuple[str, ...],
                       last: str = "1h") -> LogSnapshot:
    """Every NodeStatusUVE the node's daemons sent, from the object table of each type it reports under."""
    found = await asyncio.gather(*(service.node_history(node, t, last) for t in object_types))
    lines = sorted((ln for snap in found for ln in snap.lines), key=lambda ln: ln.timestamp)
    start = min((s.start_us for s in found), default=0)
    end = max((s.end_us for s in found), default=0)
    return LogSnapshot(tuple(lines), start, end, ", ".join(s.table for s in found), service.clock())


def node_history_feed(service: AnalyticsService, node: str, object_types: tuple[str, ...],
                      last: str = "1h", every: float = HISTORY_EVERY) -> FetchFeed:
    """Asked again every ``every`` seconds: the poller's events beside it keep coming too."""
    return FetchFeed(lambda: node_history(service, node, object_types, last),
                     source_line(service, f"NodeStatusUVE of {node}"), EXPECTED, every=every)


# ---------------------------------------------------------------------------------------------- flows, stats


def flowlog_feed(service: AnalyticsService, query: FlowQuery, last: str) -> FetchFeed:
    return FetchFeed(lambda: service.flowlog(query, last), source_line(service, query.table), EXPECTED)


def stats_feed(service: AnalyticsService, query: StatsQuery, value: str, last: str) -> FetchFeed:
    return FetchFeed(lambda: service.stats(query, value, last), source_line(service, query.table), EXPECTED)
