"""The poller in its own process, against lab processes: the stream, its death and restart, a UI that does not
read, a lab that goes away and comes back."""

from __future__ import annotations

import logging
import os
import signal
import time

import pytest
from conftest import free_bases

from tftui.core.status import Health
from tftui.services.config import load_config
from tftui.services.demo import start_demo_lab
from tftui.services.poller_process import MAX_PENDING_EVENTS, PollerProcess, _Outbox
from tftui.services.state import ClusterState, Event


def wait_for(condition, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def poller_process():
    started = []

    def start(spec, **kw) -> PollerProcess:
        pp = PollerProcess(spec, **kw)
        pp.start()
        started.append(pp)
        return pp

    yield start
    for pp in started:
        pp.stop()


class _Captured(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def tftui_log():
    handler = _Captured()
    root = logging.getLogger("tftui")
    old_level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_stream_carries_states_events_and_the_watched_nodes_replies(start_lab, poller_process, tftui_log):
    lab = start_lab("degraded")
    spec = load_config(str(lab.config_path)).cluster
    state = ClusterState(spec)
    pp = poller_process(spec, state=state)
    wait_for(lambda: state.rounds >= 1, what="a first round")
    assert all(r.polled for r in state.results.values())
    assert state.health("compute2") == Health.UNREACHABLE and state.health("compute5") == Health.OK
    assert state.results["ctrl2"].blocks()["config"]["schema"].status == "backup"
    # compact: no reply bodies travel for nodes nobody looks at
    assert not any(s.raw for r in state.results.values() for s in r.services)
    assert state.drain_changed() == {n.name for n in spec.nodes}
    # events were worked out once, in the child, and logged to tftui's log from there
    assert any(e.node == "compute2" and e.new == "unreachable" for e in state.events)
    assert any(r.name == "tftui.events" and "compute2" in r.getMessage() for r in tftui_log)
    # the dead node's backoff is known on this side
    wait_for(lambda: pp.backoff_of("compute2") > 0, what="compute2 backed off")
    # the watched node comes with its replies, and again each time it is polled
    state.watch("compute1")
    first = wait_for(lambda: state.results["compute1"] if state.results["compute1"].services[0].raw else None,
                     what="compute1's replies")
    assert first.service("vrouter-agent").node_statuses[0].process_status
    wait_for(lambda: state.results["compute1"].at > first.at, what="compute1 polled again")
    assert state.results["compute1"].services[0].raw


def test_a_killed_poller_is_shown_and_restarted(start_lab, poller_process, tftui_log):
    lab = start_lab("demo", vrouters=3, churn=0.3)
    spec = load_config(str(lab.config_path)).cluster
    pp = poller_process(spec, restart_delay=0.2)
    wait_for(lambda: pp.state.rounds >= 1 and pp.alive, what="a first round")
    pp.set_paused(True)
    old_pid = pp.pid
    os.kill(old_pid, signal.SIGKILL)
    wait_for(lambda: pp.error, what="the death noticed")
    assert not pp.alive and "killed by signal 9" in pp.error
    assert any(r.levelno == logging.ERROR and "poller process" in r.getMessage() for r in tftui_log)
    wait_for(lambda: pp.alive and pp.pid != old_pid, what="a new poller process")
    assert pp.restarts == 1
    # the new child was told what the UI wants: paused, so only a refresh polls
    rounds = pp.state.rounds
    time.sleep(2.5)  # two poll intervals: a running poller would have finished a round
    assert pp.state.rounds == rounds
    pp.refresh_now()
    wait_for(lambda: pp.state.rounds > rounds, what="a refresh on the new child")
    events = pp.state.events_total
    pp.set_paused(False)
    wait_for(lambda: pp.state.events_total > events, what="the churn's transitions from the new child")


def test_a_ui_that_does_not_read_does_not_stop_polling(start_lab, poller_process):
    lab = start_lab("fleet", vrouters=150, churn=0.05)
    spec = load_config(str(lab.config_path)).cluster
    state = ClusterState(spec)
    pp = poller_process(spec, state=state)
    wait_for(lambda: state.rounds >= 1, what="a first round")
    pid, rounds = pp.pid, state.rounds
    with state._lock:  # the UI side takes nothing for a while: the stream backs up
        time.sleep(5)
        assert pp.pid == pid and pp._process.poll() is None
    # what the child did meanwhile arrives, coalesced: rounds it finished, the churn's transitions
    wait_for(lambda: state.rounds >= rounds + 2, timeout=10, what="rounds finished during the stall")
    assert pp.alive and pp.error is None and pp.restarts == 0
    assert time.time() - state.last_round_at < 3 * spec.poll_interval


def test_a_lab_that_goes_away_and_comes_back(poller_process):
    base = free_bases(min(int(os.environ.get("TFTUI_TEST_BASE", "100")) + 45, 240))[0]  # the same range twice
    lab = start_demo_lab("demo", vrouters=2, churn=0, bases=(base,))
    try:
        spec = load_config(str(lab.config_path)).cluster
        state = ClusterState(spec)
        poller_process(spec, state=state)
        wait_for(lambda: state.rounds >= 1 and state.results["ctrl1"].reachable, what="the lab polled")
    finally:
        lab.stop()
    wait_for(lambda: state.health("ctrl1") == Health.UNREACHABLE, what="the lab gone")
    assert any(e.node == "ctrl1" and e.new == "unreachable" for e in state.events)
    lab = start_demo_lab("demo", vrouters=2, churn=0, bases=(base,))
    try:
        wait_for(lambda: state.results["ctrl1"].reachable, timeout=30, what="the lab back")
        assert any(e.node == "ctrl1" and e.old == "unreachable" and e.new == "reachable" for e in state.events)
    finally:
        lab.stop()


def test_outbox_coalesces_while_nobody_reads():
    outbox = _Outbox()
    for i in range(10_000):
        outbox.add(lambda u, i=i: u.results.update({f"node{i % 100}": i}))
    outbox.add(lambda u: u.add_events([Event(0.0, "n", "", "a", "b")] * (MAX_PENDING_EVENTS + 10)))
    for i in range(5000):
        outbox.log("tftui.x", logging.INFO, f"line {i}", 0.0)
    update = outbox.take()
    assert len(update.results) == 100 and update.results["node99"] == 9999  # the latest per node
    assert len(update.events) == MAX_PENDING_EVENTS and len(update.logs) == 1000
    assert update.dropped == 10 + 4000
    assert update.logs[-1][2] == "line 4999"
    outbox.close()
    assert outbox.take() is None
