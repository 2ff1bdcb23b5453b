"""The poller against the lab over real sockets: dead, hanging and standby nodes, backoff, events."""

from __future__ import annotations

import asyncio
import time

from tftui.core.status import Health
from tftui.services.config import load_config
from tftui.services.poller import Poller


async def test_degraded_lab_round_is_bounded_and_isolates_bad_nodes(start_lab):
    lab = start_lab("degraded")
    spec = load_config(str(lab.config_path)).cluster
    poller = Poller(spec)
    t0 = time.monotonic()
    stats = await poller.poll_round()
    elapsed = time.monotonic() - t0
    await poller.close()
    # the hanging node costs one timeout, not one per service in sequence
    assert elapsed < spec.timeout + 1.5, elapsed
    assert stats.nodes == len(spec.nodes)
    state = poller.state
    assert state.health("compute2") == Health.UNREACHABLE  # dead: nothing listens
    hang = state.results["compute3"]
    assert {s.state for s in hang.services} == {"timeout"}
    assert state.health("compute5") == Health.OK  # healthy nodes are unaffected
    blocks = state.results["ctrl2"].blocks()
    assert blocks["config"]["schema"].status == "backup"
    assert blocks["kubernetes"]["kube-manager"].status == "backup"
    assert blocks["config"]["api"].status == "active"
    assert state.results["ctrl3"].blocks()["config-database"]["rabbitmq"].status == "inactive (PROCESS_STATE_EXITED)"
    ctrl2 = spec.nodes[1].address
    assert state.results["compute1"].blocks()["vrouter"]["agent"].status == (
        f"active (XMPP:control-node:{ctrl2} connection down)")  # one of its two XMPP sessions is down
    assert all(r.at > 0 for r in state.results.values())


async def test_dead_nodes_are_backed_off_and_refresh_forces_them(start_lab):
    lab = start_lab("degraded", vrouters=2)
    spec = load_config(str(lab.config_path)).cluster
    poller = Poller(spec)
    await poller.poll_round()
    assert poller.backoff_of("compute2") > 0
    stats = await poller.poll_round()
    assert stats.skipped == 1  # compute2 waits out its backoff
    stats = await poller.poll_round(force=True)
    assert stats.skipped == 0
    await poller.close()


async def test_transitions_are_recorded_with_time(start_lab):
    lab = start_lab("demo", vrouters=3, churn=0.2)
    spec = load_config(str(lab.config_path)).cluster
    poller = Poller(spec)
    await poller.poll_round()

    def transitions():  # the demo's nodes that are bad from the start have "first" events already
        return [e for e in poller.state.events if e.kind == "transition"]

    deadline = time.monotonic() + 10
    while not transitions() and time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        await poller.poll_round()
    await poller.close()
    assert transitions()
    ev = transitions()[-1]
    assert ev.at > 0 and ev.node and ev.service and ev.old != ev.new
    assert "connection down" in ev.old + ev.new or "NTP state unsynchronized." in ev.old + ev.new


async def test_run_loop_schedules_next_round_after_the_last(start_lab):
    lab = start_lab("seed-analytics-less")
    spec = load_config(str(lab.config_path)).cluster
    poller = Poller(spec)
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(0.5)
    poller.refresh_now()
    await asyncio.sleep(0.5)
    poller.set_paused(True)
    rounds = poller.state.rounds
    await asyncio.sleep(spec.poll_interval + 0.5)
    assert poller.state.rounds == rounds  # paused: no rounds
    task.cancel()
    assert rounds >= 2
