"""A vrouter agent's state on its introspect (port 8085): VRFs, unicast routes, next hops, XMPP sessions, drops."""
