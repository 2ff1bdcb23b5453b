"""themes/*.yaml as Textual themes."""

from __future__ import annotations

from textual.theme import Theme

from tftui.services.themes import load_theme_files


def load_themes() -> tuple[list[Theme], list[str]]:
    docs, errors = load_theme_files()
    themes = []
    for name, doc in docs.items():
        try:
            themes.append(Theme(**doc))
        except (TypeError, ValueError) as exc:
            errors.append(f"theme {name}: {exc}")
    return themes, errors
