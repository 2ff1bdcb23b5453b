"""The lab's fault-injection spec: which introspect of which simulated node misbehaves, and how.

Grammar (``tftui lab --faults SPEC``)::

    SPEC    := RULE (';' RULE)*
    RULE    := NODE [':' SERVICE (',' SERVICE)*] '=' FAULT ['@' ARG]
    NODE    := a lab node name          SERVICE := a service key (vrouter-agent, control, ...)

Without SERVICE the fault applies to every introspect service of the node. Only ``xxe`` takes an
ARG: the file its external entity points at (default /etc/passwd). Examples::

    compute1=drip
    compute2:vrouter-agent=http500; compute3=xxe@/tmp/marker
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# name -> what the simulated introspect does; the order is the hostile scenario's node order
FAULTS: dict[str, str] = {
    "refused": "nothing listens on the port (connection refused)",
    "hang": "accepts the connection, then never answers",
    "drip": "answers one byte per second",
    "reset": "resets the connection half-way through the body",
    "http500": "HTTP 500 Internal Server Error",
    "http404": "HTTP 404 Not Found",
    "truncated": "a complete HTTP reply whose XML stops mid-element",
    "nonxml": "HTTP 200 with a body that is not XML",
    "huge": "a 50 MB body, streamed without a length",
    "gzipbomb": "a small gzip body that inflates to 50 MB",
    "wide": "valid Sandesh just under the 8 MB cap: a healthy status among 230000 unknown fields",
    "laughs": "XML with nested entity definitions (billion laughs)",
    "xxe": "XML with an external entity pointing at a local file",
    "nodesc": "a ProcessStatus without <description>",
    "empty": "a NodeStatus whose process_status list is empty",
    "unknown": "unknown fields, unknown types and stray attributes around valid data",
    "nonascii": "non-ASCII node, module and process names and descriptions",
    "markup": "Rich markup such as [bold]x[/] and [red] in names and descriptions",
}
FAULTS_WITH_ARG = frozenset({"xxe"})
DEFAULT_XXE_TARGET = "/etc/passwd"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\Z")


class FaultSpecError(ValueError):
    pass


@dataclass(frozen=True)
class FaultRule:
    node: str
    fault: str
    services: tuple[str, ...] = ()  # empty: every introspect service of the node
    arg: str = ""

    def applies_to(self, service_key: str) -> bool:
        return not self.services or service_key in self.services


def _name(text: str, what: str) -> str:
    text = text.strip()
    if not _NAME.match(text):
        raise FaultSpecError(f"bad {what} {text!r} (letters, digits, '.', '_', '-')")
    return text


def parse_rule(text: str) -> FaultRule:
    target, eq, fault = text.partition("=")
    if not eq:
        raise FaultSpecError(f"{text.strip()!r}: expected NODE[:SERVICE]=FAULT")
    fault, at, arg = fault.strip().partition("@")
    fault = fault.strip()
    if fault not in FAULTS:
        raise FaultSpecError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
    if at and fault not in FAULTS_WITH_ARG:
        raise FaultSpecError(f"fault {fault!r} takes no argument")
    arg = arg.strip()
    if at and not arg.startswith("/"):
        raise FaultSpecError(f"{fault}: the argument must be an absolute file path, not {arg!r}")
    node, colon, services = target.partition(":")
    keys: tuple[str, ...] = ()
    if colon:
        keys = tuple(_name(s, "service") for s in services.split(","))
    return FaultRule(_name(node, "node"), fault, keys, arg)


def parse_fault_spec(text: str) -> tuple[FaultRule, ...]:
    """All rules of a spec, in order; a later rule for the same service wins."""
    rules = tuple(parse_rule(part) for part in text.split(";") if part.strip())
    if not rules:
        raise FaultSpecError("empty fault spec")
    return rules
