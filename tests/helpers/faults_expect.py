"""What tftui must show for each introspect fault of the hostile lab (shared by the lab and UI fault suites)."""

from __future__ import annotations

from tftui.lab.faults import MARKUP_DESCRIPTION, NONASCII_SHOWN

TOO_LARGE = "reply too large (over 8388608 bytes)"
DTD = "DTD/entity declarations refused"
# (state, reason or reason prefix) of both vrouter services of each hostile node; None: any reason
EXPECTED: dict[str, tuple[str, str | tuple[str, ...] | None]] = {
    "refused": ("initializing", "connection refused"),
    "hang": ("timeout", "no reply in time"),
    "drip": ("timeout", "no reply in time"),
    "reset": ("bad reply", ("reply cut off mid-body", "connection reset")),
    "http500": ("initializing", "HTTP 500"),
    "http404": ("initializing", "HTTP 404"),
    "truncated": ("bad reply", ("malformed XML: ",)),
    "nonxml": ("bad reply", "not XML"),
    "huge": ("bad reply", TOO_LARGE),
    "gzipbomb": ("bad reply", "compressed reply refused (Content-Encoding: gzip)"),
    "laughs": ("bad reply", DTD),
    "xxe": ("bad reply", DTD),
    "nodesc": ("active", "process reports Functional"),
    "empty": ("initializing", "no NodeStatus with process_status in reply"),
    "unknown": ("active", "process reports Functional"),
    "wide": ("active", "process reports Functional"),
    "nonascii": ("initializing", "process reports Non-Functional"),
    "markup": ("initializing", "process reports Non-Functional"),
}
DESCRIPTIONS = {"nonascii": NONASCII_SHOWN, "markup": MARKUP_DESCRIPTION}
