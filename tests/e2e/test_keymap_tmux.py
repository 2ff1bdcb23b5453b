"""The config's `keys:` remaps a binding by its id, in the real app in a real terminal."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

pytestmark = pytest.mark.tmux


def test_keys_section_remaps_events_to_capital_e(tmux, start_lab, tmp_path):
    lab = start_lab("demo", vrouters=2)
    doc = yaml.safe_load(lab.config_path.read_text())
    doc["keys"] = {"app.events": "E", "view.filter": "ctrl+f,slash"}
    cfg = tmp_path / "keys.yaml"
    cfg.write_text(yaml.safe_dump(doc))
    tmux.start(f"cd {ROOT} && TFTUI_STATE_DIR={tmp_path} {sys.executable} -m tftui --config {cfg}; "
               f"echo EXITED $?; sleep 30")
    screen = tmux.wait_for("polled")
    assert "E Events" in screen  # the footer shows the key the config chose
    tmux.keys("e")  # the old key does nothing now
    tmux.keys("?")
    tmux.wait_for("Keys — Nodes")
    tmux.keys("End")  # the help scrolls at 80x24: its last lines are the keys that work everywhere
    screen = tmux.wait_for("everywhere")
    assert any(line.split() [1:4] == ["E", "Events", "app.events"] for line in screen.splitlines()
               if "app.events" in line), screen
    tmux.keys("Escape")
    tmux.wait_until(lambda s: "Keys — Nodes" not in s, "help closed")
    assert "Events — state transitions" not in tmux.screen()
    tmux.keys("E")
    tmux.wait_for("Events — state transitions")
    tmux.keys("Escape")
    tmux.wait_for("polled")
    tmux.keys("C-f")  # the filter's second key
    tmux.wait_for("/ filter:")
    tmux.type("compute2")
    tmux.wait_until(lambda s: "1/5 nodes · filter: compute2" in s, "the filter took the text")
    tmux.keys("Enter")  # the keyboard back to the tree
    tmux.wait_for("q Quit")  # the footer of the tree, not of the filter box
    tmux.keys("q")
    tmux.wait_for("EXITED 0", timeout=20)
    # tftui info lists each binding with its keys and where they came from
    info = subprocess.run([sys.executable, "-m", "tftui", "info", "--config", str(cfg)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60, env={"TFTUI_STATE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    line = next(ln for ln in info.stdout.splitlines() if "app.events" in ln)
    assert " E " in f"{line} " and f"{cfg} keys.app.events" in line
    assert "default" in next(ln for ln in info.stdout.splitlines() if "app.routes" in ln)
