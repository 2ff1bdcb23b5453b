"""The poller on its own thread and event loop, so a poll round's CPU never sits between a key press and the screen.

At two thousand nodes a round is about a second of CPU (HTTP, XML). On the UI's loop those callbacks
queue ahead of key events; on a thread the GIL hands the UI a turn every few milliseconds. The UI
only reads ClusterState (guarded by its lock) and drains what changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Callable

from .poller import Poller


class PollerThread:
    def __init__(self, poller: Poller, on_error: Callable[[BaseException], None] | None = None):
        self.poller = poller
        self.on_error = on_error  # called (from the poller's thread) if polling dies
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self.error: BaseException | None = None

    def start(self) -> None:
        # A shorter GIL switch interval hands the UI thread its turn sooner while a round is being decoded.
        sys.setswitchinterval(0.001)
        self._thread = threading.Thread(target=self._run, name="tftui-poller", daemon=True)
        self._thread.start()
        self._started.wait(5)

    def _run(self) -> None:
        policy = asyncio.get_event_loop_policy()
        loop = policy.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self._task = loop.create_task(self.poller.run())
            self._started.set()
            loop.run_until_complete(self._task)
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # surfaced by the UI, never silently lost
            self.error = exc
            if self.on_error is not None:
                self.on_error(exc)
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(self.poller.close())
            loop.close()

    def _call(self, fn, *args) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn, *args)

    def refresh_now(self) -> None:
        self._call(self.poller.refresh_now)

    def set_paused(self, paused: bool) -> None:
        self._call(self.poller.set_paused, paused)
        self.poller.paused = paused

    def stop(self, timeout: float = 5.0) -> None:
        if self._task is not None:
            self._call(self._task.cancel)
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
