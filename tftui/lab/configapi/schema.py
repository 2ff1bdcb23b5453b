"""The object types the lab's config API serves: parents, references and enumerations.

A compact subset of the TF schema (tf-api-client's generated types) covering what tftui and the
seed's workflows touch; names and shapes follow the real server so real clients work unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROOT = "config-root"


@dataclass(frozen=True)
class TypeDef:
    name: str
    parents: tuple[str, ...]
    refs: tuple[str, ...] = ()  # referenced types (field "<type_with_underscores>_refs")
    derived: tuple[str, ...] = ()  # fields only the server sets
    immutable: tuple[str, ...] = ()  # fields that may not change after create
    defaults: dict = field(default_factory=dict)


SECURITY = ("tag", "firewall-rule", "firewall-policy", "application-policy-set", "service-group", "address-group")

_TYPES = [
    TypeDef("global-system-config", (ROOT,), ("bgp-router",)),
    TypeDef("global-vrouter-config", ("global-system-config",)),
    TypeDef("domain", (ROOT,)),
    TypeDef("project", ("domain",), ("application-policy-set",)),
    TypeDef("policy-management", (ROOT, "project")),
    TypeDef("tag-type", (ROOT,)),
    TypeDef("tag", (ROOT, "project"), ("tag-type",), derived=("tag_id",),
            immutable=("tag_type_name", "tag_value", "tag_id")),
    TypeDef("firewall-rule", ("policy-management", "project"),
            ("address-group", "service-group", "virtual-network"),
            derived=("tag_refs", "address_group_refs", "virtual_network_refs", "match_tag_types")),
    TypeDef("firewall-policy", ("policy-management", "project"), ("firewall-rule",)),
    TypeDef("application-policy-set", ("policy-management", "project"), ("firewall-policy", "global-vrouter-config"),
            immutable=("all_applications",), defaults={"all_applications": False}),
    TypeDef("service-group", ("policy-management", "project")),
    TypeDef("address-group", ("policy-management", "project")),
    TypeDef("network-ipam", ("project",)),
    TypeDef("virtual-network", ("project",), ("network-ipam", "virtual-network", "network-policy"),
            defaults={"fabric_snat": False}),
    TypeDef("network-policy", ("project",)),
    TypeDef("routing-instance", ("virtual-network",)),
    TypeDef("virtual-machine", (ROOT,)),
    TypeDef("virtual-machine-interface", ("project", "virtual-machine"), ("virtual-network", "virtual-machine")),
    TypeDef("instance-ip", (ROOT,), ("virtual-network", "virtual-machine-interface")),
    TypeDef("virtual-router", ("global-system-config",), ("virtual-machine",)),
    TypeDef("config-node", ("global-system-config",)),
    TypeDef("analytics-node", ("global-system-config",)),
    TypeDef("database-node", ("global-system-config",)),
    TypeDef("bgp-router", ("routing-instance",), ("bgp-router",)),
]

TYPES: dict[str, TypeDef] = {t.name: t for t in _TYPES}

# Every type may carry tags; for firewall rules tag_refs is derived from the endpoints instead.
COMMON_REFS = ("tag",)

SIMPLE_ACTIONS = ("pass", "deny", "drop", "reject", "alert", "log")
ROUTER_TYPES = ("control-node", "external-control-node", "router", "bgpaas-server", "bgpaas-client")
PREDEFINED_TAG_TYPES = {"label": 0, "application": 1, "tier": 2, "deployment": 3, "site": 4,
                        "neutron_fwaas": 5}
PROTOCOLS = {"any": 0, "icmp": 1, "tcp": 6, "udp": 17, "icmp6": 58}


def ref_field(type_name: str) -> str:
    return type_name.replace("-", "_") + "_refs"


def back_ref_field(type_name: str) -> str:
    return type_name.replace("-", "_") + "_back_refs"


def children_field(type_name: str) -> str:
    return type_name.replace("-", "_") + "s"


def ref_type_of(field_name: str) -> str | None:
    """'firewall_rule_refs' -> 'firewall-rule', if it is a type we serve."""
    if not field_name.endswith("_refs"):
        return None
    name = field_name[: -len("_refs")].replace("_", "-")
    return name if name in TYPES else None


def allowed_refs(type_name: str) -> tuple[str, ...]:
    t = TYPES[type_name]
    return tuple(dict.fromkeys(t.refs + COMMON_REFS))
