"""What every headless command shares: loading the config, saying what is wrong on stderr, writing stdout."""

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
        warning(w)


def error(message: str) -> None:
    print(f"tftui: error: {message}", file=sys.stderr)


def warning(message: str) -> None:
    print(f"tftui: warning: {message}", file=sys.stderr)


def write_stdout(text: str) -> bool:
    """All of stdout at once; a reader that went away (``| head``) is not an error worth a traceback."""
    import os

    try:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False
