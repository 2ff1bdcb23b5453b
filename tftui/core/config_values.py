"""Values of the config file, checked one by one: addresses, ports, numbers, login names, file names, jump hosts.

Each function takes the value as YAML gave it and ``where`` (the key's path, for the message) and returns
the value tftui uses, or raises ConfigError naming the key. Every typed spec (nodes, routers, the
launcher's ssh settings) parses its values here, so one kind of value is checked one way everywhere.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from .agent import InvalidInput, validate_user


class ConfigError(ValueError):
    """A config that cannot be used; the message names the key and the file. ``warnings``: what the loader
    found wrong before it (printed along with the error)."""

    warnings: list[str] | tuple[str, ...] = ()


_NAME_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,253}$")


def validate_address(address: str, where: str) -> str:
    address = str(address).strip()
    try:
        ipaddress.ip_address(address)
        return address
    except ValueError:
        pass
    if not _NAME_RE.match(address) or address.startswith("-"):
        raise ConfigError(f"{where}: {address!r} is not an IP address or host name")
    return address


def parse_port(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"{where}: {value!r} is not a port number")
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{where}: {port} is out of range")
    return port


def parse_number(value: Any, where: str, minimum: float | None = None, maximum: float | None = None) -> float:
    if isinstance(value, bool):
        raise ConfigError(f"{where}: {value!r} is not a number")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a number") from None
    if minimum is not None and f < minimum:
        raise ConfigError(f"{where}: {f:g} is below the minimum {minimum:g}")
    if maximum is not None and f > maximum:
        raise ConfigError(f"{where}: {f:g} is above the maximum {maximum:g}")
    return f


def parse_user(value: Any, where: str) -> str:
    """A login name: it may end up on an ssh command line, so option-like or shell-active text is refused."""
    try:
        return validate_user(str(value))
    except InvalidInput as exc:
        raise ConfigError(f"{where}: {exc}") from None


def optional_user(value: Any, where: str) -> str | None:
    return None if value in (None, "") else parse_user(value, where)


def parse_path(value: Any, where: str) -> str | None:
    """A file name that goes into an ssh argv or an ssh config line (quoted there): no quote, newline or
    leading dash."""
    if value in (None, ""):
        return None
    text = str(value)
    if any(c in text for c in '\n\r\0"') or text.startswith("-"):
        raise ConfigError(f"{where}: {text[:60]!r} is not a usable file name")
    return text


@dataclass(frozen=True)
class JumpHost:
    """A bastion in front of the hosts tftui logs into; settings it leaves unset come from the hop behind it."""

    host: str
    port: int = 22
    username: str | None = None
    identity_file: str | None = None
    known_hosts: str | None = None

    def spec(self) -> str:
        return hop_spec(self.host, self.port, self.username)


def hop_spec(host: str, port: int = 22, user: str | None = None) -> str:
    """``user@host:port`` as OpenSSH's ``-J`` takes it (IPv6 in brackets)."""
    h = f"[{host}]" if ":" in host else host
    out = f"{user}@{h}" if user else h
    return f"{out}:{port}" if port != 22 else out


def parse_jump(value: Any, where: str) -> JumpHost | None:
    """``[user@]host[:port]`` (``[v6]:port``), or a mapping {host, port, username, identity_file, known_hosts}."""
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        host = value.get("host")
        if not host:
            raise ConfigError(f"{where}: no host")
        return JumpHost(validate_address(str(host), f"{where}.host"), parse_port(value.get("port", 22), f"{where}.port"),
                        optional_user(value.get("username"), f"{where}.username"),
                        parse_path(value.get("identity_file"), f"{where}.identity_file"),
                        parse_path(value.get("known_hosts"), f"{where}.known_hosts"))
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected user@host[:port] or a mapping")
    user, _, rest = value.rpartition("@") if "@" in value else ("", "", value)
    port: Any = 22
    if rest.startswith("["):
        host, _, tail = rest[1:].partition("]")
        if tail.startswith(":"):
            port = tail[1:]
    elif rest.count(":") == 1:
        host, port = rest.split(":")
    else:
        host = rest
    if not host:
        raise ConfigError(f"{where}: no host")
    return JumpHost(validate_address(host, where), parse_port(port, f"{where}.port"),
                    optional_user(user, f"{where}.username"))
