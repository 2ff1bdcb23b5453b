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

    def start(self, command: str, width: int = 80, height: int = 24) -> int:
        """A new session running ``command`` (a shell line) in a width x height pane; returns the pane's PID."""
        self.run("-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height), command)
        self.run("set-option", "-s", "escape-time", "0")  # a lone esc is esc at once, not an escape sequence
        return int(self.run("display-message", "-p", "#{pane_pid}").strip() or 0)

    def alive(self) -> bool:
        """Whether any session is still running (the server exits with its last one)."""
        return bool(self.run("list-sessions").strip())

    def screen(self) -> str:
        return self.run("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", *keys)

    def type(self, text: str) -> None:
        """Text typed as is (no key names: `Enter` is five letters here)."""
        self.run("send-keys", "-l", text)

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
