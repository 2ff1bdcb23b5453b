"""The `routers:` list of a cluster in the config file, as plain data (no file or environment reads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tftui.core.agent import InvalidInput, validate_user
from tftui.core.inventory import ConfigError, validate_address

KINDS = ("auto", "vyos", "frr", "quagga")
HOST_KEY_POLICIES = ("strict", "accept-new")


@dataclass(frozen=True)
class JumpSpec:
    host: str
    port: int = 22
    username: str | None = None
    identity_file: str | None = None
    known_hosts: str | None = None


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
    jump: JumpSpec | None = None
    kind: str = "auto"
    timeout: float = 10.0
    keepalive: float = 15.0
    refresh: float = 10.0


def _port(v: Any, where: str) -> int:
    try:
        port = int(v)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {v!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{where}: {port} is out of range")
    return port


def _num(d: dict, key: str, default: float, where: str) -> float:
    v = d.get(key, default)
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}.{key}: {v!r} is not a number") from None
    if f <= 0:
        raise ConfigError(f"{where}.{key}: must be positive")
    return f


def _user(v: Any, where: str) -> str | None:
    """Login names as OpenSSH takes them: asyncssh never hands them to a shell, but a router's name may end up
    in a pasted `ssh` line, so option-like or shell-active text is refused here like everywhere else."""
    if v in (None, ""):
        return None
    try:
        return validate_user(str(v))
    except InvalidInput as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _jump(v: Any, where: str) -> JumpSpec | None:
    if v in (None, ""):
        return None
    if isinstance(v, str):  # [user@]host[:port]
        user, _, hostport = v.rpartition("@")
        host, _, port = hostport.partition(":") if hostport.count(":") == 1 else (hostport, "", "")
        return JumpSpec(validate_address(host, where), _port(port, where) if port else 22, _user(user, f"{where}.username"))
    if isinstance(v, dict):
        host = v.get("host")
        if not host:
            raise ConfigError(f"{where}: no host")
        return JumpSpec(validate_address(host, f"{where}.host"), _port(v.get("port", 22), f"{where}.port"),
                        _user(v.get("username"), f"{where}.username"), v.get("identity_file"), v.get("known_hosts"))
    raise ConfigError(f"{where}: expected user@host[:port] or a mapping")


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
        port=_port(d.get("port", 22), f"{where}.port"), username=_user(d.get("username"), f"{where}.username") or "vyos",
        identity_file=d.get("identity_file") or None, password_env=pw_env or None,
        password_prompt=bool(d.get("password_prompt", False)), use_agent=bool(d.get("agent", True)),
        known_hosts=str(known) if known else None, host_key_policy=policy, jump=_jump(d.get("jump"), f"{where}.jump"),
        kind=kind, timeout=_num(d, "timeout", default_timeout, where), keepalive=_num(d, "keepalive", 15.0, where),
        refresh=_num(d, "refresh", 10.0, where),
    )


def parse_routers(cluster_raw: Any, source: str = "config", default_timeout: float = 10.0) -> list[RouterSpec]:
    """The cluster's `routers:` list; raises ConfigError naming the key."""
    if not isinstance(cluster_raw, dict):
        return []
    items = cluster_raw.get("routers") or []
    if not isinstance(items, list):
        raise ConfigError(f"{source}: routers: expected a list")
    routers = [parse_router(d, f"{source}: routers[{i}]", default_timeout) for i, d in enumerate(items)]
    names = [r.name for r in routers]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{source}: duplicate router names: {', '.join(dupes)}")
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
