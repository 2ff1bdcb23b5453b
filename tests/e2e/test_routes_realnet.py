"""Real FRR + ExaBGP + OpenSSH in network namespaces, read by tftui over real SSH from the vrouter namespace.

Topology (notes/vyos-frr.md): bridge tftr-br0 joins tftr-vyos 172.31.10.140/20 (zebra+staticd+bgpd AS 65311,
sshd in its own mount namespace so a plain `vtysh` works), tftr-ctrl 172.31.11.86/20 and .87 (ExaBGP AS 64512)
and tftr-vrouter 172.31.2.194/20, from which `tftui routes --json` connects with a generated key and a
known_hosts file this test wrote. Every PID started is recorded and only those are killed; namespaces, links,
the user and the FRR instance directories are removed in teardown, even on failure.
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
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.realnet

NS_VYOS, NS_CTRL, NS_VR = "tftr-vyos", "tftr-ctrl", "tftr-vrouter"
BRIDGE = "tftr-br0"
USER = "tftrvyos"
FRR_ETC = Path("/etc/frr") / NS_VYOS
FRR_RUN = Path("/var/run/frr") / NS_VYOS
PODS = ["10.47.255.250", "10.47.255.251", "10.47.255.252"]

FRR_CONF = """frr defaults traditional
hostname vyos
!
ip route 0.0.0.0/0 172.31.0.1
!
router bgp 65311
 bgp router-id 172.31.10.140
 no bgp ebgp-requires-policy
 neighbor 172.31.11.86 remote-as 64512
 neighbor 172.31.11.86 description tf-control-node
 neighbor 172.31.11.86 timers connect 1
 neighbor 172.31.11.87 remote-as 64512
 neighbor 172.31.11.87 description tf-control-node-2
 neighbor 172.31.11.87 timers connect 1
 address-family ipv4 unicast
  maximum-paths 4
 exit-address-family
!
"""


def _exabgp_conf(local: str, routes: list[tuple[str, str]]) -> str:
    lines = "\n".join(f"    route {p}/32 next-hop {nh} med 100 origin igp;" for p, nh in routes)
    return (f"neighbor 172.31.10.140 {{\n  router-id {local};\n  local-address {local};\n  local-as 64512;\n"
            f"  peer-as 65311;\n  static {{\n{lines}\n  }}\n}}\n")


def _unavailable(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"realnet test cannot run in CI: {why}")
    pytest.skip(why)


def _sh(*argv: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(list(argv), capture_output=True, text=True, timeout=30, **kw)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} -> {res.returncode}: {res.stderr.strip()}")
    return res


class RealLab:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen] = {}
        self.created_ns: list[str] = []
        self.created_links: list[str] = []
        self.user_created = False
        self.dirs: list[Path] = []
        self.log = tmp / "logs"
        self.log.mkdir()

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

    def netns(self, ns: str, addresses: list[str]) -> None:
        _sh("ip", "netns", "add", ns)
        self.created_ns.append(ns)
        host_end, ns_end = f"{ns[:10]}0", f"{ns[:10]}1"
        _sh("ip", "link", "add", host_end, "type", "veth", "peer", "name", ns_end)
        self.created_links.append(host_end)
        _sh("ip", "link", "set", ns_end, "netns", ns)
        _sh("ip", "link", "set", host_end, "master", BRIDGE, "up")
        _sh("ip", "netns", "exec", ns, "ip", "link", "set", ns_end, "name", "eth0")
        for addr in addresses:
            _sh("ip", "netns", "exec", ns, "ip", "addr", "add", addr, "dev", "eth0")
        _sh("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up")
        _sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")

    def build(self) -> None:
        for ns in (NS_VYOS, NS_CTRL, NS_VR):  # leftovers of a killed run of this very test
            _sh("ip", "netns", "del", ns, check=False)
        _sh("ip", "link", "del", BRIDGE, check=False)
        _sh("ip", "link", "add", BRIDGE, "type", "bridge")
        self.created_links.append(BRIDGE)
        _sh("ip", "link", "set", BRIDGE, "up")
        self.netns(NS_VYOS, ["172.31.10.140/20"])
        self.netns(NS_CTRL, ["172.31.11.86/20", "172.31.11.87/20"])
        self.netns(NS_VR, ["172.31.2.194/20"])
        self._frr()
        self._sshd()

    def _frr(self) -> None:
        for d, mode in ((FRR_ETC, 0o750), (FRR_RUN, 0o755)):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
            self.dirs.append(d)
            shutil.chown(d, "frr", "frrvty" if d == FRR_ETC else "frr")
            d.chmod(mode)
        conf = FRR_ETC / "frr.conf"
        conf.write_text(FRR_CONF)
        shutil.chown(conf, "frr", "frrvty")
        conf.chmod(0o640)
        vconf = FRR_ETC / "vtysh.conf"
        vconf.write_text("service integrated-vtysh-config\n")
        shutil.chown(vconf, "frr", "frrvty")
        vconf.chmod(0o600)  # unreadable for the SSH user: vtysh warns on stderr and still answers (notes)
        for daemon in ("zebra", "staticd", "bgpd"):
            self.start(daemon, ["ip", "netns", "exec", NS_VYOS, f"/usr/lib/frr/{daemon}", "-N", NS_VYOS,
                                "-F", "traditional", "-P", "0", "-u", "frr", "-g", "frr"])
            sock = FRR_RUN / f"{daemon}.vty"
            deadline = time.monotonic() + 10
            while not sock.exists():
                if time.monotonic() > deadline or self.procs[daemon].poll() is not None:
                    raise RuntimeError(f"{daemon} did not start: {(self.log / f'{daemon}.log').read_text()[-500:]}")
                time.sleep(0.05)
        _sh("ip", "netns", "exec", NS_VYOS, "vtysh", "-N", NS_VYOS, "-b")

    def _sshd(self) -> None:
        privsep = Path("/run/sshd")  # the package makes it at boot; a fresh container may lack it
        if not privsep.exists():
            privsep.mkdir(mode=0o755)
            self.dirs.append(privsep)
        # outside pytest's 0700 tmp tree: sshd reads authorized_keys as the user
        base = Path(tempfile.mkdtemp(prefix="tftr-realnet-"))
        self.dirs.append(base)
        base.chmod(0o755)
        d = base / "ssh"
        d.mkdir()
        d.chmod(0o755)
        home = base / "home"
        _sh("userdel", USER, check=False)  # left by a killed run of this test (the name is this test's own)
        _sh("useradd", "-M", "-d", str(home), "-s", "/bin/sh", "-G", "frrvty", "-c", "tftui realnet test", USER)
        self.user_created = True
        _sh("usermod", "-p", "*", USER)  # no password, yet not "locked" for key logins
        home.mkdir()
        shutil.chown(home, USER)
        _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "host_key"))
        _sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.tmp / "client_key"))
        auth = d / "authorized_keys"
        auth.write_text((self.tmp / "client_key.pub").read_text())
        auth.chmod(0o644)
        (d / "sshd_config").write_text(
            f"ListenAddress 172.31.10.140\nPort 22\nHostKey {d / 'host_key'}\nPidFile {d / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {auth}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            f"UsePAM no\nStrictModes no\nAllowUsers {USER}\nLogLevel VERBOSE\n")
        # its own mount namespace: the instance's config and sockets appear where a plain vtysh looks
        script = (f"mount --bind {FRR_ETC} /etc/frr && mount --bind {FRR_RUN} /var/run/frr && "
                  f"exec /usr/sbin/sshd -D -e -f {d / 'sshd_config'}")
        self.start("sshd", ["ip", "netns", "exec", NS_VYOS, "unshare", "-m", "--propagation", "private",
                            "sh", "-c", script])
        pub = (d / "host_key.pub").read_text().split()
        (self.tmp / "known_hosts").write_text(f"172.31.10.140 {pub[0]} {pub[1]}\n")
        deadline = time.monotonic() + 10
        while "172.31.10.140:22" not in _sh("ip", "netns", "exec", NS_VYOS, "ss", "-ltn").stdout:
            if time.monotonic() > deadline or self.procs["sshd"].poll() is not None:
                raise RuntimeError(f"sshd did not start: {(self.log / 'sshd.log').read_text()[-500:]}")
            time.sleep(0.05)

    def exabgp(self, name: str, local: str, routes: list[tuple[str, str]]) -> None:
        conf = self.tmp / f"{name}.conf"
        conf.write_text(_exabgp_conf(local, routes))
        env = {**os.environ, "exabgp.daemon.user": "root", "exabgp.daemon.daemonize": "false",
               "exabgp.api.cli": "false", "exabgp.log.destination": "stdout"}
        self.start(name, ["ip", "netns", "exec", NS_CTRL, "exabgp", str(conf)], env)

    def config(self) -> Path:
        cfg = self.tmp / "tftui.yaml"
        cfg.write_text(json.dumps({"clusters": {"realnet": {
            "nodes": [{"name": "vrouter1", "address": "172.31.2.194", "roles": ["vrouter"]}],
            "routers": [{"name": "vyos", "host": "172.31.10.140", "port": 22, "username": USER,
                         "identity_file": str(self.tmp / "client_key"), "known_hosts": str(self.tmp / "known_hosts"),
                         "agent": False, "kind": "auto", "timeout": 10}]}}}))
        return cfg

    def teardown(self) -> list[str]:
        problems = []
        for name in list(self.procs):
            try:
                self.stop(name)
            except Exception as exc:  # keep tearing down
                problems.append(f"stop {name}: {exc}")
        for ns in self.created_ns:
            if _sh("ip", "netns", "del", ns, check=False).returncode:
                problems.append(f"netns del {ns}")
        for link in self.created_links:
            _sh("ip", "link", "del", link, check=False)  # veths vanish with their namespace
        if self.user_created:
            _sh("userdel", USER, check=False)
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)
        return problems


@pytest.fixture
def reallab(tmp_path):
    if os.geteuid() != 0:
        _unavailable("needs root")
    for tool in ("/usr/lib/frr/zebra", "/usr/lib/frr/bgpd", "/usr/lib/frr/staticd", "/usr/sbin/sshd"):
        if not os.path.exists(tool):
            _unavailable(f"{tool} is missing (Debian packages frr, openssh-server)")
    for tool in ("exabgp", "vtysh", "unshare", "ssh-keygen", "useradd", "ip"):
        if shutil.which(tool) is None:
            _unavailable(f"{tool} is missing")
    lab = RealLab(tmp_path)
    started = time.monotonic()
    try:
        lab.build()
        lab.setup_seconds = time.monotonic() - started
        yield lab
    finally:
        problems = lab.teardown()
        assert not problems, problems


def _tftui_routes(lab: RealLab) -> dict:
    """`tftui routes --json` run from inside the vrouter namespace: real SSH from 172.31.2.194."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SSH_AUTH_SOCK": ""}
    res = subprocess.run(["ip", "netns", "exec", NS_VR, sys.executable, "-m", "tftui", "routes", "--config",
                          str(lab.config()), "--json"], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert res.returncode in (0, 1), res.stderr
    if res.returncode:
        raise AssertionError(f"tftui routes failed: {res.stderr}")
    return json.loads(res.stdout)


def _until(lab: RealLab, predicate, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    doc = {}
    while time.monotonic() < deadline:
        doc = _tftui_routes(lab)
        if predicate(doc):
            return doc
        time.sleep(0.5)
    raise AssertionError(f"condition not reached in {timeout}s; last: {json.dumps(doc)[:2000]}")


def _peer(doc: dict, address: str) -> dict:
    return next(n for n in doc["neighbors"] if n["address"] == address)


def _bgp(doc: dict) -> dict[str, list[str]]:
    return {r["prefix"]: [h["via"] for h in r["nexthops"]] for r in doc["routes"] if r["protocol"] == "bgp"}


def test_real_frr_over_ssh(reallab: RealLab):
    lab = reallab
    t0 = time.monotonic()
    lab.exabgp("exabgp1", "172.31.11.86", [(p, "172.31.2.194") for p in PODS])
    doc = _until(lab, lambda d: _peer(d, "172.31.11.86")["prefixes_received"] == 3 and len(_bgp(d)) == 3)
    assert doc["suite"] == "frr 8.4.4"
    assert any("vtysh.conf" in w for w in doc.get("warnings", [])), doc.get("warnings")  # stderr, kept apart
    n = _peer(doc, "172.31.11.86")
    assert (n["remote_as"], n["state"], n["established"], n["description"]) == (64512, "Established", True,
                                                                                 "tf-control-node")
    assert _bgp(doc) == {f"{p}/32": ["172.31.2.194"] for p in PODS}
    assert all(r["selected"] and r["fib"] for r in doc["routes"] if r["protocol"] == "bgp")
    connected = next(r for r in doc["routes"] if r["protocol"] == "connected")
    assert connected["nexthops"][0]["via"] is None
    t_up = time.monotonic() - t0

    lab.stop("exabgp1")  # exactly the PID recorded for it
    doc = _until(lab, lambda d: not _peer(d, "172.31.11.86")["established"])
    assert _peer(doc, "172.31.11.86")["state"] in ("Active", "Connect", "Idle", "OpenSent")
    doc = _until(lab, lambda d: not _bgp(d))

    # ECMP: the same /32 from two control nodes with two next hops (maximum-paths 4)
    lab.exabgp("exabgp1", "172.31.11.86", [(PODS[0], "172.31.2.194")])
    lab.exabgp("exabgp2", "172.31.11.87", [(PODS[0], "172.31.2.195")])
    doc = _until(lab, lambda d: len(_bgp(d).get(f"{PODS[0]}/32", [])) == 2)
    assert sorted(_bgp(doc)[f"{PODS[0]}/32"]) == ["172.31.2.194", "172.31.2.195"]
    assert _peer(doc, "172.31.11.87")["established"]
    _parsers_agree_with_real_frr()

    # FRR's default for eBGP without a policy: Established, routes refused, shown as (Policy)
    _sh("ip", "netns", "exec", NS_VYOS, "vtysh", "-N", NS_VYOS, "-c", "configure terminal", "-c", "router bgp 65311",
        "-c", "bgp ebgp-requires-policy", "-c", "end", "-c", "clear ip bgp *")
    doc = _until(lab, lambda d: all(x["policy_blocked"] for x in d["neighbors"]) and not _bgp(d))
    n = _peer(doc, "172.31.11.86")
    assert n["established"] and n["prefixes_received"] is None
    from tftui.core.routes.summary import parse_summary_json, parse_summary_text

    for parsed in (parse_summary_text(_vtysh("show ip bgp summary")),
                   parse_summary_json(json.loads(_vtysh("show ip bgp summary json")))):
        assert [(x.address, x.policy_blocked, x.established) for x in parsed.items] == [
            ("172.31.11.86", True, True), ("172.31.11.87", True, True)]
    print(f"realnet: setup {lab.setup_seconds:.1f}s, first Established+3 routes {t_up:.1f}s, "
          f"total {time.monotonic() - t0 + lab.setup_seconds:.1f}s")


def _vtysh(command: str) -> str:
    out = _sh("ip", "netns", "exec", NS_VYOS, "vtysh", "-N", NS_VYOS, "-c", command).stdout
    dump = os.environ.get("TFTUI_REALNET_DUMP")  # to refresh tests/data/frr-ecmp from a real run
    if dump:
        Path(dump).mkdir(parents=True, exist_ok=True)
        (Path(dump) / f"real__{command.replace(' ', '_').replace('/', '_')}.txt").write_text(out)
    return out


def _parsers_agree_with_real_frr() -> None:
    """The pure parsers on this FRR's own ECMP outputs, text and JSON (not only the stored captures)."""
    from tftui.core.routes.bgp import parse_bgp_prefix_json, parse_bgp_prefix_text, parse_bgp_table_text
    from tftui.core.routes.rib import parse_route_text

    prefix = f"{PODS[0]}/32"
    text = _vtysh("show ip route")
    routes = parse_route_text(text)
    assert routes.skipped == [], text
    (r,) = [x for x in routes.items if x.prefix == prefix]
    assert sorted(h.via for h in r.nexthops) == ["172.31.2.194", "172.31.2.195"], text
    for parsed, raw in ((parse_bgp_prefix_text(t := _vtysh(f"show ip bgp {prefix}")), t),
                        (parse_bgp_prefix_json(json.loads(j := _vtysh(f"show ip bgp {prefix} json"))), j)):
        assert sorted((p.nexthop, p.as_path, p.med) for p in parsed.items) == [
            ("172.31.2.194", "64512", 100), ("172.31.2.195", "64512", 100)], raw
        assert sum(p.best for p in parsed.items) == 1, raw
    table = parse_bgp_table_text(t := _vtysh("show ip bgp"))
    assert table.skipped == [] and sorted(p.nexthop for p in table.items if p.prefix == prefix) == [
        "172.31.2.194", "172.31.2.195"], t
    assert sum(p.multipath for p in table.items) == 1, t
