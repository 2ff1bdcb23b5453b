"""TF's side of a peering: the bgp-router object for the router and the sessions (bgp_router_refs) from the
control nodes, as the web UI's Configure > Infrastructure > BGP Routers form writes them.

Changes are kept as intentions (create the router object, add a session from ctrl3, ...) and turned into config
API bodies only when they are written, from the objects as they are then: an intention that is already true is
skipped, so a plan shown a minute ago never overwrites what someone else changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tftui.core.policy.models import BgpRouter, fq_str, session_attr

CONTROL_NODE = "control-node"
# The pods' /32s of networks with IP fabric forwarding live in the ip-fabric default routing instance, which the
# control nodes advertise to external routers in family inet. A control node's own default families (route-target,
# inet-vpn, e-vpn, erm-vpn, inet6-vpn) lack inet, so the session carries it: when a session lists families, the
# control node uses those and does not intersect them with its own (bgp_config_ifmap.cc, BuildFamilyAttributesList).
GATEWAYLESS_FAMILIES = ("inet",)

CREATE_ROUTER, UPDATE_ROUTER, DELETE_ROUTER = "create-router", "update-router", "delete-router"
ADD_SESSION, REMOVE_SESSION = "add-session", "remove-session"


def is_control_node(r: BgpRouter) -> bool:
    return r.router_type == CONTROL_NODE


def ref_points_to(ref: dict, router: BgpRouter) -> bool:
    to = ref.get("to")
    return (bool(router.uuid) and ref.get("uuid") == router.uuid) or (
        isinstance(to, list | tuple) and tuple(to) == tuple(router.fq_name))


def ref_families(ref: dict) -> tuple[str, ...] | None:
    """The families a session lists (None: the session names none, the routers' own families apply)."""
    found: list[str] = []
    for session in (ref.get("attr") or {}).get("session") or []:
        for attributes in session.get("attributes") or []:
            found += (attributes.get("address_families") or {}).get("family") or []
    return tuple(dict.fromkeys(found)) if found else None


def plain_refs(refs: list[dict]) -> list[dict]:
    """Refs as a client sends them back: `to` and `attr` (the server fills in uuids and hrefs)."""
    return [{"to": r["to"], **({"attr": r["attr"]} if r.get("attr") else {})} for r in refs if r.get("to")]


def with_session(refs: list[dict], router: BgpRouter, families: tuple[str, ...]) -> list[dict] | None:
    """The control node's refs plus a session to `router`; None when it already has one."""
    if any(ref_points_to(r, router) for r in refs):
        return None
    return plain_refs(refs) + [{"to": list(router.fq_name), "attr": session_attr(families)}]


def without_session(refs: list[dict], router: BgpRouter) -> list[dict] | None:
    """The refs without any session to `router`; None when there was none."""
    kept = [r for r in refs if not ref_points_to(r, router)]
    return None if len(kept) == len(refs) else plain_refs(kept)


@dataclass(frozen=True)
class TfChange:
    kind: str
    router: BgpRouter  # the external router's object (as wanted for create/update, as it is for delete)
    control: BgpRouter | None = None  # the control node of a session
    families: tuple[str, ...] = GATEWAYLESS_FAMILIES
    old: BgpRouter | None = None  # update-router: the parameters before

    def inverse(self) -> TfChange:
        if self.kind == CREATE_ROUTER:
            return replace(self, kind=DELETE_ROUTER)
        if self.kind == DELETE_ROUTER:
            return replace(self, kind=CREATE_ROUTER)
        if self.kind == ADD_SESSION:
            return replace(self, kind=REMOVE_SESSION)
        if self.kind == REMOVE_SESSION:
            return replace(self, kind=ADD_SESSION)
        assert self.old is not None
        return replace(self, router=self.old, old=self.router)

    def words(self) -> str:
        r = self.router
        if self.kind in (CREATE_ROUTER, DELETE_ROUTER):
            sign = "+" if self.kind == CREATE_ROUTER else "-"
            return (f"{sign} bgp-router {r.name}: {r.router_type}, vendor {r.vendor or '-'}, AS {r.asn}, address "
                    f"{r.address}, identifier {r.identifier or r.address}, port {r.port}, hold time {r.hold_time} s, "
                    f"families {' '.join(r.families)}")
        if self.kind == UPDATE_ROUTER:
            old = self.old or r
            parts = [f"{what} {a} -> {b}" for what, a, b in (
                ("AS", old.asn, r.asn), ("address", old.address, r.address),
                ("identifier", old.identifier, r.identifier), ("hold time", old.hold_time, r.hold_time),
                ("families", " ".join(old.families), " ".join(r.families))) if a != b]
            return f"~ bgp-router {r.name}: {'; '.join(parts) or 'no change'}"
        assert self.control is not None
        c = self.control
        if self.kind == ADD_SESSION:
            return (f"~ bgp-router {c.name} (control node, {c.address}): + session with {r.name} "
                    f"(families {' '.join(self.families)})")
        return f"~ bgp-router {c.name} (control node, {c.address}): - session with {r.name}"

    def to_json(self) -> dict:
        return {"change": self.kind, "router": fq_str(self.router.fq_name),
                "control_node": self.control.name if self.control else None,
                "families": list(self.families), "words": self.words()}
