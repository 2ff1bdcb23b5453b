"""vtysh's configuration mode on the lab router: the commands of a `vtysh -c ... -c ...` invocation run in order,
each in its node (configure terminal > router bgp > address-family), changing the running configuration at once
(as FRR does: what ran before a refusal stays), and the first refused command ends vtysh with exit status 1.

Refusals use FRR 8.4's own texts (recorded from a real bgpd): `% Unknown command: ...`, `% Command incomplete:
...`, `BGP is already running; AS is N`, `% Specify remote-as or peer-group commands first`, `% Can not configure
the local system as neighbor`, `% Can't find BGP instance`. Show commands are answered by the router's tables.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from tftui.core.peering.running import BgpConfig, NeighborConfig

from .peering import LabPeering

VIEW, CONFIG, BGP, AF, RMAP = "view", "config", "bgp", "af", "route-map"
SAVED = ("Note: this version of vtysh never writes vtysh.conf\nBuilding Configuration...\n"
         "Integrated configuration saved to /etc/frr/frr.conf\n[OK]\n")
NOT_SAVED = ("Note: this version of vtysh never writes vtysh.conf\n\nWarning: attempting direct configuration write "
             "without watchfrr.\nFile permissions and ownership may be incorrect, or write may fail.\n\n"
             "Building Configuration...\nUnlink failed for /etc/frr/frr.conf.sav: Permission denied\n"
             "Error renaming /etc/frr/frr.conf to /etc/frr/frr.conf.sav: Permission denied\n"
             "% Error: failed to open configuration file /etc/frr/frr.conf: Permission denied\n")
QUAGGA_SAVED = "Building Configuration...\nConfiguration saved to /etc/quagga/Quagga.conf\n[OK]\n"


class Refused(Exception):
    pass


def _asn(text: str) -> int | None:
    return int(text) if text.isdigit() and 1 <= int(text) <= 4294967295 else None


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


class VtyshSession:
    def __init__(self, peering: LabPeering, answer: Callable[[str], tuple[str, int]], quagga: bool = False,
                 can_save: Callable[[], bool] = lambda: True):
        self.peering = peering
        self.answer = answer
        self.quagga = quagga
        self.can_save = can_save
        self.node = VIEW

    def run(self, commands: list[str]) -> tuple[str, int]:
        out: list[str] = []
        for raw in commands:
            line = " ".join(raw.split())
            words = line.split()
            if not words:
                continue
            if words[0] == "show" or words[:2] == ["do", "show"]:
                text, status = self.answer(" ".join(words[1:] if words[0] == "do" else words))
                out.append(text)
                if status:
                    return "".join(out), status
                continue
            try:
                out.append(self._command(words, line))
            except Refused as exc:
                out.append(f"{exc}\n")
                return "".join(out), 1
        return "".join(out), 0

    # ---------------------------------------------------------------- nodes
    def _unknown(self, line: str) -> Refused:
        return Refused("% Unknown command." if self.quagga else f"% Unknown command: {line}")

    def _incomplete(self, line: str) -> Refused:
        return Refused("% Command incomplete." if self.quagga else f"% Command incomplete: {line}")

    def _command(self, words: list[str], line: str) -> str:
        if words[0] == "end":
            self.node = VIEW
            return ""
        if self.node == VIEW:
            if words in (["configure", "terminal"], ["configure"], ["conf", "t"]):
                self.node = CONFIG
                return ""
            if words in (["write", "memory"], ["write"], ["write", "file"], ["copy", "running-config",
                                                                            "startup-config"]):
                return self._save()
            if words == ["exit"]:
                return ""
            raise self._unknown(line)
        if words == ["exit"] or words == ["exit-address-family"] and self.node == AF:
            self.node = {CONFIG: VIEW, BGP: CONFIG, AF: BGP, RMAP: CONFIG}[self.node]
            return ""
        cfg = self.peering.router_config.copy()
        if self.node == CONFIG:
            self._config(cfg, words, line)
        elif self.node == BGP:
            self._bgp(cfg, words, line)
        elif self.node == AF:
            self._af(cfg, words, line)
        else:
            raise self._unknown(line)
        self.peering.set_router_config(cfg)
        return ""

    def _save(self) -> str:
        if not self.can_save():
            raise Refused(NOT_SAVED.rstrip("\n"))
        return QUAGGA_SAVED if self.quagga else SAVED

    def _config(self, cfg: BgpConfig, words: list[str], line: str) -> None:
        if words[:2] == ["router", "bgp"]:
            if len(words) != 3 or _asn(words[2]) is None:
                raise self._incomplete(line) if len(words) == 2 else self._unknown(line)
            asn = int(words[2])
            if cfg.asn is not None and cfg.asn != asn:
                raise Refused(f"BGP is already running; AS is {cfg.asn}")
            if cfg.asn is None:
                cfg.asn, cfg.neighbors = asn, {}
            self.node = BGP
        elif words[:3] == ["no", "router", "bgp"] and len(words) == 4:
            if cfg.asn is None or str(cfg.asn) != words[3]:
                raise Refused("% Can't find BGP instance")
            cfg.asn, cfg.neighbors, cfg.router_id = None, {}, None
            cfg.no_ebgp_requires_policy = cfg.no_default_ipv4_unicast = False
        elif words[0] == "route-map" and len(words) == 4 and words[2] in ("permit", "deny") and words[3].isdigit():
            if words[1] not in cfg.route_maps:
                cfg.route_maps.append(words[1])
            self.node = RMAP
        elif words[:2] == ["no", "route-map"] and len(words) in (3, 5):
            cfg.route_maps = [m for m in cfg.route_maps if m != words[2]]  # FRR says nothing when it was absent
        else:
            raise self._unknown(line)

    def _local(self, address: str) -> bool:
        r = self.peering.topo.router
        return address in (r.address, r.router_id)

    def _bgp(self, cfg: BgpConfig, words: list[str], line: str) -> None:
        if words[:2] == ["bgp", "router-id"] and len(words) == 3 and _ip(words[2]):
            cfg.router_id = words[2]
        elif words == ["no", "bgp", "ebgp-requires-policy"] and not self.quagga:
            cfg.no_ebgp_requires_policy = True
        elif words == ["bgp", "ebgp-requires-policy"] and not self.quagga:
            cfg.no_ebgp_requires_policy = False
        elif words == ["no", "bgp", "default", "ipv4-unicast"]:
            cfg.no_default_ipv4_unicast = True
            for n in cfg.neighbors.values():  # FRR then shows the peers it had as activated
                n.ipv4_unicast = True if n.ipv4_unicast is None else n.ipv4_unicast
        elif words[:2] == ["timers", "bgp"] and len(words) == 4 and words[2].isdigit() and words[3].isdigit():
            cfg.hold_time = int(words[3])
        elif words[:2] == ["address-family", "ipv4"] and words[2:] in ([], ["unicast"]):
            self.node = AF
        elif words[0] == "neighbor" and len(words) >= 3:
            self._neighbor(cfg, words, line)
        elif words[:2] == ["no", "neighbor"] and len(words) == 3:
            cfg.neighbors.pop(_ip(words[2]) or words[2], None)  # silent when it was not there, as FRR is
        else:
            raise self._unknown(line)

    def _neighbor(self, cfg: BgpConfig, words: list[str], line: str) -> None:
        address = _ip(words[1])
        if address is None:
            raise self._unknown(line)
        what = words[2:]
        n = cfg.neighbors.get(address)
        if what[0] == "remote-as":
            if len(what) != 2:
                raise self._incomplete(line)
            asn = _asn(what[1])
            if asn is None and what[1] not in ("external", "internal"):
                raise self._unknown(line)
            if self._local(address):
                raise Refused("% Can not configure the local system as neighbor")
            if n is None:
                n = cfg.neighbors[address] = NeighborConfig(address)
            n.remote_as, n.remote_as_word = asn, None if asn is not None else what[1]
            return
        if what[0] not in ("description", "timers"):
            raise self._unknown(line)
        if len(what) < 2 or what[0] == "timers" and len(what) != 3:
            raise self._incomplete(line)
        if n is None:
            raise Refused("% Specify remote-as or peer-group commands first")
        if what[0] == "description":
            n.description = line.split(" description ", 1)[1]
        elif what[1].isdigit() and what[2].isdigit():
            n.hold_time = int(what[2])
        else:
            raise self._unknown(line)

    def _af(self, cfg: BgpConfig, words: list[str], line: str) -> None:
        negate = words[0] == "no"
        w = words[1:] if negate else words
        if w[:1] != ["neighbor"] or len(w) < 3:
            raise self._unknown(line)
        address = _ip(w[1])
        if address is None:
            raise self._unknown(line)
        n = cfg.neighbors.get(address)
        if n is None:
            if negate:
                return
            raise Refused("% Specify remote-as or peer-group commands first")
        if w[2:] == ["activate"]:
            n.ipv4_unicast = not negate
        elif w[2] == "route-map" and len(w) == 5 and w[4] in ("in", "out"):
            if w[4] == "in":
                n.route_map_in = None if negate else w[3]
        else:
            raise self._unknown(line)
