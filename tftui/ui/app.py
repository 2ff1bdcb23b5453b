"""The tftui application: the node view first, every other view by key or by `:`, services owned here."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.app import App

from tftui.core.inventory import ClusterSpec
from tftui.services.poller import Poller
from tftui.services.registry import Services
from tftui.services.state import ClusterState
from tftui.services.themes import DEFAULT_THEME

from . import views  # noqa: F401  (registers every view for `:`)
from .framework import ViewScreen, bindings
from .framework.command import ViewCommands, open_command
from .framework.dialogs import HelpScreen
from .framework.registry import find
from .framework.styles_cache import release_dead_widgets_lines
from .password_prompt import make_prompt
from .themes import load_themes
from .views.nodes import NodesScreen


class TftuiApp(App):
    TITLE = "tftui"
    COMMANDS = App.COMMANDS | {ViewCommands}  # ctrl+p: Textual's commands and the views
    BINDINGS = bindings("app.quit", "app.help", "app.command", "app.events", "app.interfaces", "app.routes",
                        "app.policy", show=False)

    def __init__(self, spec: ClusterSpec, *, readonly: bool = False, theme: str | None = None,
                 poller: Poller | None = None, autopoll: bool = True, clock: Callable[[], float] = time.time,
                 keymap: dict[str, str] | None = None, services: Services | None = None,
                 view: str | None = None) -> None:
        release_dead_widgets_lines()  # before the first widget renders (Textualize/textual#6665)
        super().__init__()
        self.spec = spec
        self.readonly = readonly
        self.clock = clock
        self.keymap = dict(keymap or {})  # the config's `keys:` (binding id -> keys), checked by core.keyscheme
        self.services = services or Services(spec, readonly=readonly, poller=poller, autopoll=autopoll, clock=clock)
        if self.services.prompt is None:  # SSH passwords are asked in this app's own dialog
            self.services.prompt = make_prompt(self)
        self.start_view = view  # opened over the node view at start (`tftui --view routes`)
        self.theme_errors: list[str] = []
        self._requested_theme = theme or spec.theme or DEFAULT_THEME

    @property
    def cluster(self) -> ClusterState:
        return self.services.cluster.state

    @property
    def poller(self) -> Poller:
        return self.services.cluster.poller

    def get_default_screen(self) -> NodesScreen:
        return NodesScreen(self.services)

    def on_mount(self) -> None:
        themes, errors = load_themes()
        for t in themes:
            self.register_theme(t)
        self.theme_errors = errors
        if self._requested_theme in self.available_themes:
            self.theme = self._requested_theme
        else:
            self.notify(f"unknown theme {self._requested_theme!r}; using {DEFAULT_THEME}", severity="error")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        for err in errors:
            self.notify(err, severity="error")
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.start_view:
            self.open_view(self.start_view)

    async def action_quit(self) -> None:
        await self.services.aclose()
        self.exit()

    async def on_unmount(self) -> None:
        await self.services.aclose()  # once: a second call does nothing

    # ------------------------------------------------------------------ views
    def open_view(self, name: str, **params: Any) -> ViewScreen | None:
        """Open a view by name or alias: from the node view or its parent view it is pushed (esc comes back),
        from another view it takes that one's place. Says why when the cluster's config lacks what it needs."""
        view = find(name)
        if view is None:
            self.notify(f"no view called {name!r} (: lists them)", severity="warning")
            return None
        if view is NodesScreen:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return self.screen_stack[0]  # type: ignore[return-value]
        reason = self.services.unavailable(view.SERVICE)
        if reason is not None:
            self.notify(f"{view.NAME}: {reason}", severity="warning", timeout=8)
            return None
        top = self.screen
        if isinstance(top, view) and not params:
            return top
        if not params and hasattr(view, "default_params"):
            params = view.default_params(self)
        screen = view(self.services, **params)
        drill_down = isinstance(top, ViewScreen) and view.PARENT == top.NAME
        if isinstance(top, ViewScreen) and not isinstance(top, NodesScreen) and not drill_down:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        return screen

    def action_open_view(self, name: str) -> None:
        self.open_view(name)

    def show_node(self, name: str) -> None:
        """Back to the node view with ``name`` selected."""
        main = self.open_view("nodes")
        if isinstance(main, NodesScreen) and not main.select_node(name):
            self.notify(f"{name} is not in the tree (a filter hides it?)", severity="warning")

    def selected_result(self):
        """The node selected in the tree (its latest result), or None."""
        main = self.screen_stack[0]
        name = main.node_tree.selected_name if isinstance(main, NodesScreen) and main.is_mounted else None
        return self.cluster.results.get(name) if name else None

    def action_command(self) -> None:
        open_command(self)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))
