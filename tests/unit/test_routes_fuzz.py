"""Property tests: the router parsers never raise, whatever text or JSON they get."""

from __future__ import annotations

import json

from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tftui.core.routes import bgp, rib, summary
from tftui.core.routes.crosscheck import ExpectedHost, cross_check

SAMPLES = [p.read_text() for p in sorted((DATA / "frr").glob("*.txt")) + sorted((DATA / "seed").glob("vyos11-quagga_*"))]
assert SAMPLES, f"no router captures under {DATA}"
TEXT_PARSERS = [summary.parse_summary_text, rib.parse_route_text, bgp.parse_bgp_table_text, bgp.parse_bgp_prefix_text,
                bgp.detect_suite]
JSON_PARSERS = [summary.parse_summary_json, rib.parse_route_json, bgp.parse_bgp_table_json, bgp.parse_bgp_prefix_json]

ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
TOKENS = st.sampled_from(["B>*", "  *", "via", "172.31.2.194", "10.0.0.0/8", "[20/100]", ",", "eth0", "(Policy)",
                          "Idle", "(Admin)", "never", "4d23h40m", "Neighbor", "V", "AS", "Up/Down", "State/PfxRcd",
                          "PfxSnt", "Desc", "\n", "\t", " ", "Codes:", "VRF x:", "inactive", "(recursive)", "Network",
                          "Next Hop", "Metric", "LocPrf", "Weight", "Path", "from", "Origin IGP", "%", "*>", "*=",
                          "BGP routing table entry for", "1.2.3.4/32", "64512", "i", "?", "unreachable (blackhole)"])


def _all_text(text: str) -> None:
    for parse in TEXT_PARSERS:
        parse(text)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ALPHABET, max_size=400))
def test_random_text(text):
    _all_text(text)


@settings(max_examples=1500, deadline=None)
@given(st.lists(TOKENS, max_size=60).map(" ".join))
def test_token_soup(text):
    _all_text(text)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(SAMPLES), st.data())
def test_mangled_captures(sample, data):
    lines = sample.splitlines()
    ops = data.draw(st.lists(st.tuples(st.integers(0, 4), st.integers(0, max(len(lines) - 1, 0)),
                                       st.integers(0, 120), st.text(ALPHABET, max_size=8)), max_size=6))
    for op, idx, col, junk in ops:
        if not lines:
            break
        idx %= len(lines)
        if op == 0:
            del lines[idx]
        elif op == 1:
            lines[idx] = lines[idx][:col]
        elif op == 2:
            lines[idx] = lines[idx][:col] + junk + lines[idx][col:]
        elif op == 3:
            lines.insert(idx, lines[idx])
        else:
            lines[idx] = lines[idx].replace(" ", "\t", 3)
    text = "\n".join(lines)
    _all_text(text)
    try:
        doc = json.loads(text)
    except ValueError:
        return
    for parse in JSON_PARSERS:
        parse(doc)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["ipv4Unicast", "peers", "state", "pfxRcd", "nexthops", "ip", "routes", "paths", "prefix",
                         "10.0.0.0/8", "172.31.11.86", "protocol", "uptime", "aspath", "bestpath", "peer", "x"]),
        inner, max_size=5),
    max_leaves=30)


@settings(max_examples=2000, deadline=None)
@given(JSON_VALUES)
def test_random_json(doc):
    for parse in JSON_PARSERS:
        parse(doc)


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=300))
def test_crosscheck_on_parsed_garbage(text):
    routes = rib.parse_route_text(text).items
    neighbors = summary.parse_summary_text(text).items
    hosts = [ExpectedHost("p", text[:15], "172.31.2.194", "n")]
    cross_check(hosts, routes, neighbors)
