"""No shell command is built from unvalidated text: shell and option-injection strings pushed into every field
that can reach a command are refused with a message or arrive as one argv element, and nothing runs.

Real execution wherever it can be had: the router client and run-command go to an SSH server that runs what it
receives with /bin/sh (tests/helpers/shell_ssh.py); the launcher's OpenSSH argv is run by the real `ssh`; `tftui ssh`
runs as a process against `tftui lab`. Every payload names a marker file; none may exist afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from helpers.routes_ui import routes_app
from helpers.shell_ssh import ShellSsh
from helpers.ui_apps import settle
from textual.widgets import Static

from tftui.clients.router import WRAPPER, RouterClient, build_command, validate_prefix
from tftui.clients.vmssh import SshError, run_command, run_on_compute
from tftui.core.agent import InvalidInput, Vmi
from tftui.core.inventory import ConfigError
from tftui.core.launcher import hops_ssh_config, parse_ssh_settings, ssh_argv, target_for
from tftui.core.routes.config import parse_router
from tftui.core.routes.models import NextHop, Route
from tftui.services.launcher import check_command
from tftui.services.routes import RouterMonitor
from tftui.ui.views.routes import PrefixDetail


def payloads(marker: Path) -> list[str]:
    m = str(marker)
    return [f"; touch {m}", f"$(touch {m})", f"`touch {m}`", f"x' ; touch {m} ; '", f'x" ; touch {m} ; "',
            f"x\ntouch {m}", f"-oProxyCommand=touch {m}", f"x -oProxyCommand=touch {m}", f"| touch {m}",
            f"10.0.0.0/24; touch {m}", f"-oLocalCommand=touch {m}"]


@pytest.fixture
async def shell(tmp_path):
    server = await ShellSsh(tmp_path).start()
    yield server
    await server.stop()


def no_marker(marker: Path, *where: Path) -> None:
    assert not marker.exists(), f"{marker} was created: an injection ran"
    for d in where:
        assert not list(d.rglob("pwned*")), list(d.rglob("pwned*"))


# ---------------------------------------------------------------------------------------- router


def _router(shell: ShellSsh, **kw) -> RouterClient:
    spec = parse_router({"name": "r", "host": shell.host, "port": shell.port, "username": "vyos", "agent": False,
                         "identity_file": str(shell.identity), "known_hosts": str(shell.known_hosts),
                         "kind": "frr", "timeout": 5, **kw}, "t")
    return RouterClient(spec)


async def test_router_prefix_refused_and_commands_are_single_argv_words(tmp_path, shell):
    marker = tmp_path / "pwned-router"
    client = _router(shell)
    try:
        suite = await client.detect()
        assert suite.name == "frr"
        for bad in payloads(marker) + ["1.2.3.4 json", "show", "", "::1 x", "1.2.3.4/33"]:
            with pytest.raises(ValueError, match="not an IP address or prefix"):
                await client.bgp_prefix(bad)
            with pytest.raises(ValueError):
                build_command("prefix", True, prefix=bad)
            with pytest.raises(ValueError):
                build_command("prefix", False, WRAPPER, prefix=bad)
        assert not any("touch" in c for c in shell.received)  # nothing of it was ever sent
        await client.neighbors()
        await client.routes()
        await client.bgp_prefix("10.0.0.0/24")
        await client.bgp_prefix(" 10.1.2.3 ")  # canonicalised before use
    finally:
        await client.close()
    calls = shell.vtysh_calls()
    # real /bin/sh parsed what was sent: vtysh got exactly two argv elements each time
    assert calls[-3:] == [["-c", "show ip route json"], ["-c", "show ip bgp 10.0.0.0/24 json"],
                          ["-c", "show ip bgp 10.1.2.3 json"]], calls
    assert all(len(c) == 2 and c[0] == "-c" for c in calls)
    assert validate_prefix("10.0.0.7/24") == "10.0.0.0/24"
    no_marker(marker, tmp_path)


async def test_hostile_prefix_from_the_router_output_never_reaches_a_command(tmp_path, shell):
    """A router (or anyone in the middle) could send route names that are commands: the detail refuses them."""
    marker = tmp_path / "pwned-detail"
    spec = parse_router({"name": "r", "host": shell.host, "port": shell.port, "agent": False,
                         "identity_file": str(shell.identity), "known_hosts": str(shell.known_hosts), "kind": "frr"},
                        "t")
    mon = RouterMonitor(spec, None, interval=60)
    nh = (NextHop("172.31.0.1", "eth0", True, True),)
    mon.state.routes = [Route(p, "bgp", True, True, 20, 0, "00:00:01", nh, code="B>*") for p in payloads(marker)]
    mon.state.last_fetched = 1.0
    app = routes_app(mon)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            mon.publish(mon.state)
            await settle(pilot)
            for k in range(len(payloads(marker))):
                app.screen.table.move_cursor(row=k)
                await pilot.press("enter")
                await pilot.pause(0.2)
                assert isinstance(app.screen, PrefixDetail)
                body = str(app.screen.query_one("#detail-body", Static).render())
                assert "is not an IP address or prefix" in body, body
                await pilot.press("escape")
    finally:
        await mon.stop()
    assert shell.received == []
    no_marker(marker, tmp_path)


def test_router_config_fields_refused():
    for field, bad in (("host", "$(touch /tmp/x)"), ("host", "-oProxyCommand=x"), ("port", "22; id"),
                       ("username", "root;id"), ("username", "-oProxyCommand=x")):
        with pytest.raises(ConfigError):
            parse_router({"name": "r", "host": "127.0.0.1", field: bad}, "t")


# ---------------------------------------------------------------------------------------- run-command


async def test_run_command_is_sent_verbatim_and_runs_only_remotely(tmp_path, shell, monkeypatch):
    """The run-command text IS a command: it goes to the remote side as the SSH exec request, byte for byte,
    and tftui never hands it to a local shell (the local cwd stays clean, the remote one gets the file)."""
    local = tmp_path / "local"
    local.mkdir()
    monkeypatch.chdir(local)
    settings = parse_ssh_settings({"compute": {"username": "root", "port": shell.port,
                                                       "identity_file": str(shell.identity),
                                                       "known_hosts": str(shell.known_hosts)}})
    texts = ["touch pwned-relative", "echo $(echo sub) `echo tick` 'q' \"dq\"; echo two | cat"]
    results = await run_on_compute(settings, shell.host, texts)
    assert shell.received == texts
    assert (shell.home / "pwned-relative").exists() and not (local / "pwned-relative").exists()
    assert results[1][0] == "sub tick q dq\ntwo\n"
    # a newline would smuggle a second command past a reviewer: the launcher refuses it before any I/O
    for bad in ("ls\ntouch x", "ls\rtouch x", "a\0b", "", "x" * 2000):
        with pytest.raises(InvalidInput):
            check_command(bad)
    async with ShellConn(shell) as conn:
        out, _, status = await run_command(conn, "exit 3", 5)
        assert status == 3


class ShellConn:
    def __init__(self, shell: ShellSsh):
        self.shell = shell

    async def __aenter__(self):
        import asyncssh

        self.conn = await asyncssh.connect(self.shell.host, self.shell.port, username="u",
                                           client_keys=[str(self.shell.identity)],
                                           known_hosts=str(self.shell.known_hosts))
        return self.conn

    async def __aexit__(self, *exc):
        self.conn.close()


async def test_asyncssh_paths_verify_host_keys_by_default(tmp_path, shell):
    settings = parse_ssh_settings({"compute": {"port": shell.port, "identity_file": str(shell.identity),
                                                       "known_hosts": str(tmp_path / "missing")}})
    with pytest.raises(SshError, match="no known_hosts file"):
        await run_on_compute(settings, shell.host, ["true"])
    other = tmp_path / "other_known_hosts"
    other.write_text(f"[{shell.host}]:{shell.port} ssh-ed25519 "
                     "AAAAC3NzaC1lZDI1NTE5AAAAIK0nB2yH8D3v1q8Xy1mC6Fq4lq8m2yXxk0Yb8Qq3mJ5P\n")
    settings = parse_ssh_settings({"compute": {"port": shell.port, "identity_file": str(shell.identity),
                                                       "known_hosts": str(other)}})
    with pytest.raises(SshError, match="host key NOT verified"):
        await run_on_compute(settings, shell.host, ["true"])
    assert shell.received == []
    # the router client: an unknown key is refused (strict is the default policy)
    spec = parse_router({"name": "r", "host": shell.host, "port": shell.port, "agent": False,
                         "identity_file": str(shell.identity), "known_hosts": str(tmp_path / "none")}, "t")
    assert spec.host_key_policy == "strict"
    client = RouterClient(spec)
    from tftui.clients.router import HostKeyUnknown
    with pytest.raises(HostKeyUnknown):
        await client.detect()
    await client.close()
    assert shell.received == []


# ---------------------------------------------------------------------------------------- OpenSSH argv

SSH = shutil.which("ssh")

FIELDS = {  # where a payload goes in the cluster's ssh: settings, or in the interface the agent reported
    "vm.username": lambda p: {"vm": {"username": p}},
    "compute.username": lambda p: {"compute": {"username": p}},
    "compute.port": lambda p: {"compute": {"port": p}},
    "compute.jump": lambda p: {"compute": {"jump": p}},
    "compute.jump.user": lambda p: {"compute": {"jump": f"{p}@127.0.0.1"}},
    "compute.identity_file": lambda p: {"compute": {"identity_file": p}},
    "compute.known_hosts": lambda p: {"compute": {"known_hosts": p}},
    "vm.identity_file": lambda p: {"vm": {"identity_file": p}},
    "vm.known_hosts": lambda p: {"vm": {"known_hosts": p}},
    "config_file": lambda p: {"config_file": p},
    "vm.users_by_vn": lambda p: {"vm": {"users_by_vn": {"net": p}}},
    "vm.users_by_name": lambda p: {"vm": {"users_by_name": {"cirros*": p}}},
}
VMI_FIELDS = ("vrouter_address", "metadata_ip", "vm_name", "vn", "user")


def _vmi(**kw) -> Vmi:
    base = dict(vrouter="cmp1", vrouter_address="127.0.0.1", name="tap1", vm_name="cirros1", vm_uuid="u", vn="net",
                ip="10.0.0.3", mac="02:00:00:00:00:01", metadata_ip="169.254.0.3", active=True)
    return Vmi(**{**base, **kw})


def _run_ssh(argv: list[str], home: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
    return subprocess.run([SSH, *argv[1:3], "-o", "BatchMode=yes", *argv[3:]], capture_output=True, text=True,
                          timeout=20, env=env, cwd=home, stdin=subprocess.DEVNULL)


@pytest.mark.skipif(SSH is None and not os.environ.get("CI"), reason="OpenSSH client not installed")
def test_every_launcher_field_refuses_or_quotes_with_real_ssh(tmp_path):
    marker = tmp_path / "pwned-argv"
    home = tmp_path / "home"
    home.mkdir()
    config = tmp_path / "hops.ssh_config"
    refused, ran = 0, 0
    cases = [(f, p) for f in FIELDS for p in payloads(marker)] + [(f, p) for f in VMI_FIELDS for p in payloads(marker)]
    for field, payload in cases:
        try:
            if field in FIELDS:
                settings = parse_ssh_settings({**FIELDS[field](payload), "connect_timeout": 2})
                vmi, user = _vmi(vn="net"), None
            else:
                settings = parse_ssh_settings({"compute": {"port": 1}, "connect_timeout": 2})
                vmi = _vmi(**{field: payload}) if field != "user" else _vmi()
                user = payload if field == "user" else None
            hops = hops_ssh_config(settings, "x", [settings.config_file] if settings.config_file else [])
            config.write_text(hops)
            argv = ssh_argv(target_for(vmi, settings, user), settings, ["echo", payload], config_path=str(config))
        except (ConfigError, InvalidInput) as exc:
            refused += 1
            assert str(exc) and "\n" not in str(exc).split(":")[0], exc
            continue
        # accepted: the payload may only appear whole, inside one argv element, never as an option of its own
        for word in argv[:-2]:
            assert not word.startswith("-o") or "ProxyCommand" not in word and "LocalCommand" not in word, argv
        opts = argv[:argv.index("--")]
        assert sum(payload.strip() in w for w in opts) <= 1, argv
        # ... and in the hops' ssh config, inside one line as the value of the key it was given for
        keywords = [line.split()[0] for line in hops.splitlines() if line.strip() and not line.startswith("#")]
        assert not {"ProxyCommand", "LocalCommand", "Match", "PermitLocalCommand"} & set(keywords), hops
        assert sum(payload.strip() in line for line in hops.splitlines() if not line.startswith("#")) <= 1, hops
        ran += 1
        res = _run_ssh(argv, home)
        assert res.returncode != 0  # nothing listens on port 1: ssh must fail to connect, not run anything
        no_marker(marker, tmp_path)
    assert refused > 100 and ran > 5, (refused, ran)
    no_marker(marker, tmp_path)


def test_openssh_argv_keeps_host_key_checking_on():
    settings = parse_ssh_settings({"compute": {"jump": "bastion.example:2222"}, "vm": {"known_hosts": "/tmp/kh file"}})
    argv = ssh_argv(target_for(_vmi(), settings), settings)
    text = (" ".join(argv) + hops_ssh_config(settings, "x", [])).lower()
    assert "stricthostkeychecking=no" not in text and "/dev/null" not in text and "accept-new" not in text
    assert "HostKeyAlias=127.0.0.1-169.254.0.3" in argv and 'UserKnownHostsFile="/tmp/kh file"' in argv


# ---------------------------------------------------------------------------------------- tftui ssh


def _tftui(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tftui", *args], capture_output=True, text=True, timeout=60,
                          env=env, cwd=cwd, stdin=subprocess.DEVNULL)


def _main_code(main, argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's own refusals
        return int(exc.code or 0)


def test_tftui_ssh_arguments(start_lab, tmp_path, capsys):
    import yaml

    marker = tmp_path / "pwned-cli"
    lab = start_lab()
    cfg = str(lab.config_path)
    doc = yaml.safe_load(Path(cfg).read_text())
    cluster = next(iter(doc["clusters"].values()))
    vm = next(i["vm_name"] for i in yaml.safe_load(Path(cluster["gatewayless"]["hosts_file"]).read_text()))
    from tftui.cli import main

    for payload in payloads(marker):  # in-process: refused before anything is read or run
        code = _main_code(main, ["ssh", payload, "--print", "--config", cfg])
        err = capsys.readouterr().err
        assert code == 2 and ("is not a valid VM or pod name" in err
                              or "the following arguments are required" in err), err
        code = _main_code(main, ["ssh", vm, "--user", payload, "--print", "--config", cfg])
        err = capsys.readouterr().err
        assert code == 2 and "is not a valid user name" in err, err
    # an option after the VM name is ours or refused, never sent as the remote command (it used to be)
    res = _tftui("ssh", vm, "-oProxyCommand=touch " + str(marker), "--config", cfg, cwd=tmp_path)
    assert res.returncode == 2 and "put the remote command after --" in res.stderr, res.stderr
    res = _tftui("ssh", vm, "--print", "--config", cfg, cwd=tmp_path)
    assert res.returncode == 0 and res.stdout.startswith("ssh ") and "--print" not in res.stdout, res
    # the remote command: printed quoted, one word per argument, after the destination
    res = _tftui("ssh", vm, "--print", "--config", cfg, "--", f"touch {marker}; $(touch {marker})", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    import shlex

    argv = shlex.split(res.stdout)
    assert argv[-1] == f"touch {marker}; $(touch {marker})" and argv[-3] == "--"
    # and run for real through the lab computes: the VM's shell gets it, no local shell ever sees it
    if SSH is not None:
        res = _tftui("ssh", vm, "--config", cfg, "--", f"touch {marker}; $(touch {marker})", cwd=tmp_path)
        assert "Traceback" not in res.stderr
    no_marker(marker, tmp_path)


async def test_run_command_refuses_hostile_targets_before_connecting(tmp_path, shell):
    from tftui.core.inventory import parse_cluster
    from tftui.services.launcher import Launcher

    marker = tmp_path / "pwned-run"
    spec = parse_cluster("x", {"nodes": [{"name": "a", "address": "127.0.0.1", "roles": ["vrouter"]}],
                               "ssh": {"compute": {"port": shell.port, "identity_file": str(shell.identity),
                                                   "known_hosts": str(shell.known_hosts)}}}, "t")
    launcher = Launcher(spec)
    vmis = [_vmi(metadata_ip=p) for p in payloads(marker)] + [_vmi(vrouter_address=p) for p in payloads(marker)]
    results = await launcher.run(vmis, "uptime", timeout=5)
    assert len(results) == len(vmis) and all(r.error for r in results)
    assert all("metadata IP" in r.error or "not an IP address or host name" in r.error for r in results), \
        [r.error for r in results]
    assert shell.received == []
    no_marker(marker, tmp_path)


async def test_compute_detail_refuses_hostile_compute_names(tmp_path, shell):
    from tftui.core.inventory import parse_cluster
    from tftui.services.launcher import Launcher

    marker = tmp_path / "pwned-compute"
    spec = parse_cluster("x", {"nodes": [{"name": "a", "address": "127.0.0.1", "roles": ["vrouter"]}],
                               "ssh": {"compute": {"port": shell.port, "identity_file": str(shell.identity),
                                                   "known_hosts": str(shell.known_hosts)}}}, "t")
    launcher = Launcher(spec)
    for p in payloads(marker):
        detail = await launcher.compute_detail(p, timeout=5)
        assert detail.error and "is not an IP address or host name" in detail.error, detail
    await launcher.compute_detail(shell.host, timeout=5)  # the fixed commands, through a real shell
    assert len(shell.received) == 2 and all("touch" not in c for c in shell.received), shell.received
    no_marker(marker, tmp_path)
