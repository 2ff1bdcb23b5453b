"""The other views (routes, policy, interfaces), opened from the command palette when configured."""

from __future__ import annotations

from collections.abc import Callable

from tftui.core.inventory import ClusterSpec


def extra_screens(spec: ClusterSpec, readonly: bool) -> dict[str, Callable]:
    return {}
