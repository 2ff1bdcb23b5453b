"""``tftui lab``: the simulated cluster, served on loopback until stopped."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.lab.args import add_arguments

    p = sub.add_parser("lab", help="serve a simulated cluster on loopback until stopped")
    add_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tftui.lab.runner import run as run_lab

    return run_lab(args)
