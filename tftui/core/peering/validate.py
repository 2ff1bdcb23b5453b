"""Every value that reaches a router's configuration line is checked here first: nothing else is ever sent.

The checks are strict on purpose (digits only for numbers, canonical addresses, a small alphabet for descriptions):
what passes can be written into vtysh arguments and VyOS `set` lines without any shell meaning.
"""

from __future__ import annotations

import ipaddress
import re

from tftui.core.policy.validate import ValidationError

ASN_MAX = 4294967294  # VyOS 1.x's limit; FRR takes one more, TF any 32-bit value: the intersection is safe everywhere
_DIGITS = re.compile(r"[0-9]{1,10}")
# letters, digits and . _ : - with single inner spaces; FRR keeps 80 characters of a neighbor description
_DESCRIPTION = re.compile(r"[A-Za-z0-9._:-]+( [A-Za-z0-9._:-]+)*")
DESCRIPTION_MAX = 80

__all__ = ["ValidationError", "asn", "description", "hold_time", "neighbor_address", "router_id"]


def _short(value: object) -> str:
    return repr(str(value)[:60])


def _number(value: object, what: str, bounds: str) -> int:
    """An int, or a str of plain digits (no sign, no spaces, no asdot); bool is not a number."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        raise ValidationError(f"{what} {_short(value)}: digits only, {bounds}")
    return int(text)


def asn(value: object, what: str = "AS number") -> int:
    """A 2- or 4-byte AS number."""
    number = _number(value, what, f"1..{ASN_MAX}")
    if not 1 <= number <= ASN_MAX:
        raise ValidationError(f"{what} {number} is out of range 1..{ASN_MAX}")
    return number


def neighbor_address(value: object, what: str = "neighbor address") -> str:
    """An IPv4/IPv6 unicast address in canonical form (no scope id, no prefix length, no host name)."""
    if not isinstance(value, str) or not value or len(value) > 45 or value != value.strip() or "%" in value:
        raise ValidationError(f"{what} {_short(value)} is not an IP address")
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        raise ValidationError(f"{what} {_short(value)} is not an IP address") from None
    if addr.is_unspecified or addr.is_multicast or (addr.version == 4 and addr == ipaddress.IPv4Address("255.255.255.255")):
        raise ValidationError(f"{what} {addr} cannot be a BGP neighbor")
    return str(addr)


def router_id(value: object, what: str = "router-id") -> str:
    """BGP identifiers are dotted IPv4 (RFC 4271), also on IPv6-only routers."""
    text = neighbor_address(value, what)
    if ":" in text:
        raise ValidationError(f"{what} {text} must be a dotted IPv4 identifier")
    return text


def description(value: object, what: str = "description") -> str:
    if not isinstance(value, str) or not _DESCRIPTION.fullmatch(value) or len(value) > DESCRIPTION_MAX:
        raise ValidationError(f"{what} {_short(value)}: letters, digits, '.', '_', ':', '-' and single spaces, "
                              f"at most {DESCRIPTION_MAX} characters")
    return value


def hold_time(value: object, what: str = "hold time") -> int:
    """0 (no keepalives) or 3..65535 seconds, as RFC 4271 allows."""
    number = _number(value, what, "0 or 3..65535")
    if number and not 3 <= number <= 65535:
        raise ValidationError(f"{what} {number}: 0 or 3..65535 seconds")
    return number
