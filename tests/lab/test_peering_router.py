"""Router writes against the lab router over real SSH, for each dialect it simulates: detect, add and read back,
a refused command leaving the configuration as it was, a failed save, remove; the sessions that follow; and the
VyOS script's control flow run by a real bash."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from tftui.clients.router import RouterClient
from tftui.clients.router_config import ReadOnlyRouter, RouterConfigurator
from tftui.core.peering.change import (
    COMMIT_FAILED_STATUS,
    REFUSED_STATUS,
    VYOS_SHELL,
    DeleteNeighbor,
    RouterChange,
    SetNeighbor,
)
from tftui.core.routes.config import parse_router
from tftui.lab.peering import LabPeering, TfExternal, tf_view_from
from tftui.lab.router import LabRouterServer
from tftui.lab.topology import build

BASE = 209  # the SSH server listens on 127.209.0.1 with a kernel-chosen port
OSES = ("frr", "vyos-1.1", "vyos-1.3", "vyos-1.4")
DIALECTS = {"frr": ("frr", "frr 8.4.4", None), "vyos-1.1": ("vyos", "quagga", "1.1.8"),
            "vyos-1.3": ("vyos", "frr 7.5.1", "1.3.8"), "vyos-1.4": ("vyos", "frr 9.1", "1.4.0")}
LOCAL_REFUSAL = {"frr": "% Can not configure the local system as neighbor",
                 "vyos-1.1": "Can't set neighbor address to local system IP.",
                 "vyos-1.3": "Can't set neighbor address to local system IP.",
                 "vyos-1.4": 'Can not configure local address as neighbor "127.209.0.1" in default VRF!'}


@pytest.fixture(params=OSES)
async def lab(request, tmp_path):
    topo = build("demo", base=BASE)
    topo.router.os = request.param
    server = LabRouterServer(topo, topo.router.address, 0, tmp_path, peering=LabPeering(topo, delay=0.2))
    await server.start()
    client = RouterClient(parse_router(server.config_entry(timeout=5), "t"))
    try:
        yield server, RouterConfigurator(client)
    finally:
        await client.close()
        await server.stop()


def _ctrl3(server) -> str:
    return next(n.address for n in server.topo.nodes if n.name == "ctrl3")


async def test_dialect_add_read_back_sessions_and_remove(lab):
    server, conf = lab
    os_name = server.topo.router.os
    d = await conf.dialect()
    assert (d.os, d.suite.label(), d.version) == DIALECTS[os_name]
    before, _ = await conf.read()
    assert before.asn == 65311 and sorted(before.neighbors) == [f"127.{BASE}.0.10", f"127.{BASE}.0.11"]
    address = _ctrl3(server)
    change = RouterChange(d, 65311, (SetNeighbor(address, 64512, "tf-ctrl3"),), before)
    result = await conf.apply(change)
    assert result.ok, result.message
    assert result.after.neighbors[address].remote_as == 64512 and result.after.neighbors[address].description == "tf-ctrl3"
    assert (await conf.read())[0].neighbors[address].remote_as == 64512  # the router itself says so
    # the router side alone: the session tries and stays down until TF has the session too
    session = next(s for s in server.peering.sessions() if s.control == "ctrl3")
    assert session.on_router and not session.in_tf and session.state == "Active"
    view = tf_view_from(server.topo)
    gw = view.externals[0]
    server.peering.set_tf(type(view)(view.asn, view.controls, (TfExternal(
        gw.name, gw.address, gw.asn, gw.families, {**gw.sessions, "ctrl3": ("inet",)}),)))
    neighbor = None
    for _ in range(50):
        neighbor = next(n for n in (await conf.client.neighbors()).parsed.items if n.address == address)
        if neighbor.established:
            break
        await __import__("asyncio").sleep(0.1)
    assert neighbor.established and neighbor.prefixes_received and neighbor.prefixes_received > 100
    removed = await conf.apply(RouterChange(d, 65311, (DeleteNeighbor(address, result.after.neighbors[address]),),
                                            result.after))
    assert removed.ok and address not in removed.after.neighbors
    assert address not in {n.address for n in (await conf.client.neighbors()).parsed.items}


async def test_refused_command_leaves_the_configuration_as_it_was(lab):
    server, conf = lab
    os_name = server.topo.router.os
    d = await conf.dialect()
    before, before_text = await conf.read()
    # valid values the router refuses: its own address as a neighbor, after a good one
    change = RouterChange(d, 65311, (SetNeighbor(_ctrl3(server), 64512, "tf-ctrl3"),
                                     SetNeighbor(server.topo.router.address, 64512, None)), before)
    result = await conf.apply(change)
    assert not result.ok and result.unchanged is True
    assert LOCAL_REFUSAL[os_name] in result.message
    # FRR applies each line at once: the first neighbor had to be taken back; VyOS discarded its session
    assert result.rolled_back == (os_name == "frr")
    after, after_text = await conf.read()
    assert sorted(after.neighbors) == sorted(before.neighbors) and after_text == before_text
    assert "THE CONFIGURATION DIFFERS" not in result.words() and "as it was before" in result.words()


async def test_failed_save(lab):
    server, conf = lab
    server.set_fault("nosave")
    d = await conf.dialect()
    before, before_text = await conf.read()
    result = await conf.apply(RouterChange(d, 65311, (SetNeighbor(_ctrl3(server), 64512, None),), before))
    if d.vtysh_config:  # `write memory` says so: the change is taken back
        assert not result.ok and result.rolled_back and result.unchanged
        assert "failed to open configuration file /etc/frr/frr.conf: Permission denied" in result.message
        assert (await conf.read())[1] == before_text
    else:  # VyOS `save` returns 0 whatever happened: committed, and the operator is told what save printed
        assert result.ok and any("Permission denied" in w for w in result.warnings)


async def test_raw_refusals_use_the_routers_own_words(lab):
    server, conf = lab
    os_name = server.topo.router.os
    run = conf.client.run_raw
    d = await conf.dialect()
    _, before_text = await conf.read()
    if d.vtysh_config:
        out = await run("vtysh -c 'configure terminal' -c 'router bgp 65312' -c 'neighbor 1.2.3.4 remote-as 1'")
        assert (out.exit_status, out.stdout.strip()) == (1, "BGP is already running; AS is 65311")
        out = await run("vtysh -c 'configure terminal' -c 'router bgp 65311' -c 'neighbor 1.2.3.4 remote-as abc'")
        assert (out.exit_status, out.stdout.strip()) == (1, "% Unknown command: neighbor 1.2.3.4 remote-as abc")
        out = await run("vtysh -c 'configure terminal' -c 'router bgp 65311' -c 'neighbor 1.2.3.5 description x'")
        assert out.stdout.strip() == "% Specify remote-as or peer-group commands first"
        out = await run("vtysh -c 'router bgp 65311'")  # not in configuration mode
        assert out.stdout.strip() == "% Unknown command: router bgp 65311"
    else:
        legacy = os_name != "vyos-1.4"
        base = "protocols bgp 65311" if legacy else "protocols bgp"
        bail = "|| { /opt/vyatta/sbin/my_discard; exit; builtin exit 3; }"
        script = (f"source /opt/vyatta/etc/functions/script-template\nconfigure\n"
                  f"/opt/vyatta/sbin/my_set {base} neighbor 1.2.3.4 remote-as abc {bail}\nsave\nexit\n")
        out = await run(VYOS_SHELL, script)
        assert out.exit_status == REFUSED_STATUS and "Value validation failed" in out.stdout
        assert ("remote-as must be between 1 and 4294967294" if legacy else "Invalid AS number") in out.stdout
        commit = "/opt/vyatta/sbin/my_commit || { /opt/vyatta/sbin/my_discard; exit; builtin exit 4; }"
        script = (f"source /opt/vyatta/etc/functions/script-template\nconfigure\n"
                  f"/opt/vyatta/sbin/my_set {base} neighbor 1.2.3.4 description x {bail}\n{commit}\nsave\nexit\n")
        out = await run(VYOS_SHELL, script)
        assert out.exit_status == COMMIT_FAILED_STATUS and out.stdout.rstrip().endswith("Commit failed")
        assert ("must set remote-as or peer-group with remote-as defined" if legacy
                else 'Neighbor "1.2.3.4" remote-as must be set!') in out.stdout
        out = await run("/opt/vyatta/bin/vyatta-op-cmd-wrapper show version")
        assert f"VyOS {DIALECTS[os_name][2]}" in out.stdout
    assert (await conf.read())[1] == before_text


async def test_readonly_configurator_writes_nothing(lab):
    server, conf = lab
    ro = RouterConfigurator(conf.client, readonly=True)
    d = await ro.dialect()
    with pytest.raises(ReadOnlyRouter):
        await ro.apply(RouterChange(d, 65311, (SetNeighbor(_ctrl3(server), 64512, None),)))
    assert _ctrl3(server) not in (await ro.read())[0].neighbors


# ---------------------------------------------------------------- the VyOS script under a real bash

TEMPLATE = """shopt -s expand_aliases
alias configure='echo configure >> "$LOG"'
alias save='echo save >> "$LOG"; echo "Saving configuration to /config/config.boot..."; echo Done'
alias exit='echo teardown >> "$LOG"'
"""


def _stub(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@pytest.mark.parametrize("refuse, status", [("", 0), ("neighbor 10.9.9.2", REFUSED_STATUS), ("COMMIT", COMMIT_FAILED_STATUS)])
def test_vyos_script_control_flow_in_bash(tmp_path, refuse, status):
    """The script's `|| { discard; exit; builtin exit N; }` as bash runs it: aliases expand inside the braces, the
    real `exit` is never reached by accident, a refusal stops everything after it."""
    from tftui.core.peering.dialect import Dialect
    from tftui.core.routes.models import Suite

    root = tmp_path / "opt"
    (root / "sbin").mkdir(parents=True)
    (root / "etc/functions").mkdir(parents=True)
    (root / "etc/functions/script-template").write_text(TEMPLATE)
    log = tmp_path / "log"
    for name in ("my_set", "my_delete", "my_discard"):
        _stub(root / "sbin" / name, f'echo "{name} $*" >> "$LOG"\n'
                                    f'case "$*" in *"{refuse or "@@"}"*) echo "  Value validation failed"; exit 1;; esac\n')
    _stub(root / "sbin/my_commit", 'echo my_commit >> "$LOG"\n' + ('echo "Commit failed"; exit 1\n' if refuse == "COMMIT"
                                                                 else ""))
    d = Dialect("vyos", Suite("frr", "7.5.1"), "1.3.8")
    change = RouterChange(d, 65311, (SetNeighbor("10.9.9.1", 64512, "tf a"), SetNeighbor("10.9.9.2", 64512, None),
                                     DeleteNeighbor("10.9.9.3")))
    script = change.steps()[0].stdin.replace("/opt/vyatta", str(root))
    res = subprocess.run(["bash", "-s"], input=script, capture_output=True, text=True, timeout=30,
                         env={**os.environ, "LOG": str(log)})
    assert res.returncode == status, (res.stdout, res.stderr)
    lines = log.read_text().splitlines()
    assert lines[:2] == ["configure", "my_set protocols bgp 65311 neighbor 10.9.9.1 remote-as 64512"]
    assert "my_set protocols bgp 65311 neighbor 10.9.9.1 description tf a" in lines  # one argument, spaces kept
    if status == REFUSED_STATUS:
        assert lines[-2:] == ["my_discard ", "teardown"] and "my_commit" not in lines and "save" not in lines
    elif status == COMMIT_FAILED_STATUS:
        assert lines[-3:] == ["my_commit", "my_discard ", "teardown"] and "save" not in lines
    else:
        assert lines[-4:] == ["my_delete protocols bgp 65311 neighbor 10.9.9.3", "my_commit", "save", "teardown"]
    assert shlex.split(VYOS_SHELL) == ["sg", "vyattacfg", "-c", "/bin/vbash -s"]
