"""Introspect as a protocol: the table of request definitions and everything built on it.

- ``defs``: what a request is (module, fields in declaration order, side effects);
- ``library``, ``control``, ``agent``: the modules, from the Sandesh IDL; ``table``: lookups into them;
- ``daemons``: which service serves which modules, how its server binds parameters, its UVE types;
- ``query``: query strings built (client) and bound (lab) as real servers do;
- ``pages``: the index page and module pages, rendered and parsed;
- ``tree``: any reply as JSON, tables, text, its links, errors and continuation.
"""

from .daemons import ServerKind, daemon_name, modules_of, server_kind, uve_types_of
from .defs import DefinitionError, Field, Module, Req, RequestDef
from .query import Args, QueryError, bind, bind_by_name, bind_positional, encode_query, request_path
from .table import MODULES, find, requests_of, side_effect

__all__ = [
    "MODULES", "Args", "DefinitionError", "Field", "Module", "QueryError", "Req", "RequestDef", "ServerKind", "bind",
    "bind_by_name", "bind_positional", "daemon_name", "encode_query", "find", "modules_of", "request_path",
    "requests_of", "server_kind", "side_effect", "uve_types_of",
]
