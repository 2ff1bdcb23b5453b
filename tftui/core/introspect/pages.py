"""The pages an introspect server describes itself with: ``/`` (its modules) and ``/<module>.xml`` (their requests).

The C++ server builds ``/`` from the ``.xml`` files it registered (sorted by name, one ``<a>`` per line);
pysandesh writes one line and labels each link without ``.xml``. A module page is what the Sandesh
compiler's html generator writes: the stylesheet PI, ``<module type="rlist">``, then per request
``<Req type="sandesh">`` with one ``<field type="T">0</field>`` per base-type field in declaration order
(lists left out, structs nested). Reading takes both shapes and anything close; the browser and
``tftui introspect`` use it against real servers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..sandesh import SandeshError, children, parse_document
from .daemons import ServerKind
from .defs import Field, RequestDef

MAX_PAGE_BYTES = 2 * 1024 * 1024
_MODULE_LINK = re.compile(rb"""href\s*=\s*["']/?([A-Za-z0-9_.\-]+)\.xml["']""")
_PI = '<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>'


class PageError(ValueError):
    """A page that is not an introspect index or module page."""


# ------------------------------------------------------------------------------------ index page


def render_index(title: str, modules: Iterable[str], kind: ServerKind = ServerKind.CPP) -> bytes:
    names = sorted(f"{m}.xml" for m in modules)
    head = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/'
            'xhtml1-strict.dtd">')
    if kind is ServerKind.PYTHON:
        links = "".join(f'<a href="{n}">{n[:n.find(".")]}</a><br/>' for n in names)
        return (f'{head}<html xmlns="http://www.w3.org/1999/xhtml"><head><link href="css/style.css" '
                f'rel="stylesheet" type="text/css"/><title>{title}</title></head><body><h1>Modules for {title}</h1>'
                f"{links}").encode()
    lines = [head, '<html xmlns="http://www.w3.org/1999/xhtml">',
             f'<head><link href="css/style.css" rel="stylesheet" type="text/css"/><title>{title}</title></head><body>',
             f"<h1>Modules for {title}</h1>", *(f'<a href="{n}">{n}</a><br/>' for n in names), "</body></html>"]
    return ("\n".join(lines) + "\n").encode()


def parse_index(body: bytes) -> list[str]:
    """The module names an index page links to (``agent.xml`` -> ``agent``), in page order, once each."""
    if len(body) > MAX_PAGE_BYTES:
        raise PageError(f"index page too large ({len(body)} bytes)")
    names = [m.group(1).decode() for m in _MODULE_LINK.finditer(body)]
    if not names and b"<html" not in body.lower():
        raise PageError("not an introspect index page")
    return list(dict.fromkeys(names))


# ------------------------------------------------------------------------------------ module pages


def _field_xml(field: Field) -> str:
    if field.bindable:
        return f'<{field.name} type="{field.type}">0</{field.name}>'
    if field.type.startswith(("list<", "map<", "set<")):
        return ""  # the generator leaves containers out of the form
    return f'<{field.name} type="struct"><{field.type}></{field.type}></{field.name}>'


def render_module_page(module: str, requests: Iterable[RequestDef]) -> bytes:
    parts = [_PI, "\n", f'<{module} type="rlist">', "\n"]
    for req in requests:
        parts += [f'<{req.name} type="sandesh">', "\n", *(_field_xml(f) for f in req.fields), f"</{req.name}>", "\n"]
    parts += [f"</{module}>", "\n"]
    return "".join(parts).encode()


def parse_module_page(body: bytes) -> list[RequestDef]:
    """The requests of a module page, fields in page order (declaration order). Identifiers are not on the
    page: a field's position stands in for it."""
    try:
        root = parse_document(body, MAX_PAGE_BYTES)
    except SandeshError as exc:
        raise PageError(f"module page unreadable: {exc}") from None
    if root.get("type") != "rlist":
        raise PageError(f"not a module page (root <{root.tag}> is not an rlist)")
    out = []
    for el in children(root):
        if el.get("type") != "sandesh":
            continue
        fields = []
        for i, f in enumerate(children(el), start=1):
            ftype = f.get("type", "string")
            if ftype == "struct":
                inner = children(f)
                ftype = inner[0].tag if inner else "struct"
            fields.append(Field(i, ftype, f.tag))
        out.append(RequestDef(el.tag, root.tag, tuple(fields)))
    return out
