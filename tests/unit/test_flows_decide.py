"""The one packet-vs-policy decision: what the agent decides for a flow given the config API's objects."""

from __future__ import annotations

import pytest

from tftui.core.flows.actions import IMPLICIT_ALLOW, IMPLICIT_DENY_UUID
from tftui.core.flows.decide import (
    DEFAULT_GW,
    Packet,
    SecurityConfig,
    Workload,
    decide,
    reverse_of,
    where_for,
)
from tftui.core.policy.models import Aps, Endpoint, Policy, PolicyRef, Rule, Tag

PM = ("default-policy-management",)
GLOBAL_APS = PM + ("default-application-policy-set",)
POD_VN = "default-domain:k8s-default:k8s-default-pod-network"
C1 = Workload("10.47.255.251", "cirros1", POD_VN, ("label=cirros1", "application=k8s"), "vmi-1", "compute1",
              "10.32.0.1")
C2 = Workload("10.47.255.250", "cirros2", POD_VN, ("label=cirros2", "application=k8s"), "vmi-2", "compute1",
              "10.32.0.1")
P3 = Workload("10.47.255.252", "pod-0003", POD_VN, ("application=k8s",), "vmi-3", "compute2", "10.32.0.1")
ICMP, SSH = Packet(C1.ip, C2.ip, 1, 4711, 0), Packet(C1.ip, C2.ip, 6, 40000, 22)


def _rule(name: str, action: str = "pass", protocol: str = "any", ep1=Endpoint(), ep2=Endpoint(), direction="<>",
          dst_ports=(0, 65535), match_tags=(), parent=PM) -> Rule:
    return Rule(parent + (name,), action, protocol, dst_ports, endpoint_1=ep1, endpoint_2=ep2, direction=direction,
                match_tags=match_tags, uuid=f"uuid-{name}")


def _config(*policies: tuple[str, list[Rule]], aps_tags: dict[str, tuple[str, ...]] | None = None,
            extra_tags=()) -> SecurityConfig:
    """Policies go into the global APS unless ``aps_tags`` names an APS (tagged) for them."""
    rules = [r for _, rs in policies for r in rs]
    pols = [Policy(PM + (name,), tuple(PolicyRef(r.fq_name, f"{i}.0", r.uuid) for i, r in enumerate(rs, 1)),
                   f"pol-{name}") for name, rs in policies]
    by_aps: dict[tuple, list[Policy]] = {}
    for pol in pols:
        tags = (aps_tags or {}).get(pol.fq_name[-1])
        by_aps.setdefault(tags or (), []).append(pol)
    apss = [Aps(GLOBAL_APS if not tags else PM + ("aps-" + "-".join(tags),),
                tuple(PolicyRef(p.fq_name, f"{i}.0", p.uuid) for i, p in enumerate(ps, 1)), tags,
                all_applications=not tags) for tags, ps in by_aps.items()]
    tags = [Tag((n,), n.split("=")[0], n.split("=")[1], f"t-{n}", f"0x{i:08x}")
            for i, n in enumerate(["label=cirros1", "label=cirros2", "application=k8s", *extra_tags])]
    return SecurityConfig(tags, rules, pols, apss)


SEED_DENY = _rule("deny-icmp", "deny", "icmp", Endpoint("tags", ("label=cirros1",)),
                  Endpoint("tags", ("label=cirros2",)))
ALLOW_ALL = _rule("allowall")


def _seed() -> SecurityConfig:
    return _config(("policy1", [SEED_DENY]), ("k8s-allowall", [ALLOW_ALL]),
                   aps_tags={"k8s-allowall": ("application=k8s",)})


def test_no_policy_anywhere_is_implicit_allow():
    d = decide(SecurityConfig(), ICMP, C1, C2, "local")
    assert not d.dropped and d.fw_policy_match == IMPLICIT_ALLOW and d.action == 1 << 5


def test_seed_walk_icmp_denied_both_ways_ssh_passes():
    cfg = _seed()
    d = decide(cfg, ICMP, C1, C2, "local")
    assert d.dropped and not d.implicit and d.drop_reason == "Flow drop Firewall Policy"
    assert d.fw_policy_match == "default-policy-management:policy1:uuid-deny-icmp"
    assert (d.hit.rule_position, d.hit.policy_position, d.hit.aps.fq_name) == (1, 1, GLOBAL_APS)
    assert d.policy_set_acls == ("pol-policy1", "pol-k8s-allowall") and d.out_policy_set_acls == d.policy_set_acls
    back = decide(cfg, Packet(C2.ip, C1.ip, 1), C2, C1, "local")
    assert back.dropped  # "<>" matches the reversed endpoints too
    ssh = decide(cfg, SSH, C1, C2, "local")
    assert not ssh.dropped and ssh.fw_policy_match == "default-policy-management:k8s-allowall:uuid-allowall"
    other = decide(cfg, Packet(C1.ip, P3.ip, 1), C1, P3, "source")
    assert not other.dropped


def test_removing_the_policy_turns_it_back_to_pass():
    cfg = _config(("k8s-allowall", [ALLOW_ALL]), aps_tags={"k8s-allowall": ("application=k8s",)})
    assert not decide(cfg, ICMP, C1, C2, "local").dropped


def test_policies_but_no_match_is_implicit_deny():
    cfg = _config(("only-ssh", [_rule("ssh", "pass", "tcp", dst_ports=(22, 22))]))
    d = decide(cfg, ICMP, C1, C2, "local")
    assert d.dropped and d.implicit and d.fw_policy_match == IMPLICIT_DENY_UUID and d.hit is None
    assert d.action == (1 << 3) | (1 << 29)
    assert not decide(cfg, SSH, C1, C2, "local").dropped
    assert decide(cfg, Packet(C1.ip, C2.ip, 6, 40000, 23), C1, C2, "local").implicit


def test_default_gateway_icmp_passes_whatever_the_policy():
    cfg = _config(("only-ssh", [_rule("ssh", "pass", "tcp", dst_ports=(22, 22))]))
    d = decide(cfg, Packet(C1.ip, "10.32.0.1", 1), C1, Workload("10.32.0.1"), "source")
    assert not d.dropped and d.fw_policy_match == DEFAULT_GW


@pytest.mark.parametrize("direction,forward,backward", [(">", True, False), ("<", False, True), ("<>", True, True)])
def test_rule_directions(direction, forward, backward):
    rule = _rule("d", "deny", "any", Endpoint("tags", ("label=cirros1",)), Endpoint("tags", ("label=cirros2",)),
                 direction)
    cfg = _config(("p", [rule, ALLOW_ALL]))
    assert decide(cfg, ICMP, C1, C2, "local").dropped is forward
    assert decide(cfg, Packet(C2.ip, C1.ip, 1), C2, C1, "local").dropped is backward


def test_local_out_policy_and_non_local_sides():
    deny_to_c2 = _rule("to-c2", "deny", "any", Endpoint(), Endpoint("tags", ("label=cirros2",)), ">")
    cfg = _config(("c2-guard", [deny_to_c2]), aps_tags={"c2-guard": ("label=cirros2",)})
    d = decide(cfg, ICMP, C1, C2, "local")  # cirros1 has no policy; cirros2's ("out") denies
    assert d.dropped and d.drop_reason == "Flow drop OUT Firewall Policy"
    assert d.policy_set_acls == () and d.out_policy_set_acls == ("pol-c2-guard",)
    remote_c2 = Workload(C2.ip, "cirros2", POD_VN, C2.tags, "vmi-2", "compute2")
    assert not decide(cfg, ICMP, C1, remote_c2, "source").dropped  # the source's vrouter checks cirros1 only
    assert decide(cfg, ICMP, C1, remote_c2, "destination").dropped  # cirros2's vrouter checks cirros2
    assert where_for(C1, remote_c2, "compute1") == "source" and where_for(C1, remote_c2, "compute2") == "destination"
    assert where_for(C1, C2, "compute1") == "local" and where_for(C1, C2, "compute9") is None


def test_services_ports_and_protocols():
    ssh_only = _rule("ssh", "pass", "tcp", dst_ports=(22, 22))
    web = _rule("web", "pass", "6", dst_ports=(80, 90))
    cfg = _config(("p", [ssh_only, web]))
    assert not decide(cfg, SSH, C1, C2, "local").dropped
    assert not decide(cfg, Packet(C1.ip, C2.ip, 6, 1, 85), C1, C2, "local").dropped
    assert decide(cfg, Packet(C1.ip, C2.ip, 17, 1, 22), C1, C2, "local").implicit  # udp/22: no rule
    icmp_any_port = _config(("p", [_rule("icmp", "pass", "icmp", dst_ports=(7, 7))]))
    assert not decide(icmp_any_port, ICMP, C1, C2, "local").dropped  # ICMP ignores ports


def test_match_tags_need_the_same_value_on_both_sides():
    rule = _rule("same-app", "pass", match_tags=("application",))
    cfg = _config(("p", [rule]), extra_tags=("application=other",))
    assert not decide(cfg, ICMP, C1, C2, "local").dropped
    other = Workload("10.47.255.1", "x", POD_VN, ("application=other",), "vmi-x", "compute1")
    assert decide(cfg, Packet(C1.ip, other.ip, 1), C1, other, "local").implicit


def test_vn_subnet_and_address_group_endpoints():
    vn_rule = _rule("vn", "deny", ep1=Endpoint("virtual_network", POD_VN), ep2=Endpoint("subnet", "10.47.255.250/32"))
    cfg = _config(("p", [vn_rule, ALLOW_ALL]))
    assert decide(cfg, ICMP, C1, C2, "local").dropped
    assert not decide(cfg, Packet(C1.ip, P3.ip, 1), C1, P3, "source").dropped
    ag_rule = _rule("ag", "deny", ep2=Endpoint("address_group", "default-policy-management:ag1"))
    cfg2 = _config(("p", [ag_rule, ALLOW_ALL]))
    cfg2.address_groups["default-policy-management:ag1"] = ("10.47.255.248/29",)
    assert decide(cfg2, ICMP, C1, C2, "local").dropped


def test_project_rule_names_its_projects_tag_and_global_prefix():
    project = ("default-domain", "k8s-default")
    scoped = Workload(C1.ip, "c1", POD_VN, ("default-domain:k8s-default:tier=web",), "vmi-1", "compute1")
    rule = _rule("p-deny", "deny", ep1=Endpoint("tags", ("tier=web",)), parent=project)
    glob = _rule("g-deny", "deny", ep1=Endpoint("tags", ("global:label=cirros1",)), parent=project)
    tags = [Tag(project + ("tier=web",), "tier", "web", "tw", "0x00020001")]
    cfg = SecurityConfig(tags, [rule], [Policy(project + ("pp",), (PolicyRef(rule.fq_name, "1.0"),), "pp")],
                         [Aps(GLOBAL_APS, (PolicyRef(project + ("pp",), "1.0"),), all_applications=True)])
    assert decide(cfg, ICMP, scoped, C2, "source").dropped
    cfg2 = SecurityConfig(tags, [glob], [Policy(project + ("pp",), (PolicyRef(glob.fq_name, "1.0"),), "pp")],
                          [Aps(GLOBAL_APS, (PolicyRef(project + ("pp",), "1.0"),), all_applications=True)])
    assert decide(cfg2, ICMP, C1, C2, "source").dropped


def test_reverse_flow_record_copies_the_verdict_with_unknown_reason():
    d = decide(_seed(), ICMP, C1, C2, "local")
    r = reverse_of(d)
    assert r.dropped and r.drop_reason == "UNKNOWN" and r.fw_policy_match == d.fw_policy_match
    assert reverse_of(decide(_seed(), SSH, C1, C2, "local")).drop_reason == ""


def test_first_matching_policy_wins_in_aps_order():
    cfg = _config(("first", [_rule("allow-icmp", "pass", "icmp")]), ("second", [SEED_DENY]))
    d = decide(cfg, ICMP, C1, C2, "local")
    assert not d.dropped and d.hit.rule.name == "allow-icmp" and d.hit.policy_position == 1


def test_effective_tags_nearest_level_wins_labels_from_one_level():
    from tftui.core.flows.decide import effective_tags

    vmi = ("label=cirros1", "application=quarantine")
    vn = ("application=k8s", "tier=web", "label=net")
    project = ("application=k8s", "site=tokyo", "label=proj")
    assert effective_tags(vmi, vn, project) == ("label=cirros1", "application=quarantine", "tier=web", "site=tokyo")
    assert effective_tags((), vn, project) == ("label=net", "application=k8s", "tier=web", "site=tokyo")
    assert effective_tags(("d:p:tier=db",), vn) == ("label=net", "d:p:tier=db", "application=k8s")
