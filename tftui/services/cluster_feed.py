"""The poller as a feed: ClusterState published after each node's result, polling on its own thread.

What views use of it is small on purpose (the poller may move to its own process): ``state`` (results,
events, counts, the changed set), ``refresh_soon``, ``set_paused``, ``backoff_of``.
"""

from __future__ import annotations

import asyncio
import logging

from tftui.core.inventory import ClusterSpec

from .feed import Feed, describe_error
from .poller import Poller
from .poller_thread import PollerThread
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
        self.thread: PollerThread | None = None
        self.state.listener = self._changed

    def _changed(self) -> None:
        self.publish(self.state, error=self.error, updated_at=self.state.last_round_at or None)

    def _died(self, exc: BaseException) -> None:
        log.error("polling stopped", exc_info=exc)
        self.publish(error=f"polling stopped: {describe_error(exc)}")

    def start(self) -> None:
        if self.thread is None:
            self.thread = PollerThread(self.poller, on_error=self._died)
            self.thread.start()

    def refresh_soon(self) -> None:
        (self.thread or self.poller).refresh_now()

    def set_paused(self, paused: bool) -> None:
        if self.thread is not None:
            self.thread.set_paused(paused)
        else:
            self.poller.set_paused(paused)
        self.paused = paused
        self._changed()

    def backoff_of(self, name: str) -> float:
        return self.poller.backoff_of(name)

    async def aclose(self) -> None:
        if self.thread is not None:
            await asyncio.to_thread(self.thread.stop)
        else:
            await self.poller.close()
