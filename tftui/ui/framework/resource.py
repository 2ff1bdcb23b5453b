"""ResourceView: a view that is a table of rows from one feed — the shape of most of tftui.

A view declares COLUMNS and turns a snapshot into Rows; the framework filters them (`/`), orders them
(`w`: worst first), pages them (500 at a time: `]` `[`, so 200k routes stay fast), fits the columns to the
width (less important ones drop out first) and keeps the table equal to the page by in-place updates.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from tftui.core.columns import Column, layout
from tftui.core.filter import filter_indices, narrows

from ..styles import Palette
from .keys import bindings
from .screen import ViewScreen
from .table import ResourceTable, sync_rows

THREAD_ROWS = 20_000  # past this many rows, rows and search texts are built off the UI thread


@dataclasses.dataclass(slots=True)
class Row:
    key: str  # unique in the view; the table keeps the cursor on it across updates
    cells: tuple | Callable[[], tuple] = ()  # one per column; a callable is only called for rows on screen
    item: Any = None  # what the row shows: `y` shows it raw, enter opens it
    search: str | None = None  # what `/` matches (default: the cells' text)
    rank: int = 0  # how bad it is: `w` puts the highest first


class LazyRows(Sequence):
    """Rows made on demand from a big list of items (only the page on screen is ever built), with their
    search texts made straight from the items: 200k routes cost nothing until they are looked at."""

    def __init__(self, items: Sequence[Any], row: Callable[[Any], Row], search: Callable[[Any], str],
                 rank: Callable[[Any], int] | None = None) -> None:
        self.items, self.row, self.search, self.rank = items, row, search, rank

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self.row(item) for item in self.items[i]]
        return self.row(self.items[i])

    def search_texts(self) -> list[str]:
        search = self.search
        return [search(item).lower() for item in self.items]

    def ranks(self) -> list[int]:
        rank = self.rank
        return [rank(item) for item in self.items] if rank is not None else [0] * len(self.items)


@dataclasses.dataclass(frozen=True, slots=True)
class Tone:
    """A cell coloured by what it means, in the current theme's colours."""

    text: str
    tone: str  # ok | warn | err | dim | accent | bold


class ResourceView(ViewScreen):
    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    PAGE: ClassVar[int] = 500  # rows in the table at once (each costs ~60 us to add)
    FOLLOW_TAIL: ClassVar[bool] = False  # a log: with the cursor on the last row, new rows keep it there
    ITEMS: ClassVar[str] = "rows"  # what the rows are, for the status line ("12/40 interfaces")
    DETAIL_HEIGHT: ClassVar[int] = 9  # lines of the detail panel, when the view has one
    BINDINGS = bindings("view.worst", "view.next_page", "view.prev_page")
    DEFAULT_CSS = """
    ResourceView .view-summary { height: auto; max-height: 8; padding: 0 1; display: none; }
    ResourceView .view-summary.shown { display: block; }
    ResourceView ResourceTable { height: 1fr; scrollbar-size-vertical: 1; }
    ResourceView .view-detail { border-top: hkey $panel; padding: 0 1; }
    """

    # ------------------------------------------------------------------ what a view supplies
    def rows(self, snapshot: Any) -> Sequence[Row]:
        """The snapshot as rows, in the order to show them."""
        raise NotImplementedError

    def summary(self, snapshot: Any) -> RenderableType | None:
        """A few lines above the table (None: none)."""
        return None

    def detail(self, row: Row) -> RenderableType | None:
        """The panel under the table for the row under the cursor (override to have one)."""
        return None

    def raw(self, row: Row) -> str | None:
        """What `y` shows for a row: by default its item as JSON."""
        item = row.item
        if item is None:
            return None
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            item = dataclasses.asdict(item)
        return json.dumps(item, indent=2, default=str, ensure_ascii=False)

    def open(self, row: Row) -> None:
        """enter on a row."""

    def row_count_hint(self, snapshot: Any) -> int | None:
        """How many rows the snapshot will give, if cheap to tell: a big one is turned into rows in a thread."""
        return None

    # ------------------------------------------------------------------ state
    def __init__(self, services, **kwargs: Any) -> None:
        super().__init__(services, **kwargs)
        self.all_rows: Sequence[Row] = []
        self.shown: list[int] = []  # indices into all_rows, filtered and ordered
        self.page = 0
        self.worst_first = False
        self.columns_shown: list[tuple[Column, int]] = []
        self._search_cache: list[str] | None = None
        self._filtered: tuple[str, list[int] | None] = ("", None)  # the last query and what it kept
        self._rows_on_page: dict[str, Row] = {}
        self._rows_version = -1
        self._with_detail = type(self).detail is not ResourceView.detail
        self._wanted: Callable[[Row], bool] | None = None  # select_where(): the row to put the cursor on once shown

    def compose_body(self) -> Iterator[Widget]:
        yield Static(id=self.wid("summary"), classes="view-summary")
        yield ResourceTable(id=self.wid("table"))
        if self._with_detail:
            with VerticalScroll(id=self.wid("detail"), classes="view-detail") as panel:
                panel.styles.height = self.DETAIL_HEIGHT
                yield Static(id=self.wid("detail-body"))

    @property
    def table(self) -> ResourceTable:
        return self.query_one(f"#{self.wid('table')}", ResourceTable)

    def focus_body(self) -> None:
        self.table.focus()

    def on_mount(self) -> None:
        super().on_mount()
        self.table.focus()

    # ------------------------------------------------------------------ snapshot -> rows
    def show(self, snapshot: Any) -> None:
        strip = self.query_one(f"#{self.wid('summary')}", Static)
        text = self.summary(snapshot)
        strip.set_class(text is not None, "shown")
        strip.update(text if text is not None else "")
        hint = self.row_count_hint(snapshot)
        if hint is None:  # as many as last time, unless they were lazy (made in no time, whatever their number)
            hint = 0 if isinstance(self.all_rows, LazyRows) else len(self.all_rows)
        if hint > THREAD_ROWS:  # big: the rows are made in a thread, the keys keep answering
            self._rows_version = self.feed.version
            self.rows_pending = True
            self.run_worker(lambda: self.rows(snapshot), thread=True, exclusive=True, group="rows",
                            name=f"{self.NAME} rows")
        else:
            self.set_rows(_as_sequence(self.rows(snapshot)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "rows" and event.state == WorkerState.SUCCESS:
            self.rows_pending = False
            self.set_rows(_as_sequence(event.worker.result or ()))
            self.applied_version = max(self.applied_version, self._rows_version)
            self.update_status()
            return
        if event.worker.group == "rows" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.rows_pending = False
        if event.worker.group == "search" and event.state == WorkerState.SUCCESS:
            rows, texts = event.worker.result
            if rows is self.all_rows and self._search_cache is None:  # still the rows they were made for
                self._search_cache = texts
            return
        super().on_worker_state_changed(event)

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.all_rows = rows
        self._search_cache = None
        self._filtered = ("", None)
        self.refilter(keep_page=True)
        if len(rows) > THREAD_ROWS:  # the texts `/` matches, ready before the first keystroke needs them
            self.run_worker(lambda: (rows, _search_texts_of(rows)), thread=True, exclusive=True, group="search",
                            name=f"{self.NAME} search texts")

    def _search_texts(self) -> list[str]:
        if self._search_cache is None:  # asked before the thread finished: make them now
            self._search_cache = _search_texts_of(self.all_rows)
        return self._search_cache

    def _ranks(self) -> list[int]:
        rows = self.all_rows
        return rows.ranks() if isinstance(rows, LazyRows) else [r.rank for r in rows]

    def refilter(self, keep_page: bool = False) -> None:
        total = len(self.all_rows)
        last_query, last_kept = self._filtered
        candidates = last_kept if last_kept is not None and narrows(last_query, self.filter_text) else None
        kept = filter_indices(self._search_texts(), self.filter_text, candidates) if self.filter_text else None
        self._filtered = (self.filter_text, kept)
        if self.worst_first:
            ranks = self._ranks()
            self.shown = sorted(kept if kept is not None else range(total), key=lambda i: -ranks[i])
        else:
            self.shown = kept if kept is not None else list(range(total))
        if not keep_page:
            self.page = 0
        self.page = max(0, min(self.page, (len(self.shown) - 1) // self.PAGE))
        self.sync_page()
        self.update_status()

    def filter_changed(self) -> None:
        self.refilter()

    # ------------------------------------------------------------------ rows -> table
    def sync_page(self) -> None:
        table = self.table
        if not self.columns_shown:
            return  # laid out on the first resize, then synced
        start = self.page * self.PAGE
        rows = self.all_rows
        page = [rows[i] for i in self.shown[start:start + self.PAGE]]
        palette = Palette.for_theme(self.app.current_theme)
        picked = [i for i, c in enumerate(self.COLUMNS) if any(c is shown for shown, _ in self.columns_shown)]
        data: dict[str, list[Text]] = {}
        self._rows_on_page = {}
        for row in page:
            key = row.key
            while key in data:  # two rows with one key would break the table: keep both, visibly
                key += "'"
            cells = _cells_of(row)
            data[key] = [_cell(cells[i] if i < len(cells) else None, palette) for i in picked]
            self._rows_on_page[key] = row
        at_end = table.row_count > 0 and table.cursor_row >= table.row_count - 1
        before = table.row_count
        sync_rows(table, [c.key for c, _ in self.columns_shown], data)
        if self.FOLLOW_TAIL and (at_end or before == 0) and table.row_count > before:
            table.move_cursor(row=table.row_count - 1, animate=False)
        if self._wanted is not None and page:
            self._select_wanted()
        self._show_detail()

    @on(ResourceTable.Resized)
    def _relayout(self, event: ResourceTable.Resized) -> None:
        event.stop()
        table = self.table
        table.laid_out_for = event.width
        columns = layout(self.COLUMNS, max(10, event.width - 1))
        if columns == self.columns_shown:
            return
        self.columns_shown = columns
        table.clear(columns=True)
        for column, width in columns:
            table.add_column(column.label, width=width, key=column.key)
        self.sync_page()

    # ------------------------------------------------------------------ the selection
    def select_where(self, match: Callable[[Row], bool]) -> None:
        """Put the cursor on the first row ``match`` accepts, on its page, as soon as the rows are on the
        table (a view opened on one row: a rule from a flow's why, a flow from a rule's hits). Tried once,
        on the first rows shown."""
        self._wanted = match
        if self.columns_shown and self.table.row_count:  # already on screen (else: once the rows come)
            self._select_wanted()

    def _select_wanted(self) -> None:
        match, self._wanted = self._wanted, None
        rows = self.all_rows
        pos = next((n for n, i in enumerate(self.shown) if match is not None and match(rows[i])), None)
        if pos is None:
            return
        if pos // self.PAGE != self.page:
            self.page = pos // self.PAGE
            self.sync_page()
        self.table.move_cursor(row=pos % self.PAGE, animate=False)
        self.update_status()

    def selected_row(self) -> Row | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # no valid cursor
            return None
        return self._rows_on_page.get(str(key))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        if not self._with_detail:
            return
        row = self.selected_row()
        body = self.detail(row) if row is not None else None
        self.query_one(f"#{self.wid('detail-body')}", Static).update(body if body is not None else "")

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open(row)

    def raw_text(self) -> tuple[str, str] | None:
        row = self.selected_row()
        text = self.raw(row) if row is not None else None
        return (f"{self.TITLE} — {row.key}", text) if row is not None and text is not None else None

    # ------------------------------------------------------------------ keys
    def action_worst_first(self) -> None:
        self.worst_first = not self.worst_first
        self.refilter()
        self.notify("worst first" if self.worst_first else "in the view's own order", timeout=2)

    def action_page(self, step: int) -> None:
        """The next/previous PAGE rows: every row of a 200k table stays reachable."""
        page = self.page + step
        if page < 0 or page * self.PAGE >= len(self.shown):
            return
        self.page = page
        self.sync_page()
        self.table.move_cursor(row=0)
        self.update_status()

    def counts(self) -> str:
        total, shown = len(self.all_rows), len(self.shown)
        text = f"{shown}/{total} {self.ITEMS}"
        if shown > self.PAGE:
            first = self.page * self.PAGE
            text += f" · rows {first + 1}-{min(first + self.PAGE, shown)} (] [ next/previous)"
        return text


def _as_sequence(rows) -> Sequence[Row]:
    """A list or LazyRows as it is (never materialise 200k lazy rows); any other iterable as a list."""
    return rows if isinstance(rows, list | LazyRows) else list(rows)


def _search_texts_of(rows: Sequence[Row]) -> list[str]:
    if isinstance(rows, LazyRows):
        return rows.search_texts()
    return [(r.search if r.search is not None else _plain(_cells_of(r))).lower() for r in rows]


def _cells_of(row: Row) -> tuple:
    return row.cells() if callable(row.cells) else row.cells


def _plain(cells: tuple) -> str:
    return " ".join(c.plain if isinstance(c, Text) else c.text if isinstance(c, Tone) else str(c)
                    for c in cells if c is not None)


def _cell(value: Any, palette: Palette) -> Text:
    if isinstance(value, Text):
        return value
    if isinstance(value, Tone):
        return Text(value.text, style=palette.tone(value.tone))
    # Text, never str: a str cell is parsed as markup (an interface named "[b]" would vanish)
    return Text("" if value is None else str(value))
