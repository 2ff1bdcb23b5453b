"""The key bar of every view and dialog: Textual's Footer, without the watchers it leaks.

Textual's Footer rebuilds its keys each time a screen's bindings change (focus moves, a filter opens, a
cursor reaches a row with other actions), and each FooterKey binds its ``compact`` to the footer's through
a watcher stored on the footer. Textual drops a removed widget's watcher only when the watched value
changes, and a footer's ``compact`` never does: every rebuild left its keys reachable from the footer, each
with its styles and render caches (about 20 KB a key). That was the UI's memory growth in the hour-long soak
(+213 %; Textualize/textual issue 6666). The footer here drops the watchers of keys that left the DOM each
time it builds new ones.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.dom import DOMNode
from textual.widgets import Footer as TextualFooter

WATCHERS = "__watchers"  # where textual.reactive keeps the watchers other objects set on an object


def drop_detached_watchers(watched: object) -> int:
    """Forget the watchers that widgets no longer in the DOM set on ``watched``; how many were dropped."""
    watchers: dict[str, list[tuple[object, object]]] = getattr(watched, WATCHERS, None) or {}
    dropped = 0
    for entries in watchers.values():
        kept = [(node, callback) for node, callback in entries
                if not isinstance(node, DOMNode) or node.is_attached]
        dropped += len(entries) - len(kept)
        entries[:] = kept
    return dropped


class Footer(TextualFooter):
    def compose(self) -> ComposeResult:
        # A rebuild (recompose) has removed the previous keys by the time it composes the new ones.
        drop_detached_watchers(self)
        yield from super().compose()
