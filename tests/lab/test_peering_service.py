"""The peering service as the `:peer` view uses it: plan, apply, watch with the control nodes' side read from their
BGP neighbor introspect (services/control_neighbors.py against the lab's control nodes), undo; a control node that
cannot be read; and --readonly sending nothing."""

from __future__ import annotations

import contextlib

import pytest
from helpers.peering_lab import peering_lab

from tftui.core.peering.plan import ADD, PeerOptions
from tftui.core.policy.models import BgpRouter
from tftui.services.config import load_config
from tftui.services.control_neighbors import ControlNeighbors
from tftui.services.network_state import StateError
from tftui.services.peering import PeeringService
from tftui.services.policy import ReadOnlyError


@contextlib.asynccontextmanager
async def _service(lab, **kwargs):
    cluster = load_config(str(lab.config), None, None).cluster
    source = ControlNeighbors.for_cluster(cluster)
    assert source is not None
    svc = PeeringService(cluster, control_source=source, **kwargs)
    try:
        yield svc
    finally:
        await svc.aclose()
        await source.aclose()


async def test_plan_apply_watch_undo_with_the_control_side(tmp_path):
    async with peering_lab(tmp_path, unpeered=("ctrl3",), delay=0.5) as lab, _service(lab) as svc:
        plan = await svc.plan(ADD, PeerOptions(controls=("ctrl3",)))
        assert [c.control.name for c in plan.tf_changes] == ["ctrl3"] and len(plan.router_change.ops) == 1
        result = await svc.apply(plan)
        assert result.ok and result.router.ok and result.tf_written
        seen = []
        status = await svc.watch(plan, 20, seen.append, interval=0.2)
        assert any(not s.pairs[0].up for s in seen)  # the lab's session comes up after --peer-delay
        assert status.done and status.pairs[0].control_side.state == "Established"
        assert status.pairs[0].control_side.prefixes == 0 and status.pairs[0].control_side.since  # nothing from it
        assert status.pairs[0].control_watched and status.routes_whole
        assert seen[0].elapsed <= status.elapsed and seen[-1] is status
        undone = await svc.undo(plan)
        assert undone.ok and lab.gateway_sessions() == {"vyos-gw": {"ctrl1", "ctrl2"}}
        status = await svc.watch(plan.undo(), 10, interval=0.2)
        assert status.done and status.pairs[0].router_side is None and status.pairs[0].control_side is None
        assert lab.address("ctrl3") not in lab.neighbors()


async def test_a_session_that_stays_down_says_why(tmp_path):
    # the frr lab router's running config is the peering model's
    async with peering_lab(tmp_path, "frr", unpeered=("ctrl3",)) as lab, _service(lab) as svc:
        plan = await svc.plan(ADD, PeerOptions(controls=("ctrl3",)))
        assert (await svc.apply(plan)).ok
        cfg = lab.peering.router_config.copy()  # someone changes the router's remote-as behind our back
        cfg.neighbors[lab.address("ctrl3")].remote_as = 64999
        lab.peering.set_router_config(cfg)
        status = await svc.watch(plan, 1.0, interval=0.2)
        assert not status.done and status.pairs[0].control_side.state == "Idle"
        assert status.pairs[0].control_side.last_error == "OPEN Message Error: Bad Peer AS"
        causes = await svc.causes(plan, status)
        asn = next(c for c in causes if c.key == "asn")
        assert asn.verdict == "problem" and "expects AS 64999" in asn.detail and "ctrl3 is in AS 64512" in asn.detail
        tcp = next(c for c in causes if c.key == "tcp")
        assert "not the router" in tcp.detail


async def test_readonly_service_sends_nothing(tmp_path):
    async with peering_lab(tmp_path, scenario="demo") as lab:
        svc = PeeringService(load_config(str(lab.config), None, None).cluster, readonly=True)
        try:
            plan = await svc.plan(ADD)  # reading is fine
            assert not plan.empty
            with pytest.raises(ReadOnlyError):
                await svc.apply(plan)
            assert lab.api.server.writes == 0 and lab.address("ctrl3") not in lab.neighbors()
        finally:
            await svc.aclose()


async def test_control_node_that_cannot_be_read_is_unknown_never_up(tmp_path):
    async with peering_lab(tmp_path, unpeered=()) as lab, _service(lab) as svc:
        plan = await svc.plan(ADD)
        assert plan.empty  # peered on both sides already
        status = await svc.observe(plan, svc.clock())
        assert status.done and [p.control_side.state for p in status.pairs] == ["Established"] * 3
        await lab.introspect.stop()  # the control nodes' introspect goes away; the sessions do not
        status = await svc.observe(plan, svc.clock())
        assert not status.done and all(p.router_side.established for p in status.pairs)
        assert all(p.control_error and not p.up and not p.gone for p in status.pairs)
        assert "control node: not read (" in status.lines()[1]
        assert status.to_json()["pairs"][0]["control_error"]
        source = svc.control_source
        with pytest.raises(StateError, match="not in the inventory"):  # TF knows a control node tftui does not
            await source(BgpRouter(("x", "ctrl9"), "control-node", address="127.1.2.3"), plan.router.address)
