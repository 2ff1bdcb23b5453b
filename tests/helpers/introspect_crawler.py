"""A generic introspect client written from the protocol alone, as third-party tools are: urllib, the index
page's links, the module pages' forms, positional query parameters, and a Sandesh decoder of its own
(ElementTree; nothing from tftui). The lab must give it what it gives tftui.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import quote

_LINK = re.compile(r'href="([^"]+)\.xml"')
_INTS = {"byte", "i16", "i32", "i64", "u16", "u32", "u64"}


def get(url: str, timeout: float = 5.0) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback lab URLs only
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def modules(base: str) -> list[str]:
    status, _, body = get(base + "/")
    assert status == 200, (base, status)
    return _LINK.findall(body.decode())


def module_requests(base: str, module: str) -> list[tuple[str, list[str]]]:
    """(request, field names) in page order."""
    status, _, body = get(f"{base}/{module}.xml")
    assert status == 200, (base, module, status)
    root = ET.fromstring(body)
    assert root.tag == module and root.get("type") == "rlist"
    return [(req.tag, [f.tag for f in req]) for req in root if req.get("type") == "sandesh"]


def call(base: str, request: str, values: list[str], names: list[str] | None = None) -> tuple[int, bytes]:
    """``values`` by position; each under ``names[i]`` when given, else under a made-up name."""
    names = names or [f"p{i}" for i in range(len(values))]
    query = "&".join(f"{n}={quote(v, safe='')}" for n, v in zip(names, values, strict=True))
    status, _, body = get(f"{base}/Snh_{request}" + (f"?{query}" if query else ""))
    return status, body


def _value(el: ET.Element):
    t = el.get("type", "string")
    if t == "struct":
        inner = list(el)
        return _struct(inner[0]) if inner else {}
    if t in ("list", "slist"):
        inner = list(el)
        if not inner:
            return []
        holder = inner[0]
        return [_scalar(holder.get("type"), i.text) if i.tag == "element" else _struct(i) for i in holder]
    if t == "map":
        holder = list(el)[0] if list(el) else None
        if holder is None:
            return {}
        items = list(holder)
        return {_scalar(holder.get("key"), k.text): (_scalar(holder.get("value"), v.text) if v.tag == "element"
                                                      else _struct(v)) for k, v in zip(items[::2], items[1::2], strict=False)}
    return _scalar(t, el.text)


def _scalar(t: str | None, text: str | None):
    text = text or ""
    if t in _INTS:
        return int(text)
    if t == "double":
        return float(text)
    if t == "bool":
        return text == "true"
    return text


def _struct(el: ET.Element) -> dict:
    return {c.tag: _value(c) for c in el}


def decode(body: bytes) -> list[dict]:
    """``[{"Resp": {field: value}}]`` per message, the Sandesh base's ``more`` flag left out."""
    root = ET.fromstring(body)
    messages = list(root) if root.get("type") == "slist" else [root]
    out = []
    for m in messages:
        assert m.get("type") == "sandesh", m.tag
        out.append({m.tag: {k: v for k, v in _struct(m).items() if k != "more"}})
    return out


def call_all(base: str, request: str, values: list[str], names: list[str] | None = None,
             max_pages: int = 100) -> list[dict]:
    """Every page of a reply: after a ``Pagination`` with a ``next_page`` key, ``Snh_PageReq?x=KEY`` again."""
    status, body = call(base, request, values, names)
    assert status == 200, (request, status, body[:200])
    out: list[dict] = []
    for _ in range(max_pages):
        messages = decode(body)
        out += [m for m in messages if "Pagination" not in m]
        paging = [m["Pagination"]["req"] for m in messages if "Pagination" in m]
        if not paging or not paging[0].get("next_page"):
            return out
        status, _, body = get(f"{base}/Snh_PageReq?x={quote(paging[0]['next_page'], safe='')}")
        assert status == 200
    raise AssertionError(f"{request}: more than {max_pages} pages")
