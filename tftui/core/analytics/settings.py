"""The cluster's analytics API settings, from its own YAML mapping.

Keys (per cluster):

- ``analytics_api: URL`` — else the first node with the analytics role, ``http://ADDRESS:8081``;
- ``analytics: {verify, ca, cert, key, timeout, query_timeout, max_bytes, stale_after}`` — TLS and caps;
- ``status_source: auto | introspect | analytics`` — where node status comes from (default introspect);
- ``auth:`` — the same keystone settings as the config API (``X-Auth-Token``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tftui.core.auth import AuthSpec, http_url
from tftui.core.catalog import normalise_role
from tftui.core.inventory import DEFAULT_STATUS_SOURCE, ClusterSpec, ConfigError, TLSSettings, float_setting

from .status import DEFAULT_STALE_AFTER

ANALYTICS_PORT = 8081
DEFAULT_MAX_BYTES = 64 << 20  # a fleet's UVEs in one multi-get run to a few MB; results far less
DEFAULT_QUERY_TIMEOUT = 120.0
__all__ = ["DEFAULT_STATUS_SOURCE", "AnalyticsSettings", "analytics_settings", "status_source"]


@dataclass(frozen=True)
class AnalyticsSettings:
    url: str
    discovered: bool = False  # from the inventory's analytics nodes rather than analytics_api
    auth: AuthSpec = AuthSpec()
    timeout: float = 5.0
    query_timeout: float = DEFAULT_QUERY_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    proxy: str | None = None
    no_proxy: tuple[str, ...] = ()
    tls: TLSSettings = TLSSettings()
    stale_after: float = DEFAULT_STALE_AFTER

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def status_source(cluster: ClusterSpec) -> str:
    """The cluster's ``status_source`` (checked when the config was parsed)."""
    return cluster.status_source


def analytics_settings(cluster: ClusterSpec) -> AnalyticsSettings | None:
    """None when the cluster has neither ``analytics_api`` nor a node with the analytics role."""
    where = f"clusters.{cluster.name}"
    raw = cluster.raw.get("analytics") if isinstance(cluster.raw, dict) else None
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}.analytics: expected a mapping (verify, ca, cert, key, timeout, ...)")
    if cluster.analytics_api:
        url, discovered = http_url(cluster.analytics_api, f"{where}.analytics_api"), False
    else:
        node = next((n for n in cluster.nodes if any(normalise_role(r) == "analytics" for r in n.roles)), None)
        if node is None:
            return None
        host = f"[{node.address}]" if ":" in node.address else node.address
        url, discovered = f"http://{host}:{ANALYTICS_PORT}", True
    sub = f"{where}.analytics"
    return AnalyticsSettings(
        url=url, discovered=discovered, auth=cluster.auth,
        timeout=float_setting(raw, "timeout", max(cluster.timeout, 1.0), sub, 0.1),
        query_timeout=float_setting(raw, "query_timeout", DEFAULT_QUERY_TIMEOUT, sub, 1.0),
        max_bytes=int(float_setting(raw, "max_bytes", DEFAULT_MAX_BYTES, sub, 1024)),
        proxy=cluster.proxy, no_proxy=cluster.no_proxy,
        tls=TLSSettings(verify=bool(raw.get("verify", True)), ca=raw.get("ca"), cert=raw.get("cert"),
                        key=raw.get("key")),
        stale_after=float_setting(raw, "stale_after", DEFAULT_STALE_AFTER, sub, 1.0),
    )
