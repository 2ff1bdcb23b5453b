"""A view's feed by name, or one that says why there is none: a view opened on something its service cannot give
(a name that is no vrouter, a cluster without control nodes) opens all the same and shows the reason."""

from __future__ import annotations

from typing import Any

from tftui.services.feed import Feed, FetchFeed
from tftui.services.registry import Unavailable


def failing_feed(why: str, source: str) -> FetchFeed:
    """A feed whose every fetch fails with ``why``."""

    async def fail() -> Any:
        raise Unavailable(why)

    return FetchFeed(fail, source, (Unavailable,))


def named_feed(services, name: str, source: str) -> Feed:
    """``services.feed(name)``, or a failing feed saying why it cannot be built."""
    try:
        return services.feed(name)
    except Unavailable as exc:
        return failing_feed(str(exc), source)
