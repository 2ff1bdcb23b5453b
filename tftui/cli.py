"""tftui's command line: the TUI by default, headless subcommands for scripts and monitoring."""

from __future__ import annotations

import argparse
import importlib
import sys

from tftui import __version__
from tftui.commands import COMMAND_MODULES
from tftui.services.config import add_config_arguments
from tftui.services.loop import install_fast_loop, raise_open_files_limit


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tftui", description="Run and troubleshoot Tungsten Fabric clusters.")
    p.add_argument("--version", action="version", version=f"tftui {__version__}")
    add_config_arguments(p, subcommand=False)
    p.add_argument("--demo", action="store_true", help="start the simulated lab cluster and open the UI on it")
    p.add_argument("--demo-scenario", default="demo", metavar="NAME", help="lab scenario for --demo")
    p.add_argument("--vrouters", type=int, default=None, help="number of simulated computes for --demo")
    p.add_argument("--theme", help="theme name (see themes/*.yaml), e.g. tftui-dark, tftui-light, tftui-ansi")
    p.add_argument("--readonly", action="store_true", help="no writes at all: edit bindings are not even bound")
    p.add_argument("--view", metavar="NAME", help="open this view first (a `:` name: routes, vmi, fw, events, …)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    install_fast_loop()
    raise_open_files_limit()
    func = getattr(args, "func", None)
    if func is not None:
        return func(args)
    from tftui.ui.launch import run_ui

    return run_ui(args)


if __name__ == "__main__":
    sys.exit(main())
