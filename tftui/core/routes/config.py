"""The `routers:` list of a cluster in the config file, as plain data (no file or environment reads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tftui.core.config_values import (
    ConfigError,
    JumpHost,
    optional_user,
    parse_jump,
    parse_number,
    parse_path,
    parse_port,
    validate_address,
)

KINDS = ("auto", "vyos", "frr", "quagga")
HOST_KEY_POLICIES = ("strict", "accept-new")


@dataclass(frozen=True)
class RouterSpec:
    name: str
    host: str
    port: int = 22
    username: str = "vyos"
    identity_file: str | None = None
    password_env: str | None = None  # the NAME of an environment variable, never the password
    password_prompt: bool = False
    use_agent: bool = True
    known_hosts: str | None = "~/.ssh/known_hosts"
    host_key_policy: str = "strict"
    jump: JumpHost | None = None
    kind: str = "auto"
    timeout: float = 10.0
    keepalive: float = 15.0
    refresh: float = 10.0


@dataclass(frozen=True)
class GatewaylessSpec:
    """Where the cross-check learns which networks forward on the IP fabric, and a fallback interface list."""

    networks: tuple[str, ...] | None = None  # None: ask the config API which networks have IP fabric forwarding
    hosts_file: str | None = None  # a YAML/JSON interface list, used when no vrouter agent can be asked


def parse_gatewayless(value: Any, where: str) -> GatewaylessSpec:
    if value is None:
        return GatewaylessSpec()
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping with networks and/or hosts_file")
    networks = value.get("networks")
    if networks is not None:
        if isinstance(networks, str):
            networks = [networks]
        if not isinstance(networks, list):
            raise ConfigError(f"{where}.networks: expected a list of network names")
        networks = tuple(str(n) for n in networks)
    return GatewaylessSpec(networks, parse_path(value.get("hosts_file"), f"{where}.hosts_file"))


def _num(d: dict, key: str, default: float, where: str) -> float:
    f = parse_number(d.get(key, default), f"{where}.{key}")
    if f <= 0:
        raise ConfigError(f"{where}.{key}: must be positive")
    return f


def parse_router(d: Any, where: str, default_timeout: float = 10.0) -> RouterSpec:
    if not isinstance(d, dict):
        raise ConfigError(f"{where}: expected a mapping with name, host, username, ...")
    if d.get("password"):
        raise ConfigError(f"{where}.password: passwords are never read from the config; "
                          f"use password_env: VARIABLE_NAME, ssh-agent, identity_file or password_prompt: true")
    host = d.get("host") or d.get("address")
    if not host:
        raise ConfigError(f"{where}: no host")
    kind = str(d.get("kind", "auto")).lower()
    if kind not in KINDS:
        raise ConfigError(f"{where}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    policy = str(d.get("host_key_policy", "strict")).lower()
    if policy not in HOST_KEY_POLICIES:
        raise ConfigError(f"{where}.host_key_policy: {policy!r} is not one of {', '.join(HOST_KEY_POLICIES)}")
    pw_env = d.get("password_env")
    if pw_env is not None and (not isinstance(pw_env, str) or not pw_env.replace("_", "").isalnum()):
        raise ConfigError(f"{where}.password_env: must be the name of an environment variable")
    known = d.get("known_hosts", "~/.ssh/known_hosts")
    return RouterSpec(
        name=str(d.get("name") or host), host=validate_address(host, f"{where}.host"),
        port=parse_port(d.get("port", 22), f"{where}.port"),
        username=optional_user(d.get("username"), f"{where}.username") or "vyos",
        identity_file=parse_path(d.get("identity_file"), f"{where}.identity_file"), password_env=pw_env or None,
        password_prompt=bool(d.get("password_prompt", False)), use_agent=bool(d.get("agent", True)),
        known_hosts=parse_path(known, f"{where}.known_hosts"), host_key_policy=policy,
        jump=parse_jump(d.get("jump"), f"{where}.jump"),
        kind=kind, timeout=_num(d, "timeout", default_timeout, where), keepalive=_num(d, "keepalive", 15.0, where),
        refresh=_num(d, "refresh", 10.0, where),
    )


def parse_routers(cluster_raw: Any, source: str = "config", default_timeout: float = 10.0) -> list[RouterSpec]:
    """The cluster's `routers:` list; raises ConfigError naming the key."""
    if not isinstance(cluster_raw, dict):
        return []
    items = cluster_raw.get("routers") or []
    if not isinstance(items, list):
        raise ConfigError(f"{source}.routers: expected a list")
    routers = [parse_router(d, f"{source}.routers[{i}]", default_timeout) for i, d in enumerate(items)]
    names = [r.name for r in routers]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{source}.routers: duplicate router names: {', '.join(dupes)}")
    return routers


def choose_router(routers: list[RouterSpec], name: str | None) -> RouterSpec:
    if not routers:
        raise ConfigError("no routers configured for this cluster (add a routers: list; see design.md)")
    if name is None:
        return routers[0]
    for r in routers:
        if r.name == name:
            return r
    raise ConfigError(f"no router {name!r}; known: {', '.join(r.name for r in routers)}")
