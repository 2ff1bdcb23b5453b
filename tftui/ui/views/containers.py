"""`:containers` — a compute's containers and its vrouter kernel module, as contrail-status shows them on the
compute itself, fetched over SSH (``ssh.compute``); for the node selected in the tree, or the first vrouter."""

from __future__ import annotations

from rich.text import Text

from tftui.services.launcher import ComputeDetail

from ..framework import Column, ResourceView, Row, Tone, register

_TONES = {"running": "ok", "exited": "err", "restarting": "warn", "paused": "warn"}


@register
class ContainersView(ResourceView):
    NAME = "containers"
    ITEMS = "containers"
    ALIASES = ("compute", "ctr", "docker")
    TITLE = "Containers on a compute"
    SERVICE = "launcher"  # what it needs; the feed is the compute's own (services/registry.py)
    COLUMNS = (Column("name", "Name", 28, priority=0, grow=True), Column("state", "State", 10, priority=0),
               Column("status", "Status", 20, priority=1), Column("image", "Image", 30, priority=2))

    def __init__(self, services, compute: str | None = None, **kwargs) -> None:
        vrouters = [n.address for n in services.spec.nodes if "vrouter" in n.roles]
        self.compute = compute or (vrouters[0] if vrouters else "127.0.0.1")
        super().__init__(services, feed=services.feed(f"compute:{self.compute}"), **kwargs)

    @classmethod
    def default_params(cls, app) -> dict:
        """Opened by name: the compute selected in the node tree, if it is one."""
        result = app.selected_result()
        return {"compute": result.address} if result is not None and "vrouter" in result.roles else {}

    def rows(self, detail: ComputeDetail) -> list[Row]:
        return [Row(c.name, (c.name, Tone(c.state, _TONES.get(c.state, "warn")), c.status, c.image), c,
                    rank=0 if c.state == "running" else 2) for c in detail.containers]

    def summary(self, detail: ComputeDetail) -> Text:
        text = Text(f"{detail.compute}", style="bold")
        if detail.runtime:
            text.append(f" ({detail.runtime})", style="dim")
        if detail.module:
            present = detail.module.endswith(" PRESENT") and "NOT" not in detail.module
            text.append(f"  {detail.module}", style="green" if present else "bold red")
        if detail.error:
            text.append(f"\n{detail.error}", style="bold red")
        return text
