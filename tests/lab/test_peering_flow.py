"""The `:peer` view's feed (services/peering_flow.py) against the peering lab, without the UI: both sides read and
planned for the operator's choice, a change applied and watched until it stays down, the likely causes then;
--readonly refusing before anything is sent; a closed view stopping the watch."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from helpers.peering_lab import peering_lab

from tftui.core.peering.plan import ADD, KEEP
from tftui.services.config import load_config
from tftui.services.peering_flow import DONE, DOWN, READY, PeeringFlow
from tftui.services.policy import ReadOnlyError

ALL = ("ctrl1", "ctrl2", "ctrl3")


@contextlib.asynccontextmanager
async def _flow(lab, **kwargs):
    flow = PeeringFlow(load_config(str(lab.config)).cluster, interval=0.1, idle_interval=0.2, **kwargs)
    flow.start()
    try:
        yield flow
    finally:
        await flow.aclose()


async def _until(flow: PeeringFlow, check, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not check(flow.snapshot):
            await asyncio.sleep(0.05)


async def test_a_session_that_stays_down_gets_its_causes(tmp_path):
    async with peering_lab(tmp_path, "frr", unpeered=ALL) as lab:
        cfg = lab.peering.router_config.copy()
        cfg.no_ebgp_requires_policy = False  # FRR >= 7.4: eBGP routes refused without a policy
        lab.peering.set_router_config(cfg)
        async with _flow(lab, causes_after=1.0) as flow:
            await _until(flow, lambda s: s.phase == READY and s.status is not None)
            snap = flow.snapshot
            assert snap.chosen == ALL and snap.ebgp_choice_needed and snap.add.problems  # the choice is needed
            flow.toggle("ctrl1")
            flow.toggle("ctrl2")
            flow.set_options(ebgp=KEEP)
            assert flow.snapshot.chosen == ("ctrl3",) and not flow.snapshot.add.problems
            result = await flow.apply(ADD)
            assert result.ok and lab.neighbors() == [lab.address("ctrl3")]
            await _until(flow, lambda s: s.phase == DOWN)  # Established, but the routes refused: never done
            snap = flow.snapshot
            assert [p.control for p in snap.progress.pairs] == ["ctrl3"] and snap.progress.pairs[0].up
            assert {c.key: c.verdict for c in snap.causes}["ebgp-policy"] == "problem"


async def test_readonly_refuses_before_anything_and_a_closed_view_stops_the_watch(tmp_path):
    async with peering_lab(tmp_path, scenario="demo") as lab, _flow(lab, readonly=True) as flow:
        await _until(flow, lambda s: s.phase == READY and s.status is not None)
        with pytest.raises(ReadOnlyError):
            await flow.apply(ADD)
        assert lab.api.server.writes == 0 and flow.snapshot.phase == READY
        flow.choose_router("no-such-router")  # not one of the config's: nothing changes
        assert flow.snapshot.router == "vyos" and flow.snapshot.tf is not None
        flow.idle()  # the last listener went
        version = flow.version
        await asyncio.sleep(0.6)  # three idle intervals: nothing observed any more
        assert flow.version == version


async def test_add_is_done_when_both_sides_are_up_and_the_cross_check_is_whole(tmp_path):
    async with peering_lab(tmp_path, "vyos-1.1", unpeered=ALL) as lab, _flow(lab) as flow:
        await _until(flow, lambda s: s.phase == READY and s.status is not None)
        assert (await flow.apply(ADD)).ok
        await _until(flow, lambda s: s.phase == DONE)
        progress = flow.snapshot.progress
        assert progress.done and all(p.up and p.control_watched for p in progress.pairs)
        assert flow.snapshot.message.startswith("add: done after")
        await _until(flow, lambda s: s.add is not None and set(s.add.in_place) == set(ALL))  # read again after
