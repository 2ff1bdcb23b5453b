"""The one table of introspect request definitions: every module tftui knows, and lookups into it.

To add a request: one ``Req("Name", "1: type field; ...")`` line in its module's list (agent.py,
control.py, library.py), fields copied from the IDL in declaration order (``scripts/sandesh_requests.py``
prints them). The lab's routing, index and module pages, the client's query building and the side-effect
check all read it from here.
"""

from __future__ import annotations

import re

from .agent import AGENT_MODULES
from .control import CONTROL_MODULES
from .daemons import modules_of
from .defs import Module, RequestDef
from .library import LIBRARY_MODULES

# Without a service, a name in two modules (PageReq: agent and dns) resolves to the first: the agent's.
MODULES: dict[str, Module] = {m.name: m for m in (*LIBRARY_MODULES, *AGENT_MODULES, *CONTROL_MODULES)}

# For requests the table does not know (read from a server's module page): words in a name that say it
# changes something. A request the table knows is judged by its own mark, never by its name.
_WRITE_WORDS = frozenset({"Add", "Change", "Clear", "Create", "Del", "Delete", "Disable", "Enable", "Flush", "Kill",
                          "Modify", "Ping", "Remove", "Reset", "Restart", "Set", "Start", "Stop", "Update"})
_CAMEL_WORD = re.compile(r"[A-Z][a-z0-9]*|[a-z0-9]+")


def module(name: str) -> Module | None:
    return MODULES.get(name)


def find(name: str, service: str | None = None) -> RequestDef | None:
    """The definition of ``name``, preferring the modules ``service`` serves (PageReq is in two modules)."""
    if service is not None:
        for mod_name in modules_of(service):
            req = MODULES[mod_name].requests.get(name) if mod_name in MODULES else None
            if req is not None:
                return req
    for mod in MODULES.values():
        req = mod.requests.get(name)
        if req is not None:
            return req
    return None


def requests_of(service: str) -> list[RequestDef]:
    """What the table says ``service`` serves, module by module in the daemon's order."""
    return [req for mod_name in modules_of(service) if mod_name in MODULES for req in MODULES[mod_name]]


def side_effect(req: RequestDef, args: dict[str, str] | None = None) -> str:
    """Why sending ``req`` with ``args`` would change the daemon ("" for a read). A request the table knows is
    judged by its mark; one only read from a server's module page, by the words of its name."""
    known = find(req.name)
    if known is not None:
        return known.side_effect(args)
    words = _CAMEL_WORD.findall(req.name)
    if _WRITE_WORDS.intersection(words) or "TraceRoute" in req.name:
        return "may change something (its name says so, and tftui's request table does not know it)"
    return ""
