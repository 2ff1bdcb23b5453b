"""`tftui --demo` in a real tmux at 80x24, by keys alone: the demo's blocked pair (pod-0009 → pod-0010 on
TCP/5432) found from the tree — the vrouter, `F` its flows, the drop, its why, `R` the rule in the policy
editor, `F` the rule's live flows and hits."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import ROOT

from tftui.lab.topology import build

pytestmark = pytest.mark.tmux


def _press_until(tmux, key: str, done, tries: int, what: str) -> str:
    """Press ``key`` until ``done(screen)``, waiting for each press to show."""
    for _ in range(tries):
        screen = tmux.screen()
        if done(screen):
            return screen
        tmux.keys(key)
        try:
            tmux.wait_until(lambda s, before=screen: s != before, "a redraw", timeout=2)
        except AssertionError:
            pass
    return tmux.wait_until(done, what, timeout=5)


def _detail_of(screen: str) -> str:
    """The node view's detail pane's first line (the selected node), right of the tree."""
    lines = screen.splitlines()
    return lines[2][34:] if len(lines) > 2 else ""


def test_demo_blocked_pair_from_the_tree(tmux, tmp_path):
    pods = {i.vm_name: i for i in build("demo").interfaces}
    web, db = pods["pod-0009"], pods["pod-0010"]
    forward = re.compile(rf"TCP {re.escape(web.ip)}:\d+ → {re.escape(db.ip)}:5432 dropped by firewall policy")
    env = f"TFTUI_STATE_DIR={tmp_path} TERM=xterm-256color"
    tmux.start(f"cd {ROOT} && env {env} {sys.executable} -m tftui --demo; echo EXITED $?; sleep 30")
    tmux.wait_for("polled", timeout=60)
    # the tree: down to the pair's vrouter (the detail pane shows the selected node)
    _press_until(tmux, "Down", lambda s: f" {web.vrouter}  " in _detail_of(s), 30, f"{web.vrouter} selected")
    tmux.keys("F")
    screen = tmux.wait_for(f"Flows of {web.vrouter}", timeout=30)
    screen = tmux.wait_until(lambda s: " dropped · rules from the config API" in s, "the flow table", timeout=30)
    assert re.search(r"^ drop ", screen, re.M)  # drops first
    # `/` 5432, then down the drops to the pair's forward flow: the panel says why
    # the box seen before typing: a key pressed while the table is being refreshed can be lost in a loaded run
    _press_until(tmux, "/", lambda s: "/ filter: text or regex" in s, 3, "the filter box")
    tmux.type("5432")
    tmux.keys("Enter")
    tmux.wait_for("filter: 5432")
    screen = _press_until(tmux, "Down", lambda s: forward.search(s) is not None, 8, "the pair's drop and its why")
    assert "`default-policy-management:payments-guard`, rule 1 (tier=web → tier=db," in screen
    # enter: the whole decision chain
    tmux.keys("Enter")
    screen = tmux.wait_for("firewall policy: DROPPED on the source interface")
    assert "Why — " in screen and "R: the rule in the policy editor" in screen
    # R: the rule in the policy editor, then F: where it hits
    tmux.keys("R")
    screen = tmux.wait_for("Rules of firewall policy default-policy-management:payments-guard", timeout=30)
    assert re.search(r"deny\s+tcp:5432\s+tier=web\s+>\s+tier=db", screen)
    tmux.keys("F")
    screen = tmux.wait_for("Live flows of a firewall rule", timeout=30)
    screen = tmux.wait_until(lambda s: f"hits: {web.vrouter} " in s, "the rule's hits", timeout=30)
    assert web.ip in screen and db.ip in screen
    tmux.keys("Escape")
    tmux.wait_for("Rules of firewall policy")
    tmux.keys("Escape")
    tmux.wait_for(f"Flows of {web.vrouter}")
    _press_until(tmux, "Escape", lambda s: "i VMIs" in s, 3, "back on the node view")  # the filter, the flows
    tmux.keys("q")
    tmux.wait_for("EXITED 0", timeout=20)
