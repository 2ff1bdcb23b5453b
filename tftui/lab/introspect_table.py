"""The lab's introspect requests, one registry on core's request table: handlers, pages, routing answers.

A lab part serves a request with::

    @serves("VrfListReq")
    def vrf_list(lab, node, svc, args) -> bytes: ...

``args`` are the request's fields in declaration order, bound from the query exactly as that daemon's real
server binds them (C++: by position; Python: by name). The request is served on every service whose
modules (core/introspect/daemons.py) include its module, and from then on it is also listed on that
daemon's index page and module page; nothing else has to be told.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tftui.core.catalog import ServiceDef
from tftui.core.introspect import (
    MODULES,
    Args,
    RequestDef,
    ServerKind,
    daemon_name,
    find,
    modules_of,
    server_kind,
)
from tftui.core.introspect.pages import render_index, render_module_page
from tftui.core.sandesh import F, encode_document

# (lab, node, service, args) -> the reply body; the lab and node are the lab's own objects.
LabHandler = Callable[[Any, Any, ServiceDef, Args], bytes | Awaitable[bytes]]


@dataclass(frozen=True)
class LabRequest:
    req: RequestDef
    handler: LabHandler
    services: frozenset[str] | None  # None: every service whose modules include the request's module


# (module, request, services) -> how the lab answers it; services None: every daemon with the module
_SERVED: dict[tuple[str, str, frozenset[str] | None], LabRequest] = {}
_BY_SERVICE: dict[str, dict[str, LabRequest]] = {}  # what served_on computed, per service (every request looks)


def serves(request: str, module: str | None = None, services: Iterable[str] | None = None):
    """Register the decorated function as the lab's answer to ``request`` (a name in core's table), on every
    service whose modules include the request's module, or only on ``services`` (the control node's and
    the agent's ``ShowXmppConnectionReq`` differ: a handler for each, the more specific one wins)."""
    req = find(request) if module is None else MODULES[module].requests.get(request) if module in MODULES else None
    if req is None:
        raise LookupError(f"{request} is not in core's request table (tftui/core/introspect)")
    only = frozenset(services) if services is not None else None

    def register(fn: LabHandler) -> LabHandler:
        _SERVED[(req.module, req.name, only)] = LabRequest(req, fn, only)
        _BY_SERVICE.clear()
        return fn

    return register


def served_on(service: str) -> list[LabRequest]:
    """What the lab's ``service`` answers, module by module in the daemon's order, requests in table order."""
    mods = modules_of(service)
    chosen: dict[tuple[str, str], LabRequest] = {}
    for s in _SERVED.values():
        if s.req.module not in mods or (s.services is not None and service not in s.services):
            continue
        key = (s.req.module, s.req.name)
        if key not in chosen or chosen[key].services is None:  # a handler for this service beats a general one
            chosen[key] = s
    return sorted(chosen.values(), key=lambda s: (mods.index(s.req.module), _table_position(s.req)))


def _table_position(req: RequestDef) -> int:
    return list(MODULES[req.module].requests).index(req.name)


def lookup(service: str, request: str) -> LabRequest | None:
    """How ``service`` answers ``Snh_<request>``, None when it does not serve it (the first module wins, as
    only one handler can be registered per path on a real server)."""
    served = _BY_SERVICE.get(service)
    if served is None:
        served = _BY_SERVICE[service] = {}
        for s in served_on(service):
            served.setdefault(s.req.name, s)
    return served.get(request)


# ------------------------------------------------------------------------------------ replies


def sandesh_reply(svc: ServiceDef, messages: list[tuple[str, list[F]]]) -> bytes:
    """Responses as ``svc``'s server writes them: C++ keeps declaration order and flags every part but the last
    with ``more``; Python sorts fields by identifier and has no ``more``. Several parts share one
    ``__<first>_list`` wrapper."""
    cpp = server_kind(svc.key) is ServerKind.CPP
    out = []
    for i, (name, fields) in enumerate(messages):
        fields = list(fields) if cpp else sorted(fields, key=lambda f: f.identifier or 0)
        if cpp:
            fields.append(F("more", "bool", i < len(messages) - 1, 0))
        out.append((name, fields))
    return encode_document(out, list_name=f"__{messages[0][0]}_list" if len(messages) > 1 else None)


# ------------------------------------------------------------------------------------ pages


def index_page(svc: ServiceDef) -> bytes:
    modules = dict.fromkeys(s.req.module for s in served_on(svc.key))
    return render_index(daemon_name(svc.key), modules, server_kind(svc.key))


def module_page(svc: ServiceDef, module: str) -> bytes | None:
    reqs = [s.req for s in served_on(svc.key) if s.req.module == module]
    return render_module_page(module, reqs) if reqs else None


def static_file(name: str) -> bytes:
    return resources.files("tftui.lab").joinpath("static", name).read_bytes()


# The C++ server's answer to a path nothing is registered for: its fixed 404, whose Content-Length counts the
# string's terminating NUL, which is sent too (http_session.cc, RequestHandler::NotFound).
CPP_NOT_FOUND = b"<html>\n<title>404 Not Found</title>\n</html>\r\n\x00"


def python_not_found(path: str) -> bytes:
    """bottle's error page for an unknown route, in its shape (pysandesh registers only known requests)."""
    where = html.escape(path, quote=True).replace("'", "&#039;")
    return ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html>\n    <head>\n'
            "        <title>Error: 404 Not Found</title>\n    </head>\n    <body>\n"
            "        <h1>Error: 404 Not Found</h1>\n"
            f"        <p>Sorry, the requested URL <tt>&#039;{where}&#039;</tt>\n           caused an error:</p>\n"
            f"        <pre>Not found: &#039;{where}&#039;</pre>\n    </body>\n</html>\n").encode()


def python_error(text: str) -> bytes:
    """pysandesh's ``http_error``: a heading, served with status 200."""
    return f"<h3>{html.escape(text, quote=False)}</h3>".encode()
