"""The pure parts the view framework stands on: the one filter syntax, natural order, the key scheme and the
`keys:` section, column layout, writes in the operator's words, a role group's summary, feeds."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from itertools import combinations

import pytest

from tftui.core.cluster import evaluate_node, pending_result
from tftui.core.filter import compile_filter, filter_indices, narrows
from tftui.core.groups import group_summary
from tftui.core.inventory import NodeSpec
from tftui.core.keyscheme import SCHEME, _overlap, effective_bindings, key_list, parse_keymap
from tftui.core.policy.describe import describe_op
from tftui.core.sorting import natural_key
from tftui.core.status import FetchKind, FetchResult, Health
from tftui.services.feed import Feed, FetchFeed

# ---------------------------------------------------------------------------------------------- filter


@pytest.mark.parametrize("query, keeps, drops", [
    ("compute1", ["compute1", "compute12", "Compute1"], ["compute2"]),
    ("127.42.1.5", ["127.42.1.5", "127.42.1.50"], ["127x42y1z5"]),  # dots alone are literal
    ("^ctrl[12]$", ["ctrl1", "CTRL2"], ["ctrl3", "xctrl1"]),  # regex syntax: a regex
    ("!compute", ["ctrl1"], ["compute1"]),  # `!` inverts
    ("! compute", ["ctrl1"], ["compute1"]),
    ("[bad", ["a[bad]"], ["bad"]),  # not a valid regex: a substring
    ("!^(a|b)$", ["c", "ab"], ["a", "b"]),
])
def test_filter(query, keeps, drops):
    matches = compile_filter(query)
    assert matches is not None
    assert [t for t in keeps if matches(t)] == keeps
    assert [t for t in drops if matches(t)] == []


def test_empty_filter_filters_nothing_and_lowered_texts_take_the_fast_path():
    assert compile_filter("") is None and compile_filter("  ") is None and compile_filter("!") is None
    lowered = compile_filter("ETH0", lowered=True)
    assert lowered("10.0.0.0/8 bgp eth0") and not lowered("10.0.0.0/8 bgp eth1")


def test_filter_indices_agrees_with_the_matcher_and_narrows_from_the_last_result():
    texts = [t.lower() for t in ["compute1 10.0.0.1", "compute10 10.0.0.10", "ctrl1 10.0.1.1", "compute2 a.b"]]
    for query in ("compute1", "10.0.0.1", "!compute", "^ctrl", "!^c(o|t)", "[x", "a.b", ""):
        matches = compile_filter(query, lowered=True)
        expected = None if matches is None else [i for i, t in enumerate(texts) if matches(t)]
        assert filter_indices(texts, query) == expected, query
    assert filter_indices(texts, "compute1", candidates=[1, 2]) == [1]
    assert narrows("comp", "compute") and narrows("10.0", "10.0.0.1")
    assert not narrows("", "x") and not narrows("compute", "comp") and not narrows("!a", "!ab")
    assert not narrows("c", "c.*1") and not narrows("c", "^c")  # a regex keeps what it wants


# ---------------------------------------------------------------------------------------------- order


def test_natural_order():
    names = ["compute10", "compute2", "Compute1", "compute11", "ctrl1", "compute2a", "10.0.0.10", "10.0.0.9"]
    assert sorted(names, key=natural_key) == ["10.0.0.9", "10.0.0.10", "Compute1", "compute2", "compute2a",
                                               "compute10", "compute11", "ctrl1"]


# ---------------------------------------------------------------------------------------------- keys


def test_one_key_one_meaning():
    """A printable key has one description wherever it is bound; two bindings that can be active at once never
    share a key (enter and escape are structural: open and back, worded per dialog)."""
    meaning: dict[str, tuple[str, str]] = {}
    for spec in SCHEME:
        for key in key_list(spec.keys):
            if len(key) == 1 or key in ("slash", "question_mark", "colon", "exclamation_mark", "space",
                                         "left_square_bracket", "right_square_bracket"):
                seen = meaning.setdefault(key, (spec.description, spec.id))
                assert seen[0] == spec.description, f"{key!r}: {seen[1]} is {seen[0]!r}, {spec.id} is {spec.description!r}"
    for a, b in combinations(SCHEME, 2):
        if _overlap(a, b):
            shared = set(key_list(a.keys)) & set(key_list(b.keys))
            assert not shared, f"{a.id} and {b.id} both bind {shared}"
    assert len({s.id for s in SCHEME}) == len(SCHEME)


def test_the_keys_the_issue_found_clashing_now_mean_one_thing():
    by_key: dict[str, set[str]] = {}
    for spec in SCHEME:
        for key in key_list(spec.keys):
            by_key.setdefault(key, set()).add(spec.description)
    for key in "prefsx":
        assert len(by_key[key]) == 1, (key, by_key[key])
    assert by_key["escape"] >= {"Back"} and by_key["slash"] == {"Filter"} and by_key["y"] == {"Raw"}


def test_keymap_section_is_checked():
    keymap, warnings = parse_keymap({"app.events": "E", "view.filter": ["ctrl+f", "slash"]}, "cfg keys")
    assert keymap == {"app.events": "E", "view.filter": "ctrl+f,slash"} and warnings == []
    keymap, warnings = parse_keymap({"app.evnts": "E", "app.routes": "", "app.policy": "ctrl+ f",
                                     "app.quit": 3, "app.help": "r"}, "cfg keys")
    assert keymap == {"app.help": "r"}
    assert "cfg keys.app.evnts: no such binding (did you mean app.events?)" in warnings[0]
    assert any("app.routes: expected keys" in w for w in warnings)
    assert any("'ctrl+ f' is not a key name" in w for w in warnings)
    assert any("app.quit: expected keys" in w for w in warnings)
    assert any("app.help: 'r' is also Routes (app.routes)" in w for w in warnings)
    assert parse_keymap(["E"], "k") == ({}, ["k: expected a mapping of binding id to keys, got list"])
    assert parse_keymap(None) == ({}, [])


def test_effective_bindings_say_where_each_came_from():
    rows = {spec.id: (keys, source) for spec, keys, source in effective_bindings({"app.events": "E"}, "/c.yaml")}
    assert rows["app.events"] == ("E", "/c.yaml keys.app.events")
    assert rows["app.routes"] == ("r", "default")
    assert set(rows) == {s.id for s in SCHEME}


# ---------------------------------------------------------------------------------------------- columns


def test_columns_that_matter_survive_a_narrow_screen():
    from tftui.core.columns import Column, layout

    cols = (Column("time", "Time", 8, priority=0), Column("node", "Node", 12, priority=0),
            Column("service", "Service", 16, priority=1), Column("change", "Change", 52, priority=0, grow=True))
    wide = layout(cols, 120)
    assert [c.key for c, _ in wide] == ["time", "node", "service", "change"]
    assert sum(w + 2 for _, w in wide) == 120  # the growing column takes what is left
    narrow = dict((c.key, w) for c, w in layout(cols, 79))
    assert "service" not in narrow and narrow["change"] >= 52  # the change text stays whole
    tiny = dict((c.key, w) for c, w in layout(cols, 40))
    assert set(tiny) == {"time", "node", "change"} and sum(w + 2 for w in tiny.values()) <= 40


# ---------------------------------------------------------------------------------------------- words


def test_writes_in_the_operators_words():
    ip_fabric = ["default-domain", "default-project", "ip-fabric"]
    lines = describe_op("update", "virtual-network", ["default-domain", "admin", "tenant-net"],
                        {"virtual_network_refs": [{"to": ip_fabric}]}, {"virtual_network_refs": None})
    assert lines == ["network default-domain:admin:tenant-net:", "  IP fabric forwarding: off → on"]
    assert describe_op("update", "virtual-network", ["d", "p", "n"], {"fabric_snat": False},
                       {"fabric_snat": True})[1] == "  Fabric SNAT: on → off"
    refs = [{"to": ["gpm", "b"], "attr": {"sequence": "2.0"}}, {"to": ["gpm", "a"], "attr": {"sequence": "1.0"}}]
    assert describe_op("update", "firewall-policy", ["gpm", "p"], {"firewall_rule_refs": refs},
                       {"firewall_rule_refs": refs[:1]})[1] == "  rules, in order: b → a, b"
    rule = {"action_list": {"simple_action": "deny"}, "service": {"protocol": "icmp"},
            "endpoint_1": {"tags": ["label=a"]}, "endpoint_2": {"any": True}, "direction": "<>"}
    assert describe_op("create", "firewall-rule", ["gpm", "r"], rule, None) == \
        ["create rule gpm:r: deny icmp label=a <> any"]
    assert describe_op("delete", "tag", ["app=x"], None, {}) == ["delete tag app=x"]
    assert describe_op("set-tag", "virtual-machine-interface", ["d", "p", "vmi1"], {"_preview": ["label=a"]},
                       {"tags": []}) == ["tags of port vmi1: (none) → label=a"]


# ---------------------------------------------------------------------------------------------- groups


def test_group_summary_counts_and_names_the_bad_ones():
    node = NodeSpec("c1", "10.0.0.1", ("vrouter",))
    ok = evaluate_node(node, {s.key: FetchResult(FetchKind.REFUSED) for s in node.services()}, {}, at=10.0)
    dead = replace(ok, name="c2")
    never = replace(ok, name="c3")
    good = replace(ok, name="c4", reachable=True, services=tuple(replace(s, state="active") for s in ok.services))
    bad = replace(good, name="c5", services=(replace(good.services[0], state="inactive", description="EXITED"),
                                             *good.services[1:]))
    pending = pending_result(NodeSpec("c6", "10.0.0.6", ("vrouter",)))
    summary = group_summary("vrouter", [dead, never, good, bad, pending], lambda r: r.health(),
                            {"c2": 40.0}, now=100.0)
    assert summary.counts == Counter({Health.UNREACHABLE: 2, Health.OK: 1, Health.DEGRADED: 1, Health.PENDING: 1})
    assert summary.unreachable == [("c2", 60.0), ("c3", None)]
    assert summary.unhealthy == [("c5", Health.DEGRADED, f"{bad.services[0].key}: inactive (EXITED)")]


# ---------------------------------------------------------------------------------------------- feeds


def test_feed_tells_listeners_and_a_broken_listener_does_not_stop_it():
    feed = Feed()
    got = []
    feed.subscribe(lambda snap: 1 / 0)
    unsubscribe = feed.subscribe(got.append)
    feed.publish("one")
    feed.publish(error="boom")  # an error keeps the last snapshot
    assert got == ["one", "one"] and feed.snapshot == "one" and feed.error == "boom" and feed.version == 2
    unsubscribe()
    feed.publish("two")
    assert got == ["one", "one"]


async def test_a_live_fetch_feed_fetches_again_while_watched_and_not_paused():
    fetched = []
    slow = asyncio.Event()
    slow.set()

    async def fetch():
        fetched.append(asyncio.get_running_loop().time())
        if not slow.is_set():
            await asyncio.sleep(0.05)
        return len(fetched)

    async def until(condition):
        for _ in range(400):
            if condition():
                return
            await asyncio.sleep(0.005)
        raise AssertionError("never happened")

    feed = FetchFeed(fetch, "live", every=0.02)
    assert feed.can_pause and not FetchFeed(fetch, "once").can_pause
    unsubscribe = feed.subscribe(lambda snap: None)
    await until(lambda: len(fetched) >= 3)  # by itself, one after the other
    feed.set_paused(True)
    await until(lambda: not feed.busy)
    paused_at = len(fetched)
    await asyncio.sleep(0.15)  # several intervals: nothing is fetched while paused
    assert len(fetched) == paused_at
    feed.set_paused(False)
    await until(lambda: len(fetched) > paused_at)
    unsubscribe()  # nobody watches: it stops
    await until(lambda: not feed.busy and feed._timer is None)
    stopped_at = len(fetched)
    await asyncio.sleep(0.1)
    assert len(fetched) == stopped_at
    feed.subscribe(lambda snap: None)  # watched again: live again
    await until(lambda: len(fetched) > stopped_at)
    slow.clear()  # a fetch that takes 50 ms: the next one waits four times that, not 20 ms
    await until(lambda: feed._spent >= 0.05 and feed._timer is not None)
    assert feed._timer.when() - asyncio.get_running_loop().time() > 0.1
    await feed.aclose()
    closed_at = len(fetched)
    await asyncio.sleep(0.1)
    assert len(fetched) == closed_at and feed._timer is None


async def test_fetch_feed_keeps_the_last_good_snapshot_and_never_fetches_twice_at_once():
    calls = []
    gate = asyncio.Event()

    async def fetch():
        calls.append(len(calls))
        await gate.wait()
        if len(calls) == 2:
            raise ValueError("the second fetch fails")
        return f"snapshot {len(calls)}"

    feed = FetchFeed(fetch, "test", expected=(ValueError,))
    seen = []
    feed.subscribe(seen.append)  # the first subscriber starts it
    await asyncio.sleep(0)
    feed.refresh_soon()  # while one runs: one more after it, not two at once
    feed.refresh_soon()
    assert feed.busy and calls == [0]
    gate.set()
    for _ in range(50):
        await asyncio.sleep(0.01)
        if len(calls) == 2 and not feed.busy:
            break
    assert calls == [0, 1]
    assert feed.snapshot == "snapshot 1" and feed.error == "the second fetch fails"
    await feed.refresh()
    assert feed.snapshot == "snapshot 3" and feed.error is None
    await feed.aclose()


async def test_a_fetch_feed_with_every_fetches_again_while_listened_to_and_not_paused():
    calls = []

    async def fetch():
        calls.append(len(calls))
        return len(calls)

    async def until(condition) -> None:
        for _ in range(300):
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition never met")

    feed = FetchFeed(fetch, "alarms", every=0.02)
    assert feed.can_pause and not FetchFeed(fetch, "once").can_pause
    unsubscribe = feed.subscribe(lambda snap: None)
    await until(lambda: len(calls) >= 3)  # again and again, on its own
    feed.set_paused(True)
    await asyncio.sleep(0.05)
    paused_at = len(calls)
    await asyncio.sleep(0.1)
    assert len(calls) == paused_at  # paused: no fetch
    feed.set_paused(False)
    await until(lambda: len(calls) > paused_at)
    unsubscribe()  # the last listener went: it stops
    await asyncio.sleep(0.05)
    idle_at = len(calls)
    await asyncio.sleep(0.1)
    assert len(calls) == idle_at
    feed.subscribe(lambda snap: None)  # listened to again: fresh data at once, and on its own again
    await until(lambda: len(calls) >= idle_at + 2)
    await feed.aclose()
    closed_at = len(calls)
    await asyncio.sleep(0.1)
    assert len(calls) == closed_at
