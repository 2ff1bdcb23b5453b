"""Dialogs every view uses: raw text (`y`), help (`?`), confirm a write, ask for text or a form's fields, pick one
of many."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from .errors import ViewModal
from .footer import Footer
from .keys import bindings


def modal_css(name: str) -> str:
    """CSS for one dialog class (screen CSS is not inherited by type, so each names its own class)."""
    return f"""
    {name} {{ align: center middle; }}
    {name} > Vertical {{ width: 90%; max-width: 100; height: auto; max-height: 90%; border: round $accent;
        background: $surface; padding: 0 1; }}
    {name} .title {{ text-style: bold; }}
    {name} VerticalScroll {{ height: auto; max-height: 16; }}
    {name} OptionList {{ height: auto; max-height: 14; }}
    {name} .error {{ color: $error; }}
    """


class RawScreen(ViewModal):
    """Raw text (XML, JSON, command output) in a read-only text area: searchable, selectable, scrollable."""

    BINDINGS = bindings("modal.close", "modal.raw")
    DEFAULT_CSS = """
    RawScreen { align: center middle; }
    RawScreen > TextArea { width: 95%; height: 90%; border: round $primary; }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.raw_title, self.text = title, text

    def compose(self) -> ComposeResult:
        area = TextArea(self.text or "(empty)", read_only=True, language=None, show_line_numbers=False,
                        id="raw-text")
        area.border_title = self.raw_title
        yield area
        yield Footer(show_command_palette=False)

    def action_raw(self) -> None:  # `y` again closes it
        self.dismiss(None)


def help_text(screen: Screen) -> Text:
    """Every binding active on ``screen``: its own first, then the ones that work everywhere."""
    app = screen.app
    groups: dict[str, dict[str, tuple[list[str], str]]] = {"this view": {}, "everywhere": {}}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.id and not binding.show:
            continue  # the widgets' own cursor keys
        group = "everywhere" if active.node is app else "this view"
        ident = binding.id or binding.action
        keys, _ = groups[group].setdefault(ident, ([], binding.description))
        display = app.get_key_display(binding.with_key(key)) if hasattr(binding, "with_key") else key
        if display not in keys:
            keys.append(display)
    text = Text()
    for group, entries in groups.items():
        if not entries:
            continue
        text.append(f"{group}\n", style="bold")
        for ident, (keys, description) in entries.items():
            text.append(f"  {' '.join(keys):<16}", style="bold")
            text.append(f"{description:<22}")
            text.append(f"{ident}\n", style="dim")
    text.append("\nremap any binding by its id in the config: keys: {app.events: E}", style="dim")
    return text


class HelpScreen(ViewModal):
    """`?`: the keys of the view it was opened on, and the global ones."""

    BINDINGS = bindings("modal.close", "app.help")
    CSS = modal_css("HelpScreen")

    def __init__(self, of: Screen) -> None:
        super().__init__()
        self.of = of
        self.view_title = str(getattr(of, "TITLE", "") or "tftui")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Keys — {self.view_title}"), classes="title")
            with VerticalScroll():
                yield Static(help_text(self.of), id="help-body", markup=False)
        yield Footer(show_command_palette=False)

    def action_help(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ViewModal[str]):
    """A write, in the operator's words; `y` shows the exact requests. Answers send / discard / keep."""

    BINDINGS = bindings("modal.send", "modal.drop", "modal.raw", "modal.close")
    CSS = modal_css("ConfirmScreen") + "ConfirmScreen #raw-diff { display: none; } " \
                                       "ConfirmScreen #raw-diff.shown { display: block; }"

    DRAFT_HINT = "enter sends · x drops it · esc keeps it as a draft · y: the requests"

    def __init__(self, title: str, summary: list[str], raw_diff: str, hint: str = DRAFT_HINT) -> None:
        super().__init__()
        self.change_title, self.summary, self.raw_diff, self.hint = title, summary, raw_diff, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.change_title), classes="title")
            with VerticalScroll():
                yield Static(Text("\n".join(self.summary) or self.change_title), id="summary")
                yield Static(_diff_text(self.raw_diff), id="raw-diff")
            yield Label(Text(self.hint, style="dim"))
        yield Footer(show_command_palette=False)

    def action_send(self) -> None:
        self.dismiss("send")

    def action_drop(self) -> None:
        self.dismiss("discard")

    def action_close(self) -> None:
        self.dismiss("keep")

    def action_raw(self) -> None:
        self.query_one("#raw-diff").toggle_class("shown")


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


class PromptScreen(ViewModal[str | None]):
    CSS = modal_css("PromptScreen")

    def __init__(self, title: str, placeholder: str = "", value: str = ""):
        super().__init__()
        self.prompt_title, self.placeholder, self.value = title, placeholder, value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.prompt_title), classes="title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt")
        yield Footer(show_command_palette=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class FormScreen(ViewModal[dict | None]):
    """A few labelled text boxes (a query's parameters): enter moves to the next box and, on the last one,
    answers with every box's text (as does ctrl+s); esc answers None. The caller checks the answers and opens
    the form again with what was wrong."""

    BINDINGS = bindings("modal.save", "modal.close")
    CSS = modal_css("FormScreen") + """
    FormScreen Grid { grid-size: 2; grid-columns: 16 1fr; grid-rows: 1; grid-gutter: 0 1; height: auto; }
    FormScreen Grid Input { border: none; height: 1; padding: 0 1; background: $boost; }
    FormScreen Grid Input:focus { background: $primary 30%; }
    FormScreen Grid Label { height: 1; }
    """

    def __init__(self, title: str, fields, values: dict[str, str], error: str = "") -> None:
        super().__init__()
        self.form_title, self.fields, self.values, self.error = title, tuple(fields), dict(values), error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.form_title), classes="title")
            with Grid():
                for f in self.fields:
                    yield Label(Text(f.label))
                    yield Input(value=self.values.get(f.key, ""), placeholder=f.hint, id=f"form-{f.key}")
            if self.error:
                yield Label(Text(self.error), classes="error", id="form-error")
            yield Label(Text("enter: next box, then run · ctrl+s runs · esc cancels", style="dim"))
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def answers(self) -> dict[str, str]:
        return {f.key: self.query_one(f"#form-{f.key}", Input).value.strip() for f in self.fields}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        boxes = list(self.query(Input))
        at = boxes.index(event.input) if event.input in boxes else len(boxes) - 1
        if at + 1 < len(boxes):
            boxes[at + 1].focus()
        else:
            self.action_save()

    def action_save(self) -> None:
        self.dismiss(self.answers())


class PickerScreen(ViewModal[str | None]):
    """Choose one of ``choices``; typing narrows the list."""

    CSS = modal_css("PickerScreen")

    def __init__(self, title: str, choices: list[str]):
        super().__init__()
        self.picker_title, self.choices = title, choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.picker_title), classes="title")
            yield Input(placeholder="type to narrow", id="pick-filter")
            yield OptionList(*[Option(Text(c), id=str(i)) for i, c in enumerate(self.choices)], id="choices")
        yield Footer(show_command_palette=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        needle = event.value.lower()
        options.add_options([Option(Text(c), id=str(i)) for i, c in enumerate(self.choices) if needle in c.lower()])
        if options.option_count:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.option_count:
            self.dismiss(self.choices[int(options.get_option_at_index(options.highlighted or 0).id or 0)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id or 0)])


class MessageScreen(ViewModal[None]):
    CSS = modal_css("MessageScreen")

    def __init__(self, title: str, lines: list[str]):
        super().__init__()
        self.message_title, self.lines = title, lines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.message_title), classes="title")
            with VerticalScroll():
                yield Static(Text("\n".join(self.lines) or "(nothing)"), id="body")
        yield Footer(show_command_palette=False)
