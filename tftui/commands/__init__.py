"""Headless subcommands. Each module defines ``register(subparsers)``; its parser sets ``func=run``.

Modules here must import neither Textual nor the lab at import time: ``tftui status`` on a jump host
should start in a fraction of a second.
"""

COMMAND_MODULES = (
    "tftui.commands.status",
    "tftui.commands.info",
    "tftui.commands.lab",
    "tftui.commands.routes",
    "tftui.commands.policy",
    "tftui.commands.vmis",
    "tftui.commands.introspect",
    "tftui.commands.flows",
    "tftui.commands.analytics",
    "tftui.commands.peer",
    "tftui.commands.exporter",
    "tftui.commands.peers",
    "tftui.commands.drops",
    "tftui.commands.path",
)
