"""`tftui --demo` in a real tmux at 80x24, by keys alone: from the tree to a vrouter's state (`V`: its VRFs, XMPP
and drops), enter on the pods' VRF (its routes), `/` a local pod's /32, enter on it: the pod's path through its
vrouter, the control nodes and the gateway router; esc back up to the tree."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import ROOT

from tftui.lab.topology import build

pytestmark = pytest.mark.tmux


def _down_to(tmux, node: str) -> None:
    """Down the tree one row at a time, each press seen in the detail pane before the next (keys typed ahead
    of a busy app would run past the node), until the detail pane shows ``node``."""
    for _ in range(30):
        detail = _detail_of(tmux.screen())
        if f" {node}  " in detail:
            return
        tmux.keys("Down")
        try:
            tmux.wait_until(lambda s, before=detail: _detail_of(s) != before, "the next node", timeout=3)
        except AssertionError:
            pass  # a group's row: the detail stays on the last node
    raise AssertionError(f"{node} never selected in the tree")


def _detail_of(screen: str) -> str:
    """The node view's detail pane's first line (the selected node), right of the tree."""
    lines = screen.splitlines()
    return lines[2][34:] if len(lines) > 2 else ""


def test_demo_tree_vrouter_vrf_route_path(tmux, tmp_path):
    pod = next(i for i in build("demo").interfaces if i.kind == "pod" and i.network.endswith("pod-network"))
    env = f"TFTUI_STATE_DIR={tmp_path} TERM=xterm-256color"
    tmux.start(f"cd {ROOT} && env {env} {sys.executable} -m tftui --demo; echo EXITED $?; sleep 30")
    tmux.wait_for("polled", timeout=60)
    # the tree: down to the pod's vrouter, V its state
    _down_to(tmux, pod.vrouter)
    tmux.keys("V")
    screen = tmux.wait_for(f"vrouter — VRFs, XMPP, drops │ {pod.vrouter}\n", timeout=30)
    screen = tmux.wait_until(lambda s: "enter: a VRF's routes" in s and "XMPP " in s and "Drops " in s,
                             "the vrouter's VRFs, XMPP and drops", timeout=30)
    assert "k8s-default-pod-network" in screen
    # the pods' VRF: its routes, a local pod's /32 through its tap interface
    tmux.keys("/")
    tmux.type("pod-network")
    tmux.keys("Enter")
    tmux.wait_for("filter: pod-network")
    tmux.keys("Enter")
    screen = tmux.wait_for(f"VRF routes │ {pod.vrouter} k8s-default-pod-network", timeout=30)
    tmux.wait_until(lambda s: re.search(r"[1-9]\d*/\d+ routes", s) is not None, "the VRF's routes", timeout=30)
    tmux.keys("/")
    tmux.type(f"{pod.ip}/32")
    tmux.keys("Enter")
    screen = tmux.wait_for(f"filter: {pod.ip}/32")
    assert re.search(rf"^ {re.escape(pod.ip)}/32\s+LocalVmPort\s+interface\s+tap", screen, re.M), screen
    # enter on it: the pod's path, hop by hop
    tmux.keys("Enter")
    screen = tmux.wait_for(f"Path of a pod — vrouter, control nodes, router │ {pod.ip}", timeout=30)
    screen = tmux.wait_until(lambda s: re.search(r"[1-9]\d*/\d+ hops", s) is not None, "the path's hops", timeout=30)
    assert re.search(rf"^ \S+\s+vrouter\s+{re.escape(pod.vrouter)}\s", screen, re.M), screen
    assert len(re.findall(r"^ \S+\s+control\s+ctrl\d", screen, re.M)) >= 1, screen
    # esc: back to the routes (the filter still on), the VRFs, the tree
    tmux.keys("Escape")
    tmux.wait_for("VRF routes │")
    for _ in range(5):  # the routes' filter, the routes, the VRFs' filter, the VRFs
        screen = tmux.screen()
        if "i VMIs" in screen:
            break
        tmux.keys("Escape")
        tmux.wait_until(lambda s, before=screen: s != before, "esc shown", timeout=5)
    tmux.wait_for("i VMIs", timeout=5)
    tmux.keys("q")
    tmux.wait_for("EXITED 0", timeout=20)
