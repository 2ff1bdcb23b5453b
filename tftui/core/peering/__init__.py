"""Peering the gateway router with TF's control nodes, as pure data: the router's BGP configuration in its own
dialect (FRR/Quagga vtysh, VyOS 1.1-1.3 and 1.4+ configuration mode), validated values for every template, the plan
of both sides' changes with its diff and undo, the session status and the likely causes when it stays down.
"""
