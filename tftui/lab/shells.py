"""The small shells the lab's compute hosts and VMs answer with: a few commands, outputs in the real formats.

Nothing is executed: a command line is split with shlex and looked up in a fixed table. ``ip -o a``
prints what the seed's cirros pods print; ``ping`` and ``nc`` answer like busybox, ``ssh`` like dropbear.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shlex
from dataclasses import dataclass

from tftui.core.compute import MODULE_COMMAND, Container, render_crictl_ps, render_docker_ps

from .topology import REFUSE, LabInterface, LabNode, Topology


@dataclass
class Reply:
    output: str
    status: int = 0


EXIT = Reply("", -1)  # the session ends


def _eui64(mac: str) -> str:
    b = [int(x, 16) for x in mac.split(":")]
    b[0] ^= 0x02
    words = [b[0] << 8 | b[1], b[2] << 8 | 0xFF, 0xFE << 8 | b[3], b[4] << 8 | b[5]]
    return str(ipaddress.IPv6Address("fe80::" + ":".join(f"{w:x}" for w in words)))


def ip_o_a(itf: LabInterface, prefixlen: int, ifindex: int = 11) -> str:
    """``ip -o a`` exactly as the seed's cirros pod prints it (busybox ip, one line per address)."""
    peer = ifindex + 1
    lines = [
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
        "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever",
        "1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever",
        f"{ifindex}: eth0@if{peer}: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \\    "
        f"link/ether {itf.mac} brd ff:ff:ff:ff:ff:ff",
        f"{ifindex}: eth0    inet {itf.ip}/{prefixlen} scope global eth0\\       valid_lft forever preferred_lft forever",
        f"{ifindex}: eth0    inet6 {_eui64(itf.mac)}/64 scope link \\       valid_lft forever preferred_lft forever",
    ]
    return "\n".join(lines) + "\n"


def _ping(args: list[str], reachable) -> Reply:
    count, target, i = 4, None, 0
    while i < len(args):
        a = args[i]
        if a == "-c" and i + 1 < len(args):
            try:
                count = int(args[i + 1])
            except ValueError:
                return Reply(f"ping: invalid number '{args[i + 1]}'\n", 1)
            i += 2
            continue
        if a.startswith("-"):
            return Reply(f"ping: unrecognized option '{a}'\n", 1)
        target = a
        i += 1
    if target is None:
        return Reply("BusyBox v1.23.2 multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n", 1)
    try:
        ipaddress.IPv4Address(target)
    except ValueError:
        return Reply(f"ping: bad address '{target}'\n", 1)
    count = max(1, min(count, 20))
    out = [f"PING {target} ({target}): 56 data bytes"]
    ok = reachable(target)
    times = [0.5 + ((seq * 37) % 50) / 100 for seq in range(count)]
    if ok:
        out += [f"64 bytes from {target}: seq={seq} ttl=63 time={t:.3f} ms" for seq, t in enumerate(times)]
    out += ["", f"--- {target} ping statistics ---",
            f"{count} packets transmitted, {count if ok else 0} packets received, {0 if ok else 100}% packet loss"]
    if ok:
        out.append(f"round-trip min/avg/max = {min(times):.3f}/{sum(times) / count:.3f}/{max(times):.3f} ms")
    return Reply("\n".join(out) + "\n", 0 if ok else 1)


def _words(line: str, shell: str) -> list[str] | Reply:
    """The command's words, or the reply that ends it here: a syntax error, an empty line, exit."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        return Reply(f"{shell}: syntax error: {exc}\n", 2)
    if not words:
        return Reply("")
    return EXIT if words[0] in ("exit", "logout") else words


def _target(words: list[str], value_opts: tuple[str, ...]) -> tuple[dict[str, str], list[str]] | Reply:
    """Options (``-l user``, ``-w 3``) and positional words of a client command line."""
    opts: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w.startswith("-") and len(w) > 1:
            if w in value_opts:
                if i + 1 >= len(words):
                    return Reply(f"option requires an argument -- '{w[1:]}'\n", 1)
                opts[w] = words[i + 1]
                i += 2
                continue
            opts[w] = ""
        else:
            rest.append(w)
        i += 1
    return opts, rest


class VmShell:
    """One VM/pod as its own shell shows it. With the lab's traffic, what it sends to another address goes
    through the agents' decision (lab/flows) and leaves its flows there: a ping a firewall policy drops
    loses every packet, and ``ssh``/``nc`` to a dropped port time out."""

    def __init__(self, topo: Topology, itf: LabInterface, traffic=None):
        self.topo, self.itf, self.traffic = topo, itf, traffic
        net = next((n for n in topo.networks if n.fq_name_str == itf.network), None)
        self.prefixlen = ipaddress.ip_network(net.subnet).prefixlen if net else 32
        self.nested: VmShell | None = None  # the VM an `ssh` from here is logged into
        self.nested_host = ""
        self.login: tuple[LabInterface, str] | None = None  # (VM, host as typed) waiting for its password

    @property
    def prompt(self) -> str:
        if self.login is not None:
            return ""  # the password prompt is already on the line
        return self.nested.prompt if self.nested is not None else "$ "

    def _reachable(self, target: str, protocol: int = 1, port: int = 0) -> bool:
        ip = ipaddress.IPv4Address(target)
        if target == self.itf.ip:
            return True
        if self.traffic is not None:
            return self.traffic.attempt(self.itf, target, protocol, port)[0]
        if target == self.topo.router.router_id:
            return True
        return any(ip in ipaddress.ip_network(n.subnet) for n in self.topo.networks)

    def _ssh(self, args: list[str]) -> Reply:
        parsed = _target(args, ("-l", "-p", "-i", "-y"))
        if isinstance(parsed, Reply):
            return parsed
        opts, rest = parsed
        if not rest:
            return Reply("Dropbear SSH client v2012.55 https://matt.ucc.asn.au/dropbear/dropbear.html\n"
                         "Usage: ssh [options] [user@]host[/port] [command]\n", 1)
        user, _, host = rest[0].rpartition("@")
        user = opts.get("-l") or user or self.itf.user
        port = int(opts["-p"]) if opts.get("-p", "").isdigit() else 22
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return Reply(f"ssh: Exited: Error resolving '{host}' port '{port}'. Name or service not known\n", 1)
        target = next((i for i in self.topo.interfaces if i.ip == host), None)
        if not self._reachable(host, 6, port) or target is None or port != 22:
            why = "Connection timed out" if target is not None and port == 22 else "Connection refused"
            return Reply(f"ssh: Exited: Error connecting to '{host}' port {port}. {why}\n", 1)
        self.login = (target, host)
        return Reply(f"{user}@{host}'s password: ")

    def _nc(self, args: list[str]) -> Reply:
        parsed = _target(args, ("-w", "-p", "-s"))
        if isinstance(parsed, Reply):
            return parsed
        opts, rest = parsed
        if len(rest) != 2 or not rest[1].isdigit():
            return Reply("BusyBox v1.23.2 multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT\n", 1)
        host, port = rest[0], int(rest[1])
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return Reply(f"nc: bad address '{host}'\n", 1)
        target = next((i for i in self.topo.interfaces if i.ip == host), None)
        if not self._reachable(host, 6, port):
            return Reply(f"nc: can't connect to remote host ({host}): Connection timed out\n", 1)
        if target is None or port != 22:  # the lab's VMs listen on 22 only
            return Reply(f"nc: can't connect to remote host ({host}): Connection refused\n", 1)
        if "-z" in opts:
            return Reply("")
        return Reply("SSH-2.0-dropbear_2012.55\n")

    def run(self, line: str) -> Reply:
        if self.login is not None:  # any password: the lab's VMs trust whoever got this far
            target, host = self.login
            self.login = None
            self.nested, self.nested_host = VmShell(self.topo, target, self.traffic), host
            return Reply("")
        if self.nested is not None:
            reply = self.nested.run(line)
            if reply is EXIT:
                host, self.nested = self.nested_host, None
                return Reply(f"Connection to {host} closed.\n")
            return reply
        words = _words(line, "-sh")
        if isinstance(words, Reply):
            return words
        cmd, args = words[0], words[1:]
        if cmd == "ip" and args[:1] == ["-o"] and args[1:2] and "address".startswith(args[1]) and args[1]:
            return Reply(ip_o_a(self.itf, self.prefixlen))
        if cmd == "hostname" or (cmd == "uname" and args == ["-n"]):
            return Reply(self.itf.vm_name + "\n")
        if cmd == "ping":
            return _ping(args, self._reachable)
        if cmd == "ssh":
            return self._ssh(args)
        if cmd == "nc":
            return self._nc(args)
        if cmd == "echo":
            return Reply(" ".join(args) + "\n")
        if cmd == "id":
            return Reply(f"uid=1000({self.itf.user}) gid=1000({self.itf.user}) groups=1000({self.itf.user})\n")
        return Reply(f"-sh: {cmd}: not found\n", 127)


def lab_containers(node: LabNode) -> list[Container]:
    """The vrouter pod's containers, as contrail-status would find them on this compute."""
    out = []
    for svc in (s for s in node.services() if s.pod == "vrouter"):
        name = "agent" if svc.key == "vrouter-agent" else "nodemgr"
        running = node.behaviour_of(svc.key).mode != REFUSE
        out.append(Container(hashlib.sha256(f"{node.name}/{svc.key}".encode()).hexdigest()[:12],
                             f"tungstenfabric/contrail-vrouter-{name}:latest", f"vrouter_vrouter-{name}_1",
                             "running" if running else "exited",
                             "Up About an hour" if running else "Exited (1) 5 minutes ago", "About an hour ago"))
    return out


class ComputeShell:
    """A compute host's root shell: the commands contrail-status relies on, and a few more."""

    def __init__(self, topo: Topology, node: LabNode, runtime: str = "docker"):
        self.topo, self.node, self.runtime = topo, node, runtime

    @property
    def prompt(self) -> str:
        return f"[root@{self.node.name} ~]# "

    def run(self, line: str) -> Reply:
        line = line.strip()
        if line == MODULE_COMMAND or line == "lsmod":
            mod = "vrouter              475136  0\n"
            return Reply(mod if line != "lsmod" else "Module                  Size  Used by\n" + mod)
        for part in (p.strip() for p in line.split("||")):
            words = part.replace("2>/dev/null", "").split()
            if words == ["docker", "ps"] and self.runtime == "docker":
                return Reply(render_docker_ps(lab_containers(self.node)))
            if words == ["crictl", "ps"] and self.runtime == "crictl":
                return Reply(render_crictl_ps(lab_containers(self.node)))
        words = _words(line, "-bash")
        if isinstance(words, Reply):
            return words
        if words[0] == "hostname":
            return Reply(self.node.name + "\n")
        return Reply(f"-bash: {words[0]}: command not found\n", 127)
