"""The poller as a feed: ClusterState published after each merged change, polling in its own process.

What views use of it is small on purpose: ``state`` (results, events, counts, the changed set, the watched
node), ``refresh_soon``, ``set_paused``, ``backoff_of``, ``down`` (why the poller process is down, while it
is restarted). Without autopoll (tests, offline results) the in-process ``Poller`` answers instead.
"""

from __future__ import annotations

import asyncio
import logging

from tftui.core.inventory import ClusterSpec

from .feed import Feed
from .poller import Poller
from .poller_process import PollerProcess
from .state import ClusterState

log = logging.getLogger(__name__)


class ClusterFeed(Feed):
    min_interval = 0.5  # one relabel of the tree per half second, however many nodes answered meanwhile
    can_pause = True

    def __init__(self, spec: ClusterSpec, poller: Poller, autopoll: bool = True):
        super().__init__()
        self.spec = spec
        self.poller = poller
        self.state: ClusterState = poller.state
        self.snapshot = self.state
        self.updated_at = self.state.last_round_at or None
        self.source = f"introspect of {len(spec.nodes)} nodes"
        self.autostart = autopoll
        self.process: PollerProcess | None = None
        self.state.listener = self._changed

    def _changed(self) -> None:
        self.publish(self.state, error=self.error, updated_at=self.state.last_round_at or None)

    def _process_down(self, error: str | None) -> None:
        """From the poller process's supervisor thread: it went down (restarting), or it is back."""
        self.publish(self.state, error=error, updated_at=self.state.last_round_at or None)

    @property
    def down(self) -> str | None:
        return self.process.error if self.process is not None else None

    def start(self) -> None:
        if self.process is None:
            self.process = PollerProcess(self.spec, self.state)
            self.process.on_error = self._process_down
            self.process.start()

    def refresh_soon(self) -> None:
        (self.process or self.poller).refresh_now()

    def set_paused(self, paused: bool) -> None:
        (self.process or self.poller).set_paused(paused)
        self.paused = paused
        self._changed()

    def backoff_of(self, name: str) -> float:
        return (self.process or self.poller).backoff_of(name)

    async def aclose(self) -> None:
        if self.process is not None:
            await asyncio.to_thread(self.process.stop)
        await self.poller.close()
