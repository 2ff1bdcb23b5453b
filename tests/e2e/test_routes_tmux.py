"""The routes pane in a real terminal: tmux runs the standalone routes app against `tftui lab` processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
from conftest import ROOT

pytestmark = pytest.mark.tmux
SOCKET = f"tftr-routes-{os.getpid()}"


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, timeout=10).stdout


def _wait_for(text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", "routes")
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not on screen after {timeout}s:\n{screen}")


def test_routes_pane_in_tmux(tmp_path):
    if shutil.which("tmux") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is missing")
        pytest.skip("tmux is missing")
    cfg = tmp_path / "lab.yaml"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    lab = subprocess.Popen([sys.executable, "-m", "tftui", "lab", "--base", "207", "--write-config", str(cfg)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert lab.stdout.readline().startswith("tftui-lab ready")
        cmd = f"cd {ROOT} && PYTHONPATH={ROOT} {sys.executable} -m tftui.ui.routes_app --config {cfg}"
        _tmux("new-session", "-d", "-s", "routes", "-x", "80", "-y", "24", cmd)
        screen = _wait_for("Established")
        assert "tf-ctrl1" in screen and "B>*" in screen and "frr 9.1" in screen
        _tmux("send-keys", "-t", "routes", "c")
        screen = _wait_for("gatewayless: ")
        assert "missing" in screen and "wrong-vrouter" in screen and "orphan" in screen
        _tmux("send-keys", "-t", "routes", "t")
        _tmux("send-keys", "-t", "routes", "d")
        _wait_for("AS path   64512")
        _tmux("send-keys", "-t", "routes", "q")
        time.sleep(0.3)
        _tmux("send-keys", "-t", "routes", "o")
        _wait_for("$ vtysh -c 'show ip")
        for _ in range(2):  # raw view -> tables -> leave the pane (the app exits)
            _tmux("send-keys", "-t", "routes", "Escape")
            time.sleep(0.6)  # a lone ESC is told from an escape sequence by a pause
        deadline = time.monotonic() + 10
        while "routes" in _tmux("list-sessions") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "routes" not in _tmux("list-sessions")
    finally:
        _tmux("kill-server")  # only this test's own tmux server (-L socket)
        lab.terminate()
        try:
            lab.wait(10)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.wait()
