"""One module per view; importing this package registers them all for `:`."""

from . import containers, events, flows, interfaces, nodes, policy, routes  # noqa: F401
