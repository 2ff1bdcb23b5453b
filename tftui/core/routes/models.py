"""What tftui understands of a router: neighbors, routes, BGP paths, and a parse result that never raises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

# Zebra's one-letter codes, spelled out for JSON and filters
PROTOCOLS = {
    "K": "kernel", "C": "connected", "S": "static", "R": "rip", "O": "ospf", "I": "isis", "B": "bgp",
    "E": "eigrp", "N": "nhrp", "T": "table", "v": "vnc", "V": "vnc-direct", "A": "babel", "D": "sharp",
    "F": "pbr", "f": "openfabric", "L": "local", "P": "pim", "o": "ospf6",
}
PROTOCOL_CODES = {v: k for k, v in PROTOCOLS.items() if k != "o"}
ESTABLISHED = "Established"
POLICY = "(Policy)"


@dataclass(frozen=True, slots=True)
class NextHop:
    via: str | None  # None when directly connected / blackhole
    interface: str | None = None
    active: bool = True
    fib: bool = False
    recursive: bool = False
    blackhole: bool = False
    weight: int | None = None
    label: str | None = None
    vrf: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    prefix: str
    protocol: str  # spelled out: bgp, static, connected, kernel, ospf, ...
    selected: bool
    fib: bool
    distance: int | None = None
    metric: int | None = None
    age: str | None = None
    nexthops: tuple[NextHop, ...] = ()
    vrf: str | None = None
    code: str = ""  # the raw code column, e.g. "B>*"


@dataclass(frozen=True, slots=True)
class Neighbor:
    address: str
    remote_as: int | None
    state: str  # Established, Active, Idle (Admin), ... ; "Established" also when (Policy)
    established: bool
    up_down: str | None = None  # None for "never"
    prefixes_received: int | None = None
    prefixes_sent: int | None = None
    description: str | None = None
    policy_blocked: bool = False  # FRR: Established but eBGP routes refused for lack of an inbound policy
    msg_rcvd: int | None = None
    msg_sent: int | None = None
    # FRR: nothing advertised to the neighbor for lack of an outbound policy (PfxSnt "(Policy)"); the gatewayless
    # design needs only what the router receives, so this is told, never counted as routes refused
    sends_withheld: bool = False

    @property
    def shown_state(self) -> str:
        """The State/PfxRcd column as FRR prints it: ``(Policy)`` for routes refused, else the state."""
        return POLICY if self.policy_blocked else self.state

    @property
    def shown_sent(self) -> str:
        """The PfxSnt column as FRR prints it: ``(Policy)`` when nothing is sent for lack of a policy."""
        if self.sends_withheld:
            return POLICY
        return "-" if self.prefixes_sent is None else str(self.prefixes_sent)


@dataclass(frozen=True, slots=True)
class BgpPath:
    prefix: str
    nexthop: str | None
    best: bool = False
    valid: bool = True
    multipath: bool = False
    med: int | None = None
    local_pref: int | None = None
    weight: int | None = None
    as_path: str = ""
    origin: str | None = None  # IGP, EGP, incomplete
    peer: str | None = None
    external: bool | None = None
    last_update: str | None = None


@dataclass(frozen=True, slots=True)
class Suite:
    name: str  # frr | quagga | unknown
    version: str | None = None

    @property
    def json(self) -> bool:
        return self.name == "frr"

    def label(self) -> str:
        if self.name == "frr" and self.version:
            return f"frr {self.version}"
        return self.name


@dataclass
class Parsed(Generic[T]):
    """What a parser understood (items, meta such as router_id/local_as/vrf) and what it skipped."""

    items: list[T] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    meta: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # the router said so, e.g. "% No BGP neighbors found"


def to_int(text: object) -> int | None:
    try:
        return int(text) if text is not None else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def content_lines(text: str, out: Parsed) -> Iterator[tuple[str, str]]:
    """(line, stripped) for every non-blank line, tabs expanded; the router's `% ...` messages go to out.errors."""
    for raw in text.splitlines():
        line = raw.replace("\t", "        ").rstrip()
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("%"):
            out.errors.append(stripped)
            continue
        yield line, stripped


def as_list(v: object) -> list:
    return v if isinstance(v, list) else []


def as_dict(v: object) -> dict:
    return v if isinstance(v, dict) else {}


_AGE_HMS = re.compile(r"^(\d{1,3}):(\d{2}):(\d{2})$")
_AGE_UNITS = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNIT_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1)


def is_age(text: str) -> bool:
    text = text.strip()
    return bool(text) and (bool(_AGE_HMS.match(text)) or (bool(_AGE_UNITS.match(text)) and text[0].isdigit()))


def age_seconds(text: str | None) -> int | None:
    """Seconds in a zebra/bgpd age: 00:00:30, 4d23h40m, 03w0d00h, 01y02w3d; None for never/garbage."""
    if not text:
        return None
    text = text.strip()
    m = _AGE_HMS.match(text)
    if m:
        return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])
    m = _AGE_UNITS.match(text)
    if not m or not text or not text[0].isdigit():
        return None
    return sum(int(g) * s for g, s in zip(m.groups(), _UNIT_SECONDS, strict=True) if g)
