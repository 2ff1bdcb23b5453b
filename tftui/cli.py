"""tftui's command line. Headless commands import neither Textual nor the lab, so they start fast."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tftui", description="Run and troubleshoot Tungsten Fabric clusters.")
    sub = p.add_subparsers(dest="command")
    lab = sub.add_parser("lab", help="serve a simulated cluster on loopback until stopped")
    from tftui.lab.args import add_arguments

    add_arguments(lab)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "lab":
        from tftui.lab.runner import run

        return run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
