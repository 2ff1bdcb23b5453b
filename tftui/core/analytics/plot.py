"""A stat series over time as text: its points put into as many time buckets as there are columns, then one
line of blocks (the table's sparkline) or a few lines high (the detail's plot)."""

from __future__ import annotations

from collections.abc import Sequence

from .results import sparkline

_EIGHTHS = " ▁▂▃▄▅▆▇█"


def resample(points: Sequence[tuple[int, float]], width: int, start: int | None = None,
             end: int | None = None) -> list[float | None]:
    """The mean of the points falling in each of ``width`` equal time buckets from ``start`` to ``end``
    (default: the first and last point); None where a bucket has no point."""
    if not points or width <= 0:
        return []
    t0 = points[0][0] if start is None else start
    t1 = points[-1][0] if end is None else end
    span = max(1, t1 - t0)
    sums = [0.0] * width
    counts = [0] * width
    for t, v in points:
        if t < t0 or t > t1:
            continue
        i = min(width - 1, (t - t0) * width // span)
        sums[i] += v
        counts[i] += 1
    return [s / c if c else None for s, c in zip(sums, counts, strict=True)]


def _carried(values: Sequence[float | None]) -> list[float]:
    """Gaps take the value before them (the first gaps the first value): a sparkline has no holes."""
    first = next((v for v in values if v is not None), 0.0)
    out, last = [], first
    for v in values:
        last = v if v is not None else last
        out.append(last)
    return out


def spark(points: Sequence[tuple[int, float]], width: int, start: int | None = None, end: int | None = None) -> str:
    """One line of blocks over the whole time range, ``width`` characters."""
    values = resample(points, width, start, end)
    return sparkline(_carried(values), width) if values else ""


def plot(points: Sequence[tuple[int, float]], width: int, height: int, start: int | None = None,
         end: int | None = None) -> list[str]:
    """``height`` lines, top line first, of at most ``width`` columns (no more columns than points): each
    column's bar is its bucket's mean (an empty bucket repeats the one before), in eighths of a line from the
    lowest value (an eighth) to the highest (full height)."""
    values = _carried(resample(points, min(width, len(points)), start, end))
    if not values or height <= 0:
        return []
    lo, hi = min(values), max(values)
    span = hi - lo or 1.0
    top = height * 8 - 1
    levels = [1 + round((v - lo) / span * top) for v in values]
    lines = []
    for row in range(height):
        floor = (height - 1 - row) * 8
        lines.append("".join(_EIGHTHS[max(0, min(8, level - floor))] for level in levels))
    return lines
