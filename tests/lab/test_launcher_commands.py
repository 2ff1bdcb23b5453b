"""`tftui vmis` and `tftui ssh` as a user runs them, against the lab (config written like `tftui lab` does)."""

import asyncio
import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT
from helpers.launcher_lab import launcher_lab

from tftui.core.agent import Vmi
from tftui.core.inventory import parse_cluster
from tftui.lab.runner import write_config
from tftui.services.launcher import Launcher

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


def _effective(config: str, host: str, home) -> dict[str, list[str]]:
    """What OpenSSH would use for ``host`` with ``-F config`` (``ssh -G``: no connection made)."""
    out = subprocess.run(["ssh", "-G", "-F", config, host], capture_output=True, text=True, timeout=10, check=True,
                         env={"PATH": os.environ["PATH"], "HOME": str(home)}).stdout
    got: dict[str, list[str]] = {}
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        got.setdefault(k, []).append(v)
    return got


@pytest.mark.skipif(shutil.which("ssh") is None and not os.environ.get("CI"), reason="OpenSSH client not installed")
def test_openssh_takes_each_hop_from_tftuis_config_and_the_rest_from_the_operators(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "config").write_text("Host 10.0.0.*\n    User someone\n    Port 2200\n"
                                          "Host *\n    ServerAliveInterval 17\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TFTUI_STATE_DIR", str(tmp_path / "state"))
    spec = parse_cluster("lab", {"nodes": [{"name": "cmp1", "address": "10.0.0.21", "roles": ["vrouter"]}], "ssh": {
        "compute": {"username": "root", "port": 2022, "identity_file": "/k/client", "known_hosts": "/k/kh",
                    "jump": {"host": "10.9.9.9", "username": "ops", "known_hosts": "/k/bastion"}}}}, "test")
    launcher = Launcher(spec)
    vmi = Vmi("cmp1", "10.0.0.21", "tap1", "cirros1", "u", "d:p:pods", "10.47.0.3", "02:00:00:00:00:01",
              "169.254.0.4", True)
    argv = launcher.ssh_argv(vmi, ["true"])
    config = argv[argv.index("-F") + 1]
    assert config == str(launcher.config_path) and os.stat(config).st_mode & 0o777 == 0o600
    compute = _effective(config, "10.0.0.21", home)
    assert compute["user"] == ["root"] and compute["port"] == ["2022"]  # tftui's, not the operator's 10.0.0.*
    assert compute["identityfile"] == ["/k/client"] and compute["userknownhostsfile"] == ["/k/kh"]
    assert compute["serveraliveinterval"] == ["17"]  # the operator's config still applies to the rest
    bastion = _effective(config, "10.9.9.9", home)
    assert bastion["user"] == ["ops"] and bastion["userknownhostsfile"] == ["/k/bastion"]
    assert "/k/client" in bastion["identityfile"]  # the computes' key: the bastion has none of its own
    vm = _effective(config, "169.254.0.4", home)  # the VM hop: settings from the command line only
    assert vm["port"] == ["22"] and "/k/client" not in vm["identityfile"] and vm["serveraliveinterval"] == ["17"]
