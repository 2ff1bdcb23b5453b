"""The launcher against the lab's real SSH servers (asyncssh computes forwarding to per-VM servers).

Both clients are exercised: asyncssh run-command (services/launcher.py) and the system OpenSSH
client with the exact argv the `s` key runs. Host keys are verified throughout.
"""

import asyncio
import dataclasses
import shutil
import subprocess
import time

import pytest
from helpers.launcher_lab import launcher_lab, vmi_of

from tftui.core.inventory import parse_cluster
from tftui.services.launcher import Launcher
from tftui.services.vmis import VmiService, find

BASE = 214


@pytest.fixture
async def lab(tmp_path):
    async with launcher_lab(tmp_path, BASE) as (topo, hosts, spec, _):
        yield topo, hosts, spec


_vmi = vmi_of


async def test_run_command_on_two_vms_side_by_side(lab):
    topo, _, spec = lab
    launcher = Launcher(spec)
    a, b = _vmi(topo, 0), _vmi(topo, 3)
    assert a.metadata_ip == b.metadata_ip == "169.254.0.4"  # same metadata IP, different computes
    results = await launcher.run([a, b], "ip -o a")
    assert [r.error for r in results] == [None, None]
    assert f"inet {a.ip}/12 scope global eth0" in results[0].stdout
    assert f"inet {b.ip}/12 scope global eth0" in results[1].stdout
    assert results[0].stdout.startswith("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1\\")
    ping = await launcher.run([a], "ping -c 3 172.31.10.140")
    assert "3 packets transmitted, 3 packets received, 0% packet loss" in ping[0].stdout and ping[0].ok


async def test_vmis_from_the_agent_reach_their_vms(lab):
    topo, _, spec = lab
    snap = await VmiService(spec).refresh()
    assert len(snap.vmis) == 120 + 3 and set(snap.errors) == {"compute2", "compute3"}
    [cirros2] = find(snap.vmis, "cirros2")
    results = await Launcher(spec).run([cirros2], "hostname")
    assert results[0].stdout == "cirros2\n" and results[0].exit_status == 0


async def test_unreachable_compute_and_vm_fail_fast_with_reasons(lab):
    topo, _, spec = lab
    launcher = Launcher(spec)
    dead, hung = _vmi(topo, 1), _vmi(topo, 2)
    nowhere = dataclasses.replace(_vmi(topo, 3), metadata_ip="169.254.9.9")
    started = time.monotonic()
    results = await launcher.run([dead, hung, nowhere], "hostname")
    assert time.monotonic() - started < 6
    assert "compute 127.214.1.2:2022: connection refused" in results[0].error
    assert "compute 127.214.1.3:2022" in results[1].error and "no answer in time" in results[1].error
    assert "No route to host" in results[2].error


async def test_changed_vm_host_key_is_refused(lab):
    topo, hosts, spec = lab
    vmi = _vmi(topo, 0)
    kh = hosts.files.known_hosts
    lines = kh.read_text().splitlines()
    alias = f"{vmi.vrouter_address}-{vmi.metadata_ip}"
    other = next(ln.split(" ", 1)[1] for ln in lines if ln.startswith(f"{vmi.vrouter_address}-169.254.0.5 "))
    kh.write_text("\n".join(f"{alias} {other}" if ln.startswith(alias + " ") else ln for ln in lines) + "\n")
    [result] = await Launcher(spec).run([vmi], "hostname")
    assert "host key NOT verified" in result.error and result.stdout == ""


async def test_key_recorded_for_the_bare_metadata_ip_is_not_trusted(lab):
    topo, hosts, spec = lab
    vmi = _vmi(topo, 0)
    kh = hosts.files.known_hosts
    lines = kh.read_text().splitlines()
    alias = f"{vmi.vrouter_address}-{vmi.metadata_ip}"
    # the right key, but recorded under the bare 169.254 address every compute reuses
    kh.write_text("\n".join(ln.replace(alias, vmi.metadata_ip, 1) for ln in lines) + "\n")
    [result] = await Launcher(spec).run([vmi], "hostname")
    assert result.error and "host key NOT verified" in result.error


async def test_compute_detail_shows_containers_and_module(lab):
    topo, _, spec = lab
    launcher = Launcher(spec)
    detail = await launcher.compute_detail(topo.vrouters()[0].address)
    assert detail.error is None and detail.runtime == "docker"
    assert {c.name for c in detail.containers} == {"vrouter_vrouter-agent_1", "vrouter_vrouter-nodemgr_1"}
    assert all(c.state == "running" for c in detail.containers)
    assert detail.module == "vrouter kernel module is PRESENT"
    dead = await launcher.compute_detail(topo.vrouters()[1].address)
    assert "connection refused" in dead.error


@pytest.mark.skipif(shutil.which("ssh") is None, reason="OpenSSH client not installed")
async def test_openssh_argv_reaches_the_vm_and_refuses_a_wrong_alias(lab):
    topo, hosts, spec = lab
    launcher = Launcher(spec)
    vmi = _vmi(topo, 3)
    argv = launcher.ssh_argv(vmi, ["ip", "-o", "a"], extra_options=["-o", "BatchMode=yes"])
    assert argv[:4] == ["ssh", "-F", str(launcher.config_path), "-J"]
    assert argv[4] == f"root@{vmi.vrouter_address}:2022" and f"HostKeyAlias={vmi.vrouter_address}-169.254.0.4" in argv
    assert argv[-5:] == ["--", "cirros@169.254.0.4", "ip", "-o", "a"]
    proc = await asyncio.create_subprocess_exec(*argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err.decode()
    assert f"inet {vmi.ip}/12 scope global eth0" in out.decode()
    # the same metadata IP behind another compute has another key: the alias must not match it
    first = _vmi(topo, 0)
    wrong = [a.replace(f"{first.vrouter_address}-169.254.0.4", f"{vmi.vrouter_address}-169.254.0.4")
             for a in launcher.ssh_argv(first, ["hostname"], extra_options=["-o", "BatchMode=yes"])]
    proc = await asyncio.create_subprocess_exec(*wrong, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 255 and out == b""
    assert b"HOST IDENTIFICATION HAS CHANGED" in err or b"Host key verification failed" in err


async def test_jump_host_in_front_of_the_computes(lab, tmp_path):
    topo, hosts, spec = lab
    bastion = topo.vrouters()[3]
    raw = {**spec.raw, "ssh": {**spec.raw["ssh"], "compute": {**spec.raw["ssh"]["compute"],
                                                              "jump": f"root@{bastion.address}:2022"}}}
    jumped = Launcher(parse_cluster("lab", raw, "test"))
    vmi = _vmi(topo, 0)
    [result] = await jumped.run([vmi], "hostname")
    assert result.error is None and result.stdout == f"{vmi.vm_name}\n"
    argv = jumped.ssh_argv(vmi, ["hostname"], extra_options=["-o", "BatchMode=yes"])
    assert argv[argv.index("-J") + 1] == f"root@{bastion.address}:2022,root@{vmi.vrouter_address}:2022"
    if shutil.which("ssh"):
        proc = await asyncio.create_subprocess_exec(*argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0 and out.decode() == f"{vmi.vm_name}\n", err.decode()
    dead_jump = {**raw["ssh"], "compute": {**raw["ssh"]["compute"], "jump": f"root@{topo.vrouters()[1].address}:2022"}}
    [result] = await Launcher(parse_cluster("lab", {**raw, "ssh": dead_jump}, "test")).run([vmi], "hostname")
    assert result.error.startswith(f"jump host {topo.vrouters()[1].address}:2022: connection refused")


async def test_refused_inputs_keep_their_place_and_never_connect(lab):
    topo, _, spec = lab
    launcher = Launcher(spec)
    good = _vmi(topo, 0)
    bad = dataclasses.replace(good, metadata_ip="0.0.0.0", vm_name="no-mdip")
    results = await launcher.run([bad, good], "hostname")
    assert "not a metadata IP" in results[0].error and results[1].stdout == f"{good.vm_name}\n"
    from tftui.core.agent import InvalidInput

    for command in ("", "  ", "hostname\nreboot", "x" * 2000):
        with pytest.raises(InvalidInput):
            await launcher.run([good], command)


async def test_missing_known_hosts_is_a_clear_refusal(lab, tmp_path):
    topo, _, spec = lab
    ssh = {**spec.raw["ssh"], "compute": {**spec.raw["ssh"]["compute"], "known_hosts": str(tmp_path / "none")}}
    [result] = await Launcher(parse_cluster("lab", {**spec.raw, "ssh": ssh}, "test")).run([_vmi(topo, 0)], "true")
    assert "no known_hosts file" in result.error and "host key checking stays on" in result.error
