"""Every view by name and alias, for `:` and for the keys that open views. A view module registers its
screen class with ``@register``; ``tftui/ui/views/__init__.py`` imports them all."""

from __future__ import annotations

from tftui.core.keyscheme import SCHEME

VIEWS: dict[str, type] = {}


def register(view: type) -> type:
    """Class decorator: make ``view`` (a ViewScreen with NAME, ALIASES, TITLE) openable by name."""
    names = [view.NAME, *view.ALIASES]
    if not view.NAME:
        raise ValueError(f"{view.__name__} has no NAME")
    for other in VIEWS.values():
        if other is not view and set(names) & {other.NAME, *other.ALIASES}:
            raise ValueError(f"{view.__name__}: {sorted(set(names) & {other.NAME, *other.ALIASES})} already "
                             f"name {other.__name__}")
    VIEWS[view.NAME] = view
    return view


def find(word: str) -> type | None:
    """The view called ``word`` (its name or an alias; a leading ':' is fine)."""
    word = word.strip().lstrip(":").strip().lower()
    for view in VIEWS.values():
        if word == view.NAME or word in view.ALIASES:
            return view
    return None


def key_for(name: str, keymap: dict[str, str] | None = None) -> str | None:
    """The key that opens view ``name`` from anywhere (after the config's remaps), if it has one."""
    for spec in SCHEME:
        if spec.action_name == f"open_view('{name}')":
            return (keymap or {}).get(spec.id, spec.keys).split(",")[0]
    return None
