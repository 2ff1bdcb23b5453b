"""Textual's leaks the soak found: the key bar keeping the keys it rebuilt, the render cache keeping removed widgets."""

from __future__ import annotations

import ast
import gc

from conftest import ROOT
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer as TextualFooter
from textual.widgets import Input, Label
from textual.widgets._footer import FooterKey

from tftui.ui.framework.footer import WATCHERS, Footer
from tftui.ui.framework.styles_cache import release_dead_widgets_lines

TEXTUAL_GET_INNER_OUTER = StylesCache.get_inner_outer


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


class Rebuilt(App):
    """Widgets made anew and removed, as a relabelled tree's rows or a rebuilt detail pane are."""

    def compose(self) -> ComposeResult:
        yield Vertical(id="cards")

    async def rebuild(self, n: int) -> None:
        cards = self.query_one("#cards")
        await cards.remove_children()
        await cards.mount_all(Label(f"card {n}.{i}") for i in range(20))


def _live_styles_caches() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is StylesCache)


async def test_removed_widgets_leave_their_rendered_lines_behind():
    app = Rebuilt()  # not TftuiApp: the fix is applied by hand, as TftuiApp does when it starts
    release_dead_widgets_lines()
    async with app.run_test() as pilot:
        await app.rebuild(0)
        await pilot.pause()
        start = _live_styles_caches()
        for n in range(1, 30):
            await app.rebuild(n)
            await pilot.pause()  # rendered: each card's StylesCache has met get_inner_outer
        # Textual's own method keeps the last 1024 StylesCaches (20 per rebuild here: +580) with their lines
        assert _live_styles_caches() - start < 20
    assert StylesCache.get_inner_outer is not TEXTUAL_GET_INNER_OUTER
