"""`s` for real: the `:vmi` screen in a tmux pane hands the terminal to OpenSSH and gets it back intact.

A tiny app pushes VmiScreen on a running `tftui lab`; the lead's main app wires the same screen.
"""

import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import ROOT

pytestmark = pytest.mark.tmux
BASE = 217

APP = textwrap.dedent("""
    import sys
    from textual.app import App
    from tftui.services.config import load_config
    from tftui.services.launcher import Launcher
    from tftui.services.vmis import VmiService
    from tftui.ui.vmi_screen import VmiScreen

    spec = load_config(sys.argv[1]).cluster

    class Harness(App):
        def on_mount(self):
            self.push_screen(VmiScreen(VmiService(spec), Launcher(spec)))

    Harness().run()
""")


def _wait_for(sock: str, text: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = subprocess.run(["tmux", "-S", sock, "capture-pane", "-p", "-t", "t"], capture_output=True,
                                text=True).stdout
        if text in screen or (text.endswith(" ") and any(ln == text.rstrip() for ln in screen.splitlines())):
            return screen  # capture-pane drops trailing blanks: a bare "$ " prompt shows as "$"
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; screen:\n{screen}")


def test_s_opens_the_vm_shell_and_the_tui_comes_back(tmp_path):
    for tool in ("tmux", "ssh"):
        if shutil.which(tool) is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"{tool} not installed")
            pytest.skip(f"{tool} not installed")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    cfg = tmp_path / "lab.yaml"
    lab = subprocess.Popen([sys.executable, "-m", "tftui", "lab", "--base", str(BASE), "--vrouters", "4",
                            "--write-config", str(cfg)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    sock = str(tmp_path / "tmux.sock")
    try:
        assert "tftui-lab ready" in lab.stdout.readline()
        app = tmp_path / "harness.py"
        app.write_text(APP)
        subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "100", "-y", "30",
                        f"cd {ROOT} && PYTHONPATH={ROOT} {sys.executable} {app} {cfg}"], check=True, env=env)
        _wait_for(sock, "123/123 interfaces")
        subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "t", "s"], check=True)
        _wait_for(sock, "$ ")
        subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "t", "ip -o a", "Enter"], check=True)
        screen = _wait_for(sock, "scope global eth0")
        assert "inet 10.47.255.251/12 scope global eth0" in screen  # cirros1, at the seed's address
        subprocess.run(["tmux", "-S", sock, "send-keys", "-t", "t", "exit", "Enter"], check=True)
        screen = _wait_for(sock, "123/123 interfaces")
        assert "cirros1" in screen and "Filter" in screen  # the table and the footer are drawn again
    finally:
        subprocess.run(["tmux", "-S", sock, "kill-server"], capture_output=True)
        lab.terminate()
        lab.wait(timeout=10)
