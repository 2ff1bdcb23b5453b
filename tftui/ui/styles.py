"""Glyphs and colours per health and state, taken from the active theme so every theme stays legible."""

from __future__ import annotations

from rich.style import Style

from tftui.core.status import ACTIVE, BACKUP, BAD_REPLY, INACTIVE, INITIALIZING, TIMEOUT, UNKNOWN, Health

GLYPHS = {
    Health.OK: "●",
    Health.DEGRADED: "▲",
    Health.UNREACHABLE: "✖",
    Health.UNKNOWN: "?",
    Health.PENDING: "…",
}
HEALTH_WORDS = {Health.OK: "ok", Health.DEGRADED: "degraded", Health.UNREACHABLE: "unreachable",
                Health.UNKNOWN: "unknown", Health.PENDING: "pending"}


def _rich_colour(colour: str | None, fallback: str) -> str:
    if not colour:
        return fallback
    if colour.startswith("ansi_"):
        name = colour[5:]
        return fallback if name == "default" else name
    return colour


class Palette:
    """Rich styles for the current theme; rebuilt when the theme changes."""

    _by_theme: dict[str, Palette] = {}

    @classmethod
    def for_theme(cls, theme) -> Palette:
        name = getattr(theme, "name", None) or ""
        palette = cls._by_theme.get(name)
        if palette is None:
            palette = cls._by_theme[name] = cls(theme)
        return palette

    def __init__(self, theme) -> None:
        ok = _rich_colour(getattr(theme, "success", None), "green")
        warn = _rich_colour(getattr(theme, "warning", None), "yellow")
        err = _rich_colour(getattr(theme, "error", None), "red")
        accent = _rich_colour(getattr(theme, "accent", None), "cyan")
        primary = _rich_colour(getattr(theme, "primary", None), "blue")
        self.health = {
            Health.OK: Style(color=ok),
            Health.DEGRADED: Style(color=warn, bold=True),
            Health.UNREACHABLE: Style(color=err, bold=True),
            Health.UNKNOWN: Style(color=accent),
            Health.PENDING: Style(dim=True),
        }
        self.state = {
            ACTIVE: Style(color=ok), BACKUP: Style(color=ok, italic=True),
            INITIALIZING: Style(color=warn), UNKNOWN: Style(color=accent),
            INACTIVE: Style(color=err, bold=True), TIMEOUT: Style(color=err, bold=True),
            BAD_REPLY: Style(color=err, bold=True),
        }
        self.heading = Style(color=primary, bold=True)
        self.dim = Style(dim=True)
        self.ok, self.warn, self.err = Style(color=ok), Style(color=warn), Style(color=err)
        self.accent = Style(color=accent)
        self._tones = {"ok": self.ok, "warn": Style(color=warn, bold=True), "err": Style(color=err, bold=True),
                       "dim": self.dim, "accent": self.accent, "bold": Style(bold=True)}

    def tone(self, name: str) -> Style:
        """The style for a meaning (ok, warn, err, dim, accent, bold) in this theme."""
        return self._tones.get(name, Style())
