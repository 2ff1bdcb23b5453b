"""The fault spec grammar, and how the lab's topology takes it (no sockets)."""

from __future__ import annotations

import pytest

from tftui.core.nodestatus import first_process_status
from tftui.core.sandesh import SandeshError, decode_messages
from tftui.lab import args as lab_args
from tftui.lab.fault_spec import FAULTS, FaultRule, FaultSpecError, parse_fault_spec
from tftui.lab.faults import HTTP_FAULTS, SHAPE_FAULTS, billion_laughs, external_entity, shaped_body
from tftui.lab.topology import HANG, REFUSE, SCENARIOS, apply_faults, build


def test_rules_with_and_without_services():
    rules = parse_fault_spec(" compute1=drip ; compute2:vrouter-agent,vrouter-nodemgr = http500;c3=xxe@/tmp/m ")
    assert rules == (
        FaultRule("compute1", "drip"),
        FaultRule("compute2", "http500", ("vrouter-agent", "vrouter-nodemgr")),
        FaultRule("c3", "xxe", (), "/tmp/m"),
    )
    assert rules[0].applies_to("anything") and not rules[1].applies_to("control")


@pytest.mark.parametrize("spec,message", [
    ("", "empty"),
    (" ; ", "empty"),
    ("compute1", "expected NODE"),
    ("compute1=explode", "unknown fault"),
    ("compute1=drip@/x", "takes no argument"),
    ("compute1=xxe@relative/path", "absolute"),
    ("comp ute=drip", "bad node"),
    ("compute1:=drip", "bad service"),
    ("compute1:a,,b=drip", "bad service"),
    ("$(reboot)=drip", "bad node"),
])
def test_bad_specs_are_refused_with_a_reason(spec, message):
    with pytest.raises(FaultSpecError, match=message):
        parse_fault_spec(spec)


def test_scenario_lists_agree_and_hostile_has_one_node_per_fault():
    assert tuple(sorted(SCENARIOS)) == tuple(sorted(lab_args.SCENARIOS))
    topo = build("hostile", base=251)
    names = [n.name for n in topo.nodes]
    assert names[:3] == ["ctrl1", "compute1", "compute2"]
    assert names[3:] == [f"hostile-{f}" for f in FAULTS]
    assert set(FAULTS) == HTTP_FAULTS | SHAPE_FAULTS | {"refused", "hang"}
    modes = {n.name: {b.mode for b in n.behaviour.values()} for n in topo.nodes}
    assert modes["hostile-refused"] == {REFUSE} and modes["hostile-hang"] == {HANG}
    assert modes["hostile-drip"] == {"drip"}
    assert all(b.mode in ("functional",) for n in topo.nodes[:3] for b in n.behaviour.values())
    assert len({n.address for n in topo.nodes}) == len(topo.nodes)


def test_apply_faults_targets_services_and_rejects_unknown_names():
    topo = build("demo", vrouters=2, base=251)
    apply_faults(topo, parse_fault_spec("compute1:vrouter-agent=reset;ctrl1=markup"))
    c1 = topo.node("compute1")
    assert c1.behaviour_of("vrouter-agent").mode == "reset"
    assert c1.behaviour_of("vrouter-nodemgr").mode == "functional"
    assert {topo.node("ctrl1").behaviour_of(s.key).mode for s in topo.node("ctrl1").services()
            if s.port is not None} == {"markup"}
    with pytest.raises(ValueError, match="no node 'nope'"):
        apply_faults(topo, parse_fault_spec("nope=drip"))
    with pytest.raises(ValueError, match="no introspect service control"):
        apply_faults(topo, parse_fault_spec("compute1:control=drip"))


def test_the_hostile_bodies_are_what_they_claim():
    laughs = billion_laughs()
    assert b"<!ENTITY lol9" in laughs and laughs.count(b"&lol8;") == 10
    assert b'SYSTEM "file:///tmp/m"' in external_entity("/tmp/m")
    for body in (laughs, external_entity("/etc/passwd")):
        with pytest.raises(SandeshError, match="DTD"):
            decode_messages(body)
    topo = build("hostile", base=251)
    node = topo.node("hostile-empty")
    svc = next(s for s in node.services() if s.key == "vrouter-agent")
    for fault in SHAPE_FAULTS:  # well-formed Sandesh, only the shape is odd
        assert decode_messages(shaped_body(topo, node, svc, fault))
    assert first_process_status(shaped_body(topo, node, svc, "nodesc")) == ("Functional", None)
    assert b'<list type="struct" size="0"></list>' in shaped_body(topo, node, svc, "empty")


def test_lab_cli_refuses_a_bad_spec(capsys):
    from tftui.lab.runner import run

    parser = __import__("argparse").ArgumentParser()
    lab_args.add_arguments(parser)
    assert run(parser.parse_args(["--base", "251", "--faults", "ghost=drip", "--vrouters", "1"])) == 2
    assert "no node 'ghost'" in capsys.readouterr().err


def test_raw_view_text_of_big_or_broken_replies_has_short_lines():
    from tftui.core.pretty import MAX_LINE, MAX_SHOWN, pretty_xml

    big = pretty_xml(b"<a>" + b"x" * (5 * MAX_SHOWN))
    assert big.startswith(f"(reply of {5 * MAX_SHOWN + 3} bytes: the first {MAX_SHOWN} shown as received)")
    broken = pretty_xml(b"<a>" + b"y" * 50_000)
    assert broken.startswith("(malformed XML")
    for text in (big, broken):
        assert max(len(line) for line in text.split("\n")) <= MAX_LINE
