"""Starting the TUI: config (or the demo lab), logging, theme; the lab child is stopped on the way out."""

from __future__ import annotations

import argparse

from tftui.commands.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, error, note
from tftui.core.inventory import ConfigError
from tftui.services.config import load_config, load_from_args
from tftui.services.logsetup import setup_file_logging


def run_ui(args: argparse.Namespace) -> int:
    demo = None
    try:
        if args.demo:
            from tftui.services.demo import DemoError, start_demo_lab

            note("starting the lab cluster…")
            try:
                demo = start_demo_lab(scenario=args.demo_scenario, vrouters=args.vrouters)
            except DemoError as exc:
                return error(exc, EXIT_FAIL)
            loaded = load_config(str(demo.config_path), None, None)
        else:
            loaded = load_from_args(args)
    except ConfigError as exc:
        if demo:
            demo.stop()
        return error(exc, EXIT_USAGE)
    from tftui.services.discovery import resolve_nodes

    spec, discovery_warning = resolve_nodes(loaded.cluster)
    if discovery_warning:
        loaded.warnings.append(discovery_warning)
    if not spec.nodes and not spec.routers:
        if demo:
            demo.stop()
        return error(f"cluster {spec.name} has no nodes ({discovery_warning or 'none configured'})", EXIT_USAGE)
    try:
        setup_file_logging()
        from .app import TftuiApp

        # a cluster of just its router: the routes are what there is to see
        view = getattr(args, "view", None) or (None if spec.nodes else "routes")
        app = TftuiApp(spec, readonly=args.readonly, theme=args.theme, keymap=loaded.keymap, view=view)
        for w in loaded.warnings:
            app.call_later(app.notify, w, severity="warning", timeout=10)
        app.run()
        return app.return_code or EXIT_OK
    finally:
        if demo:
            demo.stop()
