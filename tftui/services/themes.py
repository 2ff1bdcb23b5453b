"""Where themes live and what a theme file says; the UI turns the result into Textual themes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .config import default_config_path

THEME_KEYS = {"name", "dark", "ansi", "primary", "secondary", "accent", "foreground", "background", "surface",
              "panel", "boost", "success", "warning", "error", "variables", "luminosity_spread", "text_alpha"}
DEFAULT_THEME = "tftui-dark"


def theme_dirs() -> list[Path]:
    """Packaged themes (inside an installed wheel), the source tree's, then the user's own."""
    pkg = Path(__file__).resolve().parent.parent
    dirs = [pkg / "themes", pkg.parent / "themes", default_config_path().parent / "themes"]
    return [d for d in dirs if d.is_dir()]


class ThemeError(ValueError):
    pass


def parse_theme(doc: Any, source: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise ThemeError(f"{source}: a theme is a mapping")
    unknown = set(doc) - THEME_KEYS
    if unknown:
        raise ThemeError(f"{source}: unknown key(s) {', '.join(sorted(unknown))}")
    if not doc.get("name") or not doc.get("primary"):
        raise ThemeError(f"{source}: 'name' and 'primary' are required")
    variables = doc.get("variables") or {}
    if not isinstance(variables, dict):
        raise ThemeError(f"{source}: 'variables' must be a mapping")
    return {**doc, "variables": {str(k): str(v) for k, v in variables.items()}}


def load_theme_files() -> tuple[dict[str, dict[str, Any]], list[str]]:
    """name -> theme mapping (later directories override earlier), and errors for files that were skipped."""
    themes: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for d in theme_dirs():
        for path in sorted(d.glob("*.yaml")):
            try:
                theme = parse_theme(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
            except (OSError, yaml.YAMLError, ThemeError) as exc:
                errors.append(str(exc))
                continue
            themes[theme["name"]] = theme
    return themes, errors
