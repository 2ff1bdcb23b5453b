"""The policy editor screens: tags, ports, firewall policies, application policy sets, networks, BGP peers.

Open with ``PolicyScreen(service)`` where ``service`` is a ``tftui.services.policy.PolicyService``.
"""

from .screen import PolicyScreen

__all__ = ["PolicyScreen"]
