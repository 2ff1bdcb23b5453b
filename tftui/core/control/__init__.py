"""The control node's introspect (port 8083): BGP and XMPP neighbors, routing instances, routes."""
