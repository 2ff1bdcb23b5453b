"""Building the cross-check's input from whatever lists interfaces: agent ItfReq rows, the config API, a file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .crosscheck import ExpectedHost


def _short(vn: str) -> str:
    return vn.split(":")[-1]


def expected_hosts(rows: Iterable[dict[str, Any]], iff_networks: Iterable[str] | None = None,
                   names: dict[str, str] | None = None) -> tuple[list[ExpectedHost], list[str]]:
    """Rows with vm_name, ip, vrouter_address, network (fq name or short), optional vrouter (its node name) and
    ip_fabric_forwarding.

    iff_networks, when given, decides which networks forward on the IP fabric (by fq name or short name);
    otherwise each row's own ip_fabric_forwarding flag does (default: true). ``names`` (address -> node name)
    names the vrouters of rows that give only an address. Returns hosts and problems.
    """
    names = names or {}
    iff = None if iff_networks is None else {str(n) for n in iff_networks} | {_short(str(n)) for n in iff_networks}
    hosts: list[ExpectedHost] = []
    problems: list[str] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append(f"entry {i}: not a mapping")
            continue
        missing = [k for k in ("ip", "vrouter_address") if not row.get(k)]
        if missing:
            problems.append(f"entry {i}: no {', '.join(missing)}")
            continue
        network = str(row.get("network") or "")
        flag = (network in iff or _short(network) in iff) if iff is not None else bool(row.get("ip_fabric_forwarding", True))
        address = str(row["vrouter_address"])
        vrouter = str(row["vrouter"]) if row.get("vrouter") else names.get(address)
        hosts.append(ExpectedHost(str(row.get("vm_name") or row["ip"]), str(row["ip"]), address, network, flag, vrouter))
    return hosts, problems
