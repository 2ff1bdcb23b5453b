#!/usr/bin/env python3
"""Regenerate screenshots/*.svg from the real demo: the lab in its own process, the app polling it."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tftui.services.config import load_config  # noqa: E402
from tftui.services.demo import start_demo_lab  # noqa: E402
from tftui.ui.app import TftuiApp  # noqa: E402

OUT = ROOT / "screenshots"


async def shoot(config: Path, only: set[str] | None = None) -> list[Path]:
    spec = load_config(str(config)).cluster
    written = []
    # keys: groups separated by "|", each group pressed at once (":name" opens a view), then a wait for what it fetches
    blocked_pair = "F|slash 5 4 3 2 enter down"  # compute1's flows, the demo's blocked pair (pod-0009 → pod-0010)
    shots = [
        ("node-tree", "tftui-dark", (100, 30), "ctrl1", None),
        ("vrouter-detail-80x24", "tftui-ansi", (80, 24), "compute1", None),
        ("events", "tftui-light", (100, 30), "ctrl1", "e"),
        ("routes", "tftui-dark", (100, 30), "ctrl1", "r"),
        ("gatewayless-check", "tftui-dark", (100, 30), "ctrl1", "r|c"),
        ("interfaces", "tftui-dark", (100, 30), "ctrl1", "i"),
        ("policy-networks", "tftui-dark", (100, 30), "ctrl1", "f|5"),
        ("flows-why-80x24", "tftui-dark", (80, 24), "compute1", blocked_pair),
        ("why-chain", "tftui-dark", (100, 30), "compute1", f"{blocked_pair}|enter"),
        ("alarms", "tftui-dark", (100, 30), "ctrl3", ":alarms"),
        ("node-history", "tftui-dark", (100, 30), "ctrl3", "h"),
        ("logs", "tftui-dark", (100, 30), "ctrl1", ":logs"),
        ("uves", "tftui-dark", (100, 30), "ctrl1", ":uve"),
        ("stats", "tftui-dark", (100, 30), "ctrl1", ":stats"),
        ("peer-80x24", "tftui-dark", (80, 24), "ctrl1", ":peer"),  # the demo leaves ctrl3 unpeered: the plan
        ("peer-watching", "tftui-dark", (100, 30), "ctrl1", ":peer|plus|enter"),  # peered: both sides watched
    ]
    for name, theme, size, node, keys in shots:
        if only and name not in only:
            continue
        app = TftuiApp(spec, theme=theme)
        async with app.run_test(size=size) as pilot:
            while app.cluster.rounds < 2:
                await pilot.pause(0.2)
            app.query_one("NodeTree").select_name(node)
            await pilot.pause(0.3)
            for group in (keys or "").split("|"):
                if group.startswith(":"):  # a view by name, as `:` opens it
                    app.open_view(group[1:])
                else:
                    await pilot.press(*group.split())
                await pilot.pause(4.0)  # the views fetch over SSH / HTTP: let them fill
            path = OUT / f"{name}.svg"
            app.save_screenshot(str(path))
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    """With names (`peer-80x24 ...`): only those screenshots."""
    OUT.mkdir(exist_ok=True)
    lab = start_demo_lab(churn=0.5)
    try:
        for p in asyncio.run(shoot(lab.config_path, set(argv) or None)):
            print(p.relative_to(ROOT))
    finally:
        lab.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
