"""A real gateway router on one machine (notes/vyos-frr.md): network namespaces joined by a bridge, FRR (zebra,
staticd, bgpd, and watchfrr when asked, as a packaged FRR runs) with its own instance directory, an OpenSSH server
whose users find a plain `vtysh`, and ExaBGP playing TF control nodes. Each test bed has its own name prefix.

Topology: bridge PREFIX-br0 joins PREFIX-vyos 172.31.10.140/20 (FRR AS 65311, sshd in its own mount namespace so a
plain `vtysh` works), PREFIX-ctrl 172.31.11.86/20 and .87 (ExaBGP AS 64512) and PREFIX-vrouter 172.31.2.194/20,
from which tftui connects with a generated key and a known_hosts file written here. Every PID started is recorded
and only those are stopped; namespaces, links, the user and the FRR instance directories are removed in teardown,
even on failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Bed:
    prefix: str  # names of this bed's namespaces, bridge, user and FRR instance
    frr_conf: str
    vyos_addresses: tuple[str, ...] = ("172.31.10.140/20",)
    ctrl_addresses: tuple[str, ...] = ("172.31.11.86/20", "172.31.11.87/20")
    vr_addresses: tuple[str, ...] = ("172.31.2.194/20",)
    watchfrr: bool = False  # packaged FRR runs it: `write memory` by a non-root vtysh user goes through it

    @property
    def ns_vyos(self) -> str:
        return f"{self.prefix}-vyos"

    @property
    def ns_ctrl(self) -> str:
        return f"{self.prefix}-ctrl"

    @property
    def ns_vr(self) -> str:
        return f"{self.prefix}-vrouter"

    @property
    def bridge(self) -> str:
        return f"{self.prefix}-br0"

    @property
    def user(self) -> str:
        return f"{self.prefix}vyos"

    @property
    def frr_etc(self) -> Path:
        return Path("/etc/frr") / self.ns_vyos

    @property
    def frr_run(self) -> Path:
        return Path("/var/run/frr") / self.ns_vyos


def exabgp_conf(local: str, routes: list[tuple[str, str]]) -> str:
    lines = "\n".join(f"    route {p}/32 next-hop {nh} med 100 origin igp;" for p, nh in routes)
    return (f"neighbor 172.31.10.140 {{\n  router-id {local};\n  local-address {local};\n  local-as 64512;\n"
            f"  peer-as 65311;\n  static {{\n{lines}\n  }}\n}}\n")


def unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"realnet test cannot run in CI: {why}")
    pytest.skip(why)


def sh(*argv: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(list(argv), capture_output=True, text=True, timeout=30, **kw)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} -> {res.returncode}: {res.stderr.strip()}")
    return res


class RealLab:
    def __init__(self, tmp: Path, bed: Bed):
        self.tmp = tmp
        self.bed = bed
        self.procs: dict[str, subprocess.Popen] = {}
        self.created_ns: list[str] = []
        self.created_links: list[str] = []
        self.user_created = False
        self.dirs: list[Path] = []
        self.log = tmp / "logs"
        self.log.mkdir()
        self.setup_seconds = 0.0

    # ------------------------------------------------------------------ plumbing

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        out = open(self.log / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.procs[name] = proc
        return proc

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(5)

    def netns(self, ns: str, addresses: tuple[str, ...]) -> None:
        sh("ip", "netns", "add", ns)
        self.created_ns.append(ns)
        host_end, ns_end = f"{ns[:10]}0", f"{ns[:10]}1"
        sh("ip", "link", "add", host_end, "type", "veth", "peer", "name", ns_end)
        self.created_links.append(host_end)
        sh("ip", "link", "set", ns_end, "netns", ns)
        sh("ip", "link", "set", host_end, "master", self.bed.bridge, "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", ns_end, "name", "eth0")
        for addr in addresses:
            sh("ip", "netns", "exec", ns, "ip", "addr", "add", addr, "dev", "eth0")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")

    def build(self) -> None:
        b = self.bed
        for ns in (b.ns_vyos, b.ns_ctrl, b.ns_vr):  # leftovers of a killed run of this very bed
            sh("ip", "netns", "del", ns, check=False)
        sh("ip", "link", "del", b.bridge, check=False)
        sh("ip", "link", "add", b.bridge, "type", "bridge")
        self.created_links.append(b.bridge)
        sh("ip", "link", "set", b.bridge, "up")
        self.netns(b.ns_vyos, b.vyos_addresses)
        self.netns(b.ns_ctrl, b.ctrl_addresses)
        self.netns(b.ns_vr, b.vr_addresses)
        self._frr()
        self._sshd()

    def _frr(self) -> None:
        b = self.bed
        for d, mode in ((b.frr_etc, 0o750), (b.frr_run, 0o755)):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
            self.dirs.append(d)
            shutil.chown(d, "frr", "frrvty" if d == b.frr_etc else "frr")
            d.chmod(mode)
        conf = b.frr_etc / "frr.conf"
        conf.write_text(b.frr_conf)
        shutil.chown(conf, "frr", "frrvty")
        conf.chmod(0o640)
        vconf = b.frr_etc / "vtysh.conf"
        vconf.write_text("service integrated-vtysh-config\n")
        shutil.chown(vconf, "frr", "frrvty")
        vconf.chmod(0o600)  # unreadable for the SSH user: vtysh warns on stderr and still answers (notes)
        for daemon in ("zebra", "staticd", "bgpd"):
            self.start(daemon, ["ip", "netns", "exec", b.ns_vyos, f"/usr/lib/frr/{daemon}", "-N", b.ns_vyos,
                                "-F", "traditional", "-P", "0", "-u", "frr", "-g", "frr"])
            self._wait_socket(daemon)
        sh("ip", "netns", "exec", b.ns_vyos, "vtysh", "-N", b.ns_vyos, "-b")
        if b.watchfrr:
            self.start_watchfrr()

    def _wait_socket(self, daemon: str) -> None:
        sock = self.bed.frr_run / f"{daemon}.vty"
        deadline = time.monotonic() + 10
        while not sock.exists():
            if time.monotonic() > deadline or self.procs[daemon].poll() is not None:
                raise RuntimeError(f"{daemon} did not start: {(self.log / f'{daemon}.log').read_text()[-500:]}")
            time.sleep(0.05)

    def start_watchfrr(self) -> None:
        b = self.bed
        (b.frr_run / "watchfrr.vty").unlink(missing_ok=True)
        self.start("watchfrr", ["ip", "netns", "exec", b.ns_vyos, "/usr/lib/frr/watchfrr", "-N", b.ns_vyos, "-F",
                                "traditional", "zebra", "staticd", "bgpd"])
        self._wait_socket("watchfrr")

    def _sshd(self) -> None:
        b = self.bed
        privsep = Path("/run/sshd")  # the package makes it at boot; a fresh container may lack it
        if not privsep.exists():
            privsep.mkdir(mode=0o755)
            self.dirs.append(privsep)
        # outside pytest's 0700 tmp tree: sshd reads authorized_keys as the user
        base = Path(tempfile.mkdtemp(prefix=f"{b.prefix}-realnet-"))
        self.dirs.append(base)
        base.chmod(0o755)
        d = base / "ssh"
        d.mkdir()
        d.chmod(0o755)
        home = base / "home"
        sh("userdel", b.user, check=False)  # left by a killed run of this test (the name is this bed's own)
        sh("useradd", "-M", "-d", str(home), "-s", "/bin/sh", "-G", "frrvty", "-c", "tftui realnet test", b.user)
        self.user_created = True
        sh("usermod", "-p", "*", b.user)  # no password, yet not "locked" for key logins
        home.mkdir()
        shutil.chown(home, b.user)
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "host_key"))
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.tmp / "client_key"))
        auth = d / "authorized_keys"
        auth.write_text((self.tmp / "client_key.pub").read_text())
        auth.chmod(0o644)
        (d / "sshd_config").write_text(
            f"ListenAddress 172.31.10.140\nPort 22\nHostKey {d / 'host_key'}\nPidFile {d / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {auth}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            f"UsePAM no\nStrictModes no\nAllowUsers {b.user}\nLogLevel VERBOSE\n")
        # its own mount namespace: the instance's config and sockets appear where a plain vtysh looks
        script = (f"mount --bind {b.frr_etc} /etc/frr && mount --bind {b.frr_run} /var/run/frr && "
                  f"exec /usr/sbin/sshd -D -e -f {d / 'sshd_config'}")
        self.start("sshd", ["ip", "netns", "exec", b.ns_vyos, "unshare", "-m", "--propagation", "private",
                            "sh", "-c", script])
        pub = (d / "host_key.pub").read_text().split()
        (self.tmp / "known_hosts").write_text(f"172.31.10.140 {pub[0]} {pub[1]}\n")
        deadline = time.monotonic() + 10
        while "172.31.10.140:22" not in sh("ip", "netns", "exec", b.ns_vyos, "ss", "-ltn").stdout:
            if time.monotonic() > deadline or self.procs["sshd"].poll() is not None:
                raise RuntimeError(f"sshd did not start: {(self.log / 'sshd.log').read_text()[-500:]}")
            time.sleep(0.05)

    def exabgp(self, name: str, local: str, routes: list[tuple[str, str]]) -> None:
        conf = self.tmp / f"{name}.conf"
        conf.write_text(exabgp_conf(local, routes))
        env = {**os.environ, "exabgp.daemon.user": "root", "exabgp.daemon.daemonize": "false",
               "exabgp.api.cli": "false", "exabgp.log.destination": "stdout"}
        self.start(name, ["ip", "netns", "exec", self.bed.ns_ctrl, "exabgp", str(conf)], env)

    def router_entry(self) -> dict:
        return {"name": "vyos", "host": "172.31.10.140", "port": 22, "username": self.bed.user,
                "identity_file": str(self.tmp / "client_key"), "known_hosts": str(self.tmp / "known_hosts"),
                "agent": False, "kind": "auto", "timeout": 10}

    def config(self, **cluster) -> Path:
        cfg = self.tmp / "tftui.yaml"
        cluster.setdefault("nodes", [{"name": "vrouter1", "address": "172.31.2.194", "roles": ["vrouter"]}])
        cfg.write_text(json.dumps({"clusters": {"realnet": {**cluster, "routers": [self.router_entry()]}}}))
        return cfg

    def tftui(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """tftui run from inside the vrouter namespace: real SSH from 172.31.2.194."""
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SSH_AUTH_SOCK": ""}
        return subprocess.run(["ip", "netns", "exec", self.bed.ns_vr, sys.executable, "-m", "tftui", *argv],
                              capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)

    def vtysh(self, command: str) -> str:
        return sh("ip", "netns", "exec", self.bed.ns_vyos, "vtysh", "-N", self.bed.ns_vyos, "-c", command).stdout

    def teardown(self) -> list[str]:
        problems = []
        for name in list(self.procs):
            try:
                self.stop(name)
            except Exception as exc:  # keep tearing down
                problems.append(f"stop {name}: {exc}")
        for ns in self.created_ns:
            if sh("ip", "netns", "del", ns, check=False).returncode:
                problems.append(f"netns del {ns}")
        for link in self.created_links:
            sh("ip", "link", "del", link, check=False)  # veths vanish with their namespace
        if self.user_created:
            sh("userdel", self.bed.user, check=False)
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)
        return problems


def real_lab(tmp_path: Path, bed: Bed):
    """Fixture body: the bed built, yielded, and torn down (teardown problems fail the test)."""
    if os.geteuid() != 0:
        unavailable("needs root")
    tools = ["/usr/lib/frr/zebra", "/usr/lib/frr/bgpd", "/usr/lib/frr/staticd", "/usr/sbin/sshd"]
    if bed.watchfrr:
        tools.append("/usr/lib/frr/watchfrr")
    for tool in tools:
        if not os.path.exists(tool):
            unavailable(f"{tool} is missing (Debian packages frr, openssh-server)")
    for tool in ("exabgp", "vtysh", "unshare", "ssh-keygen", "useradd", "ip"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is missing")
    lab = RealLab(tmp_path, bed)
    started = time.monotonic()
    try:
        lab.build()
        lab.setup_seconds = time.monotonic() - started
        yield lab
    finally:
        problems = lab.teardown()
        assert not problems, problems
