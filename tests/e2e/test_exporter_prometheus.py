"""A real Prometheus (Debian's package) scrapes `tftui exporter` on the lab, loads the documented alert rules,
and answers queries for tftui's metrics with the lab's nodes. Everything binds to loopback; the Prometheus
and exporter PIDs are recorded and exactly those are stopped."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
import yaml
from conftest import ROOT

PROMETHEUS = shutil.which("prometheus")
RULES = ROOT / "docs" / "prometheus" / "tftui-rules.yml"

pytestmark = pytest.mark.skipif(PROMETHEUS is None, reason="needs Debian's prometheus package")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read().decode()


def until(fetch, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fetch()
            if last:
                return last
        except OSError as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}: {last!r}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_prometheus_scrapes_the_exporter_on_the_lab(start_lab, tmp_path):
    lab = start_lab("demo", vrouters=4)
    nodes = {n["name"] for n in yaml.safe_load(lab.config_path.read_text())["clusters"]["lab"]["nodes"]}
    exporter_port, prom_port = free_port(), free_port()
    exporter = subprocess.Popen([sys.executable, "-m", "tftui", "exporter", "--config", str(lab.config_path),
                                 "--listen", f"127.0.0.1:{exporter_port}"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    prometheus = None
    try:
        until(lambda: "tftui_service_up{" in get(f"http://127.0.0.1:{exporter_port}/metrics"), "the exporter")
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES)],
            "scrape_configs": [{"job_name": "tftui", "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}]}],
        }))
        prometheus = subprocess.Popen([PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}",
                                       f"--storage.tsdb.path={tmp_path / 'data'}",
                                       f"--web.listen-address=127.0.0.1:{prom_port}"],
                                      stdout=subprocess.DEVNULL, stderr=(tmp_path / "prometheus.log").open("wb"),
                                      start_new_session=True)
        api = f"http://127.0.0.1:{prom_port}/api/v1"

        def query(expr: str) -> list[dict]:
            doc = json.loads(get(f"{api}/query?query={urllib.parse.quote(expr)}"))
            assert doc["status"] == "success", doc
            return doc["data"]["result"]

        # the service-state metric has every node of the lab that answers introspect
        def service_up() -> list[dict] | None:
            result = query("tftui_service_up")
            return result if {r["metric"]["node"] for r in result} == nodes else None

        up = until(service_up, "tftui_service_up for the lab's nodes")
        by_node = {(r["metric"]["node"], r["metric"]["pod"], r["metric"]["service"]): r["value"][1] for r in up}
        # compute1 lost one of its two XMPP sessions: contrail-status (and so service_up) still says active
        assert by_node[("compute1", "vrouter", "agent")] == "1"
        assert by_node[("compute4", "vrouter", "nodemgr")] == "0"  # NTP unsynchronized
        state = query('tftui_service_state{node="compute4", pod="vrouter", service="nodemgr"}')
        assert [(r["metric"]["state"], r["metric"]["description"]) for r in state] == [
            ("initializing", "NTP state unsynchronized.")]
        assert {r["metric"]["node"]: r["value"][1] for r in query("tftui_node_reachable")}["compute2"] == "0"
        xmpp = query('tftui_connection_up{type="XMPP"} == 0')
        assert {r["metric"]["node"] for r in xmpp} == {"compute1"}
        # the documented rules load and evaluate: both alerts pending for what the lab breaks on purpose
        rules = json.loads(get(f"{api}/rules"))["data"]["groups"][0]["rules"]
        assert {r["name"]: r["health"] for r in rules} == {"TungstenFabricServiceNotActive": "ok",
                                                            "TungstenFabricXmppSessionDown": "ok"}
        alerts = until(lambda: json.loads(get(f"{api}/alerts"))["data"]["alerts"], "pending alerts")
        pending = {(a["labels"]["alertname"], a["labels"]["node"]) for a in alerts if a["state"] == "pending"}
        assert ("TungstenFabricXmppSessionDown", "compute1") in pending
        assert ("TungstenFabricServiceNotActive", "compute4") in pending
    finally:
        if prometheus is not None:
            stop(prometheus)
        stop(exporter)
    assert exporter.returncode == 0  # SIGTERM: a clean stop
