"""``tftui introspect`` against a lab process: listing, text and JSON replies with every page, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, _next_base, free_bases


@pytest.fixture(scope="module")
def lab():
    """The demo (compute2 is dead, compute3 hangs) with compute1's nodemgr answering HTTP 500."""
    from tftui.services.demo import start_demo_lab

    bases = free_bases(_next_base[0])
    _next_base[0] = bases[0] + 1
    started = start_demo_lab(scenario="demo", vrouters=3, churn=0, bases=bases,
                             extra=("--faults", "compute1:vrouter-nodemgr=http500", "--timeout", "3"))
    nodes = {n["name"]: n["address"]
             for n in yaml.safe_load(started.config_path.read_text())["clusters"]["lab"]["nodes"]}
    yield started.config_path, nodes
    started.stop()


def introspect(lab, *args):
    config, _ = lab
    return subprocess.run([sys.executable, "-m", "tftui", "introspect", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env=dict(os.environ))


def test_without_a_request_it_lists_what_the_daemon_offers(lab):
    r = introspect(lab, "compute1", "vrouter-agent")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"# compute1 ({lab[1]['compute1']}:8085)"
    assert "agent" in lines and "  ItfReq name type uuid vn mac ipv4_address ipv6_address parent_uuid ip_active " \
                                 "ip6_active l2_active" in lines
    by_address = introspect(lab, lab[1]["ctrl1"], "8083", "--json")
    doc = json.loads(by_address.stdout)
    assert by_address.returncode == 0 and doc["node"] == "ctrl1" and doc["service"] == "control"
    trace = next(m for m in doc["modules"] if m["name"] == "sandesh_trace")
    assert trace["requests"][0] == {"name": "SandeshTraceRequest", "writes": None,
                                    "fields": [{"name": "buf_name", "type": "string"}, {"name": "count", "type": "i32"}]}


def test_a_reply_with_every_page_as_text(lab):
    r = introspect(lab, "compute1", "vrouter-agent", "ItfReq")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"# compute1 ({lab[1]['compute1']}:8085) ItfReq\nItfResp\n  itf_list: [100]\n")
    assert r.stdout.count("] ItfSandeshData") == 123  # both pages
    assert "      mdata_ip_addr: 169.254.0.4" in r.stdout


def test_a_reply_as_json_with_arguments_by_name(lab):
    r = introspect(lab, "compute1", "vrouter-agent", "ItfReq", "vn=service-network", "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["complete"] and doc["args"] == {"vn": "service-network"} and doc["error"] is None
    rows = [i for m in doc["messages"] for i in m["ItfResp"]["itf_list"]]
    assert rows and all(i["vn_name"].endswith("service-network") for i in rows)
    uve = json.loads(introspect(lab, "ctrl1", "config-nodemgr", "SandeshUVECacheReq", "tname=NodeStatus",
                                "--json").stdout)
    assert uve["messages"][0]["NodeStatusUVE"]["data"]["name"] == "ctrl1"
    assert uve["messages"][-1] == {"SandeshUVECacheResp": {"returned": 1, "period": 0}}


def test_a_page_cap_says_there_is_more(lab):
    r = introspect(lab, "compute1", "vrouter-agent", "ItfReq", "--json", "--max-pages", "1")
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and not doc["complete"] and doc["pages"] == 1
    assert doc["more"]["request"] == "PageReq" and doc["more"]["key"].startswith("begin:100,end:199")
    assert "tftui: warning: page cap reached (1 pages); the reply is incomplete" in r.stderr


@pytest.mark.parametrize("args,why", [
    (("compute1", "vrouter-agent", "PageReq", "key=garbage"), "compute1 PageReq: Invalid request"),
    (("compute2", "vrouter-agent", "ItfReq"), "connection refused"),
    (("compute3", "vrouter-agent", "ItfReq"), "no reply in time"),
    (("compute1", "vrouter-nodemgr", "SandeshUVECacheReq", "tname=NodeStatus"), "HTTP 500"),
    (("ctrl1", "config-nodemgr", "ItfReq"), "does not know this request (HTTP 404)"),
    (("compute2", "vrouter-agent"), "connection refused"),
])
def test_exit_1_when_the_node_answers_with_an_error_or_not_at_all(lab, args, why):
    r = introspect(lab, *args)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "tftui: error: " in r.stderr and why in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("args,why", [
    (("nosuch", "control"), "no node 'nosuch' in cluster lab (known: ctrl1,"),
    (("compute1", "control"), "compute1 has no introspect service 'control' (it has: vrouter-nodemgr, vrouter-agent)"),
    (("compute1", "vrouter-agent", "ItfReq", "vn"), "arguments are FIELD=VALUE"),
    (("compute1", "vrouter-agent", "ItfReq", "colour=red"), "ItfReq has no field colour"),
    (("compute1", "vrouter-agent", "DeleteAllFlowRecords"), "DeleteAllFlowRecords is not sent: it deletes every flow"),
    (("compute1", "vrouter-agent", "FlowAgeTimeReq", "new_age_time=5"), "FlowAgeTimeReq is not sent: it changes the flow aging"),
    (("compute1", "vrouter-agent", "NoSuchReq"), "NoSuchReq: not in tftui's request table, and"),
    (("compute1", "vrouter-agent", "KFlowReq", "flow_idx=first"), "flow_idx takes a number"),
])
def test_exit_2_on_bad_usage_and_requests_with_side_effects(lab, args, why):
    r = introspect(lab, *args)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"tftui: error: {why}" in r.stderr and r.stdout == ""


def test_headless_introspect_does_not_import_textual_or_the_lab(lab):
    code = (f"import sys; from tftui.cli import main; rc = main(['introspect', '--config', {str(lab[0])!r}, "
            "'compute1', 'vrouter-agent', 'SandeshTraceBufferListRequest']); "
            "bad = [m for m in ('textual', 'tftui.ui', 'tftui.lab.topology', 'tftui.lab.introspect_server', 'aiohttp.web') "
            "if m in sys.modules]; "
            "print('IMPORTED', bad); sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0 and "IMPORTED []" in r.stdout and "trace_buf_name: httpbuf" in r.stdout
