"""Feeds: the one way a view gets data, whatever the source.

A feed holds the latest snapshot of one source (the poller's cluster state, a router's tables, the agents'
interfaces, the config API's objects), a version that moves on every change, the time of the last good
data and the last error. Views subscribe; a listener is called after every change, from whatever thread
the source runs in, and must only schedule work (the UI posts itself a message). A failed fetch keeps
the last good snapshot and sets ``error``: nothing a source does can crash a view.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Listener = Callable[[Any], None]
_KEEP = object()


def describe_error(exc: BaseException, expected: tuple[type[BaseException], ...] = ()) -> str:
    """The message an operator sees: an expected error's own text, anything else with its type."""
    if expected and isinstance(exc, expected):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Feed:
    """Snapshots of one source. Subclasses produce them and call ``publish``."""

    source: str = ""  # what the status line names as the data's origin
    autostart: bool = True  # subscribing starts the source (off for a caller that drives refreshes itself)
    min_interval: float = 0.0  # views apply snapshots at most this often (a poller publishes per node result)
    can_pause: bool = False

    def __init__(self) -> None:
        self.snapshot: Any = None
        self.version = 0
        self.updated_at: float | None = None  # wall clock of the last good data
        self.error: str | None = None  # the last fetch's error; the snapshot is the last good one
        self.busy = False
        self.paused = False
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(snapshot)`` after every change; starts the source. Returns the unsubscribe."""
        self._listeners.append(listener)
        if self.autostart:
            self.start()

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)
                if not self._listeners:
                    self.idle()

        return unsubscribe

    def publish(self, snapshot: Any = _KEEP, *, error: str | None = None, updated_at: Any = _KEEP) -> None:
        """A new snapshot (or only a new error/busy state, when ``snapshot`` is omitted): tell the listeners.
        ``updated_at`` is when the data was good (default: now, for a new snapshot)."""
        if snapshot is not _KEEP:
            self.snapshot = snapshot
            if updated_at is _KEEP:
                updated_at = time.time()
        if updated_at is not _KEEP:
            self.updated_at = updated_at
        self.error = error
        self.version += 1
        for listener in list(self._listeners):
            try:
                listener(self.snapshot)
            except Exception:  # a broken listener must not stop the source
                log.exception("feed listener failed")

    # what a view may ask of any feed; sources override what they support
    def start(self) -> None:
        """Begin producing snapshots (idempotent)."""

    def refresh_soon(self) -> None:
        """Fetch again now rather than at the next scheduled time."""

    def set_paused(self, paused: bool) -> None:
        self.paused = paused

    def idle(self) -> None:
        """The last listener went: a source that keeps fetching on its own stops here (a view closed)."""

    async def aclose(self) -> None:
        """Stop producing and release connections."""


class FetchFeed(Feed):
    """A source fetched on demand (the first subscriber, then ``refresh_soon``): agents, config API, SSH.
    With ``every`` it is live: fetched again that many seconds after the last fetch ended (or four times as
    long as that fetch took, so a slow source is never asked more than a fifth of the time), while someone
    watches and it is not paused; watched again after an idle spell, it fetches at once (alarms, flows)."""

    def __init__(self, fetch: Callable[[], Awaitable[Any]], source: str,
                 expected: tuple[type[BaseException], ...] = (), close: Callable[[], Awaitable[None]] | None = None,
                 every: float = 0.0):
        super().__init__()
        self.fetch = fetch
        self.source = source
        self.expected = expected
        self.every = every
        self.can_pause = every > 0
        self._close = close
        self._task: asyncio.Task | None = None
        self._again = False
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._spent = 0.0  # how long the last fetch took

    def start(self) -> None:
        if self.version == 0 and self._task is None:
            self.refresh_soon()
        elif self.every > 0 and self._timer is None and (self._task is None or self._task.done()):
            self.refresh_soon()  # watched again after an idle spell: fresh data, and live again

    def _arm(self) -> None:
        if self.every > 0 and self._listeners and self._timer is None and not self._closed:
            self._timer = asyncio.get_running_loop().call_later(max(self.every, 4 * self._spent), self._due)

    def _due(self) -> None:
        self._timer = None
        if not self._listeners:
            return  # nobody watches: the next subscription starts it again
        if self.paused:
            self._arm()
            return
        self.refresh_soon()

    def idle(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def refresh_soon(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True  # one more fetch when this one ends, never two at once
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"feed {self.source}")

    async def refresh(self) -> Any:
        """Fetch now and wait for it (a write wants the new state before it goes on)."""
        if self._task is not None and not self._task.done():
            self._again = True
            await asyncio.shield(self._task)
        else:
            self._task = asyncio.get_running_loop().create_task(self._run())
            await asyncio.shield(self._task)
        return self.snapshot

    async def _run(self) -> None:
        while True:
            self._again = False
            self.busy = True
            self.publish(error=self.error)
            started = time.monotonic()
            try:
                snapshot = await self.fetch()
            except asyncio.CancelledError:
                self.busy = False
                raise
            except Exception as exc:  # every failure becomes the feed's error; the last good data stays
                message = describe_error(exc, self.expected)
                if isinstance(exc, self.expected):
                    log.error("%s: %s", self.source, message)
                else:
                    log.exception("%s: fetch failed", self.source)
                self.busy = False
                self.publish(error=message)
            else:
                self.busy = False
                self.publish(snapshot)
            self._spent = time.monotonic() - started
            if not self._again:
                self._arm()
                return

    async def aclose(self) -> None:
        self._closed = True
        self.idle()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._close is not None:
            await self._close()
