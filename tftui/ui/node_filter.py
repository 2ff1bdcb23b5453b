"""The node tree's `/`: the one filter syntax (core/filter.py) over a node's name, address, roles, health
and service states."""

from __future__ import annotations

from collections.abc import Callable

from tftui.core.cluster import NodeResult
from tftui.core.filter import compile_filter
from tftui.services.state import ClusterState

from .styles import HEALTH_WORDS

# name -> (the result it was built from, its searchable text): rebuilt only when a node's result changes
_HAYSTACKS: dict[str, tuple[NodeResult, str]] = {}


def node_text(r: NodeResult, state: ClusterState) -> str:
    """What `/` matches for a node, in lower case."""
    cached = _HAYSTACKS.get(r.name)
    if cached is not None and cached[0] is r:
        return cached[1]
    states = " ".join(f"{s.name} {s.status}" for s in r.services)
    text = f"{r.name} {r.address} {' '.join(r.roles)} {HEALTH_WORDS[state.health(r.name)]} {states}".lower()
    _HAYSTACKS[r.name] = (r, text)
    return text


def node_matcher(query: str, state: ClusterState) -> Callable[[NodeResult], bool] | None:
    matches = compile_filter(query, lowered=True)
    if matches is None:
        return None
    return lambda r: matches(node_text(r, state))
