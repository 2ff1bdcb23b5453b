"""A lab served by several processes (``--processes``): one cluster, every node answering, helpers gone with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return {int(x) for x in out.split()}


def test_a_lab_in_three_processes_is_one_cluster(start_lab):
    lab = start_lab("fleet", vrouters=7, extra=("--processes", "3", "--status-only"))
    assert lab.info["processes"] == 3 and lab.info["nodes"] == 10
    helpers = _children(lab.process.pid)
    assert len(helpers) == 2
    r = subprocess.run([sys.executable, "-m", "tftui", "status", "--config", str(lab.config_path), "--json"],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    nodes = json.loads(r.stdout)["nodes"]
    assert r.returncode == 0, r.stderr
    assert len(nodes) == 10 and all(n["reachable"] for n in nodes)
    assert {n["pods"]["vrouter"]["agent"]["status"] for n in nodes if n["name"].startswith("compute")} == {"active"}
    lab.stop()
    assert not [pid for pid in helpers if os.path.exists(f"/proc/{pid}")]  # stopped (and reaped) with the lab
