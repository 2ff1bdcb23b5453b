"""Peering, pure: validation, dialects, the router's configuration read and written, change templates and undo."""

from __future__ import annotations

import shlex

import pytest

from tftui.core.peering import validate
from tftui.core.peering.change import (
    COMMIT_FAILED_STATUS,
    IMPORT_MAP,
    REFUSED_STATUS,
    VYOS_SHELL,
    CreateInstance,
    DeleteNeighbor,
    ImportRouteMap,
    PolicyRequirement,
    ReplayNeighbor,
    RouteMapPresence,
    RouterChange,
    SetNeighbor,
)
from tftui.core.peering.dialect import Dialect, dialect_of, vyos_version
from tftui.core.peering.running import (
    BgpConfig,
    NeighborConfig,
    frr_running_config,
    parse_frr_running,
    parse_vyos_commands,
    vyos_bgp_commands,
)
from tftui.core.policy.validate import ValidationError
from tftui.core.routes.models import Suite

FRR = Dialect("frr", Suite("frr", "8.4.4"))
FRR73 = Dialect("frr", Suite("frr", "7.3.1"))
QUAGGA = Dialect("quagga", Suite("quagga", "0.99.20.1"))
VYOS11 = Dialect("vyos", Suite("quagga", "0.99.20.1"), "1.1.8")
VYOS13 = Dialect("vyos", Suite("frr", "7.5.1"), "1.3.8")
VYOS14 = Dialect("vyos", Suite("frr", "9.1"), "1.4.0")

INJECTIONS = ["; rm -rf /", "$(touch /tmp/x)", "`id`", "1.2.3.4'; reboot", "a\nb", "-oProxyCommand=x", "|| true",
              "1.2.3.4 -c 'conf t'", "", " ", "\x00", "65311 ", "64512; write", "x\r\nconfigure terminal"]

# `show running-config` of a real FRR 8.4.4 bgpd (Debian 12) after a few commands from the peering templates
REAL_FRR = """Building configuration...

Current configuration:
!
frr version 8.4.4
frr defaults traditional
hostname vm
no ip forwarding
no ipv6 forwarding
service integrated-vtysh-config
!
router bgp 65311
 bgp router-id 10.99.0.1
 no bgp default ipv4-unicast
 neighbor 1.2.3.6 remote-as 64512
 neighbor 1.2.3.8 remote-as 7
 neighbor 1.2.3.8 timers 10 30
 neighbor 5.5.5.5 remote-as 5
 neighbor 172.31.11.86 remote-as 64513
 neighbor 172.31.11.86 description tf ctrl 1
 !
 address-family ipv4 unicast
  neighbor 1.2.3.6 activate
  neighbor 1.2.3.6 route-map TFTUI-FROM-TF in
  neighbor 5.5.5.5 activate
  neighbor 172.31.11.86 activate
 exit-address-family
exit
!
route-map TFTUI-FROM-TF permit 10
exit
!
end
"""


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("check", [validate.asn, validate.neighbor_address, validate.router_id, validate.description,
                                   validate.hold_time])
@pytest.mark.parametrize("bad", INJECTIONS)
def test_injection_strings_refused_everywhere(check, bad):
    with pytest.raises(ValidationError):
        check(bad)


def test_validators_accept_what_routers_take():
    assert validate.asn("65311") == 65311 and validate.asn(4294967294) == 4294967294
    for bad in (0, 4294967295, True, None, 6.5, "065 311", "+65311", "0x10", "1e5", "-1"):
        with pytest.raises(ValidationError):
            validate.asn(bad)
    assert validate.neighbor_address("172.31.11.86") == "172.31.11.86"
    assert validate.neighbor_address("2001:DB8::1") == "2001:db8::1"  # canonical
    for bad in ("0.0.0.0", "224.0.0.5", "fe80::1%eth0", "10.0.0.0/8", "ctrl1", "255.255.255.255"):
        with pytest.raises(ValidationError):
            validate.neighbor_address(bad)
    with pytest.raises(ValidationError):
        validate.router_id("2001:db8::1")
    assert validate.description("tf-ctrl1") == "tf-ctrl1" and validate.description("tf ctrl 1") == "tf ctrl 1"
    for bad in ("two  spaces", " lead", "quote'", 'dq"', "x" * 81, "semi;colon", "tab\tx"):
        with pytest.raises(ValidationError):
            validate.description(bad)
    assert validate.hold_time(0) == 0 and validate.hold_time("90") == 90 and validate.hold_time(65535) == 65535
    for bad in (1, 2, 65536, -1):
        with pytest.raises(ValidationError):
            validate.hold_time(bad)


# ---------------------------------------------------------------- dialects

def test_vyos_version_from_show_version():
    v11 = "Version:      VyOS 1.1.8\nDescription:  VyOS 1.1.8 (helium)\nCopyright:    2017 VyOS maintainers\n"
    v13 = "Version:          VyOS 1.3.8\nRelease train:    equuleus\n"
    rolling = "Version:          VyOS 1.5-rolling-202405130019\nRelease train:    current\n"
    assert (vyos_version(v11), vyos_version(v13), vyos_version(rolling)) == ("1.1.8", "1.3.8", "1.5-rolling-202405130019")
    assert vyos_version("FRRouting 8.4.4 (vm) on Linux\n") is None and vyos_version("") is None
    assert dialect_of(Suite("frr", "7.5.1"), v13) == VYOS13
    assert dialect_of(Suite("frr", "9.1"), rolling).neighbor_needs_address_family
    assert dialect_of(Suite("frr", "8.4.4"), None) == FRR  # no VyOS op-mode wrapper: plain FRR
    assert dialect_of(Suite("quagga", "0.99.20.1"), None).os == "quagga"
    assert dialect_of(Suite("frr", "9.1"), v13, kind="frr").os == "frr"  # configured kind wins
    with pytest.raises(ValueError, match="kind: vyos"):
        dialect_of(Suite("frr", "8.4.4"), None, kind="vyos")


def test_dialect_properties():
    assert VYOS11.legacy_vyos and VYOS13.legacy_vyos and not VYOS14.legacy_vyos and not FRR.legacy_vyos
    # FRR 7.4+ refuses eBGP routes without a policy; VyOS writes `no bgp ebgp-requires-policy` itself
    assert FRR.ebgp_policy_required and not FRR73.ebgp_policy_required
    assert not (VYOS13.ebgp_policy_required or VYOS14.ebgp_policy_required or QUAGGA.ebgp_policy_required)
    assert VYOS14.neighbor_needs_address_family and not VYOS13.neighbor_needs_address_family
    assert FRR.vtysh_config and QUAGGA.vtysh_config and not VYOS13.vtysh_config
    assert "VyOS 1.3.8" in VYOS13.label() and "protocols bgp ASN" in VYOS13.label()


# ---------------------------------------------------------------- the router's configuration

def test_parse_real_frr_running_config():
    cfg = parse_frr_running(REAL_FRR)
    assert (cfg.asn, cfg.router_id, cfg.no_default_ipv4_unicast, cfg.no_ebgp_requires_policy) == (
        65311, "10.99.0.1", True, False)
    assert sorted(cfg.neighbors) == ["1.2.3.6", "1.2.3.8", "172.31.11.86", "5.5.5.5"]
    ctrl = cfg.neighbors["172.31.11.86"]
    assert (ctrl.remote_as, ctrl.description, ctrl.ipv4_unicast) == (64513, "tf ctrl 1", True)
    assert cfg.neighbors["1.2.3.6"].route_map_in == IMPORT_MAP and cfg.route_maps == [IMPORT_MAP]
    assert cfg.neighbors["1.2.3.8"].hold_time == 30 and cfg.neighbors["1.2.3.8"].ipv4_unicast is None
    assert ctrl.lines == ["neighbor 172.31.11.86 remote-as 64513", "neighbor 172.31.11.86 description tf ctrl 1"]
    assert ctrl.af_lines == ["neighbor 172.31.11.86 activate"]
    assert parse_frr_running("% BGP instance not found\n").asn is None


def _fields(cfg: BgpConfig) -> tuple:
    return (cfg.asn, cfg.router_id, cfg.no_ebgp_requires_policy, cfg.ebgp_requires_policy, cfg.hold_time,
            sorted((n.address, n.remote_as, n.description, n.hold_time, bool(n.ipv4_unicast), n.route_map_in)
                   for n in cfg.neighbors.values()))


def _sample() -> BgpConfig:
    cfg = BgpConfig(65311, "172.31.10.140", no_ebgp_requires_policy=True, hold_time=180)
    cfg.neighbors["172.31.11.86"] = NeighborConfig("172.31.11.86", 64512, description="tf ctrl1", ipv4_unicast=True)
    cfg.neighbors["10.0.0.9"] = NeighborConfig("10.0.0.9", 65000, hold_time=30, route_map_in=IMPORT_MAP)
    cfg.route_maps.append(IMPORT_MAP)
    return cfg


def test_frr_running_config_round_trip():
    cfg = _sample()
    text = frr_running_config(cfg, "vyos", "8.4.4")
    back = parse_frr_running(text)
    assert _fields(back) == _fields(cfg) and back.route_maps == [IMPORT_MAP]
    assert text.index("router bgp") < text.index("route-map")  # FRR 8 prints route-maps after BGP
    assert text.index("neighbor 10.0.0.9") < text.index("neighbor 172.31.11.86")  # sorted by address


@pytest.mark.parametrize("legacy", [True, False])
def test_vyos_commands_round_trip(legacy):
    cfg = _sample()
    cfg.no_ebgp_requires_policy = False
    cfg.ebgp_requires_policy = not legacy
    cfg.neighbors["10.0.0.9"].ipv4_unicast = True  # in VyOS the import route-map is under the family's node
    lines = vyos_bgp_commands(cfg, legacy)
    assert all(line.startswith("set protocols bgp ") for line in lines)
    assert ("set protocols bgp 65311 neighbor 172.31.11.86 remote-as '64512'" in lines) == legacy
    assert ("set protocols bgp system-as '65311'" in lines) == (not legacy)
    back = parse_vyos_commands("set system host-name 'vyos'\n" + "\n".join(lines))
    assert _fields(back) == _fields(cfg)
    assert back.neighbors["172.31.11.86"].lines  # kept verbatim for an undo


# ---------------------------------------------------------------- changes in each dialect

def _before() -> BgpConfig:
    cfg = BgpConfig(65311, "172.31.10.140")
    cfg.neighbors["172.31.11.86"] = NeighborConfig("172.31.11.86", 64512, description="tf-ctrl1",
                                                   lines=["neighbor 172.31.11.86 remote-as 64512",
                                                          "neighbor 172.31.11.86 description tf-ctrl1"])
    return cfg


def test_frr_change_lines_and_commands():
    change = RouterChange(FRR, 65311, (SetNeighbor("172.31.11.87", 64512, "tf ctrl2"), PolicyRequirement(False)),
                          _before())
    assert change.lines() == ["configure terminal", "router bgp 65311", " neighbor 172.31.11.87 remote-as 64512",
                              " neighbor 172.31.11.87 description tf ctrl2", " no bgp ebgp-requires-policy", "exit",
                              "end"]
    apply, save = change.steps()
    assert shlex.split(apply.command) == ["vtysh", "-c", "configure terminal", "-c", "router bgp 65311", "-c",
                                          "neighbor 172.31.11.87 remote-as 64512", "-c",
                                          "neighbor 172.31.11.87 description tf ctrl2", "-c",
                                          "no bgp ebgp-requires-policy", "-c", "exit", "-c", "end"]
    assert save.command == "vtysh -c 'write memory'" and apply.stdin is None
    undo = change.inverse()
    assert undo.lines() == ["configure terminal", "router bgp 65311", " bgp ebgp-requires-policy",
                            " no neighbor 172.31.11.87", "exit", "end"]
    assert [c.lines() for c in undo.single_ops()] == [
        ["configure terminal", "router bgp 65311", " bgp ebgp-requires-policy", "exit", "end"],
        ["configure terminal", "router bgp 65311", " no neighbor 172.31.11.87", "exit", "end"]]


def test_frr_route_map_choice_and_activation():
    before = _before()
    before.no_default_ipv4_unicast = True
    change = RouterChange(FRR, 65311, (RouteMapPresence(True), SetNeighbor("172.31.11.87", 64512, None),
                                       ImportRouteMap("172.31.11.87")), before)
    assert change.lines() == ["configure terminal", f"route-map {IMPORT_MAP} permit 10", "exit", "router bgp 65311",
                              " neighbor 172.31.11.87 remote-as 64512", " address-family ipv4 unicast",
                              "  neighbor 172.31.11.87 activate", f"  neighbor 172.31.11.87 route-map {IMPORT_MAP} in",
                              " exit-address-family", "exit", "end"]
    assert change.inverse().lines() == [
        "configure terminal", "router bgp 65311", " no neighbor 172.31.11.87", " address-family ipv4 unicast",
        f"  no neighbor 172.31.11.87 route-map {IMPORT_MAP} in", " exit-address-family", "exit",
        f"no route-map {IMPORT_MAP}", "end"]


def test_changing_and_removing_a_neighbor_undoes_to_its_own_lines():
    before = _before()
    old = before.neighbors["172.31.11.86"]
    change = RouterChange(FRR, 65311, (SetNeighbor("172.31.11.86", 64513, None, old),), before)
    assert change.inverse().lines() == ["configure terminal", "router bgp 65311", " no neighbor 172.31.11.86",
                                        " neighbor 172.31.11.86 remote-as 64512",
                                        " neighbor 172.31.11.86 description tf-ctrl1", "exit", "end"]
    removal = RouterChange(FRR, 65311, (DeleteNeighbor("172.31.11.86", old),), before)
    assert removal.lines()[2] == " no neighbor 172.31.11.86"
    assert removal.inverse().lines()[2:4] == [" neighbor 172.31.11.86 remote-as 64512",
                                              " neighbor 172.31.11.86 description tf-ctrl1"]
    bad = NeighborConfig("1.1.1.1", 1, lines=["neighbor 1.1.1.1 remote-as 1\nneighbor 1.1.1.1 shutdown"])
    with pytest.raises(ValidationError, match="printable"):
        RouterChange(FRR, 65311, (ReplayNeighbor(bad),)).lines()


def test_vyos_legacy_script():
    change = RouterChange(VYOS13, 65311, (SetNeighbor("172.31.11.87", 64512, "tf ctrl2"),), _before())
    assert change.lines() == ["set protocols bgp 65311 neighbor 172.31.11.87 remote-as 64512",
                              "set protocols bgp 65311 neighbor 172.31.11.87 description 'tf ctrl2'"]
    (step,) = change.steps()
    assert step.command == VYOS_SHELL
    script = step.stdin.splitlines()
    assert script[:2] == ["source /opt/vyatta/etc/functions/script-template", "configure"]
    assert script[2] == ("/opt/vyatta/sbin/my_set protocols bgp 65311 neighbor 172.31.11.87 remote-as 64512 || "
                         f"{{ /opt/vyatta/sbin/my_discard; exit; builtin exit {REFUSED_STATUS}; }}")
    assert script[4] == f"/opt/vyatta/sbin/my_commit || {{ /opt/vyatta/sbin/my_discard; exit; builtin exit {COMMIT_FAILED_STATUS}; }}"
    assert script[5:] == ["save", "exit"]
    assert change.inverse().lines() == ["delete protocols bgp 65311 neighbor 172.31.11.87"]
    with pytest.raises(ValidationError):
        RouterChange(VYOS13, 65311, (PolicyRequirement(False),)).lines()
    with pytest.raises(ValidationError):
        RouterChange(VYOS11, 65311, (ImportRouteMap("1.1.1.1"),)).lines()


def test_vyos_14_syntax_and_new_instance():
    change = RouterChange(VYOS14, 65311, (CreateInstance(65311), SetNeighbor("172.31.11.87", 64512, "tf-ctrl2")),
                          BgpConfig())
    assert change.lines() == ["set protocols bgp system-as 65311",
                              "set protocols bgp neighbor 172.31.11.87 remote-as 64512",
                              "set protocols bgp neighbor 172.31.11.87 description tf-ctrl2",
                              "set protocols bgp neighbor 172.31.11.87 address-family ipv4-unicast"]
    assert change.inverse().lines() == ["delete protocols bgp neighbor 172.31.11.87", "delete protocols bgp"]
    # 1.1-1.3 need no separate instance line, and their undo deletes the AS's tag node
    legacy = RouterChange(VYOS11, 65311, (CreateInstance(65311), SetNeighbor("172.31.11.87", 64512, None)))
    assert legacy.lines() == ["set protocols bgp 65311 neighbor 172.31.11.87 remote-as 64512"]
    assert legacy.inverse().lines()[-1] == "delete protocols bgp 65311"


def test_replayed_vyos_lines_are_quoted_words():
    old = parse_vyos_commands("set protocols bgp 65311 neighbor 10.1.1.1 description 'it''s ; rm -rf /'\n"
                              "set protocols bgp 65311 neighbor 10.1.1.1 remote-as '65000'\n").neighbors["10.1.1.1"]
    change = RouterChange(VYOS13, 65311, (ReplayNeighbor(old),))
    script = change.steps()[0].stdin
    line = next(x for x in script.splitlines() if "description" in x)
    words = shlex.split(line.split(" || ")[0])
    assert words[0] == "/opt/vyatta/sbin/my_set" and words[-1] == "its ; rm -rf /"  # one argument, never code


def test_verify_reads_back_every_operation():
    change = RouterChange(VYOS14, 65311, (SetNeighbor("10.0.0.2", 64512, "tf-x"), DeleteNeighbor("10.0.0.3"),
                                          PolicyRequirement(False)))
    after = BgpConfig(65311)
    after.neighbors["10.0.0.2"] = NeighborConfig("10.0.0.2", 64512, description="tf-x", ipv4_unicast=True)
    assert change.verify(after) == []
    after.neighbors["10.0.0.2"].ipv4_unicast = None
    after.neighbors["10.0.0.3"] = NeighborConfig("10.0.0.3", 1)
    after.ebgp_requires_policy = True
    assert change.verify(after) == ["neighbor 10.0.0.2 has no address-family ipv4-unicast",
                                     "neighbor 10.0.0.3 is still configured", "the eBGP policy requirement is on"]
    frr = RouterChange(FRR, 65311, (RouteMapPresence(True), SetNeighbor("10.0.0.2", 64512, None),
                                    ImportRouteMap("10.0.0.2")))
    cfg = BgpConfig(65311)
    cfg.neighbors["10.0.0.2"] = NeighborConfig("10.0.0.2", 64513)
    assert frr.verify(cfg) == [f"route-map {IMPORT_MAP} is missing",
                               "neighbor 10.0.0.2 remote-as 64512 is not in the configuration",
                               f"neighbor 10.0.0.2 import route-map {IMPORT_MAP} is missing"]
