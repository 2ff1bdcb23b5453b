"""The key bar every view uses: rebuilt as focus moves, it must not keep the keys it removed (the soak's leak)."""

from __future__ import annotations

import ast

from conftest import ROOT
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer as TextualFooter
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from tftui.ui.framework.footer import WATCHERS, Footer


class OneKey(Input):
    BINDINGS = [Binding("f2", "first", "First")]


class TwoKeys(Input):
    BINDINGS = [Binding("f3", "second", "Second"), Binding("f4", "third", "Third")]


def _app(footer: type[TextualFooter]) -> App:
    class FocusMoves(App):
        def compose(self) -> ComposeResult:
            yield OneKey()
            yield TwoKeys()
            yield footer(show_command_palette=False)

    return FocusMoves()


async def _watchers_after_rebuilds(footer: type[TextualFooter], rebuilds: int) -> tuple[int, list[str]]:
    app = _app(footer)
    async with app.run_test() as pilot:
        for _ in range(rebuilds):
            await pilot.press("tab")  # the other input: other bindings, the footer rebuilds its keys
            await pilot.pause()
        bar = app.query_one(footer)
        watchers = sum(len(entries) for entries in getattr(bar, WATCHERS, {}).values())
        return watchers, [key.key for key in bar.query(FooterKey)]


async def test_footer_forgets_the_keys_it_rebuilt():
    watchers, keys = await _watchers_after_rebuilds(Footer, 20)
    assert keys == ["f2"]  # an even number of tabs: back on the first input, its key shown
    assert watchers <= 3  # the keys on screen now, not every key shown since the start
    # The same rebuilds with Textual's own footer keep a watcher per key ever shown (Textualize/textual#6666):
    # when this fails, Textual fixed it and tftui's footer can go.
    leaked, _ = await _watchers_after_rebuilds(TextualFooter, 20)
    assert leaked > 20


def test_views_use_the_footer_that_does_not_leak():
    """A view that yields Textual's Footer brings the leak back: every footer comes from framework/footer.py."""
    offenders = []
    for path in sorted((ROOT / "tftui" / "ui").rglob("*.py")):
        if path.name == "footer.py" and path.parent.name == "framework":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual")
                    and any(alias.name == "Footer" for alias in node.names)):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"import Footer from tftui.ui.framework.footer instead: {offenders}"
