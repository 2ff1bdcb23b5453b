"""Textual bindings built from the key scheme (tftui/core/keyscheme.py), so every view binds a key to the
same meaning, every binding has an id the config's ``keys:`` can remap, and `?` lists them all."""

from __future__ import annotations

from textual.binding import Binding

from tftui.core.keyscheme import BY_ID


def bindings(*ids: str, show: bool | None = None, to_app: bool = False) -> list[Binding]:
    """The bindings with these ids (a view's BINDINGS); ``show`` overrides the scheme's footer choice;
    ``to_app`` runs the action on the app (a screen showing an app binding in its own footer)."""
    out = []
    for binding_id in ids:
        spec = BY_ID[binding_id]
        action = f"app.{spec.action_name}" if to_app else spec.action_name
        out.append(Binding(spec.keys, action, spec.description, id=spec.id,
                           show=spec.show if show is None else show))
    return out
