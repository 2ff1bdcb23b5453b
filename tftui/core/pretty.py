"""Raw replies made readable for the operator: indented XML, or the bytes as text when they are not XML."""

from __future__ import annotations

import re

from lxml import etree

from .sandesh import SandeshError, parse_document

MAX_SHOWN = 256 * 1024
MAX_PARSED = 4 * MAX_SHOWN  # the raw view runs in the UI thread: bigger replies are shown as received
MAX_LINE = 1000


# C0 (but tab and newline), DEL and C1 controls: a hostile reply must not drive the operator's terminal
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match) -> str:
    return f"\\x{ord(match.group()):02x}"


def _as_received(body: bytes) -> str:
    """The first MAX_SHOWN bytes as text, controls made visible and long lines broken (one 256 KB line
    makes a text view crawl)."""
    text = _CONTROLS.sub(_visible, body[:MAX_SHOWN].decode("utf-8", errors="replace"))
    return "\n".join(line[i:i + MAX_LINE] for line in text.split("\n") for i in range(0, max(len(line), 1), MAX_LINE))


def pretty_xml(body: bytes) -> str:
    if len(body) > MAX_PARSED:
        return f"(reply of {len(body)} bytes: the first {MAX_SHOWN} shown as received)\n" + _as_received(body)
    try:
        root = parse_document(body)
    except SandeshError as exc:
        return f"({exc}; shown as received)\n" + _as_received(body)
    text = etree.tostring(root, pretty_print=True, encoding="unicode")
    return _CONTROLS.sub(_visible, text[:MAX_SHOWN])  # C1 controls are legal XML 1.0 text
