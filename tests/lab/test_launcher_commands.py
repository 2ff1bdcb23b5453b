"""`tftui vmis` and `tftui ssh` as a user runs them, against the lab (config written like `tftui lab` does)."""

import asyncio
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from helpers.launcher_lab import launcher_lab

from tftui.lab.runner import write_config

BASE = 216


@pytest.fixture
async def lab(tmp_path):
    async with launcher_lab(tmp_path, BASE) as (topo, hosts, spec, cfg):
        path = tmp_path / "config.yaml"
        write_config(str(path), cfg)
        yield topo, path


async def tftui(*args: str, timeout: float = 30) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "tftui", *args, stdout=subprocess.PIPE,
                                                stderr=subprocess.PIPE, env=env, cwd=ROOT)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, out.decode(), err.decode()


async def test_vmis_json_lists_every_readable_interface(lab):
    topo, cfg = lab
    rc, out, err = await tftui("vmis", "--config", str(cfg), "--json")
    doc = json.loads(out)
    assert rc == 1 and "compute2" in err and "connection refused" in err  # two vrouters are down in the demo
    assert len(doc["interfaces"]) == 123
    first = doc["interfaces"][0]
    assert list(first) == ["vrouter", "vrouter_address", "name", "vm_name", "vm_uuid", "vn", "ip", "mac",
                           "metadata_ip", "active", "flow_key_idx"]
    assert (first["vm_name"], first["metadata_ip"], first["active"]) == ("cirros1", "169.254.0.4", True)
    assert first["flow_key_idx"] > 0  # FetchFlowRecord's nh for this interface's flows
    rc, out, err = await tftui("vmis", "--config", str(cfg), "--vrouter", "compute4")
    lines = out.splitlines()
    assert rc == 0 and lines[0].split()[:3] == ["VROUTER", "VM", "IP"] and len(lines) == 4
    rc, _, err = await tftui("vmis", "--config", str(cfg), "--vrouter", "nope")
    assert rc == 2 and "not a vrouter" in err


async def test_ssh_runs_a_command_in_the_vm(lab):
    topo, cfg = lab
    pod = topo.interfaces_on("compute4")[1]
    rc, out, err = await tftui("ssh", "--config", str(cfg), pod.vm_name, "--", "ip", "-o", "a")
    assert rc == 0, err
    assert f"inet {pod.ip}/12 scope global eth0" in out
    rc, out, _ = await tftui("ssh", "--config", str(cfg), pod.ip, "--", "hostname")
    assert rc == 0 and out == f"{pod.vm_name}\n"
    rc, out, _ = await tftui("ssh", "--config", str(cfg), "--print", "cirros1")
    assert rc == 0 and "-J root@127.216.1.1:2022" in out and out.strip().endswith("-- cirros@169.254.0.4")


async def test_ssh_refuses_bad_input_and_reports_misses(lab):
    _, cfg = lab
    rc, _, err = await tftui("ssh", "--config", str(cfg), "a;reboot")
    assert rc == 2 and "not a valid VM or pod name" in err
    rc, _, err = await tftui("ssh", "--config", str(cfg), "--user=-oProxyCommand=x", "cirros1")
    assert rc == 2 and "not a valid user name" in err
    rc, _, err = await tftui("ssh", "--config", str(cfg), "no-such-vm")
    assert rc == 1 and "no interface of a VM named" in err
