"""What every headless command does first: load the config and say what is wrong with it on stderr."""

from __future__ import annotations

import argparse
import sys


def load_config_or_raise(args: argparse.Namespace):
    """The LoadedConfig for --config/--inventory/--cluster; its warnings are printed, a ConfigError raised
    (after the warnings found before it)."""
    from tftui.core.inventory import ConfigError
    from tftui.services.config import load_from_args

    try:
        loaded = load_from_args(args)
    except ConfigError as exc:
        print_warnings(exc.warnings)
        raise
    print_warnings(loaded.warnings)
    return loaded


def print_warnings(warnings) -> None:
    for w in warnings:
        print(f"tftui: warning: {w}", file=sys.stderr)
