"""One module per view; importing this package registers them all for `:`."""

from . import (  # noqa: F401
    alarms,
    containers,
    croutes,
    drops,
    events,
    flowlog,
    flows,
    history,
    interfaces,
    introspect,
    logs,
    nodes,
    path,
    peers,
    policy,
    routes,
    stats,
    traces,
    uve,
    vrouter,
)
