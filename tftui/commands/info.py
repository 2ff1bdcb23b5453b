"""``tftui info``: which config, theme, log and state paths are in use, and where each setting came from."""

from __future__ import annotations

import argparse
import contextlib
import os

from .common import EXIT_OK, EXIT_USAGE


def register(sub: argparse._SubParsersAction) -> None:
    from tftui.services.config import add_config_arguments

    p = sub.add_parser("info", help="print config, theme, log and state paths and where each setting came from")
    add_config_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tftui.core.inventory import ConfigError
    from tftui.services.config import ENV_CONFIG, default_config_path, load_from_args, log_path, state_dir
    from tftui.services.themes import theme_dirs

    print(f"default config path: {default_config_path()}")
    print(f"${ENV_CONFIG}: {os.environ.get(ENV_CONFIG) or '(unset)'}")
    print(f"state dir: {state_dir()}")
    print(f"log file: {log_path()}")
    print("theme dirs: " + ", ".join(str(d) for d in theme_dirs()))
    try:
        loaded = load_from_args(args)
    except ConfigError as exc:
        print(f"config: not loaded: {exc}")
        _print_warnings(exc.warnings)
        return EXIT_USAGE
    print(f"config file: {loaded.config_path or '(none)'} (from {loaded.config_source})")
    if loaded.inventory_path:
        print(f"inventory: {loaded.inventory_path}")
    from tftui.core.redact import redact

    spec = loaded.cluster
    print(f"cluster: {spec.name} ({len(spec.nodes)} nodes)")
    values = {"cluster": spec.name, "inventory": loaded.inventory_path, "poll_interval": spec.poll_interval,
              "timeout": spec.timeout, "proxy": spec.proxy or "(none: environment proxies ignored)",
              "theme": spec.theme, "config_api": spec.config_api, "analytics_api": spec.analytics_api,
              "status_source": spec.status_source}
    if not spec.analytics_api:
        from tftui.core.analytics.settings import analytics_settings

        with contextlib.suppress(ConfigError):
            found = analytics_settings(spec)
            values["analytics_api"] = f"{found.url} (an analytics node's)" if found else "(none: no analytics node)"
    for key, value in values.items():
        print(f"  {key}: {redact(str(value))}    [{loaded.sources.get(key, 'built-in default')}]")
    print("routers: " + (", ".join(f"{r.name} ({r.host}:{r.port})" for r in spec.routers) or "(none)"))
    print("key bindings (remap by id in the config's top-level keys:):")
    from tftui.core.keyscheme import effective_bindings

    for spec_, keys, source in effective_bindings(loaded.keymap, str(loaded.config_path or "config")):
        print(f"  {spec_.id:<20} {keys:<22} {spec_.description:<16} [{source}]")
    _print_warnings(loaded.warnings)
    return EXIT_OK


def _print_warnings(warnings) -> None:
    """On stdout with the rest: what is wrong with the config is part of what info reports."""
    print(f"config warnings: {len(warnings) or 'none'}")
    for w in warnings:
        print(f"  {w}")
