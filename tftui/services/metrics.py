"""The cluster's state as Prometheus metrics, read from a ClusterState at scrape time.

Naming, so that others can add families without clashing (docs/exporter.md):
- every family is ``tftui_<object>_<measure>`` with the unit last (``_seconds``, ``_total``);
- every per-node series has ``node`` (tftui's node name) and nothing that changes between polls
  besides the measured value — except state labels (``state``, ``status``), one series per service
  whose label moves with the state, as kube-state-metrics does;
- services are labelled as contrail-status prints them: ``pod`` and ``service`` (``vrouter``, ``agent``),
  two services on one contrail-status line showing the worse of the two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from tftui.core.status import OK_STATES

from .state import ClusterState

SERVICE = ["node", "pod", "service"]
# Replies above this are not modelled for connection metrics (a hostile 8 MB reply takes a second to decode).
CONNECTIONS_MAX_BYTES = 1024 * 1024


class ClusterCollector(Collector):
    def __init__(self, state: ClusterState, clock: Callable[[], float] = time.time):
        self.state = state
        self.clock = clock

    def collect(self) -> Iterator:
        now = self.clock()
        info = GaugeMetricFamily("tftui_node_info", "A node tftui polls (always 1), with its address and roles",
                                 labels=["node", "address", "roles"])
        reachable = GaugeMetricFamily("tftui_node_reachable", "1 if any of the node's daemons answered the last poll",
                                      labels=["node"])
        age = GaugeMetricFamily("tftui_node_last_poll_age_seconds", "Seconds since the node's last poll result",
                                labels=["node"])
        state = GaugeMetricFamily("tftui_service_state",
                                  "1 for the service's state as contrail-status prints it (state, description)",
                                  labels=[*SERVICE, "state", "description"])
        up = GaugeMetricFamily("tftui_service_up", "1 if the service is active or backup, as contrail-status says",
                               labels=SERVICE)
        reply = GaugeMetricFamily("tftui_service_reply_seconds", "Time the service's introspect took to reply",
                                  labels=SERVICE)
        conn = GaugeMetricFamily("tftui_connection_up",
                                 "1 if a connection the daemon reports in its NodeStatus (XMPP, Collector, "
                                 "Database, ...) is Up", labels=[*SERVICE, "type", "name"])
        for result in self.state.ordered():
            node = result.name
            info.add_metric([node, result.address, ",".join(result.roles)], 1)
            if not result.polled:
                continue
            reachable.add_metric([node], 1 if result.reachable else 0)
            age.add_metric([node], max(0.0, now - result.at))
            for pod, services in result.blocks().items():
                for name, s in services.items():
                    labels = [node, pod, name]
                    state.add_metric([*labels, s.state, s.description], 1)
                    up.add_metric(labels, 1 if s.state in OK_STATES else 0)
                    if s.evidence == "introspect" and s.elapsed:
                        reply.add_metric(labels, s.elapsed)
                    seen: set[tuple[str, str]] = set()
                    statuses = s.node_statuses if len(s.raw) <= CONNECTIONS_MAX_BYTES else ()
                    for ns in statuses:  # decoded on demand, kept while the reply does not change
                        for ps in ns.process_status:
                            for c in ps.connection_infos:
                                if (c.type, c.name) not in seen:
                                    seen.add((c.type, c.name))
                                    conn.add_metric([*labels, c.type, c.name], 1 if c.status == "Up" else 0)
        rounds = CounterMetricFamily("tftui_poll_rounds", "Poll rounds finished")
        rounds.add_metric([], self.state.rounds)
        last = GaugeMetricFamily("tftui_poll_round_seconds", "Duration of the last poll round")
        last.add_metric([], self.state.last_round_duration)
        yield from (info, reachable, age, state, up, reply, conn, rounds, last)
