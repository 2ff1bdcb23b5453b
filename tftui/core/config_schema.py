"""The config file's schema: every key tftui reads, where it may appear, what type its value has, what it is for.

``check_document`` walks a loaded YAML document against it: a key the schema does not know is a
warning that names the closest known key (``pol_interval`` -> ``poll_interval``); a value of the wrong
type is an error that names the key's path (``clusters.lab.nodes[2].roles``). Only types are checked
here; what a value means (a port's range, a URL, a role) is checked where it becomes a typed spec
(core/inventory.py and the parsers it calls), with the same path in the message.

Adding a key is one entry in the mapping it belongs to (``CLUSTER_KEYS`` for a per-cluster key,
``NODE_KEYS``, ``ROUTER_KEYS``, ``SSH_KEYS``, ... ; a new section is a ``Section({...})`` entry),
e.g. ``CLUSTER_KEYS["exporter"] = key(Section({"listen": key(STR, "host:port to serve metrics on")}),
"Prometheus exporter")`` next to the others. ``null`` is accepted for every key and means "not set".
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .catalog import ROLE_SERVICES
from .routes.config import HOST_KEY_POLICIES, KINDS

# ------------------------------------------------------------------------------------ value types


@dataclass(frozen=True)
class Scalar:
    label: str  # what the error message says was expected: "a number", "true or false", ...
    accepts: Callable[[Any], bool]
    choices: tuple[str, ...] = ()  # case-insensitive; empty: any value of the type


@dataclass(frozen=True)
class Section:
    """A mapping with fixed key names, each with its own type."""

    keys: dict[str, Key]
    label: str = "a mapping"


@dataclass(frozen=True)
class MapOf:
    """A mapping with free key names and values of one type; ``names``, when given, are the expected key names
    (e.g. service keys) and an unknown one is warned about like an unknown key."""

    value: Type
    names: Callable[[], tuple[str, ...]] | None = None
    label: str = "a mapping"


@dataclass(frozen=True)
class ListOf:
    item: Type
    label: str = "a list"


@dataclass(frozen=True)
class AnyOf:
    options: tuple[Type, ...]

    @property
    def label(self) -> str:
        return " or ".join(o.label for o in self.options)


Type = Scalar | Section | MapOf | ListOf | AnyOf


@dataclass(frozen=True)
class Key:
    type: Type
    help: str


def key(type_: Type, help_: str) -> Key:
    return Key(type_, help_)


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):  # YAML's yes/no/true/false
        return False
    if isinstance(v, int | float):
        return True
    if isinstance(v, str):  # "5" works; the parser reports a text that is no number with its path
        try:
            float(v)
        except ValueError:
            return False
        return True
    return False


def _is_whole(v: Any) -> bool:
    return _is_number(v) and float(v).is_integer()


STR = Scalar("a string", lambda v: isinstance(v, str))
NUMBER = Scalar("a number", _is_number)
INT = Scalar("a whole number", _is_whole)
PORT = Scalar("a port number", _is_whole)
BOOL = Scalar("true or false", lambda v: isinstance(v, bool))
ANY = Scalar("any value", lambda v: True)
# a name YAML may read as a number (a node called 1001, an address written 10) is still a name
NAME = Scalar("a name", lambda v: isinstance(v, str | int | float) and not isinstance(v, bool))


def choice(*values: str) -> Scalar:
    return Scalar(f"one of {', '.join(values)}", lambda v: isinstance(v, str), tuple(values))


def service_keys() -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.key for services in ROLE_SERVICES.values() for s in services))


# ------------------------------------------------------------------------------------ the schema

PORTS = MapOf(PORT, service_keys, "a mapping of service key -> port")
PROBE_PORTS = MapOf(PORT, service_keys, "a mapping of service key -> port (or null: no probe)")
NAMES = AnyOf((ListOf(STR), STR))

JUMP = AnyOf((STR, Section({
    "host": key(STR, "the bastion's address or name"),
    "port": key(PORT, "its SSH port (22)"),
    "username": key(STR, "login name on the bastion (the hop behind it's, when unset)"),
    "identity_file": key(STR, "private key for the bastion (the hop behind it's, when unset)"),
    "known_hosts": key(STR, "known_hosts with the bastion's key (the hop behind it's, when unset)"),
})))

NODE_KEYS: dict[str, Key] = {
    "name": key(NAME, "node name (default: its address)"),
    "address": key(NAME, "IP address or host name of the node's introspect"),
    "ip": key(NAME, "the same as address (instances.yaml's spelling)"),
    "roles": key(AnyOf((ListOf(STR), STR, MapOf(ANY))), "deployer roles: config, control, vrouter, analytics, ..."),
    "ports": key(PORTS, "this node's introspect ports, by service key"),
    "probe_ports": key(PROBE_PORTS, "this node's TCP probe ports, by service key"),
}

INTROSPECT_KEYS: dict[str, Key] = {
    "scheme": key(choice("http", "https"), "introspect over http or https"),
    "verify": key(BOOL, "verify the introspect servers' certificates (https)"),
    "ca": key(STR, "CA bundle for https introspect"),
    "cert": key(STR, "client certificate for https introspect"),
    "key": key(STR, "client key for https introspect"),
    "ports": key(PORTS, "introspect port overrides for every node, by service key"),
}

AUTH_KEYS: dict[str, Key] = {
    "type": key(choice("none", "noauth", "no-auth", "keystone"), "how the config API authenticates"),
    "url": key(STR, "keystone v3 URL"),
    "username": key(STR, "keystone user"),
    "password_env": key(STR, "the NAME of the environment variable holding the password"),
    "project": key(STR, "keystone project (admin)"),
    "domain": key(STR, "keystone domain (Default)"),
}

ROUTER_KEYS: dict[str, Key] = {
    "name": key(NAME, "router name (default: its host)"),
    "host": key(NAME, "address or name to SSH to"),
    "address": key(NAME, "the same as host"),
    "port": key(PORT, "SSH port (22)"),
    "username": key(STR, "login name (vyos)"),
    "identity_file": key(STR, "private key"),
    "password_env": key(STR, "the NAME of the environment variable holding the password"),
    "password_prompt": key(BOOL, "ask for the password"),
    "agent": key(BOOL, "use ssh-agent (true)"),
    "known_hosts": key(STR, "known_hosts with the router's key (~/.ssh/known_hosts)"),
    "host_key_policy": key(choice(*HOST_KEY_POLICIES), "strict, or accept-new (record an unknown key on first use)"),
    "jump": key(JUMP, "a bastion in front of the router"),
    "kind": key(choice(*KINDS), "router suite (auto: detected)"),
    "timeout": key(NUMBER, "seconds per command (10)"),
    "keepalive": key(NUMBER, "SSH keepalive interval in seconds (15)"),
    "refresh": key(NUMBER, "seconds between refreshes in the routes pane (10)"),
}

HOP_KEYS: dict[str, Key] = {
    "username": key(STR, "login name"),
    "port": key(PORT, "SSH port (22)"),
    "identity_file": key(STR, "private key"),
    "known_hosts": key(STR, "known_hosts with the hop's host keys (~/.ssh/known_hosts)"),
}

SSH_KEYS: dict[str, Key] = {
    "compute": key(Section({**HOP_KEYS, "jump": key(JUMP, "a bastion in front of the computes")}),
                   "the compute hop (root, port 22)"),
    "vm": key(Section({
        **HOP_KEYS,
        "users_by_vn": key(MapOf(STR), "VN (short or fq name) -> VM user"),
        "users_by_name": key(MapOf(STR), "VM-name glob -> VM user"),
    }), "the VM hop (cirros)"),
    "config_file": key(STR, "the operator's ssh config to include instead of ~/.ssh/config"),
    "connect_timeout": key(NUMBER, "seconds per hop (10)"),
}

ANALYTICS_KEYS: dict[str, Key] = {
    "verify": key(BOOL, "verify the analytics API's certificate (https)"),
    "ca": key(STR, "CA bundle for the analytics API"),
    "cert": key(STR, "client certificate for the analytics API"),
    "key": key(STR, "client key for the analytics API"),
    "timeout": key(NUMBER, "seconds per analytics request (the cluster's timeout, at least 1)"),
    "query_timeout": key(NUMBER, "seconds an analytics query may take (120)"),
    "max_bytes": key(NUMBER, "largest analytics reply read (64 MiB)"),
    "stale_after": key(NUMBER, "seconds after which a UVE counts as stale"),
}

GATEWAYLESS_KEYS: dict[str, Key] = {
    "networks": key(NAMES, "networks with IP fabric forwarding (default: asked from the config API)"),
    "hosts_file": key(STR, "interface list (YAML/JSON) for when no vrouter agent can be asked"),
}

CLUSTER_KEYS: dict[str, Key] = {
    "inventory": key(STR, "a contrail-ansible-deployer instances.yaml (relative to this file)"),
    "nodes": key(ListOf(Section(NODE_KEYS)), "the cluster's nodes"),
    "discover": key(BOOL, "ask the config API for the nodes (default: when no nodes are listed)"),
    "poll_interval": key(NUMBER, "seconds between the end of a poll round and the next (5, min 1)"),
    "timeout": key(NUMBER, "seconds per introspect request (3)"),
    "concurrency": key(INT, "introspect requests in flight at once (256)"),
    "proxy": key(STR, "explicit proxy for cluster traffic (environment proxies are ignored)"),
    "no_proxy": key(NAMES, "hosts and networks that bypass proxy"),
    "introspect": key(Section(INTROSPECT_KEYS), "introspect scheme, TLS and ports"),
    "probe_ports": key(PROBE_PORTS, "TCP probe ports for daemons with neither introspect nor nodemgr"),
    "status_source": key(choice("auto", "introspect", "analytics"), "where service states come from (introspect)"),
    "theme": key(STR, "UI theme name"),
    "config_api": key(STR, "config API URL (policy editor, networks, BGP peers, discovery)"),
    "analytics_api": key(STR, "analytics API URL (default: the first analytics node's, port 8081)"),
    "analytics": key(Section(ANALYTICS_KEYS), "analytics API TLS, timeouts and caps"),
    "auth": key(Section(AUTH_KEYS), "config/analytics API authentication"),
    "routers": key(ListOf(Section(ROUTER_KEYS)), "the gateway router(s), over SSH"),
    "gatewayless": key(Section(GATEWAYLESS_KEYS), "inputs of the gatewayless cross-check"),
    "ssh": key(Section(SSH_KEYS), "computes and VMs, for the launcher"),
}

TOP_KEYS: dict[str, Key] = {
    "default_cluster": key(NAME, "the cluster used without --cluster"),
    "clusters": key(MapOf(Section(CLUSTER_KEYS), label="a mapping of cluster name -> settings"), "the clusters"),
    "keys": key(MapOf(STR), "key bindings remapped by binding id"),
}

CLUSTER = Section(CLUSTER_KEYS)
DOCUMENT = Section(TOP_KEYS)


# ------------------------------------------------------------------------------------ checking


@dataclass(frozen=True)
class Issue:
    path: str  # e.g. clusters.lab.nodes[0]
    message: str
    error: bool  # a wrong type; a warning otherwise (unknown key)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass
class _Walk:
    issues: list[Issue] = field(default_factory=list)

    def warn(self, path: str, message: str) -> None:
        self.issues.append(Issue(path, message, False))

    def fail(self, path: str, message: str) -> None:
        self.issues.append(Issue(path, message, True))


def _kind(value: Any) -> str:
    """What YAML made of a value, never the value itself (it may be a secret typed into the wrong key)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _unknown(walk: _Walk, path: str, name: Any, known: list[str], what: str) -> None:
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    walk.warn(path, f"unknown {what} {str(name)!r}{hint}; it is ignored")


def _join(path: str, name: Any) -> str:
    return f"{path}.{name}" if path else str(name)


def _fits(value: Any, typ: Type) -> bool:
    """Whether ``value`` has ``typ``'s shape at the top (AnyOf picks the first option that fits)."""
    if isinstance(typ, Scalar):
        return typ.accepts(value)
    if isinstance(typ, Section | MapOf):
        return isinstance(value, dict)
    if isinstance(typ, ListOf):
        return isinstance(value, list)
    return any(_fits(value, o) for o in typ.options)


def _check(walk: _Walk, value: Any, typ: Type, path: str) -> None:
    if isinstance(typ, AnyOf):
        option = next((o for o in typ.options if _fits(value, o)), None)
        if option is None:
            walk.fail(path, f"expected {typ.label}, got {_kind(value)}")
        else:
            _check(walk, value, option, path)
        return
    if not _fits(value, typ):
        walk.fail(path, f"expected {typ.label}, got {_kind(value)}")
        return
    if isinstance(typ, Scalar):
        if typ.choices and str(value).lower() not in typ.choices:
            walk.fail(path, f"expected {typ.label}, got {str(value)[:40]!r}")
    elif isinstance(typ, Section):
        for name, v in value.items():
            entry = typ.keys.get(name) if isinstance(name, str) else None
            if entry is None:
                _unknown(walk, path, name, list(typ.keys), "key")
            elif v is not None:
                _check(walk, v, entry.type, _join(path, name))
    elif isinstance(typ, MapOf):
        known = list(typ.names()) if typ.names else None
        for name, v in value.items():
            if known is not None and str(name) not in known:
                _unknown(walk, path, name, known, "service key")
            if v is not None:
                _check(walk, v, typ.value, _join(path, name))
    elif isinstance(typ, ListOf):
        for i, v in enumerate(value):
            _check(walk, v, typ.item, f"{path}[{i}]")


def check(value: Any, typ: Type, path: str = "") -> list[Issue]:
    walk = _Walk()
    if value is not None:
        _check(walk, value, typ, path)
    return walk.issues


def check_document(doc: Any) -> list[Issue]:
    """Every issue of a whole config file, in document order."""
    return check(doc, DOCUMENT)


def check_cluster(d: Any, path: str) -> list[Issue]:
    """The issues of one cluster's mapping (``path`` is e.g. ``clusters.lab``)."""
    return check(d, CLUSTER, path)
