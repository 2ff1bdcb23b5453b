"""The analytics views' feeds against the lab's analytics API (real sockets): a followed log appends what
arrives, a paused one asks nothing and loses nothing, an unreachable API is the feed's error with the lines
kept; a node's history gathers every object table its roles report under; the UVE index lists every key."""

from __future__ import annotations

import asyncio

import pytest
from helpers.analytics_ui import analytics_lab

from tftui.core.analytics.nodes import object_types_for
from tftui.core.analytics.query import LogQuery
from tftui.core.analytics.settings import AnalyticsSettings
from tftui.lab.topology import NON_FUNCTIONAL, ServiceBehaviour
from tftui.services.analytics import AnalyticsService
from tftui.services.analytics_feeds import LogFeed, node_history, uve_index

BASE = 118  # servers on free ports: any 127.B address


async def _until(condition, what: str, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never: {what}")


@pytest.fixture
async def lab():
    running = await analytics_lab(BASE)
    service = AnalyticsService(AnalyticsSettings(running.analytics.url, timeout=3), running.spec)
    yield running, service
    await service.close()
    await running.stop()


def _flip(lab, node: str, key: str, why: str) -> None:
    lab.topo.node(node).behaviour[key] = ServiceBehaviour(NON_FUNCTIONAL, why)


async def test_a_followed_log_appends_and_a_paused_one_loses_nothing(lab):
    running, service = lab
    query = LogQuery(object_type="vrouter", object_id="compute1", message_type="NodeStatusUVE")
    feed = LogFeed(service, query, "10m", follow=True, every=0.1)
    states = []
    feed.subscribe(states.append)
    await _until(lambda: feed.snapshot is not None, "the first window")
    first = len(feed.snapshot.lines)
    assert first > 0 and all(ln.source == "compute1" for ln in feed.snapshot.lines)
    _flip(running, "compute1", "vrouter-agent", "first flip")
    await _until(lambda: any("first flip" in ln.text for ln in feed.snapshot.lines), "the change appended")
    window = next(s for s in states if s is not None)
    assert feed.snapshot.lines[:first] == window.lines  # appended: what was there stays
    feed.set_paused(True)
    await asyncio.sleep(0.3)  # a look that had started may still land
    paused_at = feed.version
    _flip(running, "compute1", "vrouter-nodemgr", "flipped while paused")
    await asyncio.sleep(0.5)
    assert feed.version == paused_at  # paused: nothing asked, nothing shown
    feed.set_paused(False)
    await _until(lambda: any("flipped while paused" in ln.text for ln in feed.snapshot.lines), "the missed line")
    await feed.aclose()


async def test_a_log_that_cannot_be_read_is_the_feeds_error_and_the_lines_stay(lab):
    running, service = lab
    feed = LogFeed(service, LogQuery(), "10m", follow=True, every=0.1)
    feed.subscribe(lambda snap: None)
    await _until(lambda: feed.snapshot is not None, "the first window")
    lines = feed.snapshot.lines
    await running.analytics.stop()
    await _until(lambda: feed.error is not None, "the error")
    assert feed.snapshot.lines == lines and "analytics" in feed.source
    await feed.aclose()
    assert feed._task.done()


async def test_a_nodes_history_and_the_uve_index(lab):
    running, service = lab
    ctrl = running.topo.node("ctrl3")
    snap = await node_history(service, "ctrl3", object_types_for(ctrl.roles), "1h")
    modules = {ln.module for ln in snap.lines}
    # every daemon that reports, from every object table: control, config, database, analytics...
    assert {"contrail-control", "contrail-api", "contrail-collector", "contrail-database-nodemgr"} <= modules
    assert [ln.timestamp for ln in snap.lines] == sorted(ln.timestamp for ln in snap.lines)
    assert all(ln.source == "ctrl3" and ln.message_type == "NodeStatusUVE" for ln in snap.lines)
    index = await uve_index(service)
    assert ("vrouter", "compute1") in index.entries and ("control-node", "ctrl1") in index.entries
    assert "virtual-machine-interface" in index.types
