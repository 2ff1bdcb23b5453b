"""How tftui authenticates to the cluster's REST APIs (config API, analytics API): the ``auth:`` key."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .config_values import ConfigError


@dataclass(frozen=True)
class AuthSpec:
    type: str = "none"  # none | keystone
    url: str | None = None  # keystone v3 base, e.g. http://10.0.0.10:5000/v3
    username: str | None = None
    password_env: str | None = None
    project: str = "admin"
    domain: str = "Default"


def http_url(value: object, where: str) -> str:
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {value!r} is not an http(s) URL")
    return text


def parse_auth(raw: object, where: str) -> AuthSpec:
    if raw is None:
        return AuthSpec()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with type: none | keystone")
    kind = str(raw.get("type", "none")).lower()
    if kind in ("none", "noauth", "no-auth"):
        return AuthSpec()
    if kind != "keystone":
        raise ConfigError(f"{where}.type: {kind!r} is not none or keystone")
    if "password" in raw:
        raise ConfigError(f"{where}.password: passwords are not read from the config; use password_env")
    for key in ("url", "username", "password_env"):
        if not raw.get(key):
            raise ConfigError(f"{where}.{key}: required for keystone auth")
    return AuthSpec("keystone", http_url(raw["url"], f"{where}.url"), str(raw["username"]), str(raw["password_env"]),
                    str(raw.get("project", "admin")), str(raw.get("domain", "Default")))
