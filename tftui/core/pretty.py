"""Raw replies made readable for the operator: indented XML, or the bytes as text when they are not XML."""

from __future__ import annotations

from lxml import etree

from .sandesh import SandeshError, parse_document

MAX_SHOWN = 256 * 1024


def pretty_xml(body: bytes) -> str:
    try:
        root = parse_document(body[: MAX_SHOWN * 4])
    except SandeshError as exc:
        return f"({exc}; shown as received)\n" + body[:MAX_SHOWN].decode("utf-8", errors="replace")
    text = etree.tostring(root, pretty_print=True, encoding="unicode")
    return text[:MAX_SHOWN]
