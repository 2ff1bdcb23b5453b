"""A compute's local view in its detail pane: the container table and the vrouter kernel module line.

contrail-status shows these only when run on the compute itself; with ``ssh.compute`` configured tftui
fetches them over SSH (services/launcher.py) and renders them here.
"""

from __future__ import annotations

from rich.text import Text

from tftui.services.launcher import ComputeDetail

_STATE_STYLE = {"running": "green", "exited": "red", "restarting": "yellow", "paused": "yellow"}


def compute_detail_text(detail: ComputeDetail) -> Text:
    """Containers (name, image, state, status) then ``vrouter kernel module is PRESENT``; markup-safe."""
    text = Text()
    if detail.error and not detail.containers:
        text.append(f"{detail.compute}: {detail.error}", style="red")
        if detail.module:
            text.append("\n" + detail.module)
        return text
    rows = [(c.name, c.image, c.state, c.status) for c in detail.containers]
    header = ("NAME", "IMAGE", "STATE", "STATUS")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    text.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n", style="bold")
    for row in rows:
        for i, (value, width) in enumerate(zip(row, widths, strict=True)):
            style = _STATE_STYLE.get(value, "") if i == 2 else ""
            text.append(value.ljust(width) if i < 3 else value, style=style)
            if i < 3:
                text.append("  ")
        text.append("\n")
    if detail.runtime:
        text.append(f"({detail.runtime})\n", style="dim")
    if detail.module:
        text.append("\n" + detail.module, style="green" if detail.module.endswith(" PRESENT") and "NOT" not in
                    detail.module else "red")
    if detail.error:
        text.append(f"\n{detail.error}", style="red")
    return text
