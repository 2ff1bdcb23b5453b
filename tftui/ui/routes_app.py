"""A standalone routes pane (`python -m tftui.ui.routes_app --config F`): the same screen the main app opens,
handy on a jump host and in the tmux test until the main app binds it."""

from __future__ import annotations

import argparse
import sys

from textual.app import App

from tftui.services.routes import RouterMonitor

from .password_prompt import make_prompt
from .routes_screen import RoutesScreen


class RoutesApp(App[None]):
    TITLE = "tftui routes"

    def __init__(self, monitor: RouterMonitor):
        super().__init__()
        self.monitor = monitor

    def on_mount(self) -> None:
        self.monitor.client.prompt = make_prompt(self)  # the prompt needs the running app
        self.push_screen(RoutesScreen(self.monitor, own_monitor=True), callback=lambda _: self.exit())


def main(argv: list[str] | None = None) -> int:
    from tftui.core.inventory import ConfigError
    from tftui.services.config import add_config_arguments, load_from_args

    p = argparse.ArgumentParser(prog="tftui-routes")
    add_config_arguments(p)
    p.add_argument("--router", metavar="NAME")
    args = p.parse_args(argv)
    try:
        monitor = RouterMonitor.from_cluster(load_from_args(args).cluster, args.router)
    except ConfigError as exc:
        print(f"tftui: {exc}", file=sys.stderr)
        return 2
    RoutesApp(monitor).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
