"""The BGP part of a router's configuration, read from (and written as) what the router itself prints:
FRR/Quagga `show running-config` and VyOS `show configuration commands` (1.1-1.3 and 1.4+ syntax).

Each neighbor keeps its own lines verbatim, so undoing a removal puts back everything it had, not only what tftui
understands. The emitters are the lab router's side (decoder and encoder side by side, tested as round trips).
"""

from __future__ import annotations

import copy
import ipaddress
import shlex
from dataclasses import dataclass, field

IPV4_UNICAST = "ipv4-unicast"


@dataclass
class NeighborConfig:
    address: str
    remote_as: int | None = None
    remote_as_word: str | None = None  # "external" / "internal" instead of a number
    description: str | None = None
    hold_time: int | None = None
    ipv4_unicast: bool | None = None  # activated (True), deactivated (False), the instance's default (None)
    route_map_in: str | None = None
    lines: list[str] = field(default_factory=list)  # FRR: lines under `router bgp`; VyOS: its `set` commands
    af_lines: list[str] = field(default_factory=list)  # FRR: lines inside `address-family ipv4 unicast`


@dataclass
class BgpConfig:
    asn: int | None = None  # None: no BGP instance at all
    router_id: str | None = None
    neighbors: dict[str, NeighborConfig] = field(default_factory=dict)
    no_ebgp_requires_policy: bool = False  # FRR `no bgp ebgp-requires-policy`
    ebgp_requires_policy: bool = False  # VyOS 1.4 `parameters ebgp-requires-policy`
    no_default_ipv4_unicast: bool = False
    hold_time: int | None = None
    route_maps: list[str] = field(default_factory=list)

    def copy(self) -> BgpConfig:
        return copy.deepcopy(self)


def _address_key(address: str) -> tuple[int, int | str]:
    try:
        ip = ipaddress.ip_address(address)
        return (ip.version, int(ip))
    except ValueError:
        return (9, address)  # interface names (unnumbered peers) after addresses


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


# ---------------------------------------------------------------- FRR / Quagga `show running-config`

def _frr_neighbor_line(cfg: BgpConfig, words: list[str], line: str, in_af: bool) -> None:
    addr = words[1]
    rest = words[2:]
    n = cfg.neighbors.setdefault(addr, NeighborConfig(addr))
    (n.af_lines if in_af else n.lines).append(line)
    if in_af:
        if rest == ["activate"]:
            n.ipv4_unicast = True
        elif len(rest) == 3 and rest[0] == "route-map" and rest[2] == "in":
            n.route_map_in = rest[1]
        return
    if rest[:1] == ["remote-as"] and len(rest) == 2:
        n.remote_as = _int(rest[1])
        n.remote_as_word = rest[1] if n.remote_as is None else None
    elif rest[:1] == ["description"]:
        n.description = line.split(" description ", 1)[1] if " description " in line else None
    elif rest[:1] == ["timers"] and len(rest) == 3 and rest[1].isdigit():
        n.hold_time = _int(rest[2])


def parse_frr_running(text: str) -> BgpConfig:
    """The default instance's `router bgp` block (VRF instances are not this tool's business) and route-map names."""
    cfg = BgpConfig()
    in_bgp = in_af = False
    af_is_v4 = False
    for raw in (text or "").splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        words = stripped.split()
        if not words:
            continue
        if not raw[:1].isspace():  # top level
            in_bgp = in_af = False
            if words[:2] == ["router", "bgp"] and len(words) == 3 and words[2].isdigit() and cfg.asn is None:
                cfg.asn = int(words[2])
                in_bgp = True
            elif words[0] == "route-map" and len(words) >= 2 and words[1] not in cfg.route_maps:
                cfg.route_maps.append(words[1])
            continue
        if not in_bgp:
            continue
        if words[0] == "address-family":
            in_af, af_is_v4 = True, words[1:] in (["ipv4"], ["ipv4", "unicast"])
            continue
        if words[0] in ("exit-address-family", "exit"):
            in_af = False
            continue
        if in_af and not af_is_v4:
            continue
        if words[0] == "neighbor" and len(words) >= 3:
            _frr_neighbor_line(cfg, words, stripped, in_af)
        elif words[:2] == ["no", "neighbor"] and len(words) >= 4 and in_af and words[3:] == ["activate"]:
            n = cfg.neighbors.setdefault(words[2], NeighborConfig(words[2]))
            n.af_lines.append(stripped)
            n.ipv4_unicast = False
        elif words[:2] == ["bgp", "router-id"] and len(words) == 3:
            cfg.router_id = words[2]
        elif words == ["no", "bgp", "ebgp-requires-policy"]:
            cfg.no_ebgp_requires_policy = True
        elif words == ["no", "bgp", "default", "ipv4-unicast"]:
            cfg.no_default_ipv4_unicast = True
        elif words[:2] == ["timers", "bgp"] and len(words) == 4:
            cfg.hold_time = _int(words[3])
    return cfg


def frr_bgp_lines(cfg: BgpConfig, quagga: bool = False) -> list[str]:
    """The `router bgp` block as FRR 8 (or Quagga 0.99) prints it in `show running-config`."""
    if cfg.asn is None:
        return []
    out = [f"router bgp {cfg.asn}"]
    if cfg.router_id:
        out.append(f" bgp router-id {cfg.router_id}")
    if cfg.no_ebgp_requires_policy and not quagga:
        out.append(" no bgp ebgp-requires-policy")
    if cfg.no_default_ipv4_unicast:
        out.append(" no bgp default ipv4-unicast")
    if cfg.hold_time is not None:
        out.append(f" timers bgp {max(cfg.hold_time // 3, 0)} {cfg.hold_time}")
    af = []
    for n in sorted(cfg.neighbors.values(), key=lambda n: _address_key(n.address)):
        top, mine = (n.lines, n.af_lines) if n.lines or n.af_lines else neighbor_lines(n)
        out.extend(f" {line}" for line in top)
        af.extend(f"  {line}" for line in mine)
    if af:
        out += [" !", " address-family ipv4 unicast", *af, " exit-address-family"]
    out.append("!" if quagga else "exit")
    return out


def neighbor_lines(n: NeighborConfig) -> tuple[list[str], list[str]]:
    """FRR lines for a neighbor built from its fields (for neighbors the lab or a test makes from scratch)."""
    top = []
    if n.remote_as is not None or n.remote_as_word:
        top.append(f"neighbor {n.address} remote-as {n.remote_as if n.remote_as is not None else n.remote_as_word}")
    if n.description:
        top.append(f"neighbor {n.address} description {n.description}")
    if n.hold_time is not None:
        top.append(f"neighbor {n.address} timers {max(n.hold_time // 3, 0)} {n.hold_time}")
    af = []
    if n.ipv4_unicast is True:
        af.append(f"neighbor {n.address} activate")
    elif n.ipv4_unicast is False:
        af.append(f"no neighbor {n.address} activate")
    if n.route_map_in:
        af.append(f"neighbor {n.address} route-map {n.route_map_in} in")
    return top, af


def frr_running_config(cfg: BgpConfig, hostname: str, version: str, quagga: bool = False,
                       extra: tuple[str, ...] = ()) -> str:
    """A whole `show running-config` as FRR 8 prints it (Quagga: its older framing)."""
    if quagga:
        head = ["", "Current configuration:", "!", f"hostname {hostname}", "log stdout", "!"]
    else:
        head = ["Building configuration...", "", "Current configuration:", "!", f"frr version {version}",
                "frr defaults traditional", f"hostname {hostname}", "service integrated-vtysh-config", "!"]
    body = [*extra, "!"] if extra else []
    bgp = frr_bgp_lines(cfg, quagga)
    if bgp:
        body += [*bgp, "!"]
    for name in cfg.route_maps:
        body += [f"route-map {name} permit 10", "!" if quagga else "exit", "!"]
    return "\n".join([*head, *body, "end", ""])


# ---------------------------------------------------------------- VyOS `show configuration commands`

def _vyos_value(words: list[str], i: int) -> str | None:
    return words[i] if len(words) > i else None


def parse_vyos_commands(text: str) -> BgpConfig:
    """`set protocols bgp ...` lines of VyOS 1.1-1.3 (`bgp ASN ...`) or 1.4+ (`bgp system-as ASN`, `bgp neighbor`)."""
    cfg = BgpConfig()
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line.startswith("set protocols bgp"):
            continue
        try:
            words = shlex.split(line)[3:]
        except ValueError:
            continue
        if not words:
            continue
        if words[0].isdigit():  # 1.1-1.3: the AS is the tag
            if cfg.asn is None:
                cfg.asn = int(words[0])
            elif int(words[0]) != cfg.asn:
                continue
            words = words[1:]
        elif words[0] == "system-as":
            cfg.asn = _int(_vyos_value(words, 1) or "")
            continue
        if not words:
            continue
        if words[0] == "neighbor" and len(words) >= 3:
            addr = words[1]
            n = cfg.neighbors.setdefault(addr, NeighborConfig(addr))
            n.lines.append(line)
            what = words[2:]
            if what[0] == "remote-as" and len(what) == 2:
                n.remote_as = _int(what[1])
                n.remote_as_word = what[1] if n.remote_as is None else None
            elif what[0] == "description" and len(what) == 2:
                n.description = what[1]
            elif what[:2] == ["timers", "holdtime"] and len(what) == 3:
                n.hold_time = _int(what[2])
            elif what[:2] == ["address-family", IPV4_UNICAST]:
                n.ipv4_unicast = True
                if what[2:4] == ["route-map", "import"] and len(what) == 5:
                    n.route_map_in = what[4]
        elif words[:2] == ["parameters", "router-id"] and len(words) == 3:
            cfg.router_id = words[2]
        elif words[:2] == ["parameters", "ebgp-requires-policy"]:
            cfg.ebgp_requires_policy = True
        elif words[:2] == ["timers", "holdtime"] and len(words) == 3:
            cfg.hold_time = _int(words[2])
    return cfg


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"  # how VyOS quotes values in `show configuration commands`


def vyos_neighbor_commands(n: NeighborConfig, asn: int, legacy: bool) -> list[str]:
    base = f"set protocols bgp {asn} neighbor {n.address}" if legacy else f"set protocols bgp neighbor {n.address}"
    out = []
    if n.ipv4_unicast or n.route_map_in:  # a route-map lives under the family's node
        out.append(f"{base} address-family {IPV4_UNICAST}")
        if n.route_map_in:
            out.append(f"{base} address-family {IPV4_UNICAST} route-map import {_quoted(n.route_map_in)}")
    if n.description:
        out.append(f"{base} description {_quoted(n.description)}")
    if n.remote_as is not None or n.remote_as_word:
        out.append(f"{base} remote-as {_quoted(str(n.remote_as if n.remote_as is not None else n.remote_as_word))}")
    if n.hold_time is not None:
        out.append(f"{base} timers holdtime {_quoted(str(n.hold_time))}")
    return out


def vyos_bgp_commands(cfg: BgpConfig, legacy: bool) -> list[str]:
    """The BGP lines of `show configuration commands`, sorted as VyOS sorts its config tree."""
    if cfg.asn is None:
        return []
    head = f"set protocols bgp {cfg.asn}" if legacy else "set protocols bgp"
    out = []
    for addr in sorted(cfg.neighbors, key=_address_key):
        n = cfg.neighbors[addr]
        out.extend(n.lines if n.lines else vyos_neighbor_commands(n, cfg.asn, legacy))
    if cfg.ebgp_requires_policy and not legacy:
        out.append(f"{head} parameters ebgp-requires-policy")
    if cfg.router_id:
        out.append(f"{head} parameters router-id {_quoted(cfg.router_id)}")
    if not legacy:
        out.append(f"{head} system-as {_quoted(str(cfg.asn))}")
    if cfg.hold_time is not None:
        out.append(f"{head} timers holdtime {_quoted(str(cfg.hold_time))}")
    return out
