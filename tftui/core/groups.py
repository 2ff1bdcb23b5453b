"""A role group of the node tree (``control (3)``, ``vrouter (12)``) summed up for the detail pane."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .cluster import NodeResult
from .status import Health, service_health


@dataclass(frozen=True)
class GroupSummary:
    group: str
    counts: Counter  # Health -> nodes
    unhealthy: list[tuple[str, Health, str]]  # (node, its health, its worst service's status line)
    unreachable: list[tuple[str, float | None]]  # (node, seconds since it last answered; None: never did)


def group_summary(group: str, results: Iterable[NodeResult], health: Callable[[NodeResult], Health],
                  last_answered: dict[str, float], now: float, analytics_expected: bool = True) -> GroupSummary:
    counts: Counter = Counter()
    unhealthy: list[tuple[str, Health, str]] = []
    unreachable: list[tuple[str, float | None]] = []
    for r in results:
        h = health(r)
        counts[h] += 1
        if h == Health.UNREACHABLE:
            at = last_answered.get(r.name)
            unreachable.append((r.name, None if at is None else max(0.0, now - at)))
        elif h in (Health.DEGRADED, Health.UNKNOWN):
            worst = max(r.services, key=lambda s: service_health(s, analytics_expected), default=None)
            unhealthy.append((r.name, h, f"{worst.key}: {worst.status}" if worst is not None else "?"))
    unhealthy.sort(key=lambda t: (-t[1], t[0]))
    return GroupSummary(group, counts, unhealthy, unreachable)
