"""Which release layout a node has (core/catalog.py's ``Layout``), decided from what answered on it.

Per split, the evidence in order of weight:

1. a nodemgr only the newer release runs answered (config-database 8112; analytics-alarm 8113 or
   analytics-snmp 8114), or the analytics API reports its NodeStatus: the split is there;
2. an answering nodemgr's ``process_info`` lists the processes of its own pod: the config nodemgr listing
   cassandra/zookeeper/rabbitmq, the analytics nodemgr listing query-engine or alarm-gen, or the database
   nodemgr listing kafka or zookeeper says the older layout; the database nodemgr listing query-engine
   says the newer one;
3. what the node's last result decided by evidence (a nodemgr that stops answering does not change the
   release);
4. that newer-only nodemgr refused the connection: the older layout (nothing listens there on 5.0);
5. nothing at all (a node never seen, timing out): the newer layout, today's releases'.

Only the splits a node's roles touch are decided; the others keep the newer layout.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .analytics.status import EVIDENCE as ANALYTICS_EVIDENCE
from .catalog import ANALYTICS, CONFIG_DATABASE, MODERN, SPLIT_NODEMGRS, Layout, normalise_role
from .status import FetchKind, FetchResult, ServiceState

# which roles make a split matter on a node
SPLIT_ROLES = {CONFIG_DATABASE: frozenset({"config_database"}),
               ANALYTICS: frozenset({"analytics", "analytics_database", "analytics_alarm", "analytics_snmp"})}

# (nodemgr key, processes that nodemgr lists only in the older layout, only in the newer one)
POD_PROCESSES = {
    CONFIG_DATABASE: (("config-nodemgr", {"cassandra", "zookeeper", "rabbitmq"}, set()),),
    ANALYTICS: (("analytics-nodemgr", {"contrail-query-engine", "contrail-alarm-gen"}, set()),
                ("database-nodemgr", {"kafka", "zookeeper"}, {"contrail-query-engine"})),
}


@dataclass(frozen=True)
class Evidence:
    split: str
    newer: bool  # the split is there
    why: str


def _from_answers(split: str, fetches: dict[str, FetchResult], states: dict[str, ServiceState]) -> Evidence | None:
    for key in SPLIT_NODEMGRS[split]:
        f = fetches.get(key)
        if f is not None and f.connected:
            return Evidence(split, True, f"{key} answered")
        st = states.get(key)
        if st is not None and st.evidence == ANALYTICS_EVIDENCE:  # analytics has its NodeStatus: it runs
            return Evidence(split, True, f"analytics reports {key}")
    return None


def _from_processes(split: str, states: dict[str, ServiceState]) -> Evidence | None:
    for key, older, newer in POD_PROCESSES[split]:
        st = states.get(key)
        if st is None:
            continue
        listed = {p.process_name for ns in st.node_statuses for p in ns.process_info}
        if listed & newer:
            return Evidence(split, True, f"{key} lists {', '.join(sorted(listed & newer))}")
        if listed & older:
            return Evidence(split, False, f"{key} lists {', '.join(sorted(listed & older))}")
    return None


def _from_refusals(split: str, fetches: dict[str, FetchResult]) -> Evidence | None:
    refused = [k for k in SPLIT_NODEMGRS[split] if (f := fetches.get(k)) is not None and f.kind is FetchKind.REFUSED]
    return Evidence(split, False, f"{refused[0]} refused") if refused else None


def decide_layout(roles: tuple[str, ...] | list[str], fetches: dict[str, FetchResult],
                  states: dict[str, ServiceState], previous: tuple[Evidence, ...] = ()
                  ) -> tuple[Layout, tuple[Evidence, ...]]:
    """The layout of a node with ``roles`` from this round's fetches and introspect states (by service key), and
    per split decided the evidence it went by; ``previous`` is that evidence from the node's last result."""
    have = {normalise_role(r) for r in roles}
    before = {e.split: e for e in previous}
    layout, evidence = MODERN, []
    for split, split_roles in SPLIT_ROLES.items():
        if not have & split_roles:
            continue
        found = _from_answers(split, fetches, states) or _from_processes(split, states)
        if found is None and split in before:
            last = before[split]
            found = last if last.why.endswith("(as last decided)") else Evidence(split, last.newer,
                                                                                 f"{last.why} (as last decided)")
        found = found or _from_refusals(split, fetches)
        if found is None:
            continue
        evidence.append(found)
        layout = replace(layout, **{split: found.newer})
    return layout, tuple(evidence)
