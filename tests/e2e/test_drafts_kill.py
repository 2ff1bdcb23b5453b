"""Killing tftui (SIGKILL) with a change on the confirm dialog loses nothing: the real app runs in tmux against
`tftui lab`, is killed mid-edit, restarted, and offers the draft back; the lab shows nothing was written."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.tmux


def _start_app(tmux, cfg: Path, state: Path) -> int:
    return tmux.start(f"cd {ROOT} && exec env PYTHONPATH={ROOT} TFTUI_STATE_DIR={state} "
                      f"{sys.executable} -m tftui --config {cfg}", 100, 30)


def _tenant_net(path: Path) -> dict:
    doc = json.loads(path.read_text())
    return next(i["obj"] for i in doc["objects"] if i["type"] == "virtual-network"
                and i["obj"]["fq_name"][-1] == "tenant-net")


def test_sigkill_on_the_confirm_dialog_keeps_the_draft(tmux, start_lab, tmp_path):
    lab = start_lab(extra=("--state", str(tmp_path / "api-state.json")))
    state = tmp_path / "state"
    drafts = state / "drafts-lab.json"
    pid = _start_app(tmux, lab.config_path, state)
    tmux.wait_for("ctrl1", timeout=40)
    tmux.keys("f")
    tmux.wait_for("5 Networks")
    tmux.keys("5")
    tmux.wait_for("tenant-net")
    tmux.keys("/")
    tmux.wait_for("/ filter:")  # the filter has the keyboard
    tmux.type("tenant-net")
    tmux.keys("Enter")
    tmux.wait_until(lambda s: "1/4 networks" in s, "the filtered list")
    tmux.keys("S")
    screen = tmux.wait_for("Fabric SNAT: on → off")  # the change in words, waiting for enter
    assert "enter sends" in screen
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    # on disk, complete and private, before any write
    doc = json.loads(drafts.read_text())
    (draft,) = doc["drafts"]
    assert draft["ops"][0]["body"] == {"fabric_snat": False} and draft["error"] is None
    assert oct(drafts.stat().st_mode & 0o777) == "0o600"
    assert _tenant_net(tmp_path / "api-state.json")["fabric_snat"] is True  # nothing was sent
    _start_app(tmux, lab.config_path, state)
    tmux.wait_for("ctrl1", timeout=40)
    tmux.keys("f")
    tmux.wait_for("unsent draft")
    tmux.keys("D")
    tmux.wait_for("switches of default-domain:admin:tenant-net")  # offered back
    tmux.keys("Enter")  # review it: the change again, now sent with enter
    tmux.wait_for("enter sends")
    tmux.keys("Enter")
    deadline = time.monotonic() + 10
    while _tenant_net(tmp_path / "api-state.json")["fabric_snat"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _tenant_net(tmp_path / "api-state.json")["fabric_snat"] is False
    assert json.loads(drafts.read_text())["drafts"] == []
