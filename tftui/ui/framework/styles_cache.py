"""Textual's per-widget render cache, without the class-wide cache that kept every one of them alive.

Each widget has a StylesCache holding its rendered lines (Strips, with their own crop/filter caches). Textual
8 memoizes ``StylesCache.get_inner_outer(base_background, background)`` with an ``lru_cache(1024)`` on the
method, so the cache's keys include the StylesCache itself: the last 1024 widgets that rendered stay alive
with all their lines after they leave the screen (Textualize/textual issue 6665). Every relabel of the node
tree, every detail pane rebuilt and every footer rebuilt makes new widgets: the UI's RSS grew by tens of MB
over the soak before the cache filled. The two styles depend on the colours only, so they are cached on the
colours here.
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style


@lru_cache(1024)
def inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    """The background inside a widget's padding and the one outside it, as Textual's method computes them."""
    return Style(background=base_background + background), Style(background=base_background)


def _get_inner_outer(self: StylesCache, base_background: Color, background: Color) -> tuple[Style, Style]:
    return inner_outer(base_background, background)


def release_dead_widgets_lines() -> None:
    """Key the inner/outer style cache on colours only (idempotent; the app calls it when it starts)."""
    StylesCache.get_inner_outer = _get_inner_outer  # type: ignore[method-assign]
