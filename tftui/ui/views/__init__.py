"""One module per view; importing this package registers them all for `:`."""

from . import (  # noqa: F401,E501
    containers,
    croutes,
    drops,
    events,
    interfaces,
    introspect,
    nodes,
    path,
    peers,
    policy,
    routes,
    traces,
    vrouter,
)
