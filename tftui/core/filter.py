"""The `/` filter every view uses, one syntax everywhere.

A query is matched case-insensitively against a row's text: as a regular expression when it uses regex
syntax, as a plain substring otherwise. Dots alone do not make a regex (``10.0.1.5`` finds that address,
not ``10x0y1z5``), and a query that is not a valid regex is a substring. A leading ``!`` keeps the rows
that do *not* match. An empty query (or a bare ``!``) filters nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_REGEX_SYNTAX = re.compile(r"[\\^$*+?()\[\]{}|]")

Matcher = Callable[[str], bool]


@dataclass(frozen=True)
class _Query:
    invert: bool
    search: Callable[[str], object] | None  # a compiled regex's search, or None for a substring
    needle: str  # the substring, lower case


def _parse(query: str) -> _Query | None:
    query = query.strip()
    invert = query.startswith("!")
    if invert:
        query = query[1:].strip()
    if not query:
        return None
    search = None
    if _REGEX_SYNTAX.search(query):
        try:
            search = re.compile(query, re.IGNORECASE).search
        except re.error:  # not a valid regex: a substring
            search = None
    return _Query(invert, search, query.lower())


def compile_filter(query: str, lowered: bool = False) -> Matcher | None:
    """A predicate over a row's text, or None when the query filters nothing. With ``lowered`` the texts
    given to it are already in lower case (views cache them so), which saves a copy per row and keystroke."""
    q = _parse(query)
    if q is None:
        return None
    search = q.search
    needle = q.needle
    if search is None:
        def search(text: str) -> bool:
            return needle in (text if lowered else text.lower())
    if q.invert:
        return lambda text: not search(text)
    return lambda text: bool(search(text))


def filter_indices(texts: list[str], query: str, candidates: list[int] | None = None) -> list[int] | None:
    """Indices (from ``candidates``, default all) of the lower-cased ``texts`` the query keeps, in order; None
    when the query filters nothing. One loop per case, no call per text: 200k route keys in tens of ms."""
    q = _parse(query)
    if q is None:
        return None
    indices: range | list[int] = range(len(texts)) if candidates is None else candidates
    if q.search is not None:
        search = q.search
        if q.invert:
            return [i for i in indices if not search(texts[i])]
        return [i for i in indices if search(texts[i])]
    needle = q.needle
    if q.invert:
        return [i for i in indices if needle not in texts[i]]
    return [i for i in indices if needle in texts[i]]


def narrows(old: str, new: str) -> bool:
    """Whether every text ``new`` keeps was kept by ``old`` (typing on at the end of a plain substring), so
    filtering can start from what ``old`` kept."""
    old, new = old.strip(), new.strip()
    return (bool(old) and new.startswith(old) and not old.startswith("!")
            and not _REGEX_SYNTAX.search(new))
