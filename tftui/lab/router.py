"""The lab's gateway router: an asyncssh server on loopback answering `vtysh -c '...'` and the VyOS op-mode
wrapper in FRR or Quagga flavour, with the pods' /32s from the topology (and its deliberate discrepancies).

Host key checking stays on in the demo: the lab writes the router's host key into its own known_hosts file and
generates the client key the config points to.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import shlex
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh

from tftui.core.peering.change import VYOS_SHELL
from tftui.core.peering.running import frr_running_config
from tftui.core.routes import emit
from tftui.core.routes.models import BgpPath, Neighbor, NextHop, Route

from .peering import LabPeering
from .router_vtysh import VtyshSession
from .router_vyos import VyosConfig, VyosSession
from .runner import LabContext, register_component
from .topology import Topology

WRAPPER = "/opt/vyatta/bin/vyatta-op-cmd-wrapper"
UPSTREAM = ("172.31.0.1", 65000)  # a transit peer carrying the synthetic --routes table
DEFAULT_PORT = 2222


def format_age(seconds: float) -> str:
    s = int(max(seconds, 0))
    if s < 86400:
        return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"
    if s < 7 * 86400:
        return f"{s // 86400}d{s // 3600 % 24:02d}h{s // 60 % 60:02d}m"
    return f"{s // (7 * 86400):02d}w{s // 86400 % 7}d{s // 3600 % 24:02d}h"


def router_address(base: int) -> str:
    return f"127.{base}.0.1"


def expected_rows(topo: Topology) -> list[dict[str, Any]]:
    """The lab's interfaces as the cross-check wants them (what the agents would report)."""
    iff = {n.fq_name_str: n.ip_fabric_forwarding for n in topo.networks}
    return [{"vm_name": i.vm_name, "ip": i.ip, "vrouter": i.vrouter, "vrouter_address": topo.node(i.vrouter).address,
             "network": i.network, "ip_fabric_forwarding": iff.get(i.network, False)} for i in topo.interfaces]


def _prefix_key(route: Route) -> tuple[int, int]:
    addr, _, plen = route.prefix.partition("/")
    a, b, c, d = (int(x) for x in addr.split("."))
    return (a << 24 | b << 16 | c << 8 | d, int(plen))


class RouterTables:
    """What the simulated router knows, derived from the topology and the peering model on demand, and cached
    per state."""

    def __init__(self, topo: Topology, synthetic: int = 0, clock: Callable[[], float] = time.monotonic,
                 peering: LabPeering | None = None):
        self.topo = topo
        self.synthetic = synthetic
        self.clock = clock
        self.peering = peering or LabPeering(topo, clock=clock)
        self.started = clock()
        self._lock = threading.Lock()
        self.on_interfaces_changed: Callable[[], None] | None = None
        self._interfaces_seen = len(topo.interfaces)
        self.vtysh = True  # False: only the VyOS op-mode wrapper answers (user not in frrvty)
        self._cache: dict[tuple, str] = {}
        self._key: tuple | None = None
        self._routes: list[Route] = []
        self._paths: dict[str, list[BgpPath]] = {}
        self._learned: dict[str, int] = {}  # neighbor address -> prefixes received

    def _signature(self) -> tuple:
        r = self.topo.router
        return (len(self.topo.interfaces), r.os, tuple(sorted(r.withheld)), tuple(sorted(r.misrouted.items())),
                tuple(r.orphans), self.peering.state_key(), self.synthetic,
                # ages move on every few seconds on a small table; a big one is rebuilt only when it changes
                int(self.clock() - self.started) // 5 if self.synthetic < 20_000 else 0)

    def _build(self) -> None:
        key = self._signature()
        if key == self._key:
            return
        if key[0] != self._interfaces_seen and self.on_interfaces_changed is not None:
            self._interfaces_seen = key[0]
            self.on_interfaces_changed()  # pods came or went: the interface list the config points to follows
        self._key, self._cache = key, {}
        r = self.topo.router
        now = self.clock()
        iff = {n.fq_name_str for n in self.topo.networks if n.ip_fabric_forwarding}
        flowing = [s for s in self.peering.sessions() if s.routes_flow]
        pods: list[tuple[str, str]] = []  # prefix, next hop
        for itf in self.topo.interfaces:
            if itf.network not in iff or not itf.active:
                continue
            prefix = f"{itf.ip}/32"
            if prefix not in r.withheld:
                pods.append((prefix, r.misrouted.get(prefix, self.topo.node(itf.vrouter).address)))
        pods.extend(r.orphans)
        # every control node advertises every pod /32 with the vrouter as next hop: one route, a path per session
        learned: dict[str, list[tuple[str, str, int]]] = {}  # prefix -> [(next hop, peer, peer AS)]
        for s in flowing:
            for prefix, nh in pods:
                learned.setdefault(prefix, []).append((nh, s.control_address, s.control_asn))
        self._learned = {s.control_address: len(pods) for s in flowing}
        start = int(ipaddress.ip_address("100.64.0.0"))
        for k in range(self.synthetic):
            learned[f"{ipaddress.ip_address(start + k)}/32"] = [(UPSTREAM[0], UPSTREAM[0], UPSTREAM[1])]
        routes = [Route("0.0.0.0/0", "static", True, True, 210, 0, format_age(now - self.started),
                        (NextHop(UPSTREAM[0], "eth0", True, True),), code="S>*")]
        first_up = {s.control_address: format_age(now - s.since) for s in flowing}
        paths: dict[str, list[BgpPath]] = {}
        for prefix, via in learned.items():
            nh, peer, _ = via[0]
            age = first_up.get(peer) or format_age(now - self.started)
            routes.append(Route(prefix, "bgp", True, True, 20, 100, age, (NextHop(nh, "eth0", True, True, weight=1),),
                                code="B>*"))
            paths[prefix] = [BgpPath(prefix, hop, True, i == 0, False, 100, None, 0, str(asn), "IGP", who, True)
                             for i, (hop, who, asn) in enumerate(via)]
        routes.append(Route("172.31.0.0/20", "connected", True, True, 0, 0, format_age(now - self.started),
                            (NextHop(None, "eth0", True, True),), code="C>*"))
        if r.suite == "quagga":
            routes.append(Route("127.0.0.0/8", "connected", True, True, 0, 0, format_age(now - self.started),
                                (NextHop(None, "lo", True, True),), code="C>*"))
        routes.sort(key=_prefix_key)
        self._routes, self._paths = routes, paths

    def neighbors(self) -> list[Neighbor]:
        """The router's configured neighbors, in the state the peering model gives their sessions."""
        self._build()
        now = self.clock()
        cfg = self.peering.router_config
        sessions = {s.control_address: s for s in self.peering.sessions()}
        out = []
        for address, n in cfg.neighbors.items():
            s = sessions.get(address)
            up = s is not None and s.established
            received = self._learned.get(address, 0) if up and not s.policy_blocked else None
            uptime = format_age(now - s.since) if up else None
            out.append(Neighbor(address, n.remote_as, "Established" if up else (s.state if s else "Active"), up,
                                uptime, received, (0 if up else None), n.description, bool(s and s.policy_blocked),
                                msg_rcvd=40 if up else 0, msg_sent=38 if up else 0))
        if self.synthetic:
            up = format_age(now - self.started)
            out.append(Neighbor(UPSTREAM[0], UPSTREAM[1], "Established", True, up, self.synthetic, 0, "transit",
                                msg_rcvd=self.synthetic // 500 + 3, msg_sent=3))
        return out

    def answer(self, command: str) -> tuple[str, int]:
        """vtysh's stdout and exit status for one command line, in this router's flavour (thread-safe)."""
        with self._lock:
            return self._answer(command)

    def _unknown(self, command: str) -> tuple[str, int]:
        return (f"% Unknown command: {command}\n" if self.topo.router.suite == "frr" else "% Unknown command.\n"), 1

    def _answer(self, command: str) -> tuple[str, int]:
        r = self.topo.router
        suite, profile = r.suite, r.profile
        words = command.split()
        use_json = bool(words) and words[-1] == "json"
        if use_json:
            words = words[:-1]
        key = (" ".join(words), use_json)
        if use_json and suite == "quagga":
            return "% Unknown command.\n", 0
        self._build()
        cached = self._cache.get(key)
        if cached is not None:
            return cached, 0
        cfg = self.peering.router_config
        text = " ".join(words)
        router_id = cfg.router_id or r.router_id
        if text == "show version":
            out = emit.show_version(suite, r.name, profile.suite_version)
        elif text in ("show running-config", "show running-config bgpd"):
            out = frr_running_config(cfg, r.name, profile.suite_version, suite == "quagga")
        elif text == "show ip bgp summary" and cfg.asn is None:
            out = "{}\n" if use_json else "% BGP instance not found\n"
        elif text == "show ip bgp summary":
            n = self.neighbors()
            out = (emit.summary_json(router_id, cfg.asn, n, len(self._routes)) if use_json
                   else emit.summary_text(suite, router_id, cfg.asn, n, len(self._routes), profile.suite_version))
        elif text == "show ip route":
            out = emit.route_json(self._routes) if use_json else emit.route_text(suite, self._routes)
        elif text == "show ip bgp":
            flat = [p for ps in self._paths.values() for p in ps]
            asn = cfg.asn or r.asn
            out = emit.bgp_table_json(router_id, asn, flat) if use_json else emit.bgp_table_text(router_id, asn, flat)
        elif len(words) == 4 and words[:3] == ["show", "ip", "bgp"]:
            try:
                net = ipaddress.ip_network(words[3], strict=False)
            except ValueError:
                return self._unknown(command)
            prefix = str(net) if "/" in words[3] else next(
                (p for p in self._paths if net.subnet_of(ipaddress.ip_network(p))), str(net))
            paths = self._paths.get(prefix, [])
            if use_json:
                out = emit.bgp_prefix_json(prefix, paths)
            else:
                out = emit.bgp_prefix_text(suite, prefix, paths)
                if not paths:
                    return out, 1
            return out, 0
        else:
            return self._unknown(command)
        self._cache[key] = out
        return out, 0


def vyos_show_version(release: str) -> str:
    """VyOS's op-mode `show version`, as 1.1 (helium) or 1.2+ print it."""
    train = {"1.1": "helium", "1.2": "crux", "1.3": "equuleus", "1.4": "sagitta", "1.5": "circinus"}
    major_minor = ".".join(release.split(".")[:2])
    if major_minor == "1.1":
        return (f"Version:      VyOS {release}\nDescription:  VyOS {release} (helium)\n"
                "Copyright:    2017 VyOS maintainers and contributors\nBuilt by:     maintainers@vyos.net\n"
                "System type:  x86 64-bit\nBoot via:     image\nHypervisor:   Xen hvm\n")
    return (f"Version:          VyOS {release}\nRelease train:    {train.get(major_minor, 'current')}\n\n"
            "Built by:         autobuild@vyos.net\n\nArchitecture:     x86_64\nBoot via:         installed image\n"
            "System type:      KVM guest\n")


ROUTER_FAULTS = ("auth", "hostkey", "hang", "drop", "nosave")


class _Server(asyncssh.SSHServer):
    def __init__(self, client_key: asyncssh.SSHKey, live: set, password: str | None = None,
                 fault: Callable[[], str | None] = lambda: None):
        self._public = client_key.public_data
        self._live = live
        self._password = password
        self._fault = fault
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        self._live.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self._live.discard(self._conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return self._password is not None

    def validate_password(self, username: str, password: str) -> bool:
        if self._fault() == "auth":
            return False
        return (username == "vyos" and self._password is not None
                and hmac.compare_digest(password.encode(), self._password.encode()))

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        if self._fault() == "auth":  # the key was removed from authorized_keys
            return False
        return username == "vyos" and key.public_data == self._public


def _vtysh_commands(argv: list[str]) -> list[str] | None:
    cmds = []
    it = iter(argv[1:])
    for word in it:
        if word in ("-c", "--command"):
            cmds.append(next(it, ""))
    return cmds or None


async def _faulty(process: asyncssh.SSHServerProcess, fault: str | None, out: str, hanging: set) -> bool:
    """Misbehave as asked (True: the reply was handled). `show version` stays sane so `drop` hits a table."""
    if fault == "hang":  # vtysh stuck on a locked daemon: nothing until the client gives up
        hanging.add(process)  # the tests check that a client does not leave these behind
        try:
            await process.channel.wait_closed()
        finally:
            hanging.discard(process)
        return True
    if fault == "drop" and "show version" not in (process.command or ""):
        process.stdout.write(out[: max(1, len(out) // 2)])
        with contextlib.suppress(Exception):
            await process.stdout.drain()
        conn = process.get_extra_info("connection")
        if conn is not None:
            conn.abort()  # the link went away mid-table: no exit status, no clean close
        return True
    return False


def make_process_handler(tables: RouterTables, fault: Callable[[], str | None] = lambda: None,
                         hanging: set | None = None, vyos: VyosConfig | None = None):
    hanging = set() if hanging is None else hanging
    profile = tables.topo.router.profile
    shell = "-vbash" if profile.vyos else "bash"
    vyos = vyos if vyos is not None or not profile.vyos else VyosConfig(tables.peering)

    def can_save() -> bool:
        return fault() != "nosave"

    async def handle(process: asyncssh.SSHServerProcess) -> None:
        command = process.command or ""
        try:
            argv = shlex.split(command)
        except ValueError:
            argv = []
        status = 0
        if not argv:
            process.stderr.write("this lab router only runs commands (vtysh -c '...')\n")
            status = 1
        elif argv[0] in ("vtysh", "/usr/bin/vtysh") and tables.vtysh and (cmds := _vtysh_commands(argv)):
            # several -c run one after the other with nothing in between, as the real vtysh does; a big table takes
            # a while to render: the lab's event loop (introspect etc.) keeps answering meanwhile
            session = VtyshSession(tables.peering, tables.answer, profile.suite == "quagga", can_save)
            out, status = await asyncio.to_thread(session.run, cmds)
            if await _faulty(process, fault(), out, hanging):
                return
            process.stdout.write(out)
        elif argv[0] == WRAPPER and len(argv) > 1 and vyos is not None:
            op = " ".join(argv[1:])
            if op == "show version":
                out, status = vyos_show_version(profile.vyos or ""), 0
            elif op == "show configuration commands":
                out, status = vyos.text(), 0
            else:
                out, status = await asyncio.to_thread(tables.answer, op)
            if await _faulty(process, fault(), out, hanging):
                return
            process.stdout.write(out)
        elif command == VYOS_SHELL and vyos is not None:
            script = await process.stdin.read()
            out, status = VyosSession(vyos, can_save).run(script)
            process.stdout.write(out)
        elif command == VYOS_SHELL:
            process.stderr.write("sg: group 'vyattacfg' does not exist\n")
            status = 1
        else:
            process.stderr.write(f"{shell}: {argv[0]}: command not found\n")
            status = 127
        with contextlib.suppress(Exception):
            await process.stdout.drain()
        process.exit(status)

    return handle


class LabRouterServer:
    def __init__(self, topo: Topology, host: str, port: int, state_dir: Path, synthetic: int = 0,
                 clock: Callable[[], float] = time.monotonic, password: str | None = None, fault: str | None = None,
                 peering: LabPeering | None = None):
        self.topo, self.host, self.port, self.state_dir = topo, host, port, state_dir
        self.fault = fault  # one of ROUTER_FAULTS; tests switch it at run time (hostkey needs a restart)
        self.password = password  # off in the lab; tests switch it on to exercise password_env / prompts
        self.tables = RouterTables(topo, synthetic, clock, peering)
        self.peering = self.tables.peering
        self.vyos = VyosConfig(self.peering) if topo.router.profile.vyos else None
        self.tables.on_interfaces_changed = self.write_hosts
        self._server: asyncssh.SSHAcceptor | None = None
        self.hanging: set = set()  # commands held open by fault "hang"
        self._live: set = set()  # open connections, closed on stop like a rebooting router would
        self.known_hosts = state_dir / "router_known_hosts"
        self.identity_file = state_dir / "router_client_key"
        self.hosts_file = state_dir / "gatewayless_hosts.json"
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.client_key = asyncssh.generate_private_key("ssh-ed25519")
        self.rogue_key = asyncssh.generate_private_key("ssh-ed25519")  # served instead under fault "hostkey"

    def set_fault(self, fault: str | None) -> None:
        """Switch the fault; open connections are closed so auth faults apply to the next login."""
        self.fault = fault
        for conn in list(self._live):
            conn.close()

    async def start(self) -> None:
        self.client_key.write_private_key(str(self.identity_file))
        self.identity_file.chmod(0o600)
        self.client_key.write_public_key(str(self.identity_file) + ".pub")
        self.write_hosts()
        served = self.rogue_key if self.fault == "hostkey" else self.host_key
        self._server = await asyncssh.create_server(
            lambda: _Server(self.client_key.convert_to_public(), self._live, self.password, lambda: self.fault),
            self.host, self.port, server_host_keys=[served],
            process_factory=make_process_handler(self.tables, lambda: self.fault, self.hanging, self.vyos), keepalive_interval=30)
        self.port = self._server.get_port()  # port 0 in tests: the kernel picked one
        pattern = self.host if self.port == 22 else f"[{self.host}]:{self.port}"
        self.known_hosts.write_text(f"{pattern} {self.host_key.export_public_key('openssh').decode().strip()}\n")

    def write_hosts(self) -> None:
        tmp = self.hosts_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(expected_rows(self.topo), indent=1))
        tmp.replace(self.hosts_file)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None
        for conn in list(self._live):
            conn.close()
        self._live.clear()

    def config_entry(self, timeout: float = 5.0) -> dict[str, Any]:
        return {"name": self.topo.router.name, "host": self.host, "port": self.port, "username": "vyos",
                "identity_file": str(self.identity_file), "known_hosts": str(self.known_hosts),
                "host_key_policy": "strict", "agent": False, "kind": "auto", "timeout": timeout, "refresh": 5}


@register_component
async def start(ctx: LabContext) -> None:
    args = ctx.args
    synthetic = getattr(args, "routes", 0) or 0
    if not 0 <= synthetic <= 500_000:
        print("tftui lab: --routes must be between 0 and 500000", file=sys.stderr)
        raise SystemExit(2)
    state = Path(tempfile.mkdtemp(prefix="tftui-lab-router-"))
    server = LabRouterServer(ctx.topo, router_address(args.base),
                             getattr(args, "router_port", DEFAULT_PORT), state, synthetic,
                             fault=getattr(args, "router_fault", None), peering=ctx.peering)
    try:
        await server.start()
    except OSError as exc:
        shutil.rmtree(state, ignore_errors=True)
        raise OSError(f"lab router cannot listen on {server.host}:{server.port}: {exc}") from exc

    async def stop() -> None:
        await server.stop()
        shutil.rmtree(state, ignore_errors=True)

    ctx.stoppers.append(stop)
    ctx.cluster.setdefault("routers", []).append(server.config_entry(max(float(args.timeout), 5.0)))
    ctx.cluster["gatewayless"] = {"hosts_file": str(server.hosts_file)}
