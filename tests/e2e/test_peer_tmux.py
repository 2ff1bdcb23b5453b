"""`tftui --demo` in a real tmux at 80x24, by keys alone: `:peer` shows the router peered with two of the three
control nodes, `+` plans the third on both sides, enter applies both, and the session comes up on the router
and on the control node, with the router taking the control node's routes."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.tmux


def _row(screen: str, name: str) -> str:
    return next((line for line in screen.splitlines() if line.lstrip(" ✓").startswith(name)), "")


def test_demo_peer_the_last_control_node_in_tmux(tmux, tmp_path):
    env = f"TFTUI_STATE_DIR={tmp_path} TERM=xterm-256color"
    tmux.start(f"cd {ROOT} && env {env} {sys.executable} -m tftui --demo; echo EXITED $?; sleep 30")
    tmux.wait_for("polled", timeout=60)
    tmux.keys(":")
    tmux.wait_for("or node NAME")
    tmux.type("peer")
    tmux.wait_for("Peer the router with TF")  # the view's line in the `:` list
    tmux.keys("Enter")
    screen = tmux.wait_until(lambda s: "not configured" in _row(s, "ctrl3"), "both sides read", timeout=60)
    assert "+ peers ctrl3" in screen  # the demo leaves its last control node unpeered
    assert "in place: ctrl1, ctrl2" in screen and "not configured" in _row(screen, "ctrl3")
    assert "Established" in _row(screen, "ctrl1")
    tmux.keys("+")
    screen = tmux.wait_for("enter applies both sides")
    assert "bgp-router ctrl3" in screen
    tmux.keys("Enter")
    screen = tmux.wait_until(lambda s: "3/3 sessions up on both sides" in s, "the session up on both sides",
                             timeout=60)
    ctrl3 = _row(screen, "ctrl3")
    assert "routes" in ctrl3 and ctrl3.count("Established") == 2, ctrl3  # router side (with routes), control side
    assert "gatewayless cross-check: " in screen
    tmux.keys("Escape")
    tmux.wait_until(lambda s: "Peer the router" not in s and "i VMIs" in s, "back on the node view")
    tmux.keys("q")
    tmux.wait_for("EXITED 0", timeout=20)
