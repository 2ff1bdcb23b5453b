"""The introspect CLI's (`ist`) text renderings of control-node replies, read back into tables: the only public
captures of a real control node's BgpNeighborReq (shared/data/introspect-real samples 40-43)."""

from __future__ import annotations


def cli_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every +---+ table of an ist rendering: (columns, rows), wrapped cells joined back together."""
    tables, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].startswith("+-") and i + 2 < len(lines) and lines[i + 1].startswith("|"):
            columns = [c.strip() for c in lines[i + 1].strip("|").split("|")]
            rows: list[list[str]] = []
            i += 3
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip("|").split("|")]
                if rows and not cells[1]:  # a wrapped row continues the previous one
                    rows[-1] = [a + b for a, b in zip(rows[-1], cells, strict=True)]
                else:
                    rows.append(cells)
                i += 1
            tables.append((columns, rows))
        i += 1
    return tables
