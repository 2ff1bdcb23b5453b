"""The launcher against real OpenSSH daemons in network namespaces, reached from the root namespace.

    root ns (the operator)  --veth 198.18.213.1/30 <-> .2-->  ns "compute" (sshd, a vrouter agent's ItfReq on
                                                              8085, route 169.254.0.4 via veth)
                                                              --veth 169.254.0.1 <-> 169.254.0.4-->  ns "vm" (sshd)

The metadata IP exists only inside the compute namespace, exactly as on a vrouter, so the only way in
is ``ssh -J root@COMPUTE ... root@169.254.0.4``. Host keys and the client key are generated per run;
known_hosts holds the compute's key and the VM's key under the alias COMPUTE-169.254.0.4. tftui is
configured through its own config alone (ssh.compute / ssh.vm): no ssh config file of the test's, and an
empty HOME, so nothing but tftui's generated ssh config tells OpenSSH which key and known_hosts each hop uses.
Every PID started is recorded and only those are killed; namespaces and veths are deleted even on failure.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT

from tftui.core.agent import Vmi
from tftui.core.inventory import parse_cluster
from tftui.services.launcher import Launcher

pytestmark = pytest.mark.realnet

SUFFIX = f"{os.getpid() % 100000}"
NS_COMPUTE, NS_VM = f"st-cmp-{SUFFIX}", f"st-vm-{SUFFIX}"
ROOT_IF, COMPUTE_UP = f"stlr{SUFFIX}", f"stlc{SUFFIX}"  # root <-> compute
COMPUTE_DOWN, VM_IF = f"stlm{SUFFIX}", f"stlv{SUFFIX}"  # compute <-> vm ("vhost0" side and the VM's eth0)
ROOT_ADDR, COMPUTE_ADDR = "198.18.213.1", "198.18.213.2"  # benchmarking range, never routed anywhere
METADATA_IP, COMPUTE_LL = "169.254.0.4", "169.254.0.1"
SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
AGENT_PORT = 8085
VM_NAME, VM_IP = "cirros1", "10.47.255.251"


def _cannot_run(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"realnet test cannot run in CI: {why}")
    pytest.skip(why)


def _sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(argv), check=check, capture_output=True, text=True, timeout=30)


@dataclass
class Net:
    tmp: Path
    procs: list[subprocess.Popen] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def teardown(self) -> None:
        for p in self.procs:  # exactly the daemons this test started
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        for link in self.links:
            _sh("ip", "link", "del", link, check=False)
        for ns in self.namespaces:
            _sh("ip", "netns", "del", ns, check=False)


def _keygen(path: Path, comment: str) -> None:
    _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path))


def _pub(path: Path) -> str:
    return " ".join(Path(f"{path}.pub").read_text().split()[:2])


def _sshd_config(tmp: Path, name: str, listen: str, forwarding: bool) -> Path:
    cfg = tmp / f"sshd_{name}.conf"
    cfg.write_text(
        f"Port 22\nListenAddress {listen}\nHostKey {tmp / f'host_{name}'}\nPidFile none\n"
        f"AuthorizedKeysFile {tmp / 'authorized_keys'}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PermitRootLogin prohibit-password\nUsePAM no\nStrictModes no\nPrintMotd no\n"
        f"AllowTcpForwarding {'yes' if forwarding else 'no'}\nPermitTunnel no\nX11Forwarding no\n"
        "LogLevel VERBOSE\n")
    return cfg


def _wait_listening(ns: str, address: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        out = _sh("ip", "netns", "exec", ns, "ss", "-Hltn", check=False).stdout
        if f"{address}:22 " in out:
            return
        time.sleep(0.05)
    raise RuntimeError(f"sshd in {ns} did not start listening on {address}:22")


@pytest.fixture
def net(tmp_path):
    if os.geteuid() != 0:
        _cannot_run("needs root (network namespaces)")
    for tool in ("ip", "ss", "ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            _cannot_run(f"{tool} not installed (Debian: iproute2, openssh-client)")
    if not os.path.exists(SSHD):
        _cannot_run("sshd not installed (Debian: openssh-server)")
    os.chmod(tmp_path, 0o700)
    n = Net(tmp_path)
    try:
        for ns in (NS_COMPUTE, NS_VM):
            _sh("ip", "netns", "add", ns)
            n.namespaces.append(ns)
            _sh("ip", "-n", ns, "link", "set", "lo", "up")
        _sh("ip", "link", "add", ROOT_IF, "type", "veth", "peer", "name", COMPUTE_UP, "netns", NS_COMPUTE)
        n.links.append(ROOT_IF)
        _sh("ip", "addr", "add", f"{ROOT_ADDR}/30", "dev", ROOT_IF)
        _sh("ip", "link", "set", ROOT_IF, "up")
        _sh("ip", "-n", NS_COMPUTE, "addr", "add", f"{COMPUTE_ADDR}/30", "dev", COMPUTE_UP)
        _sh("ip", "-n", NS_COMPUTE, "link", "set", COMPUTE_UP, "up")
        # the vrouter side: a /32 route to the metadata IP over the VM's veth, as the agent installs on vhost0
        _sh("ip", "-n", NS_COMPUTE, "link", "add", COMPUTE_DOWN, "type", "veth", "peer", "name", VM_IF, "netns", NS_VM)
        _sh("ip", "-n", NS_COMPUTE, "addr", "add", f"{COMPUTE_LL}/32", "dev", COMPUTE_DOWN)
        _sh("ip", "-n", NS_COMPUTE, "link", "set", COMPUTE_DOWN, "up")
        _sh("ip", "-n", NS_COMPUTE, "route", "add", f"{METADATA_IP}/32", "dev", COMPUTE_DOWN, "src", COMPUTE_LL)
        _sh("ip", "-n", NS_VM, "addr", "add", f"{METADATA_IP}/32", "dev", VM_IF)
        _sh("ip", "-n", NS_VM, "link", "set", VM_IF, "up")
        _sh("ip", "-n", NS_VM, "route", "add", f"{COMPUTE_LL}/32", "dev", VM_IF)

        for name in ("compute", "vm", "client", "impostor"):
            _keygen(tmp_path / f"host_{name}" if name != "client" else tmp_path / "client", name)
        (tmp_path / "authorized_keys").write_text(_pub(tmp_path / "client") + "\n")
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        for ns, name, listen, fwd in ((NS_COMPUTE, "compute", COMPUTE_ADDR, True), (NS_VM, "vm", METADATA_IP, False)):
            cfg = _sshd_config(tmp_path, name, listen, fwd)
            log = open(tmp_path / f"sshd_{name}.log", "wb")  # noqa: SIM115 (closed with the process)
            n.procs.append(subprocess.Popen(["ip", "netns", "exec", ns, SSHD, "-D", "-e", "-f", str(cfg)],
                                            stdout=log, stderr=subprocess.STDOUT))
            log.close()
        agent = subprocess.Popen(  # the compute's vrouter agent: where `tftui ssh` finds the VM by name or IP
            ["ip", "netns", "exec", NS_COMPUTE, sys.executable, str(ROOT / "tests/helpers/netns_agent.py"),
             COMPUTE_ADDR, str(AGENT_PORT), VM_NAME, VM_IP, METADATA_IP], stdout=subprocess.PIPE, text=True)
        n.procs.append(agent)
        deadline = time.monotonic() + 10
        _wait_listening(NS_COMPUTE, COMPUTE_ADDR, deadline)
        _wait_listening(NS_VM, METADATA_IP, deadline)
        assert agent.stdout.readline().strip() == "ready"
        known = tmp_path / "known_hosts"
        known.write_text(f"{COMPUTE_ADDR} {_pub(tmp_path / 'host_compute')}\n"
                         f"{COMPUTE_ADDR}-{METADATA_IP} {_pub(tmp_path / 'host_vm')}\n")
        (tmp_path / "home").mkdir(mode=0o700)  # an operator without any ssh config of their own
        yield n
    finally:
        n.teardown()
        for name in ("compute", "vm"):
            log = tmp_path / f"sshd_{name}.log"
            if log.exists():
                print(f"--- sshd {name} log ---\n{log.read_text()[-2000:]}")


def _cluster(tmp: Path) -> dict:
    """The cluster as an operator writes it in tftui's config: nothing about ssh anywhere else."""
    client, known = str(tmp / "client"), str(tmp / "known_hosts")
    return {
        "nodes": [{"name": "compute", "address": COMPUTE_ADDR, "roles": ["vrouter"]}],
        "ssh": {"compute": {"username": "root", "identity_file": client, "known_hosts": known},
                "vm": {"username": "root", "identity_file": client, "known_hosts": known},
                "connect_timeout": 5},
    }


@pytest.fixture(autouse=True)
def _operator_env(net, monkeypatch):
    """No ssh config of the operator's (empty HOME), tftui's state in the test's directory."""
    monkeypatch.setenv("HOME", str(net.tmp / "home"))
    monkeypatch.setenv("TFTUI_STATE_DIR", str(net.tmp / "state"))


def _launcher(tmp: Path) -> Launcher:
    return Launcher(parse_cluster("realnet", _cluster(tmp), "test"))


VMI = Vmi("compute", COMPUTE_ADDR, "tap0", VM_NAME, "vm-uuid", "d:p:net", VM_IP, "02:00:00:00:00:01",
          METADATA_IP, True)


def _tftui_ssh(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    config = tmp / "tftui.yaml"
    config.write_text(json.dumps({"clusters": {"realnet": _cluster(tmp)}}))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # HOME and TFTUI_STATE_DIR: the test's (see _operator_env)
    return subprocess.run([sys.executable, "-m", "tftui", "ssh", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=60, env=env, cwd=tmp, stdin=subprocess.DEVNULL)


def _openssh(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)


def test_metadata_ip_is_only_reachable_through_the_compute(net):
    direct = _sh("ip", "route", "get", METADATA_IP, check=False)
    assert COMPUTE_UP not in direct.stdout and ROOT_IF not in direct.stdout  # the root ns has no way to it
    inside = _sh("ip", "netns", "exec", NS_COMPUTE, "ip", "route", "get", METADATA_IP)
    assert COMPUTE_DOWN in inside.stdout


def test_openssh_argv_reaches_the_vm_through_the_compute(net):
    launcher = _launcher(net.tmp)
    argv = launcher.ssh_argv(VMI, ["ip", "-o", "a"])
    assert argv[argv.index("-J") + 1] == f"root@{COMPUTE_ADDR}"
    assert f"HostKeyAlias={COMPUTE_ADDR}-{METADATA_IP}" in argv
    assert argv[argv.index("-F") + 1] == str(net.tmp / "state" / "ssh" / launcher.config_path.name)
    proc = _openssh(argv)
    assert proc.returncode == 0, proc.stderr
    assert f"inet {METADATA_IP}/32" in proc.stdout and VM_IF in proc.stdout  # the VM namespace answered


@pytest.mark.parametrize("target", [VM_NAME, VM_IP])
def test_tftui_ssh_reaches_the_vm_by_name_and_by_ip_with_tftuis_config_alone(net, target):
    proc = _tftui_ssh(net.tmp, target, "--", "ip", "-o", "a")
    assert proc.returncode == 0, proc.stderr
    assert f"inet {METADATA_IP}/32" in proc.stdout and VM_IF in proc.stdout


def test_tftui_ssh_refuses_a_changed_vm_key_and_says_so(net):
    (net.tmp / "known_hosts").write_text(f"{COMPUTE_ADDR} {_pub(net.tmp / 'host_compute')}\n"
                                         f"{COMPUTE_ADDR}-{METADATA_IP} {_pub(net.tmp / 'host_impostor')}\n")
    marker = net.tmp / "ran-in-the-vm"  # the namespaces share the file system: the VM would create it
    proc = _tftui_ssh(net.tmp, VM_NAME, "--", "touch", str(marker))
    assert proc.returncode == 255 and proc.stdout == "" and not marker.exists()
    assert "REMOTE HOST IDENTIFICATION HAS CHANGED" in proc.stderr  # OpenSSH's own words, passed on
    assert (f"tftui: refused: the host key of VM {VM_NAME} ({METADATA_IP} via {COMPUTE_ADDR}) is not the one "
            f"recorded as {COMPUTE_ADDR}-{METADATA_IP} in {net.tmp / 'known_hosts'}") in proc.stderr


async def test_asyncssh_run_command_reaches_the_vm(net):
    [result] = await _launcher(net.tmp).run([VMI], "ip -o a")
    assert result.error is None, result.error
    assert result.exit_status == 0 and f"inet {METADATA_IP}/32" in result.stdout


async def test_changed_vm_host_key_is_refused_by_both_clients(net):
    known = net.tmp / "known_hosts"
    known.write_text(f"{COMPUTE_ADDR} {_pub(net.tmp / 'host_compute')}\n"
                     f"{COMPUTE_ADDR}-{METADATA_IP} {_pub(net.tmp / 'host_impostor')}\n")
    launcher = _launcher(net.tmp)
    proc = _openssh(launcher.ssh_argv(VMI, ["true"]))
    assert proc.returncode == 255 and "REMOTE HOST IDENTIFICATION HAS CHANGED" in proc.stderr
    [result] = await launcher.run([VMI], "true")
    assert result.error and "host key NOT verified" in result.error and result.exit_status is None


async def test_changed_compute_host_key_is_refused(net):
    known = net.tmp / "known_hosts"
    known.write_text(f"{COMPUTE_ADDR} {_pub(net.tmp / 'host_impostor')}\n"
                     f"{COMPUTE_ADDR}-{METADATA_IP} {_pub(net.tmp / 'host_vm')}\n")
    launcher = _launcher(net.tmp)
    proc = _openssh(launcher.ssh_argv(VMI, ["true"]))
    assert proc.returncode == 255
    [result] = await launcher.run([VMI], "true")
    assert result.error and result.error.startswith(f"compute {COMPUTE_ADDR}:22: host key NOT verified")


async def test_a_stopped_vm_gives_a_clear_message_quickly(net):
    vm_sshd = net.procs[1]
    vm_sshd.terminate()
    vm_sshd.wait(timeout=5)
    started = time.monotonic()
    [result] = await _launcher(net.tmp).run([VMI], "true")
    assert time.monotonic() - started < 8
    print(result.error)
    assert result.error and f"VM {METADATA_IP} via {COMPUTE_ADDR}" in result.error
    assert "Connection refused" in result.error
