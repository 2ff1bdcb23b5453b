"""Peering, pure: the plan on both sides with its diff and undo, TF's session refs, the status and the causes."""

from __future__ import annotations

import dataclasses

import pytest

from tftui.core.peering.change import (
    IMPORT_MAP,
    CreateInstance,
    DeleteNeighbor,
    ImportRouteMap,
    PolicyRequirement,
    ReplayNeighbor,
    RouteMapPresence,
    SetNeighbor,
)
from tftui.core.peering.checks import LOOK, OK, PROBLEM, UNKNOWN, Probe, likely_causes
from tftui.core.peering.dialect import Dialect
from tftui.core.peering.plan import PeerOptions, RouterFacts, TfFacts, build_add, build_remove
from tftui.core.peering.running import BgpConfig, NeighborConfig
from tftui.core.peering.status import ControlSide, PeeringStatus, pair_statuses
from tftui.core.peering.tf import (
    ADD_SESSION,
    CREATE_ROUTER,
    DELETE_ROUTER,
    REMOVE_SESSION,
    UPDATE_ROUTER,
    ref_families,
    with_session,
    without_session,
)
from tftui.core.policy.models import IP_FABRIC, BgpRouter, session_attr
from tftui.core.routes.crosscheck import CrossCheck, Finding
from tftui.core.routes.models import Neighbor, Suite

FRR = Dialect("frr", Suite("frr", "8.4.4"))
VYOS13 = Dialect("vyos", Suite("frr", "7.5.1"), "1.3.8")
VYOS14 = Dialect("vyos", Suite("frr", "9.1"), "1.4.0")
CONTROL_FAMILIES = ("route-target", "inet-vpn", "e-vpn", "erm-vpn", "inet6-vpn")


def _control(name: str, address: str, asn: int | str = 64512) -> BgpRouter:
    return BgpRouter(IP_FABRIC + ("__default__", name), "control-node", "contrail", asn, address, address, 179, 90,
                     CONTROL_FAMILIES, (), f"uuid-{name}")


CTRLS = (_control("ctrl1", "172.31.11.86"), _control("ctrl2", "172.31.11.87"))


def _gateway(peers=("ctrl1",), asn=65311, hold=90, families=("inet",)) -> BgpRouter:
    return BgpRouter(IP_FABRIC + ("__default__", "vyos-gw"), "router", "vyos", asn, "172.31.10.140", "172.31.10.140",
                     179, hold, families, tuple(peers), "uuid-gw")


def _router(dialect=VYOS13, neighbors=("172.31.11.86",), asn=65311, **cfg_kw) -> RouterFacts:
    cfg = BgpConfig(asn, **cfg_kw)
    for a in neighbors:
        cfg.neighbors[a] = NeighborConfig(a, 64512, description="tf", ipv4_unicast=True,
                                          lines=[f"neighbor {a} remote-as 64512"])
    return RouterFacts("vyos", "172.31.10.140", dialect, cfg, "172.31.10.140")


def _tf(*extra: BgpRouter, iff: int | None = 1, families=None) -> TfFacts:
    return TfFacts(64512, CTRLS + extra, families or {}, iff)


def test_add_the_missing_control_node_on_both_sides():
    plan = build_add(_router(), _tf(_gateway()), PeerOptions())
    assert plan.problems == () and plan.in_place == ("ctrl1",)
    assert [(c.kind, c.control.name) for c in plan.tf_changes] == [(ADD_SESSION, "ctrl2")]
    assert plan.tf_changes[0].router.name == "vyos-gw"  # the existing object, found by address
    assert plan.router_change.ops == (SetNeighbor("172.31.11.87", 64512, "tf-ctrl2"),)
    diff = plan.diff()
    assert "~ bgp-router ctrl2 (control node, 172.31.11.87): + session with vyos-gw (families inet)" in diff
    assert "  set protocols bgp 65311 neighbor 172.31.11.87 remote-as 64512" in diff
    assert "then: commit, save" in diff and "Already in place on both sides: ctrl1" in diff
    doc = plan.to_json()
    assert doc["router_lines"][0].startswith("set protocols bgp 65311") and doc["in_place"] == ["ctrl1"]
    undo = plan.undo()
    assert plan.brings_up and not undo.brings_up and undo.undo().brings_up
    assert [c.kind for c in undo.tf_changes] == [REMOVE_SESSION]
    assert undo.router_change.ops == (DeleteNeighbor("172.31.11.87"),)


def test_add_from_scratch_creates_the_router_object_and_the_instance():
    plan = build_add(_router(VYOS14, neighbors=(), asn=None), _tf(), PeerOptions(router_asn=65311, hold_time=30))
    assert plan.problems == ()
    kinds = [c.kind for c in plan.tf_changes]
    assert kinds == [CREATE_ROUTER, ADD_SESSION, ADD_SESSION]
    created = plan.tf_changes[0].router
    assert (created.name, created.asn, created.address, created.hold_time, created.families, created.router_type) == (
        "vyos", 65311, "172.31.10.140", 30, ("inet",), "router")
    assert isinstance(plan.router_change.ops[0], CreateInstance)
    assert plan.router_change.lines()[0] == "set protocols bgp system-as 65311"
    undo = plan.undo()
    assert [c.kind for c in undo.tf_changes] == [REMOVE_SESSION, REMOVE_SESSION, DELETE_ROUTER]
    assert undo.router_change.lines()[-1] == "delete protocols bgp"


def test_add_problems_block_the_plan():
    no_bgp = build_add(_router(neighbors=(), asn=None), _tf(), PeerOptions())
    assert any("--router-asn" in p for p in no_bgp.problems) and no_bgp.empty
    other_as = build_add(_router(), _tf(), PeerOptions(router_asn=65000))
    assert any("runs BGP AS 65311" in p for p in other_as.problems)
    unknown = build_add(_router(), _tf(), PeerOptions(controls=("ctrl9; reboot",)))
    assert any("no control node 'ctrl9; reboot'" in p for p in unknown.problems) and unknown.empty
    bad_name = build_add(dataclasses.replace(_router(), name="vyos;id"), _tf(), PeerOptions())
    assert any("router name" in p for p in bad_name.problems)
    tf = TfFacts(64512, (_control("evil", "1.2.3.4; rm -rf /"),), {}, 1)
    evil = build_add(_router(), tf, PeerOptions())
    assert any("address of control node evil" in p for p in evil.problems) and evil.empty
    tf = TfFacts(64512, (_control("evil", "1.2.3.4", "64512; write"),), {}, 1)  # what the config API says is checked
    evil = build_add(_router(), tf, PeerOptions())
    assert any("AS of control node evil" in p for p in evil.problems) and evil.empty


def test_asn_mismatches_are_fixed_in_the_diff():
    router = _router(neighbors=())
    router.config.neighbors["172.31.11.86"] = NeighborConfig("172.31.11.86", 64513)
    plan = build_add(router, _tf(_gateway(asn=65000)), PeerOptions(controls=("ctrl1",)))
    assert plan.router_change.ops == (SetNeighbor("172.31.11.86", 64512, "tf-ctrl1",
                                                  router.config.neighbors["172.31.11.86"]),)
    assert [c.kind for c in plan.tf_changes] == [UPDATE_ROUTER]
    assert "AS 65000 -> 65311" in plan.tf_changes[0].words()
    assert any("remote-as 64513" in n for n in plan.notes) and any("says AS 65000" in n for n in plan.notes)


def test_frr_ebgp_policy_is_an_explicit_choice():
    router = _router(FRR, neighbors=())
    assert any("--ebgp-policy" in p for p in build_add(router, _tf(), PeerOptions()).problems)
    off = build_add(router, _tf(), PeerOptions(ebgp="no-requirement"))
    assert off.router_change.ops[-1] == PolicyRequirement(False)
    assert " no bgp ebgp-requires-policy" in off.router_change.lines()
    maps = build_add(router, _tf(), PeerOptions(ebgp="route-map"))
    assert [op for op in maps.router_change.ops if isinstance(op, ImportRouteMap | RouteMapPresence)] == [
        RouteMapPresence(True), ImportRouteMap("172.31.11.86"), ImportRouteMap("172.31.11.87")]
    # removing its last user removes tftui's route-map too, and the undo puts both back
    router.config.route_maps.append(IMPORT_MAP)
    for a in ("172.31.11.86", "172.31.11.87"):
        router.config.neighbors[a] = NeighborConfig(a, 64512, route_map_in=IMPORT_MAP, lines=[f"neighbor {a} remote-as 64512"],
                                                    af_lines=[f"neighbor {a} route-map {IMPORT_MAP} in"])
    removal = build_remove(router, _tf(), PeerOptions())
    assert removal.router_change.ops[-1] == RouteMapPresence(False)
    assert removal.router_change.lines()[-2:] == [f"no route-map {IMPORT_MAP}", "end"]
    assert removal.router_change.inverse().lines()[1] == f"route-map {IMPORT_MAP} permit 10"
    assert build_remove(router, _tf(), PeerOptions(controls=("ctrl1",))).router_change.ops == (
        DeleteNeighbor("172.31.11.86", router.config.neighbors["172.31.11.86"]),)  # ctrl2 still uses it
    router.config.route_maps.clear()
    router.config.neighbors.clear()
    kept = build_add(router, _tf(), PeerOptions(ebgp="keep"))
    assert kept.problems == () and any("(Policy)" in n for n in kept.notes)
    # already off on the router, or an iBGP session: no choice to make
    router.config.no_ebgp_requires_policy = True
    assert build_add(router, _tf(), PeerOptions()).problems == ()
    assert build_add(_router(FRR, neighbors=(), asn=64512), _tf(), PeerOptions()).problems == ()
    # VyOS never needs it; the route-map choice is FRR's only
    assert build_add(_router(VYOS13, neighbors=()), _tf(), PeerOptions()).problems == ()


def test_vyos14_neighbor_without_address_family_is_completed():
    router = _router(VYOS14)
    router.config.neighbors["172.31.11.86"].ipv4_unicast = None
    plan = build_add(router, _tf(_gateway()), PeerOptions(controls=("ctrl1",)))
    assert plan.router_change.lines()[-1] == "set protocols bgp neighbor 172.31.11.86 address-family ipv4-unicast"


def test_session_without_inet_and_no_iff_network_are_noted():
    plan = build_add(_router(), _tf(_gateway(), iff=0, families={"ctrl1": ("inet-vpn",)}), PeerOptions())
    assert any("without inet" in n for n in plan.notes) and any("IP fabric forwarding" in n for n in plan.notes)


def test_remove_all_deletes_the_router_object_and_undo_puts_it_back():
    router = _router(neighbors=("172.31.11.86", "172.31.11.87"))
    tf = _tf(_gateway(("ctrl1", "ctrl2")), families={"ctrl1": ("inet",), "ctrl2": ("inet",)})
    plan = build_remove(router, tf, PeerOptions())
    assert [(c.kind, c.control.name if c.control else None) for c in plan.tf_changes] == [
        (REMOVE_SESSION, "ctrl1"), (REMOVE_SESSION, "ctrl2"), (DELETE_ROUTER, None)]
    assert plan.router_change.lines() == ["delete protocols bgp 65311 neighbor 172.31.11.86",
                                          "delete protocols bgp 65311 neighbor 172.31.11.87"]
    undo = plan.undo()
    assert [c.kind for c in undo.tf_changes] == [CREATE_ROUTER, ADD_SESSION, ADD_SESSION]
    assert all(isinstance(op, ReplayNeighbor) for op in undo.router_change.ops)
    # one control node only: the router object stays for the other
    one = build_remove(router, tf, PeerOptions(controls=("ctrl2",)))
    assert [c.kind for c in one.tf_changes] == [REMOVE_SESSION]
    gone = build_remove(_router(neighbors=()), _tf(), PeerOptions(controls=("ctrl2",)))
    assert gone.empty and gone.in_place == ("ctrl2",)


# ---------------------------------------------------------------- TF's refs

def test_session_refs_both_ways():
    gw = _gateway()
    refs = [{"to": list(CTRLS[1].fq_name), "uuid": "uuid-ctrl2", "href": "h", "attr": session_attr(("inet-vpn",))}]
    added = with_session(refs, gw, ("inet",))
    assert added == [{"to": list(CTRLS[1].fq_name), "attr": session_attr(("inet-vpn",))},
                     {"to": list(gw.fq_name), "attr": session_attr(("inet",))}]
    assert with_session(added, gw, ("inet",)) is None  # already there: nothing to write
    assert without_session(added, gw) == [{"to": list(CTRLS[1].fq_name), "attr": session_attr(("inet-vpn",))}]
    assert without_session(refs, gw) is None
    by_uuid = [{"to": ["x"], "uuid": "uuid-gw"}]
    assert without_session(by_uuid, gw) == []
    assert ref_families(added[1]) == ("inet",) and ref_families({"to": ["x"]}) is None


# ---------------------------------------------------------------- status and causes

def _n(address, state="Established", received=3, policy=False):
    return Neighbor(address, 64512, state, state == "Established", "00:00:05", received, 0, "tf", policy)


def test_status_done_only_when_sessions_and_routes_are_whole():
    controls = [("ctrl1", "172.31.11.86"), ("ctrl2", "172.31.11.87")]
    whole = CrossCheck([], ok=3, expected=3)
    pairs = pair_statuses(controls, [_n("172.31.11.86"), _n("172.31.11.87", "Active", None)], None)
    st = PeeringStatus("add", 5.0, pairs, whole)
    assert not st.sessions_done and st.routes_whole and not st.done
    assert st.lines()[2] == "  ctrl2 (172.31.11.87): router: Active"
    st = PeeringStatus("add", 9.0, pair_statuses(controls, [_n("172.31.11.86"), _n("172.31.11.87")], None),
                       CrossCheck([Finding("missing", "10.47.255.1/32", "x")], ok=2, expected=3))
    assert st.sessions_done and not st.routes_whole and not st.done
    # the control nodes' side, when watched, must agree too
    sides = {"ctrl1": ControlSide("Established", True), "ctrl2": ControlSide("Active", False)}
    st = PeeringStatus("add", 9.0, pair_statuses(controls, [_n("172.31.11.86"), _n("172.31.11.87")], sides), whole)
    assert not st.done and "control node: Active" in st.lines()[2]
    sides["ctrl2"] = ControlSide("Established", True)
    st = PeeringStatus("add", 9.0, pair_statuses(controls, [_n("172.31.11.86"), _n("172.31.11.87")], sides), whole)
    assert st.done and st.to_json()["pairs"][1]["control_state"] == "Established"
    # remove: done when the router has no such neighbors any more, routes or not
    gone = PeeringStatus("remove", 2.0, pair_statuses(controls, [_n("10.9.9.9")], None), None)
    assert gone.done and not PeeringStatus("remove", 2.0, pair_statuses(controls, [_n("172.31.11.86")], None)).done


def test_status_key_ignores_ages():
    a = PeeringStatus("add", 1, pair_statuses([("c", "1.1.1.1")], [_n("1.1.1.1")], None), None)
    later = dataclasses.replace(_n("1.1.1.1"), up_down="00:00:09")
    b = PeeringStatus("add", 5, pair_statuses([("c", "1.1.1.1")], [later], None), None)
    assert a.key() == b.key() and a.lines() != b.lines()


def _causes(router, tf, neighbors, probes=None, check=None):
    controls = [(c.name, c.address) for c in tf.controls()]
    status = PeeringStatus("add", 60, pair_statuses(controls, neighbors, None), check)
    return likely_causes(status, router, tf, probes)


def test_causes_session_down():
    router = _router(neighbors=("172.31.11.86",))
    router.config.neighbors["172.31.11.86"].remote_as = 64513
    router.config.hold_time = 9
    tf = _tf(_gateway(peers=("ctrl1",), asn=65000, hold=3))
    causes = _causes(router, tf, [_n("172.31.11.86", "Active", None)],
                     {"ctrl1": Probe("172.31.11.86", 179, "refused"), "ctrl2": Probe("172.31.11.87", 179, "open")})
    by_key = {}
    for c in causes:
        by_key.setdefault(c.key, []).append(c)
    assert sorted(c.title for c in by_key["asn"]) == ["ctrl1: AS mismatch", "vyos: AS mismatch"]
    assert any("expects AS 64513" in c.detail for c in by_key["asn"])
    assert any("says AS 65000" in c.detail for c in by_key["asn"])
    assert by_key["router-config"][0].title == "ctrl2: not configured on the router"
    assert by_key["tf-config"][0].title == "ctrl2: no session in TF"
    tcp = {c.title: c for c in by_key["tcp"]}
    assert tcp["ctrl1: TCP 179 refused"].verdict == UNKNOWN and "not the router" in tcp["ctrl1: TCP 179 refused"].detail
    assert tcp["ctrl2: TCP 179 open"].verdict == OK
    hold = next(c for c in by_key["hold-time"] if c.title.startswith("ctrl1"))
    assert hold.verdict == OK and "router 9 s, TF 3 s: the session uses 3 s" in hold.detail
    assert [c.verdict for c in causes] == sorted((c.verdict for c in causes),
                                                 key=[PROBLEM, UNKNOWN, OK, LOOK].index)
    assert causes[-1].key == "aws-source-dest-check" and "172.31.0.0/16" in causes[-1].detail


def test_causes_routes_missing():
    router = _router(FRR, neighbors=("172.31.11.86",))
    tf = _tf(_gateway(), iff=1, families={"ctrl1": ("inet-vpn",)})
    check = CrossCheck([Finding("missing", "10.47.255.1/32", "pod-a (10.47.255.1) on c1: no BGP route on the router")],
                       ok=0, expected=1)
    causes = _causes(router, tf, [_n("172.31.11.86", received=None, policy=True), _n("172.31.11.87")], check=check)
    keys = {c.key: c for c in causes}
    assert keys["ebgp-policy"].verdict == PROBLEM and "no bgp ebgp-requires-policy" in keys["ebgp-policy"].detail
    assert keys["families"].verdict == PROBLEM
    assert keys["crosscheck"].verdict == PROBLEM and "pod-a" in keys["crosscheck"].detail
    vyos = _router(VYOS14, neighbors=("172.31.11.86",))
    vyos.config.neighbors["172.31.11.86"].ipv4_unicast = None
    keys = {c.key: c for c in _causes(vyos, _tf(_gateway(), iff=0), [_n("172.31.11.86", received=0)])}
    assert keys["address-family"].verdict == PROBLEM and keys["iff"].verdict == PROBLEM
    keys = {c.key: c for c in _causes(_router(), _tf(_gateway()), [_n("172.31.11.86", received=0)])}
    assert keys["no-routes"].verdict == UNKNOWN
    advice = next(c for c in _causes(dataclasses.replace(_router(), address="10.0.0.1"),
                                     TfFacts(64512, (_control("c", "10.0.0.2"),), {}, 1), []) if c.verdict == LOOK)
    assert "172.31.0.0/16" not in advice.detail and "source/dest" in advice.detail


@pytest.mark.parametrize("dialect", [FRR, VYOS13, VYOS14])
def test_every_router_line_of_a_plan_is_made_of_validated_words(dialect):
    plan = build_add(_router(dialect, neighbors=()), _tf(), PeerOptions(ebgp="no-requirement" if dialect is FRR
                                                                         else None))
    for line in plan.router_change.lines():
        assert all(ch.isalnum() or ch in " .-:_'" for ch in line), line
    assert IMPORT_MAP not in " ".join(plan.router_change.lines())
