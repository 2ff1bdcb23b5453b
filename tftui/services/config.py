"""Finding and loading the config: which file, which cluster, and where each setting came from."""

from __future__ import annotations

import argparse
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tftui.core.analytics.settings import analytics_settings
from tftui.core.config_schema import Issue, check_cluster, check_document
from tftui.core.inventory import ClusterSpec, ConfigError, choose_cluster, parse_cluster, parse_instances
from tftui.core.keyscheme import parse_keymap
from tftui.core.redact import has_url_password

ENV_CONFIG = "TFTUI_CONFIG"
# libyaml's safe loader reads a 2000-node config ~10x faster than the pure-Python one
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ENV_STATE = "TFTUI_STATE_DIR"


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / default


def default_config_path() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "tftui" / "config.yaml"


def state_dir() -> Path:
    value = os.environ.get(ENV_STATE)
    return Path(value) if value else _xdg("XDG_STATE_HOME", ".local/state") / "tftui"


def log_path() -> Path:
    return state_dir() / "tftui.log"


@dataclass
class LoadedConfig:
    cluster: ClusterSpec
    config_path: Path | None
    config_source: str  # --config | $TFTUI_CONFIG | default path | --inventory only
    inventory_path: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)  # setting -> where it came from
    document: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    keymap: dict[str, str] = field(default_factory=dict)  # the top-level `keys:` (binding id -> keys), checked


def add_config_arguments(p: argparse.ArgumentParser, subcommand: bool = True) -> None:
    """The same three options everywhere; on a subcommand they default to "unset" so that
    ``tftui --config F status`` and ``tftui status --config F`` mean the same."""
    default = argparse.SUPPRESS if subcommand else None
    p.add_argument("--config", metavar="FILE", default=default,
                   help=f"tftui config (default: ${ENV_CONFIG}, else {default_config_path()})")
    p.add_argument("--inventory", metavar="FILE", default=default,
                   help="a contrail-ansible-deployer instances.yaml, read as is")
    p.add_argument("--cluster", metavar="NAME", default=default, help="which cluster of the config")


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a SafeLoader (libyaml's when present)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None


def _resolve_config_path(explicit: str | None) -> tuple[Path | None, str]:
    if explicit:
        return Path(explicit).expanduser(), "--config"
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser(), f"${ENV_CONFIG}"
    default = default_config_path()
    if default.exists():
        return default, "default path"
    return None, "none"


def _secret_warnings(doc: Any, path: Path) -> list[str]:
    found: list[str] = []

    def walk(node: Any, trail: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                key = str(k).lower()
                if key in ("password", "token", "secret", "passphrase") and isinstance(v, str) and v:
                    found.append(f"{path}: {trail}{k} holds a secret in clear; prefer password_env, ssh-agent or a prompt")
                elif isinstance(v, str) and has_url_password(v):
                    found.append(f"{path}: {trail}{k} is a URL with a password in it; it is kept out of messages, "
                                 f"but prefer auth: with password_env (or a proxy that needs none)")
                walk(v, f"{trail}{k}.")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{trail}{i}.")

    walk(doc, "")
    return found


def schema_issues(doc: dict, path: Path, cluster: str | None) -> tuple[list[str], list[str]]:
    """(warnings, errors): unknown keys anywhere and wrong types in clusters not in use are warnings; a wrong
    type at the top level or in the cluster in use is an error (parse_cluster also refuses those, for callers
    that skip the loader)."""
    clusters = doc.get("clusters") if isinstance(doc.get("clusters"), dict) else {}
    in_use = check_document({k: v for k, v in doc.items() if k != "clusters"})
    others: list[Issue] = []
    for name, cdoc in clusters.items():
        (in_use if name == cluster else others).extend(check_cluster(cdoc, f"clusters.{name}"))
    warnings = [f"{path}: {i}" for i in in_use if not i.error]
    warnings += [f"{path}: {i}" + (" (in a cluster not in use)" if i.error else "") for i in others]
    return warnings, [str(i) for i in in_use if i.error]


def _add_schema_issues(warn: list[str], doc: dict, path: Path, cluster: str | None) -> None:
    warnings, errors = schema_issues(doc, path, cluster)
    warn.extend(warnings)
    if errors:
        exc = ConfigError(f"{path}: " + "; ".join(errors))
        exc.warnings = warn
        raise exc


def load_config(config: str | None = None, inventory: str | None = None, cluster: str | None = None) -> LoadedConfig:
    """The cluster to work on, from --config / $TFTUI_CONFIG / the default path, and/or --inventory."""
    path, source = _resolve_config_path(config)
    inv_path = Path(inventory).expanduser() if inventory else None
    if path is None and inv_path is None:
        raise ConfigError(
            f"no config: pass --config FILE or --inventory instances.yaml, set ${ENV_CONFIG}, "
            f"or create {default_config_path()} (try `tftui --demo` to see one)"
        )
    sources: dict[str, str] = {}
    doc: dict = {}
    warn: list[str] = []
    if path is not None:
        if not path.exists():
            raise ConfigError(f"config file {path} (from {source}) does not exist")
        loaded = read_yaml(path)
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        doc = loaded
        warn.extend(_secret_warnings(doc, path))
        try:
            mode = path.stat().st_mode
            if warn and mode & (stat.S_IRGRP | stat.S_IROTH):
                warn.append(f"{path}: readable by other users (chmod 600)")
        except OSError:
            pass
    if doc.get("clusters"):
        name = choose_cluster(doc, cluster, str(path))
        _add_schema_issues(warn, doc, path, name)
        sources["cluster"] = "--cluster" if cluster else ("default_cluster" if doc.get("default_cluster") else "first cluster")
        cdoc = doc["clusters"][name] or {}
    else:
        if path is not None and not inv_path:
            raise ConfigError(f"{path}: no clusters defined (expected a 'clusters:' mapping)")
        if path is not None:
            _add_schema_issues(warn, doc, path, None)
        name = cluster or "default"
        sources["cluster"] = "--cluster" if cluster else "built-in"
        cdoc = {}
    if inv_path is None and cdoc.get("inventory"):
        base = path.parent if path else Path.cwd()
        inv_path = (base / Path(str(cdoc["inventory"])).expanduser()).resolve()
        sources["inventory"] = f"{path} clusters.{name}.inventory"
    elif inv_path is not None:
        sources["inventory"] = "--inventory"
    try:
        inventory_nodes = parse_instances(read_yaml(inv_path), str(inv_path)) if inv_path else None
        spec = parse_cluster(name, cdoc, str(path or inv_path), inventory_nodes)
        analytics_settings(spec)  # a bad analytics key is a config error now, not at first poll
    except ConfigError as exc:
        exc.warnings = warn  # what was found before the error still deserves a word (a secret in clear)
        raise
    for key in ("poll_interval", "timeout", "proxy", "theme", "config_api", "analytics_api", "status_source"):
        sources[key] = f"{path} clusters.{name}.{key}" if key in cdoc else "built-in default"
    if not spec.nodes and not spec.config_api and not spec.routers:
        raise ConfigError(f"cluster {name!r} has no nodes (add nodes: or inventory:, or pass --inventory)")
    keymap, key_warnings = parse_keymap(doc.get("keys"), f"{path} keys")
    warn.extend(key_warnings)
    return LoadedConfig(spec, path, source, inv_path, sources, doc, warn, keymap)


def load_from_args(args: argparse.Namespace) -> LoadedConfig:
    return load_config(getattr(args, "config", None), getattr(args, "inventory", None), getattr(args, "cluster", None))
