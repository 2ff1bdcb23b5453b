"""What every headless command does first: load the config and say what is wrong with it on stderr."""

from __future__ import annotations

import argparse
import sys


def load_config_or_raise(args: argparse.Namespace):
    """The LoadedConfig for --config/--inventory/--cluster; its warnings are printed, a ConfigError raised."""
    from tftui.services.config import load_from_args

    loaded = load_from_args(args)
    for w in loaded.warnings:
        print(f"tftui: warning: {w}", file=sys.stderr)
    return loaded


def fail(message: str, code: int) -> int:
    """`tftui: error: MESSAGE` on stderr; returns the exit status to use."""
    print(f"tftui: error: {message}", file=sys.stderr)
    return code
