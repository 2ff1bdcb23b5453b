"""Starting the TUI: config (or the demo lab), logging, theme; the lab child is stopped on the way out."""

from __future__ import annotations

import argparse
import sys

from tftui.core.inventory import ConfigError
from tftui.services.config import load_config, load_from_args
from tftui.services.logsetup import setup_file_logging


def run_ui(args: argparse.Namespace) -> int:
    demo = None
    try:
        if args.demo:
            from tftui.services.demo import DemoError, start_demo_lab

            print("tftui: starting the lab cluster…", file=sys.stderr)
            try:
                demo = start_demo_lab(scenario=args.demo_scenario, vrouters=args.vrouters)
            except DemoError as exc:
                print(f"tftui: {exc}", file=sys.stderr)
                return 1
            loaded = load_config(str(demo.config_path), None, None)
        else:
            loaded = load_from_args(args)
    except ConfigError as exc:
        print(f"tftui: {exc}", file=sys.stderr)
        if demo:
            demo.stop()
        return 2
    from tftui.services.discovery import resolve_nodes

    spec, discovery_warning = resolve_nodes(loaded.cluster)
    if discovery_warning:
        loaded.warnings.append(discovery_warning)
    if not spec.nodes and not spec.routers:
        print(f"tftui: cluster {spec.name} has no nodes ({discovery_warning or 'none configured'})", file=sys.stderr)
        if demo:
            demo.stop()
        return 2
    try:
        setup_file_logging()
        from .app import TftuiApp
        from .extensions import extra_screens

        app = TftuiApp(spec, readonly=args.readonly, theme=args.theme,
                       extra_screens=extra_screens(spec, args.readonly))
        for w in loaded.warnings:
            app.call_later(app.notify, w, severity="warning", timeout=10)
        if not spec.nodes:  # a cluster of just its router: the routes are what there is to see
            app.call_later(app.action_open_screen, "routes")
        app.run()
        return app.return_code or 0
    finally:
        if demo:
            demo.stop()
