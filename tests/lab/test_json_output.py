"""Headless JSON output through a pipe that an event loop left non-blocking: written whole, not 64 KB of it."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

WRITER = """
import os, sys
from tftui.commands.common import write_json
os.set_blocking(sys.stdout.fileno(), False)
write_json({"nodes": [{"name": f"compute{i}", "pods": {"vrouter": {"agent": "x" * 200}}} for i in range(5000)]})
"""


def test_a_big_document_arrives_whole_through_a_nonblocking_pipe():
    r = subprocess.run([sys.executable, "-c", WRITER], capture_output=True, timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout) > 1_000_000
    assert len(json.loads(r.stdout)["nodes"]) == 5000
