"""Times as the UI and the commands print them."""

from __future__ import annotations

import time


def age(seconds: float) -> str:
    """``12s``, ``5m``, ``2.5h``: how long ago, at a glance."""
    if seconds < 0:
        return "0s"
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def clock(t: float) -> str:
    """Wall-clock ``HH:MM:SS`` in local time."""
    return time.strftime("%H:%M:%S", time.localtime(t))
