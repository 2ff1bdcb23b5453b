"""The other views — interfaces & launcher, policy editor, routes — opened by key or from the command palette.

Each entry builds its service from the cluster config when first opened; a view whose config is
missing or wrong says why instead of opening.
"""

from __future__ import annotations

from collections.abc import Callable

from tftui.core.inventory import ClusterSpec, ConfigError

ScreenFactory = Callable[..., object]


def _vmi(spec: ClusterSpec) -> ScreenFactory:
    def open_vmi(app):
        from tftui.services.launcher import Launcher
        from tftui.services.vmis import VmiService

        from .vmi_screen import VmiScreen

        return VmiScreen(VmiService(spec), Launcher(spec))

    return open_vmi


def _policy(spec: ClusterSpec, readonly: bool) -> ScreenFactory:
    def open_policy(app):
        from tftui.services.policy import PolicyService

        from .policy import PolicyScreen

        service = PolicyService.from_cluster(spec, readonly=readonly)
        app.on_exit_callbacks.append(service.aclose)
        return PolicyScreen(service)

    return open_policy


def _routes(spec: ClusterSpec) -> ScreenFactory:
    def open_routes(app):
        from tftui.services.routes import RouterMonitor

        from .password_prompt import make_prompt
        from .routes_screen import RoutesScreen

        monitor = getattr(app, "_routes_monitor", None)
        if monitor is None:  # one monitor (and SSH connection) per app, reused each time the pane opens
            monitor = RouterMonitor.from_cluster(spec, prompt=make_prompt(app))
            app._routes_monitor = monitor
            app.on_exit_callbacks.append(monitor.stop)
        return RoutesScreen(monitor)

    return open_routes


def extra_screens(spec: ClusterSpec, readonly: bool) -> dict[str, tuple[str, ScreenFactory]]:
    screens: dict[str, tuple[str, ScreenFactory]] = {}
    if any("vrouter" in n.roles for n in spec.nodes):
        screens["vmi"] = ("Interfaces: every VM/pod interface, SSH into one (:vmi)", _vmi(spec))
    from tftui.services.routes import RouterMonitor

    if RouterMonitor.router_names(spec):
        screens["routes"] = ("Routes: the gateway router's BGP table and the gatewayless cross-check (:routes)",
                             _routes(spec))
    if spec.config_api:
        screens["policy"] = ("Policy editor: tags, firewall policies, networks, BGP peers (:fw)", _policy(spec, readonly))
    return screens


def open_error(exc: Exception) -> str | None:
    """A message for the operator when a view cannot be built from the config; None for real bugs."""
    if isinstance(exc, ConfigError | ValueError | OSError):
        return str(exc)
    return None
