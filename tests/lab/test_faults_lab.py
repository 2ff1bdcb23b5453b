"""Every introspect fault against tftui itself, on a real hostile lab: states, time bounds, memory, entities."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from conftest import ROOT
from helpers.faults_expect import DESCRIPTIONS, EXPECTED, TOO_LARGE

from tftui.clients.introspect import IntrospectClient, IntrospectSettings
from tftui.lab.fault_spec import FAULTS
from tftui.lab.faults import MARKUP_DESCRIPTION, NONASCII_SHOWN
from tftui.services.config import load_config
from tftui.services.poller import Poller

UNREACHABLE = {"refused", "hang", "drip"}


def test_every_fault_has_an_expectation():
    assert set(EXPECTED) == set(FAULTS)


def _reason_ok(reason: str, want) -> bool:
    if isinstance(want, tuple):
        return any(reason.startswith(w) for w in want)
    return reason == want


@pytest.fixture
def hostile(start_lab, tmp_path):
    """The hostile lab, its xxe node pointed at a marker file whose token must never show anywhere."""
    token = f"MARKER-{uuid.uuid4().hex}"
    marker = tmp_path / "marker.txt"
    marker.write_text(f"{token}\n")
    # 3 s: reading 8 MB before refusing the 50 MB body must not time out on a loaded CI machine
    lab = start_lab("hostile", extra=("--faults", f"hostile-xxe=xxe@{marker}", "--timeout", "3"))
    return lab, token


def test_status_json_gives_the_exact_state_of_every_hostile_node(hostile):
    lab, token = hostile
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "tftui", "status", "--config", str(lab.config_path), "--json"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    elapsed = time.monotonic() - t0
    assert r.returncode == 1, r.stderr  # hostile nodes fail the check; nothing crashed (that would be 1 + traceback)
    assert "Traceback" not in r.stderr
    assert token not in r.stdout + r.stderr
    nodes = {n["name"]: n for n in json.loads(r.stdout)["nodes"]}
    timeout = load_config(str(lab.config_path)).cluster.timeout
    assert elapsed < timeout + 6, f"one round took {elapsed:.1f}s with a {timeout}s timeout"  # + interpreter start
    for name in ("ctrl1", "compute1", "compute2"):  # the healthy nodes are untouched by their neighbours
        node = nodes[name]
        assert node["reachable"], name
        bad = {f"{p}/{s}": v["status"] for p, svcs in node["pods"].items() for s, v in svcs.items()
               if v["state"] != "active"}
        assert not bad, (name, bad)
    for fault, (state, reason) in EXPECTED.items():
        node = nodes[f"hostile-{fault}"]
        assert node["reachable"] is (fault not in UNREACHABLE), fault
        vr = node["pods"]["vrouter"]
        for svc in ("nodemgr", "agent"):
            got = vr[svc]
            assert got["state"] == state, (fault, svc, got)
            assert _reason_ok(got["reason"], reason), (fault, svc, got)
            assert got["description"] == DESCRIPTIONS.get(fault, ""), (fault, svc, got)
            if state == "bad reply":
                assert got["status"] == f"bad reply: {got['reason']}"
    # the text output (contrail-status' own format) of the same cluster: no crash, strings as they are
    r = subprocess.run([sys.executable, "-m", "tftui", "status", "--config", str(lab.config_path)],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert r.returncode == 1 and "Traceback" not in r.stderr and token not in r.stdout
    assert f"agent: initializing ({MARKUP_DESCRIPTION})" in r.stdout
    assert f"agent: initializing ({NONASCII_SHOWN})" in r.stdout
    assert not any(c in r.stdout for c in ("\x1b", "\x9b", "\r", "\x07"))


async def test_a_round_is_bounded_and_every_bad_node_is_in_the_event_log(hostile):
    lab, token = hostile
    spec = load_config(str(lab.config_path)).cluster
    poller = Poller(spec)
    try:
        stats = await poller.poll_round(force=True)
        assert stats.duration < spec.timeout + 1.0, stats  # drip and hang cost one timeout, not more
        round1 = dict(poller.state.results)
        stats = await poller.poll_round(force=True)
        assert stats.duration < spec.timeout + 1.0, stats
    finally:
        await poller.close()
    state = poller.state
    assert state.rounds == 2
    first = {(e.node, e.service): e for e in state.events if e.kind == "first"}
    for fault, (st, _reason) in EXPECTED.items():
        name = f"hostile-{fault}"
        if st == "active":
            assert not [k for k in first if k[0] == name], fault
            continue
        for key in ("vrouter-nodemgr", "vrouter-agent"):
            ev = first[(name, key)]
            assert ev.at == round1[name].at and ev.new == round1[name].service(key).status
            assert "first seen" in ev.line()
        assert ((name, "") in first) is (fault in UNREACHABLE)
    assert not [k for k in first if not k[0].startswith("hostile-")]  # healthy nodes: no noise
    # a transition only where round 2 really differs from round 1 (none is invented)
    for e in state.events:
        if e.kind == "transition" and e.service:
            assert round1[e.node].service(e.service).status == e.old != e.new
            assert state.results[e.node].service(e.service).status == e.new
    for r in state.results.values():
        for s in r.services:
            assert token not in s.status + s.reason + s.description
            assert token.encode() not in s.raw


async def test_timeout_covers_a_slow_body_not_just_the_headers(hostile):
    lab, _ = hostile
    spec = load_config(str(lab.config_path)).cluster
    drip = spec.node("hostile-drip")
    async with IntrospectClient(IntrospectSettings(timeout=0.8)) as client:
        t0 = time.monotonic()
        res = await client.node_status(drip.address, 8085)
        assert time.monotonic() - t0 < 1.3
    assert res.kind.value == "timeout" and res.error == "no reply in time"


MEMORY_PROBE = textwrap.dedent("""
    import asyncio, json, sys
    from tftui.clients.introspect import IntrospectClient, IntrospectSettings

    def hwm_kb():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

    async def main(targets):
        async with IntrospectClient(IntrospectSettings(timeout=10)) as c:
            await c.node_status("127.0.0.1", 1)  # import/warm-up costs before the baseline
            base = hwm_kb()
            errors = []
            for _ in range(3):
                for addr in targets:
                    r = await c.node_status(addr, 8085)
                    errors.append(r.error)
            print(json.dumps({"growth_kb": hwm_kb() - base, "errors": errors}))

    asyncio.run(main(sys.argv[1:]))
""")


def test_a_50mb_body_and_a_gzip_bomb_are_refused_without_buffering_them(hostile):
    lab, _ = hostile
    spec = load_config(str(lab.config_path)).cluster
    targets = [spec.node("hostile-huge").address, spec.node("hostile-gzipbomb").address]
    r = subprocess.run([sys.executable, "-c", MEMORY_PROBE, *targets], capture_output=True, text=True,
                       timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out["errors"]) == {TOO_LARGE, "compressed reply refused (Content-Encoding: gzip)"}
    # the cap is 8 MB: peak RSS may grow by about that, never by the 50 MB sent (three times each)
    assert out["growth_kb"] < 24 * 1024, out


def test_faults_on_another_scenario_leave_the_rest_alone(start_lab):
    lab = start_lab("seed-analytics-less", extra=("--faults", "bms2:vrouter-agent=reset"))
    r = subprocess.run([sys.executable, "-m", "tftui", "status", "--config", str(lab.config_path), "--json"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    nodes = {n["name"]: n for n in json.loads(r.stdout)["nodes"]}
    vr = nodes["bms2"]["pods"]["vrouter"]
    assert vr["agent"]["state"] == "bad reply"
    assert vr["nodemgr"]["status"] == "initializing (Collector connection down)"
    assert nodes["bms1"]["reachable"]


async def test_the_lab_itself_does_not_pile_up_hanging_or_dripping_handlers():
    """Lab side: a poll that gave up must not leave its handler behind (tftui's demo runs for days)."""
    import asyncio

    from conftest import free_bases

    from tftui.lab.introspect_server import IntrospectLab
    from tftui.lab.topology import build

    topo = build("hostile", vrouters=0, base=free_bases(180)[0])
    lab = IntrospectLab(topo)
    await lab.start()
    try:
        baseline = len(asyncio.all_tasks())
        targets = [topo.node(f"hostile-{f}").address for f in ("hang", "drip", "huge")]
        async with IntrospectClient(IntrospectSettings(timeout=0.3)) as client:
            for _ in range(3):
                results = await asyncio.gather(*(client.node_status(a, 8085) for a in targets))
                assert [r.kind.value for r in results] == ["timeout", "timeout", "error"]
        deadline = time.monotonic() + 5
        while len(asyncio.all_tasks()) > baseline and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert len(asyncio.all_tasks()) <= baseline, [t.get_coro() for t in asyncio.all_tasks()]
    finally:
        await lab.stop()
