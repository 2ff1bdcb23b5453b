"""Arguments of ``tftui lab``, kept apart so the CLI can list them without starting servers."""

from __future__ import annotations

import argparse

# Kept in step with topology.SCENARIOS by a test; importing the topology here would load the lab
# into every headless command.
SCENARIOS = ("demo", "degraded", "fleet", "hostile", "seed-analytics-less", "seed-full")


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
    p.add_argument("--latency", type=float, default=0.0, metavar="MS",
                   help="simulated server time per introspect reply, in milliseconds")
    p.add_argument("--live-stats", action="store_true",
                   help="nodemgr CPU/memory figures change on every poll, as on a live cluster")
    p.add_argument("--introspect-tls", action="store_true",
                   help="serve introspect over HTTPS with a lab CA (written next to the config)")
    p.add_argument("--faults", metavar="SPEC", default="",
                   help="misbehave on purpose: 'NODE[:SERVICE,...]=FAULT[@FILE]' rules separated by ';' "
                        "(faults: refused hang drip reset http500 http404 truncated nonxml huge gzipbomb wide "
                        "laughs xxe nodesc empty unknown nonascii markup; see tftui/lab/fault_spec.py)")
    p.add_argument("--parent", type=int, default=0, metavar="PID", help=argparse.SUPPRESS)
    p.add_argument("--ssh-port", type=int, default=2022, help="SSH port of the simulated compute hosts")
    p.add_argument("--state", metavar="FILE", help="keep the config API's objects in FILE (JSON) across restarts")
    p.add_argument("--config-api-port", type=int, default=8082, help="port of the simulated config API")
    p.add_argument("--keystone", action="store_true",
                   help="require keystone v3 tokens on the config API (password from $TFTUI_LAB_PASSWORD)")
    p.add_argument("--keystone-port", type=int, default=5000, help="port of the lab's keystone")
    p.add_argument("--token-ttl", type=float, default=3600.0, help="lifetime of the lab's keystone tokens (s)")
    p.add_argument("--router-suite", choices=("frr", "quagga"), default="frr",
                   help="flavour of the lab's gateway router (FRR with JSON, or VyOS 1.1's Quagga text)")
    p.add_argument("--router-port", type=int, default=2222, help="SSH port of the lab router on 127.B.0.1")
    p.add_argument("--routes", type=int, default=0, metavar="N",
                   help="add N synthetic /32s from a transit peer to the lab router (scale tests, up to 500000)")
    p.add_argument("--router-fault", choices=("auth", "hostkey", "hang", "drop"), default=None,
                   help="make the lab router misbehave: refuse every login, present another host key, "
                        "never answer a command, or drop the connection halfway through a table")
    p.add_argument("--api-fault", choices=("expire", "409", "503", "garbage"), default=None,
                   help="make the lab config API misbehave: tokens expire after 3 uses (implies --keystone), "
                        "every write conflicts, everything is unavailable, or replies are not JSON")
    p.add_argument("--no-analytics", action="store_true",
                   help="serve no analytics API (8081) even where the scenario has analytics nodes")
    p.add_argument("--analytics-port", type=int, default=8081, help="port of the lab's analytics API")
    p.add_argument("--analytics-fault", choices=("partial",), default=None,
                   help="make the lab analytics API answer UVE and alarm reads with 500 + data (partitions down)")
    p.add_argument("--flow-export-rate", type=int, default=0, metavar="N",
                   help="global-vrouter-config flow_export_rate (0, the default, exports no flow records)")
