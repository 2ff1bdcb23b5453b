"""One module per view; importing this package registers them all for `:`."""

from . import (  # noqa: F401
    alarms,
    containers,
    events,
    flowlog,
    flows,
    history,
    interfaces,
    logs,
    nodes,
    peer,
    policy,
    routes,
    stats,
    uve,
)
