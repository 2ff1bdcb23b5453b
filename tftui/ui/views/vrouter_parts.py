"""What the views of one vrouter share (views/vrouter.py, vrf_routes.py, drops.py): its one feed, which vrouter a
view opens on, the palette's `NAME` completions, drop counters in order of urgency."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tftui.core.vrouter.drops import DropRate

from ..framework import ResourceView
from .named_feed import named_feed


def short_name(name: str) -> str:
    """``default-domain:k8s-default:pod-net:pod-net`` → ``pod-net`` (the detail shows it whole)."""
    return name.rsplit(":", 1)[-1]


def first_vrouter(services) -> str:
    return next((n.name for n in services.spec.nodes if "vrouter" in n.roles), "")


def vrouter_feed(services, name: str):
    """The vrouter's one feed (services/state_feeds.VrouterFeed), shared by its VRF list, routes and drops views."""
    return named_feed(services, f"vrouter:{name}", f"{name or 'no vrouter'}'s agent introspect")


def selected_vrouter(app) -> dict:
    """Opened by name or by its key: the vrouter selected in the node tree, if it is one; else the first, said."""
    result = app.selected_result()
    if result is not None and "vrouter" in result.roles:
        return {"vrouter": result.name}
    first = first_vrouter(app.services)
    if result is not None and first:
        app.notify(f"{result.name} is not a vrouter: showing {first} (:vrf NAME picks another)", timeout=6)
    return {}


def vrouter_arguments(app, view: str, word: str) -> list[tuple[str, dict]]:
    """`:VIEW NAME`: the vrouters whose name holds what was typed."""
    return [(f"{view} {n.name}", {"vrouter": n.name}) for n in app.services.spec.nodes
            if "vrouter" in n.roles and word.lower() in n.name.lower()][:50]


def by_urgency(drops: tuple[DropRate, ...]) -> list[DropRate]:
    """Rising counters first, fastest first; then the biggest."""
    return sorted(drops, key=lambda d: (not d.rising, -(d.rate or 0.0), -d.value))


def drop_text(d: DropRate) -> Text:
    moved = f" +{d.delta} ({d.rate:.1f}/s)" if d.rising and d.rate is not None else ""
    return Text(f"{d.counter.label} {d.value}{moved}", style="bold red" if d.rising else "")


class OneVrouterView(ResourceView):
    """A `:` view of one vrouter's feed: `:NAME VROUTER`, else the vrouter selected in the tree, else the first."""

    SERVICE = "network_state"  # what it needs; the feed is the vrouter's own (services/state_feeds.py)

    def __init__(self, services, vrouter: str | None = None, **kwargs: Any) -> None:
        self.vrouter = vrouter or first_vrouter(services)
        super().__init__(services, feed=vrouter_feed(services, self.vrouter), **kwargs)

    @classmethod
    def default_params(cls, app) -> dict:
        return selected_vrouter(app)

    @classmethod
    def command_arguments(cls, app, word: str) -> list[tuple[str, dict]]:
        return vrouter_arguments(app, cls.NAME, word)

    def header_text(self) -> Text:
        text = super().header_text()
        text.append(f" │ {self.vrouter}", style="bold")
        return text
