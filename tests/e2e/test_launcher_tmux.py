"""`s` for real: in tftui's interfaces view inside tmux, OpenSSH gets the terminal and gives it back intact."""

import os
import shutil
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.tmux


def test_s_opens_the_vm_shell_and_the_tui_comes_back(tmux, start_lab, tmp_path):
    if shutil.which("ssh") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ssh not installed")
        pytest.skip("ssh not installed")
    lab = start_lab("demo", vrouters=4)
    tmux.start(f"cd {ROOT} && TERM=xterm-256color TFTUI_STATE_DIR={tmp_path} {sys.executable} -m tftui "
               f"--config {lab.config_path} --view vmi", 100, 30)
    tmux.wait_for("123/123 interfaces")
    tmux.keys("s")
    tmux.wait_until(lambda s: any(line.rstrip().endswith("$") for line in s.splitlines()), "the VM's prompt")
    tmux.type("ip -o a")
    tmux.keys("Enter")
    screen = tmux.wait_for("scope global eth0")
    assert "inet 10.47.255.251/12 scope global eth0" in screen  # cirros1, at the seed's address
    tmux.type("exit")
    tmux.keys("Enter")
    screen = tmux.wait_for("123/123 interfaces")
    assert "cirros1" in screen and "Filter" in screen  # the table and the footer are drawn again
