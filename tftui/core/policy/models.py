"""TF security, network and BGP objects as plain data, read from and written to config API bodies.

``from_api`` takes what the API returns (derived fields included); ``body`` gives what a client
may send (derived fields left out: the real server refuses tag_refs or protocol_id on a rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IP_FABRIC = ("default-domain", "default-project", "ip-fabric")
GLOBAL_PM = ("default-policy-management",)
TAG_TYPES = ("label", "application", "tier", "deployment", "site")
ACTIONS = ("pass", "deny")
DIRECTIONS = ("<>", ">", "<")
ENDPOINT_KINDS = ("tags", "virtual_network", "address_group", "subnet", "any")


def fq_str(fq: list[str] | tuple[str, ...]) -> str:
    return ":".join(fq)


def _refs(obj: dict, key: str) -> list[dict]:
    return [r for r in obj.get(key) or [] if isinstance(r, dict)]


def sequence_of(ref: dict) -> float:
    try:
        return float((ref.get("attr") or {}).get("sequence"))
    except (TypeError, ValueError):
        return float("inf")


@dataclass(frozen=True)
class Tag:
    fq_name: tuple[str, ...]
    type: str
    value: str
    uuid: str = ""
    tag_id: str = ""

    @property
    def name(self) -> str:
        return f"{self.type}={self.value}"

    @property
    def is_global(self) -> bool:
        return len(self.fq_name) == 1

    @classmethod
    def from_api(cls, d: dict) -> Tag:
        fq = tuple(d.get("fq_name") or [])
        name = fq[-1] if fq else ""
        t, _, v = name.partition("=")
        return cls(fq, d.get("tag_type_name") or t, d.get("tag_value") or v, d.get("uuid", ""), d.get("tag_id", ""))

    def body(self) -> dict:
        return {"fq_name": list(self.fq_name), "tag_type_name": self.type, "tag_value": self.value}


@dataclass(frozen=True)
class Endpoint:
    kind: str = "any"
    value: Any = True  # tags: tuple of names; vn/ag: fq string; subnet: "10.0.0.0/8"; any: True

    @classmethod
    def from_api(cls, d: dict | None) -> Endpoint:
        d = d or {}
        if d.get("tags"):
            return cls("tags", tuple(d["tags"]))
        for kind in ("virtual_network", "address_group"):
            if d.get(kind):
                return cls(kind, str(d[kind]))
        sub = d.get("subnet")
        if isinstance(sub, dict) and sub.get("ip_prefix"):
            return cls("subnet", f"{sub['ip_prefix']}/{sub.get('ip_prefix_len', 32)}")
        return cls("any", True)

    def body(self) -> dict:
        if self.kind == "tags":
            return {"tags": list(self.value)}
        if self.kind == "subnet":
            prefix, _, length = str(self.value).partition("/")
            return {"subnet": {"ip_prefix": prefix, "ip_prefix_len": int(length or 32)}}
        if self.kind == "any":
            return {"any": True}
        return {self.kind: self.value}

    def text(self) -> str:
        if self.kind == "tags":
            return " & ".join(self.value)
        if self.kind == "any":
            return "any"
        prefix = {"virtual_network": "vn:", "address_group": "ag:", "subnet": ""}[self.kind]
        return f"{prefix}{self.value}"


@dataclass(frozen=True)
class Rule:
    fq_name: tuple[str, ...]
    action: str = "pass"
    protocol: str = "any"
    dst_ports: tuple[int, int] = (0, 65535)
    src_ports: tuple[int, int] = (0, 65535)
    service_groups: tuple[str, ...] = ()  # fq strings; used instead of protocol/ports when set
    endpoint_1: Endpoint = Endpoint()
    endpoint_2: Endpoint = Endpoint()
    direction: str = "<>"
    match_tags: tuple[str, ...] = ()
    uuid: str = ""

    @property
    def name(self) -> str:
        return self.fq_name[-1]

    @classmethod
    def from_api(cls, d: dict) -> Rule:
        svc = d.get("service") or {}
        def ports(p: dict | None) -> tuple[int, int]:
            p = p or {}
            return int(p.get("start_port", 0)), int(p.get("end_port", 65535))
        return cls(
            tuple(d.get("fq_name") or []), (d.get("action_list") or {}).get("simple_action", "pass"),
            str(svc.get("protocol", "any")), ports(svc.get("dst_ports")), ports(svc.get("src_ports")),
            tuple(fq_str(r["to"]) for r in _refs(d, "service_group_refs")),
            Endpoint.from_api(d.get("endpoint_1")), Endpoint.from_api(d.get("endpoint_2")),
            d.get("direction", "<>"), tuple((d.get("match_tags") or {}).get("tag_list") or ()), d.get("uuid", ""))

    def body(self) -> dict:
        out: dict[str, Any] = {"fq_name": list(self.fq_name), "action_list": {"simple_action": self.action},
                               "endpoint_1": self.endpoint_1.body(), "endpoint_2": self.endpoint_2.body(),
                               "direction": self.direction}
        if self.service_groups:
            out["service_group_refs"] = [{"to": g.split(":")} for g in self.service_groups]
        else:
            out["service"] = {"protocol": self.protocol,
                              "src_ports": {"start_port": self.src_ports[0], "end_port": self.src_ports[1]},
                              "dst_ports": {"start_port": self.dst_ports[0], "end_port": self.dst_ports[1]}}
        out["match_tags"] = {"tag_list": list(self.match_tags)} if self.match_tags else None
        return out

    def service_text(self) -> str:
        if self.service_groups:
            return ", ".join(g.split(":")[-1] for g in self.service_groups)
        lo, hi = self.dst_ports
        ports = "" if (lo, hi) in ((0, 65535), (-1, -1)) else (f":{lo}" if lo == hi else f":{lo}-{hi}")
        return f"{self.protocol}{ports}"


@dataclass(frozen=True)
class PolicyRef:
    fq_name: tuple[str, ...]
    sequence: str
    uuid: str = ""


@dataclass(frozen=True)
class Policy:
    fq_name: tuple[str, ...]
    rules: tuple[PolicyRef, ...] = ()
    uuid: str = ""

    @classmethod
    def from_api(cls, d: dict) -> Policy:
        refs = sorted(_refs(d, "firewall_rule_refs"), key=sequence_of)
        return cls(tuple(d.get("fq_name") or []), tuple(
            PolicyRef(tuple(r["to"]), str((r.get("attr") or {}).get("sequence", "")), r.get("uuid", "")) for r in refs),
            d.get("uuid", ""))

    def body(self) -> dict:
        return {"fq_name": list(self.fq_name), "firewall_rule_refs": [
            {"to": list(r.fq_name), "attr": {"sequence": r.sequence}} for r in self.rules]}


@dataclass(frozen=True)
class Aps:
    fq_name: tuple[str, ...]
    policies: tuple[PolicyRef, ...] = ()
    tags: tuple[str, ...] = ()  # tag fq strings, e.g. "application=k8s"
    all_applications: bool = False
    uuid: str = ""

    @classmethod
    def from_api(cls, d: dict) -> Aps:
        refs = sorted(_refs(d, "firewall_policy_refs"), key=sequence_of)
        return cls(tuple(d.get("fq_name") or []), tuple(
            PolicyRef(tuple(r["to"]), str((r.get("attr") or {}).get("sequence", "")), r.get("uuid", "")) for r in refs),
            tuple(fq_str(r["to"]) for r in _refs(d, "tag_refs")), bool(d.get("all_applications")), d.get("uuid", ""))

    def body(self) -> dict:
        out: dict[str, Any] = {"fq_name": list(self.fq_name), "firewall_policy_refs": [
            {"to": list(r.fq_name), "attr": {"sequence": r.sequence}} for r in self.policies],
            "tag_refs": [{"to": t.split(":")} for t in self.tags]}
        return out


@dataclass(frozen=True)
class Network:
    fq_name: tuple[str, ...]
    subnets: tuple[str, ...] = ()
    ip_fabric_forwarding: bool = False
    fabric_snat: bool = False
    provider: bool = False
    uuid: str = ""

    @classmethod
    def from_api(cls, d: dict) -> Network:
        subnets = []
        for ref in _refs(d, "network_ipam_refs"):
            for s in ((ref.get("attr") or {}).get("ipam_subnets") or []):
                sub = s.get("subnet") or {}
                if sub.get("ip_prefix"):
                    subnets.append(f"{sub['ip_prefix']}/{sub.get('ip_prefix_len')}")
        iff = any(tuple(r.get("to") or ()) == IP_FABRIC for r in _refs(d, "virtual_network_refs"))
        return cls(tuple(d.get("fq_name") or []), tuple(subnets), iff, bool(d.get("fabric_snat")),
                   bool(d.get("is_provider_network")), d.get("uuid", ""))

    def switch_body(self, ip_fabric_forwarding: bool | None = None, fabric_snat: bool | None = None) -> dict:
        """The partial PUT that sets either switch (the other is left alone)."""
        out: dict[str, Any] = {}
        if ip_fabric_forwarding is not None:
            out["virtual_network_refs"] = [{"to": list(IP_FABRIC)}] if ip_fabric_forwarding else []
        if fabric_snat is not None:
            out["fabric_snat"] = fabric_snat
        return out


@dataclass(frozen=True)
class Port:
    uuid: str
    fq_name: tuple[str, ...]
    vm_name: str = ""
    network: str = ""
    ips: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # tag fq strings
    host: str = ""

    @classmethod
    def from_api(cls, d: dict, ips: tuple[str, ...] = (), vm_name: str = "") -> Port:
        host = next((kv.get("value", "") for kv in ((d.get("virtual_machine_interface_bindings") or {})
                                                      .get("key_value_pair") or []) if kv.get("key") == "host_id"), "")
        vn = next((fq_str(r["to"]) for r in _refs(d, "virtual_network_refs")), "")
        return cls(d.get("uuid", ""), tuple(d.get("fq_name") or []), vm_name or d.get("display_name", ""), vn, ips,
                   tuple(fq_str(r["to"]) for r in _refs(d, "tag_refs")), host)


@dataclass(frozen=True)
class BgpRouter:
    fq_name: tuple[str, ...]
    router_type: str = "router"
    vendor: str = ""
    asn: int | None = None
    address: str = ""
    identifier: str = ""
    port: int = 179
    hold_time: int = 90
    families: tuple[str, ...] = ("inet",)
    peers: tuple[str, ...] = ()  # names of the routers this one has sessions with
    uuid: str = ""

    @property
    def name(self) -> str:
        return self.fq_name[-1]

    @classmethod
    def from_api(cls, d: dict) -> BgpRouter:
        p = d.get("bgp_router_parameters") or {}
        peers = [r["to"][-1] for r in _refs(d, "bgp_router_refs")]
        peers += [r["to"][-1] for r in _refs(d, "bgp_router_back_refs")]
        return cls(tuple(d.get("fq_name") or []), p.get("router_type", "router"), p.get("vendor", ""),
                   p.get("autonomous_system"), p.get("address", ""), p.get("identifier", ""), int(p.get("port", 179)),
                   int(p.get("hold_time", 90)), tuple((p.get("address_families") or {}).get("family") or ()),
                   tuple(dict.fromkeys(peers)), d.get("uuid", ""))

    def params(self) -> dict:
        return {"router_type": self.router_type, "vendor": self.vendor, "autonomous_system": self.asn,
                "identifier": self.identifier or self.address, "address": self.address, "port": self.port,
                "hold_time": self.hold_time, "address_families": {"family": list(self.families)}}

    def body(self) -> dict:
        return {"fq_name": list(self.fq_name), "bgp_router_parameters": self.params()}


def session_attr(families: tuple[str, ...]) -> dict:
    """The bgp_router_refs attr the web UI writes for a peering session."""
    return {"session": [{"attributes": [{"address_families": {"family": list(families)}}]}]}
