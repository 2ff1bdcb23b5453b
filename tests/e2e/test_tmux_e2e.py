"""`tftui --demo` inside a real tmux, driven by keys as a user would, at 80x24."""

from __future__ import annotations

import os
import shutil
import sys
import time

import pytest
from conftest import ROOT, free_bases

pytestmark = pytest.mark.tmux


def test_demo_in_tmux(tmux, tmp_path):
    before = set(free_bases(42))
    env = f"TFTUI_STATE_DIR={tmp_path} TERM=xterm-256color"
    cmd = f"cd {ROOT} && env {env} {sys.executable} -m tftui --demo --theme tftui-ansi; echo EXITED $?; sleep 30"
    tmux.run("-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", cmd)
    tmux.run("set-option", "-s", "escape-time", "0")
    screen = tmux.wait_for("Quit", timeout=60)
    screen = tmux.wait_for("polled", timeout=30)
    assert "tftui" in screen and "ok /" in screen
    # the first node is selected: its contrail-status blocks are in the detail pane
    tmux.wait_for("== Contrail control ==")
    for _ in range(8):
        tmux.keys("Down")
    time.sleep(0.5)
    tmux.keys("/")
    for ch in "compute3":
        tmux.keys(ch)
    tmux.keys("Enter")
    def tree_column(screen: str) -> str:
        return "\n".join(line[:32] for line in screen.splitlines()[1:-1])

    tmux.wait_until(lambda s: "compute3" in tree_column(s) and "ctrl1" not in tree_column(s), "filtered tree")
    tmux.keys("Escape")
    time.sleep(0.3)
    tmux.keys("e")
    tmux.wait_for("Events — state transitions")
    time.sleep(0.3)
    tmux.keys("Escape")
    tmux.wait_until(lambda s: "Events — state" not in s and "i VMIs" in s, "back on the node view")
    tmux.keys("q")
    tmux.wait_for("EXITED 0", timeout=20)
    time.sleep(0.5)
    # the lab child was stopped: every range that was free before is free again
    assert set(free_bases(42)) >= before
    log = tmp_path / "tftui.log"
    assert log.exists() and (log.stat().st_mode & 0o777) == 0o600


def test_demo_ssh_into_a_pod_and_back(tmux, tmp_path):
    """`i` opens the interfaces, `s` on cirros1 hands the terminal to OpenSSH through its compute; exit returns."""
    if shutil.which("ssh") is None:
        if os.environ.get("CI"):
            pytest.fail("OpenSSH client is required in CI")
        pytest.skip("no ssh client")
    env = f"TFTUI_STATE_DIR={tmp_path} TERM=xterm-256color"
    cmd = f"cd {ROOT} && env {env} {sys.executable} -m tftui --demo; echo EXITED $?; sleep 30"
    tmux.run("-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30", cmd)
    tmux.run("set-option", "-s", "escape-time", "0")
    tmux.wait_for("polled", timeout=60)
    tmux.keys("i")
    tmux.wait_for("cirros1", timeout=30)
    time.sleep(0.5)
    tmux.keys("s")
    tmux.wait_until(lambda s: any(line.rstrip().endswith("$") for line in s.splitlines()), "the pod's prompt")
    tmux.keys("ip -o a", "Enter")
    screen = tmux.wait_for("10.47.255.251")  # cirros1 keeps the seed's address
    assert "169.254" not in screen.split("ip -o a", 1)[1].split("\n", 1)[0]
    tmux.keys("exit", "Enter")
    tmux.wait_for("cirros1")
    tmux.wait_for("Filter")
    time.sleep(0.3)
    tmux.keys("Escape")
    tmux.wait_for("polled")
    tmux.keys("q")
    tmux.wait_for("EXITED 0", timeout=20)


def test_demo_routes_pane_and_cross_check(tmux, tmp_path):
    """`r` opens the gateway router's tables over SSH; `c` shows the demo's deliberate discrepancies."""
    env = f"TFTUI_STATE_DIR={tmp_path} TERM=xterm-256color"
    cmd = f"cd {ROOT} && env {env} {sys.executable} -m tftui --demo; echo EXITED $?; sleep 30"
    tmux.run("-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30", cmd)
    tmux.run("set-option", "-s", "escape-time", "0")
    tmux.wait_for("polled", timeout=60)
    tmux.keys("r")
    screen = tmux.wait_for("Established", timeout=30)
    assert "tf-ctrl1" in screen and "10.47.255." in screen  # peered with the lab's control nodes
    tmux.keys("c")
    def row(screen: str, *words: str) -> bool:
        return any(line.split()[:len(words)] == list(words) for line in screen.splitlines())

    screen = tmux.wait_until(lambda s: row(s, "missing", "10.47.255.252/32"), "the missing /32 (pod-0005; cirros2 has .250)", timeout=30)
    assert row(screen, "wrong-vrouter") and row(screen, "orphan", "10.47.0.99/32")
    time.sleep(0.3)
    tmux.keys("Escape")
    time.sleep(0.3)
    tmux.keys("Escape")
    tmux.wait_until(lambda s: "i VMIs" in s, "back on the node view")
    tmux.keys("q")
    tmux.wait_for("EXITED 0", timeout=20)
