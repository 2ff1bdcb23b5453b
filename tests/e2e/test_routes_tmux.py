"""The routes views in a real terminal: tmux runs tftui itself (`--view routes`) against a `tftui lab`."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.tmux


def test_routes_views_in_tmux(tmux, start_lab, tmp_path):
    lab = start_lab("demo")
    tmux.start(f"cd {ROOT} && TFTUI_STATE_DIR={tmp_path} {sys.executable} -m tftui --config {lab.config_path} "
               f"--view routes; echo EXITED $?; sleep 30")
    screen = tmux.wait_for("Established")
    assert "tf-ctrl1" in screen and "B>*" in screen and "frr 9.1" in screen
    tmux.keys("c")
    screen = tmux.wait_for("gatewayless: ")
    assert "missing" in screen and "wrong-vrouter" in screen and "orphan" in screen
    tmux.keys("Escape")  # back on the routes
    tmux.wait_for("protocol bgp")
    tmux.keys("Enter")  # the first route's BGP paths
    tmux.wait_for("AS path   64512")
    tmux.keys("Escape")
    tmux.wait_until(lambda s: "AS path" not in s, "the detail closed")
    tmux.keys("y")
    tmux.wait_for("$ vtysh -c 'show ip")
    tmux.keys("Escape")  # the raw text
    tmux.wait_for("protocol bgp")
    tmux.keys("Escape")  # the routes: back on the node tree, which the routes were opened over
    tmux.wait_for("unreachable │ polled")
    tmux.keys("q")
    tmux.wait_for("EXITED 0", timeout=20)
