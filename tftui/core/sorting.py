"""Orders people expect: names with numbers in numeric order (compute2 before compute10)."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort key: digit runs compare as numbers, the rest case-insensitively; numbers sort before words."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in _DIGITS.split(str(text).lower()) if part)
