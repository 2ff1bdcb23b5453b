"""One tmux driver for the end-to-end tests: a private tmux server (its own socket), keys in, screen out."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest


def need_tmux():
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is required in CI")
        pytest.skip("tmux not installed")


class Tmux:
    def __init__(self, sock: str):
        self.sock = sock

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.sock, *args], capture_output=True, text=True, timeout=10).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", *keys)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        return self.wait_until(lambda screen: text in screen, text, timeout)

    def wait_until(self, predicate, what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{what!r} never appeared; screen was:\n{screen}")


def tmux_fixture(tmp_path):
    """A Tmux on a private socket in tmp_path; its server is killed afterwards (see conftest's `tmux`)."""
    need_tmux()
    t = Tmux(str(tmp_path / "tmux.sock"))
    yield t
    t.run("kill-server")
