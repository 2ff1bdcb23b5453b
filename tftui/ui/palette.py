"""Command palette entries (``:`` or ctrl+p): views, actions, and every node by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

ALIASES = {"policy": ("fw", "tags", "networks", "bgp"), "vmi": ("vmis", "interfaces", "ssh"),
           "routes": ("bgp routes", "gatewayless")}


class TftuiCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        app = self.app
        cmds: list[tuple[str, str, object]] = [
            ("refresh", "Poll every node now", app.action_refresh),
            ("pause", "Pause or resume polling", app.action_pause),
            ("events", "Show the state transition log", app.action_events),
            ("raw", "Raw introspect XML of the selected node", app.action_raw),
            ("flat", "Toggle tree by role / flat list", app.action_toggle_view),
            ("filter", "Filter nodes", app.action_filter),
        ]
        for key, (title, _factory) in app.extra_screens.items():
            cmds.append((key, title, partial(app.action_open_screen, key)))
            for alias in ALIASES.get(key, ()):  # k9s-style short names: ":fw", ":vr"
                cmds.append((alias, title, partial(app.action_open_screen, key)))
        for name in app.cluster.results:
            cmds.append((f"node {name}", f"Select node {name}", partial(app.action_select_node, name)))
        return cmds

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands()[:12]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
