"""The peering service as the `:peer` view will use it: plan, apply, watch with the control nodes' side through the
hook (fed here by the lab's own session model), undo; and --readonly sending nothing."""

from __future__ import annotations

import pytest
from helpers.peering_lab import peering_lab

from tftui.core.peering.plan import ADD, PeerOptions
from tftui.core.peering.status import ControlSide
from tftui.services.config import load_config
from tftui.services.peering import PeeringService
from tftui.services.policy import ReadOnlyError


def _control_source(lab):
    """What a BGP neighbor introspect client will give: the control node's view of its session with the router."""

    async def source(control: str, router_address: str) -> ControlSide | None:
        s = next((x for x in lab.peering.control_view(control) if x.router_address == router_address), None)
        return None if s is None else ControlSide(s.control_state, s.established, None, s.last_error)

    return source


async def test_plan_apply_watch_undo_with_the_control_side(tmp_path):
    async with peering_lab(tmp_path, unpeered=("ctrl3",), delay=0.5) as lab:
        svc = PeeringService(load_config(str(lab.config), None, None).cluster, control_source=_control_source(lab))
        try:
            plan = await svc.plan(ADD, PeerOptions(controls=("ctrl3",)))
            assert [c.control.name for c in plan.tf_changes] == ["ctrl3"] and len(plan.router_change.ops) == 1
            result = await svc.apply(plan)
            assert result.ok and result.router.ok and result.tf_written
            seen = []
            status = await svc.watch(plan, 20, seen.append, interval=0.2)
            assert status.done and status.pairs[0].control_side.state == "Established"
            assert status.pairs[0].control_watched and status.routes_whole
            assert seen[0].elapsed <= status.elapsed and seen[-1] is status
            undone = await svc.undo(plan)
            assert undone.ok and lab.gateway_sessions() == {"vyos-gw": {"ctrl1", "ctrl2"}}
            status = await svc.watch(plan.undo(), 10, interval=0.2)
            assert status.done and status.pairs[0].router_side is None and status.pairs[0].control_side is None
            assert "127.208.0.12" not in lab.neighbors()
        finally:
            await svc.aclose()


async def test_a_session_that_stays_down_says_why(tmp_path):
    async with peering_lab(tmp_path, "frr", unpeered=("ctrl3",)) as lab:  # its running config is the model's
        svc = PeeringService(load_config(str(lab.config), None, None).cluster, control_source=_control_source(lab))
        try:
            plan = await svc.plan(ADD, PeerOptions(controls=("ctrl3",)))
            assert (await svc.apply(plan)).ok
            cfg = lab.peering.router_config.copy()  # someone changes the router's remote-as behind our back
            cfg.neighbors["127.208.0.12"].remote_as = 64999
            lab.peering.set_router_config(cfg)
            status = await svc.watch(plan, 1.0, interval=0.2)
            assert not status.done and status.pairs[0].control_side.state == "Idle"
            assert status.pairs[0].control_side.last_error == "OPEN Message Error: Bad Peer AS"
            causes = await svc.causes(plan, status)
            asn = next(c for c in causes if c.key == "asn")
            assert asn.verdict == "problem" and "expects AS 64999" in asn.detail and "ctrl3 is in AS 64512" in asn.detail
            tcp = next(c for c in causes if c.key == "tcp")
            assert "not the router" in tcp.detail
        finally:
            await svc.aclose()


async def test_readonly_service_sends_nothing(tmp_path):
    async with peering_lab(tmp_path, scenario="demo") as lab:
        svc = PeeringService(load_config(str(lab.config), None, None).cluster, readonly=True)
        try:
            plan = await svc.plan(ADD)  # reading is fine
            assert not plan.empty
            with pytest.raises(ReadOnlyError):
                await svc.apply(plan)
            assert lab.api.server.writes == 0 and "127.208.0.12" not in lab.neighbors()
        finally:
            await svc.aclose()
