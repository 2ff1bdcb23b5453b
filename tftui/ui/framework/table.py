"""The table every resource view owns, kept equal to a keyed list of rows by in-place updates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from .keys import bindings

# each remove_row costs O(rows) (measured: a filter keystroke dropping 4,000 of 5,000 rows one by one took
# 15 s): past this many removals at once, clearing and adding the rest is far cheaper
BULK_REMOVE = 50


def sync_rows(table: DataTable, columns: Sequence[str], rows: dict[str, Sequence[Any]]) -> int:
    """Make ``table`` show ``rows`` (key -> cells in column order), in that order, changing only what
    differs; the cursor stays on its row. Returns how many cells and rows changed."""
    cursor_key = _cursor_key(table)
    changes = 0
    existing = {str(k.value) for k in table.rows}
    gone = existing - rows.keys()
    if len(gone) > BULK_REMOVE:
        table.clear()
        existing, gone = set(), set()
    for key in gone:
        table.remove_row(key)
        changes += 1
    for key, cells in rows.items():
        if key in existing:
            current = table.get_row(key)
            for col, old, new in zip(columns, current, cells, strict=False):
                if old != new:
                    table.update_cell(key, col, new)
                    changes += 1
        else:
            table.add_row(*cells, key=key)
            changes += 1
    if changes and [str(r.key.value) for r in table.ordered_rows] != list(rows):
        _reorder(table, list(rows))
    if cursor_key is not None and cursor_key in rows:
        index = table.get_row_index(cursor_key)
        if index != table.cursor_row:
            table.move_cursor(row=index, animate=False)
    return changes


def _cursor_key(table: DataTable) -> str | None:
    if table.row_count == 0:
        return None
    try:
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
    except Exception:  # the cursor is past the rows (they were removed): no row to keep
        return None


def _reorder(table: DataTable, order: list[str]) -> None:
    """Put the rows in ``order`` with DataTable's own sort: each row is known by its first cell object."""
    position = {id(table.get_row(key)[0]): i for i, key in enumerate(order)}
    table.sort(key=lambda cells: position.get(id(cells[0]), len(position)))


class ResourceTable(DataTable):
    """A DataTable whose Home/End/g/G go to the first/last row (not sideways) and whose keys have ids."""

    BINDINGS = [
        *bindings("view.top", "view.bottom"),
        Binding("enter", "select_cursor", "Open", id="view.open", show=False),
    ]

    class Resized(Message):
        def __init__(self, width: int) -> None:
            super().__init__()
            self.width = width

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.laid_out_for = -1

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self.laid_out_for:
            self.post_message(self.Resized(event.size.width))
