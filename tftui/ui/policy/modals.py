"""Small modal screens of the policy editor: diff confirm, text prompt, picker, message."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option


def modal_css(name: str) -> str:
    """CSS for one modal class: selectors name the concrete class (screen CSS is not inherited by type)."""
    return f"""
    {name} {{ align: center middle; }}
    {name} > Vertical {{ width: 90%; max-width: 100; height: auto; max-height: 90%; border: round $accent;
        background: $surface; padding: 0 1; }}
    {name} .title {{ text-style: bold; }}
    {name} VerticalScroll {{ height: auto; max-height: 16; }}
    {name} OptionList {{ height: auto; max-height: 14; }}
    {name} .error {{ color: $error; }}
    """


def _diff_text(diff: str) -> Text:
    text = Text()
    for line in diff.splitlines():
        style = ""
        if line.startswith(("+", "CREATE")) and not line.startswith("+++"):
            style = "green"
        elif line.startswith(("-", "DELETE")) and not line.startswith("---"):
            style = "red"
        elif line.startswith(("UPDATE", "@@")):
            style = "bold"
        text.append(line + "\n", style=style)
    return text


class ConfirmDiffScreen(ModalScreen[str]):
    """What will be sent: y/enter sends it, n drops the draft, escape keeps it for later."""

    CSS = modal_css("ConfirmDiffScreen")
    BINDINGS = [Binding("y,enter", "answer('send')", "Send"), Binding("n", "answer('discard')", "Discard"),
                Binding("escape", "answer('keep')", "Later")]

    def __init__(self, title: str, diff: str):
        super().__init__()
        self._title = title
        self._diff = diff

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._title), classes="title")
            with VerticalScroll():
                yield Static(_diff_text(self._diff), id="diff")
            yield Label(Text("Send this change? y = send, n = discard, escape = keep as a draft"))
        yield Footer()

    def action_answer(self, value: str) -> None:
        self.dismiss(value)


class PromptScreen(ModalScreen[str | None]):
    CSS = modal_css("PromptScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = ""):
        super().__init__()
        self._title, self._placeholder, self._value = title, placeholder, value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._title), classes="title")
            yield Input(value=self._value, placeholder=self._placeholder, id="prompt")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickerScreen(ModalScreen[str | None]):
    """Choose one of ``choices``; type to narrow the list."""

    CSS = modal_css("PickerScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[str]):
        super().__init__()
        self._title = title
        self._choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._title), classes="title")
            yield Input(placeholder="filter", id="filter")
            yield OptionList(*[Option(Text(c), id=str(i)) for i, c in enumerate(self._choices)], id="choices")
        yield Footer()

    def on_input_changed(self, event: Input.Changed) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        needle = event.value.lower()
        ol.add_options([Option(Text(c), id=str(i)) for i, c in enumerate(self._choices) if needle in c.lower()])
        if ol.option_count:
            ol.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        ol = self.query_one(OptionList)
        if ol.option_count:
            option = ol.get_option_at_index(ol.highlighted or 0)
            self.dismiss(self._choices[int(option.id or 0)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choices[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class MessageScreen(ModalScreen[None]):
    CSS = modal_css("MessageScreen")
    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, title: str, lines: list[str]):
        super().__init__()
        self._title, self._lines = title, lines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self._title), classes="title")
            with VerticalScroll():
                yield Static(Text("\n".join(self._lines) or "(nothing)"), id="body")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
