"""What every headless command shares: loading the config, saying what is wrong on stderr, writing stdout."""

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
