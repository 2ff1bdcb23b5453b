"""Checks made before anything is sent, with messages an operator can act on."""

from __future__ import annotations

import ipaddress
import re

from .models import ACTIONS, DIRECTIONS, ENDPOINT_KINDS, BgpRouter, Endpoint, Rule

_TAG_RE = re.compile(r"^(global:)?[a-z][a-z0-9_-]{0,63}=[^\s=,:][^\s,:]{0,127}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.=-]{0,127}$")
PROTOCOL_NAMES = ("any", "icmp", "tcp", "udp", "icmp6")


class ValidationError(ValueError):
    pass


def check_name(name: str, what: str = "name") -> str:
    name = name.strip()
    if not _NAME_RE.match(name):
        raise ValidationError(f"{what} {name!r}: letters, digits, '_', '.', '=', '-' only (max 128)")
    return name


def parse_tag(text: str) -> tuple[str, str]:
    """``label=cirros1`` -> ("label", "cirros1")."""
    text = text.strip()
    if not _TAG_RE.match(text) or text.startswith("global:"):
        raise ValidationError(f"tag {text!r} is not TYPE=VALUE (e.g. label=cirros1)")
    t, v = text.split("=", 1)
    return t, v


def check_endpoint(ep: Endpoint, which: str) -> None:
    if ep.kind not in ENDPOINT_KINDS:
        raise ValidationError(f"{which}: kind must be one of {', '.join(ENDPOINT_KINDS)}")
    if ep.kind == "tags":
        if not ep.value:
            raise ValidationError(f"{which}: pick at least one tag")
        types = []
        for tag in ep.value:
            if not _TAG_RE.match(tag):
                raise ValidationError(f"{which}: {tag!r} is not TYPE=VALUE")
            types.append(tag.removeprefix("global:").split("=", 1)[0])
        dupes = sorted({t for t in types if t != "label" and types.count(t) > 1})
        if dupes:
            raise ValidationError(f"{which}: one tag per type except label ({', '.join(dupes)} twice)")
    elif ep.kind == "subnet":
        try:
            ipaddress.ip_network(str(ep.value), strict=False)
        except ValueError:
            raise ValidationError(f"{which}: {ep.value!r} is not a prefix") from None
    elif ep.kind in ("virtual_network", "address_group"):
        if not ep.value or len(str(ep.value).split(":")) < 2:
            raise ValidationError(f"{which}: {ep.kind} needs a full name (domain:project:name)")
    elif ep.value is not True:
        raise ValidationError(f"{which}: any must be true")


def check_rule(rule: Rule) -> None:
    check_name(rule.name, "rule name")
    if rule.action not in ACTIONS:
        raise ValidationError(f"action must be {' or '.join(ACTIONS)}")
    if rule.direction not in DIRECTIONS:
        raise ValidationError("direction must be <>, > or <")
    if not rule.service_groups:
        proto = rule.protocol.lower()
        if proto not in PROTOCOL_NAMES and not (proto.isdigit() and 0 <= int(proto) <= 255):
            raise ValidationError(f"protocol {rule.protocol!r}: any, icmp, tcp, udp, icmp6 or 0-255")
        for lo, hi in (rule.src_ports, rule.dst_ports):
            if not (-1 <= lo <= hi <= 65535):
                raise ValidationError(f"port range {lo}-{hi} is not valid")
    check_endpoint(rule.endpoint_1, "endpoint 1")
    check_endpoint(rule.endpoint_2, "endpoint 2")
    if "label" in (t.lower() for t in rule.match_tags):
        raise ValidationError("match tags cannot contain label (the server refuses it)")


def ports_text(p: tuple[int, int]) -> str:
    """(0, 65535) -> "" (any); (80, 80) -> "80"; (1000, 2000) -> "1000-2000"."""
    return "" if p == (0, 65535) else (str(p[0]) if p[0] == p[1] else f"{p[0]}-{p[1]}")


def parse_ports(text: object, where: str = "ports") -> tuple[int, int]:
    """The inverse of ports_text; empty, None or "any" is every port."""
    text = "" if text is None else str(text).strip()
    if not text or text == "any":
        return (0, 65535)
    lo, _, hi = text.partition("-")
    try:
        return int(lo), int(hi or lo)
    except ValueError:
        raise ValidationError(f"{where}: {text!r} is not PORT or LOW-HIGH") from None


def resequence(count: int, start: float = 1.0, step: float = 1.0) -> list[str]:
    """Sequences as the API wants them: numeric strings in order ("1.0", "2.0", ...)."""
    return [f"{start + i * step:.1f}" for i in range(count)]


def check_bgp_router(router: BgpRouter) -> None:
    check_name(router.name, "router name")
    if router.asn is None or not 0 < router.asn < 1 << 32:
        raise ValidationError(f"AS number {router.asn!r} is not 1..4294967295")
    for what, addr in (("address", router.address), ("identifier", router.identifier or router.address)):
        try:
            ipaddress.ip_address(addr)
        except ValueError:
            raise ValidationError(f"{what} {addr!r} is not an IP address") from None
    if not router.families:
        raise ValidationError("pick at least one address family")
