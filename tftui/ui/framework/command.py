"""`:` — k9s-style: type a view's name or alias (`:routes`, `:vmi`, `:fw`, `:events`), pick from the
completions; `node NAME` selects a node. Each view is listed once, with its aliases and its key. A view that
takes an argument offers its completions after a space (`:vrf compute3`, `:path POD`, `:introspect NODE SVC`)."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

from .registry import VIEWS, key_for


def _view_hit_parts(app, view) -> tuple[Text, str]:
    display = Text(view.NAME, style="bold")
    if view.ALIASES:
        display.append("  " + " ".join(f":{a}" for a in view.ALIASES), style="dim")
    key = key_for(view.NAME, getattr(app, "keymap", None))
    reason = app.services.unavailable(view.SERVICE)
    help_text = view.TITLE + (f" — key {key}" if key else "") + (f" — unavailable: {reason}" if reason else "")
    return display, help_text


class ViewCommands(Provider):
    """Views by name and alias; nodes by name."""

    def _views(self):
        return sorted(VIEWS.values(), key=lambda v: v.NAME)

    async def discover(self) -> Hits:
        for view in self._views():
            display, help_text = _view_hit_parts(self.app, view)
            yield DiscoveryHit(display, partial(self.app.open_view, view.NAME), text=view.NAME, help=help_text)

    async def search(self, query: str) -> Hits:
        word = query.strip().lstrip(":").strip().lower()
        head, _, rest = query.strip().lstrip(":").strip().partition(" ")
        view = next((v for v in self._views() if head.lower() in (v.NAME, *v.ALIASES)), None)
        arguments = getattr(view, "command_arguments", None) if view is not None else None
        if arguments is not None and rest.strip():  # `:vrf compute3`, `:path 10.47.255.250`, `:traces ctrl1 control`
            for label, params in arguments(self.app, rest.strip()):
                yield Hit(1.0, Text(label, style="bold"), partial(self.app.open_view, view.NAME, **params), text=label,
                          help=view.TITLE)
            return
        matcher = self.matcher(word)
        for view in self._views():
            names = (view.NAME, *view.ALIASES)
            if word in names:
                score = 1.0
            elif any(n.startswith(word) for n in names):
                score = 0.9
            else:
                score = min(1.0, max(matcher.match(n) for n in names)) * 0.5  # a fuzzy match ranks below a prefix
            if score > 0:
                display, help_text = _view_hit_parts(self.app, view)
                yield Hit(score, display, partial(self.app.open_view, view.NAME), text=view.NAME, help=help_text)
        if word.startswith("node") or len(word) >= 2:
            cluster = self.app.services.cluster.state
            for name in cluster.results:
                score = matcher.match(f"node {name}")
                if score > 0:
                    yield Hit(min(1.0, score) * 0.4, matcher.highlight(f"node {name}"), partial(self.app.show_node, name),
                              text=f"node {name}", help=f"select node {name} in the tree")


def open_command(app) -> None:
    app.push_screen(CommandPalette(providers=[ViewCommands], placeholder=":view — routes, vmi, fw, events, … "
                                                                         "or node NAME"))
