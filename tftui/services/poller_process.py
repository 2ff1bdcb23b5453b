"""The poller in its own process: the UI process only merges what changed and renders.

A poll round at fleet scale is about a second of CPU (HTTP, XML, contrail-status rules). In a thread it
competes with the UI for the GIL; in a child process it has its own interpreter and the UI's keystrokes
do not wait behind it. The child owns the connections, decoding and rules, and streams a compact record
of what changed: node results whose shown state changed (without their reply bodies), events, round
times and backoffs — plus, for the one node the operator is looking at (``ClusterState.watch``), its whole
result with the replies, each time it is polled, for the detail pane and the raw view.

IPC: two one-way ``multiprocessing`` pipes (pickled messages, the library's own framing). The child is a
plain ``subprocess`` (a fresh interpreter, its own session, nothing of the UI inherited but the two pipe ends):
``multiprocessing.Process`` would start its resource tracker with the UI's stderr, which Textual replaces. The child
sends from a thread of its own and coalesces while the UI is slow to read (latest result per node,
bounded events and log lines), so a stalled UI never stalls polling nor grows the child's memory without
bound. The child's log records travel the same pipe into tftui's log. When the child dies the state says
so (``error``, shown in the header) and a new one is started after a pause that grows if it keeps dying.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

from tftui.core.cluster import NodeResult
from tftui.core.inventory import ClusterSpec

from .heap import settle_heap
from .poller import Poller
from .state import ClusterState, Event

log = logging.getLogger(__name__)

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # where tftui is

FLUSH_EVERY = 0.05  # seconds between two looks at what changed in the child
MAX_PENDING_EVENTS = 5000
MAX_PENDING_LOGS = 1000
RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 30.0
STABLE_AFTER = 30.0
SETTLE_HEAP_EVERY = 30  # rounds  # a child that lived this long restarts after the short delay again


def compact(result: NodeResult) -> NodeResult:
    """A node result without its reply bodies: what the tree, header, filter and events need."""
    if not any(s.raw for s in result.services):
        return result
    return replace(result, services=tuple(replace(s, raw=b"") if s.raw else s for s in result.services))


@dataclass
class Update:
    """One message of the stream, child to UI: everything since the last one, coalesced."""

    results: dict[str, NodeResult] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    logs: list[tuple[str, int, str, float]] = field(default_factory=list)  # logger, level, message, time
    dropped: int = 0  # events and log lines dropped while the UI did not read
    rounds: int = 0  # rounds finished since the last update
    last_round: tuple[float, float] | None = None  # (wall time it ended, duration)
    backoffs: dict[str, float] | None = None  # node -> wall time of its next try, when that changed
    answered: dict[str, float] | None = None  # node -> when it last answered, at the end of each round

    def add_events(self, events: list[Event]) -> None:
        self.events.extend(events)
        if len(self.events) > MAX_PENDING_EVENTS:
            self.dropped += len(self.events) - MAX_PENDING_EVENTS
            del self.events[:-MAX_PENDING_EVENTS]

    def add_log(self, name: str, level: int, message: str, at: float) -> None:
        if len(self.logs) >= MAX_PENDING_LOGS:
            self.logs.pop(0)
            self.dropped += 1
        self.logs.append((name, level, message, at))

    def __bool__(self) -> bool:
        return bool(self.results or self.events or self.logs or self.rounds or self.backoffs is not None
                    or self.dropped)


# ----------------------------------------------------------------------------------------- the child


class _Outbox:
    """What the child has not sent yet; the sender thread takes it whole whenever the pipe accepts more."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._update = Update()
        self.closed = False

    def add(self, fn) -> None:
        with self._lock:
            fn(self._update)
            self._lock.notify()

    def log(self, name: str, level: int, message: str, at: float) -> None:
        self.add(lambda u: u.add_log(name, level, message, at))

    def take(self) -> Update | None:
        with self._lock:
            while not self._update and not self.closed:
                self._lock.wait()
            update, self._update = self._update, Update()
            return update if update else None

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._lock.notify()


class _ForwardLogs(logging.Handler):
    def __init__(self, outbox: _Outbox):
        super().__init__()
        self.outbox = outbox

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.outbox.log(record.name, record.levelno, record.getMessage(), record.created)
        except Exception:  # logging must never take the poller down
            self.handleError(record)


def _send_forever(conn: Connection, outbox: _Outbox) -> None:
    while True:
        update = outbox.take()
        if update is None:
            return
        try:
            conn.send(update)  # blocks while the UI is slow to read: the outbox coalesces meanwhile
        except (OSError, ValueError):
            return


class _Stream:
    """The child's side of the stream: what the UI has been sent so far, and the next update from the state."""

    def __init__(self, poller: Poller, outbox: _Outbox, watched: str | None):
        self.poller, self.outbox = poller, outbox
        self.watched = watched  # the node whose whole result is sent each time it is polled
        self._watched_sent: NodeResult | None = None
        self._events_sent = 0
        self._rounds_sent = 0
        self._backoffs_sent: dict[str, float] | None = None

    def watch(self, name: str | None) -> None:
        self.watched, self._watched_sent = name, None

    def collect(self) -> None:
        """Move what changed in the poller's state since the last look into the outbox."""
        state = self.poller.state
        results = {name: compact(state.results[name]) for name in state.drain_changed()}
        watched = state.results.get(self.watched) if self.watched else None
        if watched is not None and watched is not self._watched_sent:
            self._watched_sent = results[watched.name] = watched
        new_events = min(state.events_total - self._events_sent, len(state.events))
        events = list(itertools.islice(reversed(state.events), new_events))[::-1]
        self._events_sent = state.events_total
        rounds, self._rounds_sent = state.rounds - self._rounds_sent, state.rounds
        answered = dict(state.last_answered) if rounds else None
        backoffs = self.poller.backoffs()
        backoffs_changed = backoffs != self._backoffs_sent
        self._backoffs_sent = backoffs
        if not (results or events or rounds or backoffs_changed):
            return

        def put(u: Update) -> None:
            u.results.update(results)
            u.add_events(events)
            if rounds:
                u.rounds += rounds
                u.last_round = (state.last_round_at, state.last_round_duration)
                u.answered = answered
            if backoffs_changed:
                u.backoffs = backoffs

        self.outbox.add(put)


def _read_commands(conn: Connection, loop: asyncio.AbstractEventLoop, poller: Poller, stream: _Stream,
                   stop: asyncio.Event) -> None:
    while True:
        try:
            command, arg = conn.recv()
        except (EOFError, OSError):  # the UI is gone: so is the reason to poll
            command, arg = "stop", None
        if command == "stop":
            loop.call_soon_threadsafe(stop.set)
            return
        if command == "refresh":
            loop.call_soon_threadsafe(poller.refresh_now)
        elif command == "pause":
            loop.call_soon_threadsafe(poller.set_paused, bool(arg))
        elif command == "watch":
            loop.call_soon_threadsafe(stream.watch, arg)


async def _child(spec: ClusterSpec, commands: Connection, outbox: _Outbox, paused: bool, watched: str | None) -> None:
    poller = Poller(spec)
    poller.set_paused(paused)
    stream = _Stream(poller, outbox, watched)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    threading.Thread(target=_read_commands, args=(commands, loop, poller, stream, stop),
                     name="tftui-poller-commands", daemon=True).start()
    polling = asyncio.create_task(poller.run())
    settled_at = 0
    try:
        while not stop.is_set() and not polling.done():
            await asyncio.sleep(FLUSH_EVERY)
            stream.collect()
            rounds = poller.state.rounds
            if rounds and (not settled_at or rounds - settled_at >= SETTLE_HEAP_EVERY):
                settled_at = rounds
                settle_heap()  # full collections between rounds, not over the whole heap during one
    finally:
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling  # a poller that failed raises here: logged by child_main, the UI restarts the child


def child_main() -> None:
    """The poller process's entry point: ``python -c '...child_main()' COMMANDS_FD STREAM_FD``; its first
    command is ``("start", (spec, log level, paused, watched node))``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ctrl+c in the terminal is the UI's to handle
    commands, stream = Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False)
    try:
        command, arg = commands.recv()
    except (EOFError, OSError):
        return
    if command != "start":
        return
    spec, level, paused, watched = arg
    from .loop import install_fast_loop, raise_open_files_limit

    install_fast_loop()
    raise_open_files_limit()
    outbox = _Outbox()
    root = logging.getLogger("tftui")
    root.setLevel(level)
    root.addHandler(_ForwardLogs(outbox))
    sender = threading.Thread(target=_send_forever, args=(stream, outbox), name="tftui-poller-sender")
    sender.start()
    try:
        asyncio.run(_child(spec, commands, outbox, paused, watched))
    except Exception:
        logging.getLogger(__name__).exception("poller process failed")
        raise SystemExit(1) from None
    finally:
        outbox.close()
        sender.join(5)


# ----------------------------------------------------------------------------------------- the UI side


class PollerProcess:
    """The interface the UI uses, as PollerThread's: start, stop, refresh_now, set_paused, paused, backoff_of,
    error and alive; results, events and round times arrive in ``state`` (a ClusterState)."""

    def __init__(self, spec: ClusterSpec, state: ClusterState | None = None, restart_delay: float = RESTART_DELAY):
        self.spec = spec
        self.state = state or ClusterState(spec)
        self.paused = False
        self.error: str | None = None  # why the poller process is down, while it is restarted
        self.on_error: Callable[[str | None], None] | None = None  # told when it goes down and comes back
        self.restarts = 0
        self.restart_delay = restart_delay
        self._process: subprocess.Popen | None = None
        self._commands: Connection | None = None
        self._backoffs: dict[str, float] = {}
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._send_lock = threading.Lock()
        self.state.on_watch = self._send_watch

    # -- the interface

    def start(self) -> None:
        self._supervisor = threading.Thread(target=self._supervise, name="tftui-poller-supervisor", daemon=True)
        self._supervisor.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._send("stop", None)
        process = self._process
        if process is not None:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._supervisor is not None:
            self._supervisor.join(timeout)

    def refresh_now(self) -> None:
        self._send("refresh", None)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._send("pause", paused)

    def backoff_of(self, name: str) -> float:
        due = self._backoffs.get(name)
        return max(0.0, due - time.time()) if due else 0.0

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None and self.error is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # -- the pipes

    def _send(self, command: str, arg) -> None:
        with self._send_lock:
            self._send_locked(command, arg)

    def _send_locked(self, command: str, arg) -> None:
        if self._commands is not None:
            with contextlib.suppress(OSError, ValueError):
                self._commands.send((command, arg))

    def _send_watch(self, name: str | None) -> None:
        self._send("watch", name)

    def _spawn(self) -> Connection:
        commands_in, commands_out = multiprocessing.Pipe(duplex=False)
        stream_in, stream_out = multiprocessing.Pipe(duplex=False)
        fds = (commands_in.fileno(), stream_out.fileno())
        code = "from tftui.services.poller_process import child_main; child_main()"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
        level = logging.getLogger("tftui").getEffectiveLevel()
        with self._send_lock:  # no pause or watch may fall between the child's start command and its pipe
            # The terminal is the UI's: the child prints nothing on it (what goes wrong is logged through the pipe).
            process = subprocess.Popen([sys.executable, "-c", code, *map(str, fds)], pass_fds=fds, env=env,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
            self._process, self._commands = process, commands_out
            # A new child knows nothing: it starts as the UI wants it (paused, watching a node).
            self._send_locked("start", (self.spec, level, self.paused, self.state.watched))
        commands_in.close()  # the child's ends: closed here so that EOF means the other side is gone
        stream_out.close()
        return stream_in

    def _supervise(self) -> None:
        delay = self.restart_delay
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                stream = self._spawn()
            except OSError as exc:
                why = f"could not start ({exc})"
            else:
                self._read(stream)
                stream.close()
                try:
                    code = self._process.wait(2)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    code = self._process.wait()
                why = f"killed by signal {-code}" if code < 0 else f"exited with code {code}"
            if self._stopping.is_set():
                break
            self._set_error(f"poller process {why}; restarting")
            log.error("poller process %s; restarting in %.0f s", why, delay)
            with self._send_lock:
                if self._commands is not None:
                    self._commands.close()
                self._commands = None
            delay = self.restart_delay if time.monotonic() - started > STABLE_AFTER else delay
            if self._stopping.wait(delay):
                break
            delay = min(delay * 2, MAX_RESTART_DELAY)
            self.restarts += 1

    def _set_error(self, error: str | None) -> None:
        self.error = error
        if self.on_error is not None:
            self.on_error(error)

    def _read(self, stream: Connection) -> None:
        while True:
            try:
                update: Update = stream.recv()
            except (EOFError, OSError):
                return
            if self.error is not None:
                self._set_error(None)
            self._apply(update)

    def _apply(self, update: Update) -> None:
        for name, level, message, at in update.logs:
            record = logging.makeLogRecord({"name": name, "levelno": level, "levelname": logging.getLevelName(level),
                                            "msg": message, "created": at, "msecs": (at % 1) * 1000})
            logging.getLogger(name).handle(record)
        if update.dropped:
            log.warning("%d poller events or log lines dropped while the UI was not reading", update.dropped)
        self.state.merge(update.results.values(), update.events, update.answered)
        if update.backoffs is not None:
            self._backoffs = update.backoffs
        if update.rounds and update.last_round is not None:
            self.state.round_finished(*update.last_round, count=update.rounds)
