"""Which proxy, if any, a request to a cluster host goes through.

Environment proxies are ignored on purpose (a jump host's ``http_proxy`` broke the seed's API
traffic); only the cluster's own ``proxy:`` counts, and ``no_proxy`` exempts hosts from it.
"""

from __future__ import annotations

import ipaddress


def _matches(host: str, pattern: str) -> bool:
    pattern = pattern.strip().lower()
    if not pattern:
        return False
    if pattern == "*":
        return True
    pattern = pattern.split(":", 1)[0] if pattern.count(":") == 1 else pattern
    try:
        net = ipaddress.ip_network(pattern, strict=False)
        try:
            return ipaddress.ip_address(host) in net
        except ValueError:
            return False
    except ValueError:
        pass
    pattern = pattern.lstrip("*").lstrip(".")
    return host == pattern or host.endswith("." + pattern)


def proxy_for(host: str, proxy: str | None, no_proxy: tuple[str, ...] | list[str] = ()) -> str | None:
    if not proxy:
        return None
    host = host.strip("[]").lower()
    if any(_matches(host, p) for entry in no_proxy for p in str(entry).split(",")):
        return None
    return proxy
