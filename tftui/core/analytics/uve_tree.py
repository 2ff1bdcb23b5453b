"""One UVE as the lines of a tree (struct, its attributes, their elements), flat or raw, for the UVE browser.

A flat UVE (``?flat``) holds plain JSON, and an attribute the sources disagree on is a list of
``[value, "host:NodeType:module:instance"]`` pairs; a raw one holds Sandesh-typed values
(``{"@type": "u64", "#text": "5"}``, lists as ``{"@type": "list", "list": {"element": [...]}}``), whose types are
kept for display. Each line carries what the `/` filter matches: its path and value, and for a struct or list
everything under it too, so a filter keeps the branches that lead to what it found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .uve import _short, is_conflict

# an element of a list of structs is named by the first of these it has ("[0] contrail-vrouter-agent")
_NAME_KEYS = ("name", "module_id", "process_name", "type", "partition_name")


@dataclass(frozen=True)
class UveLine:
    path: str  # NodeStatus.process_status[0].state
    depth: int
    label: str  # the last step: "state", "[0] contrail-api", "NodeStatus"
    value: str = ""  # "" for a struct or list
    kind: str = ""  # the Sandesh type of a raw UVE's value (string, u64, list, struct); "" when flat
    container: bool = False
    conflict: bool = False  # sources disagree (flat): value lists each source's
    search: str = ""  # lower case: what `/` matches


def uve_tree(doc: Any) -> list[UveLine]:
    """The UVE's structs, in order, each followed by what it holds (depth-first)."""
    lines: list[UveLine] = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            _walk(lines, value, str(key), str(key), 0)
    return lines


def _typed(value: Any) -> bool:
    return isinstance(value, dict) and "@type" in value


def _element_name(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    for key in _NAME_KEYS:
        v = value.get(key)
        if _typed(v):
            v = v.get("#text")
        if isinstance(v, str) and v:
            return v
    return ""


def _children(value: Any) -> list[tuple[str, str, Any]] | None:
    """(path step, label, child) for a struct or list; None for a leaf."""
    if _typed(value):
        if "#text" in value:
            return None
        if value["@type"] == "list" and isinstance(value.get("list"), dict):
            inner = [v for k, v in value["list"].items() if not k.startswith("@")]
            elems = inner[0] if len(inner) == 1 else inner
            elems = elems if isinstance(elems, list) else [elems]
            return [(f"[{i}]", _item_label(i, e), e) for i, e in enumerate(elems)]
        return [(f".{k}", k, v) for k, v in value.items() if not k.startswith("@")]
    if is_conflict(value):
        return None
    if isinstance(value, dict):
        return [(f".{k}", str(k), v) for k, v in value.items()] if value else None
    if isinstance(value, list) and any(isinstance(x, dict | list) for x in value):
        return [(f"[{i}]", _item_label(i, e), e) for i, e in enumerate(value)]
    return None


def _item_label(i: int, element: Any) -> str:
    name = _element_name(element)
    return f"[{i}] {name}" if name else f"[{i}]"


def _leaf_value(value: Any) -> tuple[str, str, bool]:
    """(text, Sandesh type, sources disagree) of a leaf."""
    if _typed(value):
        text = value.get("#text")
        return ("" if text is None else str(text)), str(value["@type"]), False
    if is_conflict(value):
        return " | ".join(f"{_short(p[0])} from {p[1]}" for p in value), "", True
    if isinstance(value, dict):
        return "{}", "", False
    return _short(value), "", False


def _walk(lines: list[UveLine], value: Any, path: str, label: str, depth: int) -> str:
    """Append the lines of ``value``; returns its search text."""
    children = _children(value)
    if children is None:
        text, kind, conflict = _leaf_value(value)
        search = f"{path} {text}".lower()
        lines.append(UveLine(path, depth, label, text, kind, conflict=conflict, search=search))
        return search
    at = len(lines)
    lines.append(UveLine(path, depth, label))  # replaced once what it holds is known
    found = [_walk(lines, child, path + step, child_label, depth + 1) for step, child_label, child in children]
    search = " ".join([path.lower(), *found])
    kind = str(value["@type"]) if _typed(value) else ""
    is_list = isinstance(value, list) or kind == "list"
    lines[at] = UveLine(path, depth, label, f"{len(children)} item(s)" if is_list else "", kind, container=True,
                        search=search)
    return search
