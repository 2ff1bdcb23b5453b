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


def _next_link(body: bytes) -> tuple[str, str] | None:
    """A field linking to a ``Next...``/``...Iterate`` request carries the key of the next page (the agent's flow
    and ACL walks, the control node's next_batch), as the web UI follows them."""
    root = ET.fromstring(body)
    for m in list(root) if root.get("type") == "slist" else [root]:
        for f in m:
            target = f.get("link", "")
            if target.startswith("Next") or target.endswith("Iterate"):
                return target, (f.text or "").strip()
    return None


def _last_key(key: str) -> bool:
    """What the servers hand back when a walk is over: nothing, a start key of zeros (flows: 0-0-...-0.0.0.0,
    kernel flows: 0, either with ' evicted_set'), or an ACL key with no position after its colon ('acl:'/'acl:0')."""
    key = key.replace(" evicted_set", "")
    return not key.strip("0.-: ") or key.endswith((":", ":0"))


def call_all(base: str, request: str, values: list[str], names: list[str] | None = None,
             max_pages: int = 100) -> list[dict]:
    """Every page of a reply: after a ``Pagination`` with a ``next_page`` key, ``Snh_PageReq?x=KEY`` again; after
    a continuation link, its request with the key."""
    status, body = call(base, request, values, names)
    assert status == 200, (request, status, body[:200])
    out: list[dict] = []
    seen: set[str] = set()
    for _ in range(max_pages):
        messages = decode(body)
        out += [m for m in messages if "Pagination" not in m]
        paging = [m["Pagination"]["req"] for m in messages if "Pagination" in m]
        link = _next_link(body)
        if paging and paging[0].get("next_page"):
            url = f"{base}/Snh_PageReq?x={quote(paging[0]['next_page'], safe='')}"
        elif link is not None and not _last_key(link[1]) and link[1] not in seen:
            seen.add(link[1])
            url = f"{base}/Snh_{link[0]}?x={quote(link[1], safe='')}"
        else:
            return out
        status, _, body = get(url)
        assert status == 200
    raise AssertionError(f"{request}: more than {max_pages} pages")
