"""Killing tftui (SIGKILL) with a change on the confirm dialog loses nothing: the real app runs in tmux against
`tftui lab`, is killed mid-edit, restarted, and offers the draft back; the lab shows nothing was written."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.tmux
SOCKET = f"tftr-drafts-{os.getpid()}"


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, timeout=10).stdout


def _wait_for(session: str, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not on screen after {timeout}s:\n{screen}")


def _keys(session: str, *keys: str, pause: float = 0.4) -> None:
    for k in keys:
        _tmux("send-keys", "-t", session, k)
        time.sleep(pause)


def _start_app(session: str, cfg: Path, state: Path) -> int:
    cmd = (f"cd {ROOT} && exec env PYTHONPATH={ROOT} TFTUI_STATE_DIR={state} "
           f"{sys.executable} -m tftui --config {cfg}")
    _tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd)
    return int(_tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())


def _open_networks(session: str) -> None:
    _wait_for(session, "ctrl1", timeout=40)
    _keys(session, "f")
    _wait_for(session, "Networks")
    _keys(session, "5")
    _wait_for(session, "tenant-net")
    _keys(session, "/")
    _tmux("send-keys", "-t", session, "-l", "tenant-net")
    _keys(session, "Enter")


def _tenant_net(path: Path) -> dict:
    doc = json.loads(path.read_text())
    return next(i["obj"] for i in doc["objects"] if i["type"] == "virtual-network"
                and i["obj"]["fq_name"][-1] == "tenant-net")


def test_sigkill_on_the_confirm_dialog_keeps_the_draft(start_lab, tmp_path):
    if shutil.which("tmux") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tmux is missing")
        pytest.skip("tmux is missing")
    lab = start_lab(extra=("--state", str(tmp_path / "api-state.json")))
    state = tmp_path / "state"
    drafts = state / "drafts-lab.json"
    try:
        pid = _start_app("edit", lab.config_path, state)
        _open_networks("edit")
        _keys("edit", "s")
        screen = _wait_for("edit", "fabric_snat")
        assert "true" in screen and "false" in screen  # the diff, waiting for y/n
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while "edit" in _tmux("list-sessions") and time.monotonic() < deadline:
            time.sleep(0.1)
        # on disk, complete and private, before any write
        doc = json.loads(drafts.read_text())
        (draft,) = doc["drafts"]
        assert draft["ops"][0]["body"] == {"fabric_snat": False} and draft["error"] is None
        assert oct(drafts.stat().st_mode & 0o777) == "0o600"
        assert _tenant_net(tmp_path / "api-state.json")["fabric_snat"] is True  # nothing was sent
        _start_app("again", lab.config_path, state)
        _wait_for("again", "ctrl1", timeout=40)
        _keys("again", "f")
        _wait_for("again", "unsent draft")
        _keys("again", "D")
        _wait_for("again", "switches of default-domain:admin:tenant-net")  # offered back
        _keys("again", "Enter")  # review it: the diff again, now sent with y
        _wait_for("again", "Send this change?")
        _keys("again", "y")
        deadline = time.monotonic() + 10
        while _tenant_net(tmp_path / "api-state.json")["fabric_snat"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _tenant_net(tmp_path / "api-state.json")["fabric_snat"] is False
        assert json.loads(drafts.read_text())["drafts"] == []
    finally:
        _tmux("kill-server")  # only this test's own tmux server (-L socket)
