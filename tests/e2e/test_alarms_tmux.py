"""`tftui --demo` in a real tmux at 80x24: the tree rings bells, `:alarms` lists them, `a` acknowledges the
critical one after its confirmation, and it leaves the unacknowledged list (`H` shows it, acknowledged)."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.tmux

BELL = "🔔"


def _table(screen: str) -> list[str]:
    """The alarm rows: between the column headings and the detail panel's rule."""
    lines = screen.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("Severity"))
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("▔")), len(lines))
    return lines[start + 1:end]


def _severities(screen: str) -> list[str]:
    """Each row's severity (the leftmost column: a notification shows at the right, never over it)."""
    return [row[:10].strip() for row in _table(screen)]


def test_demo_acknowledge_an_alarm_in_tmux(tmux, tmp_path):
    env = f"TFTUI_STATE_DIR={tmp_path} TERM=xterm-256color"
    tmux.start(f"cd {ROOT} && env {env} {sys.executable} -m tftui --demo; echo EXITED $?; sleep 30")
    tmux.wait_for("polled", timeout=60)
    tmux.wait_for(BELL, timeout=30)  # the demo's degraded nodes have alarms: bells in the tree
    tmux.keys(":")
    tmux.wait_for("or node NAME")
    tmux.type("alarms")
    tmux.wait_for("Alarms — analytics")  # the view's line in the `:` list
    tmux.keys("Enter")
    screen = tmux.wait_until(lambda s: "Severity" in s and "critical" in _severities(s), "the alarms, critical first")
    assert _severities(screen)[0] == "critical" and "unacknowledged" in screen
    tmux.keys("a")
    tmux.wait_for("Acknowledge this critical alarm on ctrl3?")
    tmux.keys("Enter")
    screen = tmux.wait_until(lambda s: "Severity" in s and "critical" not in _severities(s) and "1 acknowledged" in s,
                             "the alarm gone from the unacknowledged list")
    tmux.keys("H")  # the acknowledged ones too: it is back, marked
    screen = tmux.wait_until(lambda s: any(r.startswith(" critical") and r.rstrip().endswith("ack") for r in _table(s)),
                             "the acknowledged alarm, marked ack")
    tmux.keys("Escape")
    tmux.wait_until(lambda s: "Severity" not in s and "i VMIs" in s, "back on the node view")
    tmux.keys("q")
    tmux.wait_for("EXITED 0", timeout=20)
