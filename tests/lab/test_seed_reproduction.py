"""`tftui status` against the lab's seed scenarios prints the seed's contrail-status blocks, status by status."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import ROOT


def seed_blocks(text: str) -> dict[str, dict[str, str]]:
    blocks: dict[str, dict[str, str]] = {}
    pod = None
    for line in text.splitlines():
        m = re.match(r"^== Contrail (\S+) ==$", line)
        if m:
            pod = blocks.setdefault(m.group(1), {})
        elif pod is not None and ": " in line:
            name, status = line.split(": ", 1)
            pod[name] = status
        elif not line.strip():
            pod = None
    return blocks


def status_by_node(text: str) -> dict[str, str]:
    out, current = {}, None
    for line in text.splitlines(keepends=True):
        if line.startswith("# "):
            current = line[2:].split(" (", 1)[0]
            out[current] = ""
        elif current:
            out[current] += line
    return out


def run_status(config, *extra):
    return subprocess.run([sys.executable, "-m", "tftui", "status", "--config", str(config), *extra],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("scenario,node,seed", [
    ("seed-analytics-less", "bms1", "contrail-status_analytics-less_controller.txt"),
    ("seed-analytics-less", "bms2", "contrail-status_analytics-less_vrouter.txt"),
    ("seed-full", "ctrl1", "contrail-status_full_controller.txt"),
])
def test_status_text_and_json_reproduce_the_seed(start_lab, shared_data, scenario, node, seed):
    lab = start_lab(scenario)
    expected = seed_blocks((shared_data / "seed" / seed).read_text())
    text = run_status(lab.config_path)
    assert text.returncode == 1, text.stderr  # the seed clusters have initializing services
    got = seed_blocks(status_by_node(text.stdout)[node])
    assert got == expected
    js = run_status(lab.config_path, "--json", "--node", node)
    doc = json.loads(js.stdout)
    [entry] = doc["nodes"]
    assert {pod: {svc: v["status"] for svc, v in services.items()} for pod, services in entry["pods"].items()} == expected
    assert entry["reachable"] is True


def test_text_format_is_contrail_status_blocks(start_lab):
    lab = start_lab("seed-analytics-less")
    out = run_status(lab.config_path, "--node", "bms2").stdout
    assert out.splitlines()[0].startswith("# bms2 (127.")
    assert "\n== Contrail vrouter ==\nnodemgr: initializing (Collector connection down)\n" \
           "agent: active (Collector connection down)\n\n" in out
