"""The ``/`` filter: substring (or regex) over name, address, roles, health and service states."""

from __future__ import annotations

import re
from collections.abc import Callable

from tftui.core.cluster import NodeResult
from tftui.services.state import ClusterState

from .styles import HEALTH_WORDS

# name -> (the result it was built from, its searchable text): rebuilt only when a node's result changes
_HAYSTACKS: dict[str, tuple[NodeResult, str]] = {}


def compile_filter(query: str, state: ClusterState) -> Callable[[NodeResult], bool] | None:
    query = query.strip()
    if not query:
        return None
    invert = query.startswith("!")
    if invert:
        query = query[1:].strip()
        if not query:
            return None
    try:
        pattern = re.compile(query, re.IGNORECASE)
        search = pattern.search
    except re.error:
        needle = query.lower()

        def search(text: str):  # not a valid regex: plain substring
            return needle in text.lower()

    def haystack(r: NodeResult) -> str:
        cached = _HAYSTACKS.get(r.name)
        if cached is not None and cached[0] is r:
            return cached[1]
        states = " ".join(f"{s.name} {s.status}" for s in r.services)
        text = f"{r.name} {r.address} {' '.join(r.roles)} {HEALTH_WORDS[state.health(r.name)]} {states}"
        _HAYSTACKS[r.name] = (r, text)
        return text

    def matches(r: NodeResult) -> bool:
        return bool(search(haystack(r))) != invert

    return matches
