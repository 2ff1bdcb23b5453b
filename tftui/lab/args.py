"""Arguments of ``tftui lab``, kept apart so the CLI can list them without starting servers."""

from __future__ import annotations

import argparse

# Kept in step with topology.SCENARIOS by a test; importing the topology here would load the lab
# into every headless command.
SCENARIOS = ("demo", "degraded", "fleet", "full-r2011", "hostile", "seed-analytics-less", "seed-full")
ROUTER_OS = ("frr", "vyos-1.1", "vyos-1.3", "vyos-1.4")  # kept in step with topology.ROUTER_OS by the same test
RELEASES = ("5.0", "2011")  # topology.RELEASES


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", default="demo", choices=sorted(SCENARIOS), help="which cluster to simulate")
    p.add_argument("--release", choices=RELEASES, default=None,
                   help="the simulated release: 5.0 (the seed's: config database inside config) or 2011 "
                        "(config-database, analytics-alarm, analytics-snmp pods); default: the scenario's")
    p.add_argument("--vrouters", type=int, default=None, help="number of simulated computes (up to 10000)")
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
    p.add_argument("--processes", type=int, default=0, metavar="N",
                   help="serve introspect from N processes (default: one per 2500 vrouters)")
    p.add_argument("--status-only", action="store_true",
                   help="serve only what answers node status, introspect and the analytics API (no config API, "
                        "router or SSH hosts): fleet-scale benchmarks")
    p.add_argument("--share", type=int, default=None, help=argparse.SUPPRESS)  # a helper of --processes
    p.add_argument("--parent", type=int, default=0, metavar="PID", help=argparse.SUPPRESS)
    p.add_argument("--ssh-port", type=int, default=2022, help="SSH port of the simulated compute hosts")
    p.add_argument("--state", metavar="FILE", help="keep the config API's objects in FILE (JSON) across restarts")
    p.add_argument("--config-api-port", type=int, default=8082, help="port of the simulated config API")
    p.add_argument("--keystone", action="store_true",
                   help="require keystone v3 tokens on the config API (password from $TFTUI_LAB_PASSWORD)")
    p.add_argument("--keystone-port", type=int, default=5000, help="port of the lab's keystone")
    p.add_argument("--token-ttl", type=float, default=3600.0, help="lifetime of the lab's keystone tokens (s)")
    p.add_argument("--router-os", choices=ROUTER_OS, default=None,
                   help="what the lab's gateway router is: VyOS 1.1 (Quagga), 1.3 (FRR 7.5), 1.4 (FRR 9.1, the "
                        "default) or plain FRR 8.4; each takes its own configuration commands")
    p.add_argument("--router-suite", choices=("frr", "quagga"), default=None,
                   help="shorthand: quagga is --router-os vyos-1.1, frr the default FRR-based router")
    p.add_argument("--unpeered", metavar="NODE,...", default=None,
                   help="control nodes the router is not peered with at the start ('' for none; "
                        "default: the demo leaves its last control node unpeered)")
    p.add_argument("--peer-delay", type=float, default=3.0, metavar="SECONDS",
                   help="how long a BGP session takes to come up once both sides agree")
    p.add_argument("--router-port", type=int, default=2222, help="SSH port of the lab router on 127.B.0.1")
    p.add_argument("--routes", type=int, default=0, metavar="N",
                   help="add N synthetic /32s from a transit peer to the lab router (scale tests, up to 500000)")
    p.add_argument("--router-fault", choices=("auth", "hostkey", "hang", "drop", "nosave"), default=None,
                   help="make the lab router misbehave: refuse every login, present another host key, "
                        "never answer a command, drop the connection halfway through a table, or fail to save "
                        "its configuration")
    p.add_argument("--flows", type=int, default=None, metavar="N",
                   help="N more TCP conversations per vrouter in the agents' flow tables (pagination and scale)")
    p.add_argument("--flow-key-format", choices=("partition", "dash", "colon"), default="partition",
                   help="the agents' flow paging keys: current (partitioned), or an older release's format")
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
