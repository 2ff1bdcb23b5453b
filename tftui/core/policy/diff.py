"""What will be sent, shown as a diff of the old and new body (only the keys being written)."""

from __future__ import annotations

import difflib
import json
from typing import Any

_NOISE = ("uuid", "href", "parent_href", "id_perms", "perms2", "parent_uuid")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in sorted(value.items()) if k not in _NOISE and v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _lines(value: Any) -> list[str]:
    return json.dumps(_clean(value), indent=2, sort_keys=True).splitlines()


def render_diff(title: str, old: dict | None, new: dict | None) -> str:
    """A unified diff of the fields in ``new`` against the same fields of ``old``.

    ``old=None`` is a create, ``new=None`` a delete. Refs are compared by ``to`` only, so the
    uuids and hrefs the server adds do not show as changes.
    """
    if new is None:
        return f"DELETE {title}\n" + "\n".join(f"- {line}" for line in _lines(_strip_refs(old or {})))
    if old is None:
        return f"CREATE {title}\n" + "\n".join(f"+ {line}" for line in _lines(_strip_refs(new)))
    keys = sorted(new)
    before = {k: _strip_refs(old).get(k) for k in keys}
    after = {k: _strip_refs(new).get(k) for k in keys}
    diff = list(difflib.unified_diff(_lines(before), _lines(after), "current", "to send", lineterm="", n=2))
    if not diff:
        return f"UPDATE {title}\n(no change)"
    return f"UPDATE {title}\n" + "\n".join(diff)


def _strip_refs(obj: dict) -> dict:
    out = {}
    for k, v in obj.items():
        if k.endswith("_refs") and isinstance(v, list):
            out[k] = [{"to": r.get("to"), **({"attr": r["attr"]} if r.get("attr") else {})} for r in v]
        else:
            out[k] = v
    return out


def is_noop(old: dict | None, new: dict) -> bool:
    if old is None:
        return False
    o, n = _strip_refs(old), _strip_refs(new)
    return all(_clean(o.get(k)) == _clean(n[k]) for k in n)
