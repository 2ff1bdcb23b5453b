"""The docs stay true to the code they show."""

from __future__ import annotations

from conftest import ROOT


def test_the_worked_example_in_the_docs_is_the_real_view():
    """docs/architecture.md shows tftui/ui/views/events.py in full: the two must not drift apart."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = doc.split("## How to add a view", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert block == (ROOT / "tftui" / "ui" / "views" / "events.py").read_text(encoding="utf-8")
    assert len(block.splitlines()) < 100
