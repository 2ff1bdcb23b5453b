"""The README's "Using it" block stays true: every command it shows exists, and every option it shows is one
that command (or its subcommand: `peer add`, `alarms ack`, `policy export`) takes."""

from __future__ import annotations

import argparse
import re

from conftest import ROOT

from tftui.cli import build_parser


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Using it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.startswith("tftui")]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings}


def test_every_command_and_option_the_readme_shows_exists():
    root = build_parser()
    lines = _commands()
    assert len(lines) > 30  # the block was found
    for line in lines:
        words = line.split()[1:]
        parser, known = root, _options(root)
        for w in words:  # the command, then a subcommand if the command has them (`peer add`)
            subs = _subparsers(parser)
            if w in subs:
                parser = subs[w]
                known |= _options(parser)
            elif not w.startswith(("-", "[")):
                break
        for option in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", line):
            assert option in known, f"README: `{line}`: {option} is not an option of this command"

