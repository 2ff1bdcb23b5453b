"""What every headless command shares: its exit codes, how it says what went wrong (``tftui: error: ...``
on stderr), loading the config with its warnings printed, writing stdout."""

from __future__ import annotations

import argparse
import sys

EXIT_OK = 0  # all is well
EXIT_FAIL = 1  # the cluster (or what was asked of it) is not well, or could not be read
EXIT_USAGE = 2  # bad usage or config
EXIT_UNKNOWN = 3  # `tftui status`: nothing failed, but something is unknown
EXIT_UNAVAILABLE = 3  # the analytics commands: the analytics API could not answer
EXIT_NOTHING_COMPARED = 3  # `tftui check gatewayless`: no problem found, but no pod/VM /32 could be compared


def error(message: object, code: int = EXIT_FAIL) -> int:
    """Print ``tftui: error: message`` on stderr; returns ``code`` for the command to return."""
    print(f"tftui: error: {message}", file=sys.stderr)
    return code


def warning(message: object) -> None:
    print(f"tftui: warning: {message}", file=sys.stderr)


def note(message: object) -> None:
    """Something the operator should read that is neither an error nor a warning (a listing, a hint)."""
    print(f"tftui: {message}", file=sys.stderr)


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


def write_json(doc) -> None:
    """A document on stdout, indented, UTF-8: orjson writes a 10,000-node status ten times faster than json."""
    import os

    import orjson

    data = memoryview(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    sys.stdout.flush()
    fd = sys.stdout.fileno()
    # An event loop may have left the descriptor non-blocking: a pipe then takes 64 KB per write, not all of it.
    os.set_blocking(fd, True)
    try:
        while data:
            data = data[os.write(fd, data):]
    except BrokenPipeError:  # as write_stdout: a reader that went away is not worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), fd)
