"""Columns declared once per view, sized for the width there is: the ones that matter survive 80x24."""

from __future__ import annotations

from dataclasses import dataclass

CELL_PADDING = 2  # a DataTable cell has one column of padding on each side


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # what its usual content needs
    priority: int = 1  # 0: always shown; on a narrow screen the highest numbers go first (rightmost first)
    min_width: int = 0  # the narrowest it may be squeezed to (default: its label, at most its width)
    grow: bool = False  # takes the width that is left over

    @property
    def narrowest(self) -> int:
        return min(self.width, self.min_width or max(len(self.label), 3))


def layout(columns: tuple[Column, ...], available: int) -> list[tuple[Column, int]]:
    """The columns that fit in ``available`` cells and the width each gets, in declared order."""
    kept = list(columns)
    # drop the least important (highest priority number, the rightmost of equals) until what the rest want
    # fits: a column that matters is shown whole rather than every column cut
    while sum(c.width + CELL_PADDING for c in kept) > available and any(c.priority > 0 for c in kept):
        drop = max(range(len(kept)), key=lambda i: (kept[i].priority, i))
        kept.pop(drop)
    widths = {c.key: c.width for c in kept}
    excess = sum(widths.values()) + CELL_PADDING * len(kept) - available
    # too wide: squeeze growing columns first, then the least important, never below their narrowest
    for c in sorted(kept, key=lambda c: (not c.grow, -c.priority)):
        if excess <= 0:
            break
        give = min(excess, widths[c.key] - c.narrowest)
        widths[c.key] -= give
        excess -= give
    growing = [c for c in kept if c.grow]
    if excess < 0 and growing:  # room to spare: the growing columns take it
        extra, rest = divmod(-excess, len(growing))
        for i, c in enumerate(growing):
            widths[c.key] += extra + (1 if i < rest else 0)
    return [(c, widths[c.key]) for c in kept]
