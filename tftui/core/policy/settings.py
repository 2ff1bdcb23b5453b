"""The cluster's config API settings: ``config_api`` and ``auth`` from the cluster's spec."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tftui.core.auth import AuthSpec, http_url, parse_auth
from tftui.core.inventory import ClusterSpec

# AuthSpec, http_url and parse_auth live in core.auth (ClusterSpec parses ``auth:`` with them); kept importable here
__all__ = ["AuthSpec", "ConfigApiSettings", "config_api_settings", "http_url", "parse_auth"]


@dataclass(frozen=True)
class ConfigApiSettings:
    url: str
    auth: AuthSpec = AuthSpec()
    timeout: float = 5.0
    proxy: str | None = None
    no_proxy: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def config_api_settings(cluster: ClusterSpec) -> ConfigApiSettings | None:
    """None when the cluster has no ``config_api``."""
    if not cluster.config_api:
        return None
    return ConfigApiSettings(http_url(cluster.config_api, f"clusters.{cluster.name}.config_api"), cluster.auth,
                             timeout=max(cluster.timeout, 1.0), proxy=cluster.proxy, no_proxy=cluster.no_proxy)
