"""An hour of history for the lab's stat tables, and flow records for its pods when export is on.

Stat rows use the query engine's column names: ``StatTable.VrouterStatsAgent.flow_rate`` one point a minute
per vrouter; ``StatTable.EndpointSecurityStats.eps.client`` per pod interface, keyed ``eps.__key`` =
``<firewall policy fq-name>:<rule uuid>`` as the agent exports it (tf-controller ``interface.sandesh``).
"""

from __future__ import annotations

import hashlib

from .state import AnalyticsState
from .uves import now_us, reporting

MINUTE_US = 60_000_000
K8S_POLICY = "default-policy-management:k8s-default-network-policy"
ALLOW_RULE = "c1d9f2d4-5f8b-4d9a-9f3e-6a1b2c3d4e5f"
DENY_RULE = "00000000-0000-0000-0000-000000000001"  # the implicit deny's well-known rule UUID


def _h(*parts: str) -> int:
    return int(hashlib.md5("/".join(parts).encode()).hexdigest()[:8], 16)


def seed_history(state: AnalyticsState) -> None:
    topo = state.topo
    now = now_us()
    start = now - 60 * MINUTE_US
    flow_rate = []
    for vr in topo.vrouters():
        if not reporting(vr):
            continue
        base = 40 + _h(vr.name) % 200
        for i in range(60):
            t = start + i * MINUTE_US
            active = base + (i * 7 + _h(vr.name, str(i)) % 11) % 23
            flow_rate.append({"T": t, "T=": t, "Source": vr.name, "name": vr.name, "flow_rate.active_flows": active,
                              "flow_rate.added_flows": 5 + i % 4, "flow_rate.deleted_flows": 4 + i % 5,
                              "flow_rate.max_flow_adds_per_second": 2 + i % 3})
    state.tables.stats["StatTable.VrouterStatsAgent.flow_rate"] = flow_rate
    eps = []
    for itf in topo.interfaces:
        if itf.kind != "pod" or not reporting(topo.node(itf.vrouter)):
            continue
        name = ":".join(itf.network.split(":")[:2] + [itf.vmi_uuid])
        h = _h(itf.vmi_uuid)
        for rule, action in ((ALLOW_RULE, "pass"), (DENY_RULE, "deny")):
            eps.append({"T": now - (h % 50) * MINUTE_US, "Source": itf.vrouter, "name": name,
                        "eps.__key": f"{K8S_POLICY}:{rule}", "eps.client.action": action,
                        "eps.client.app": itf.labels.get("app", ""), "eps.client.local_vn": itf.network,
                        "eps.client.remote_vn": itf.network, "eps.client.in_pkts": 10 + h % 90,
                        "eps.client.in_bytes": (10 + h % 90) * 98, "eps.client.out_pkts": 9 + h % 80,
                        "eps.client.out_bytes": (9 + h % 80) * 98, "eps.client.added": 1, "eps.client.deleted": 1,
                        "eps.client.active": 0})
    state.tables.stats["StatTable.EndpointSecurityStats.eps.client"] = eps
    pods = [i for i in topo.interfaces if i.kind == "pod"]
    for a, b in zip(pods, pods[1:4], strict=False):
        for k, (action, reason) in enumerate((("pass", ""), ("drop", "Policy"))):
            state.tables.flows.record(
                vrouter=a.vrouter, source_vn=a.network, source_ip=a.ip, sport=40000 + k, dest_vn=b.network,
                dest_ip=b.ip, dport=80 if k == 0 else 22, protocol=6, action=action, drop_reason=reason,
                setup_time=now - (5 + k) * MINUTE_US, teardown_time=now - (4 + k) * MINUTE_US, bytes=4096 * (1 - k),
                packets=12 if k == 0 else 3, vmi=a.vmi_uuid, uuid=f"{_h(a.ip, b.ip, str(k)):08x}-lab",
                sg_rule_uuid=DENY_RULE if k else "", vrouter_ip=topo.node(a.vrouter).address)
