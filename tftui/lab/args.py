"""Arguments of ``tftui lab``, kept apart so the CLI can list them without starting servers."""

from __future__ import annotations

import argparse

from .topology import SCENARIOS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", default="demo", choices=sorted(SCENARIOS), help="which cluster to simulate")
    p.add_argument("--vrouters", type=int, default=None, help="number of simulated computes (up to 2000)")
    p.add_argument("--base", type=int, default=42, help="second octet of the lab's 127.B.x.y addresses")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--write-config", metavar="FILE", help="write a tftui config for this lab to FILE")
    p.add_argument("--churn", type=float, nargs="?", const=3.0, default=0.0, metavar="SECONDS",
                   help="flip a service's state every SECONDS (default 3)")
    p.add_argument("--poll-interval", type=float, default=2.0, help="poll_interval written to the config")
    p.add_argument("--timeout", type=float, default=1.5, help="timeout written to the config")
    p.add_argument("--router-suite", choices=("frr", "quagga"), default="frr",
                   help="flavour of the lab's gateway router (FRR with JSON, or VyOS 1.1's Quagga text)")
    p.add_argument("--router-port", type=int, default=2222, help="SSH port of the lab router on 127.B.0.1")
    p.add_argument("--routes", type=int, default=0, metavar="N",
                   help="add N synthetic /32s from a transit peer to the lab router (scale tests, up to 500000)")
