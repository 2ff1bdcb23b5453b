"""Security configuration as a reviewable document (YAML/JSON) and the plan that applies it.

The document names objects by fq_name only (no uuids), keeps rule order as list order and sorts
everything else, so two exports of the same configuration are byte-identical and another cluster
can take it as is. ``plan`` turns a document and a cluster's current objects into creates/updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from .diff import is_noop, render_diff
from .models import Aps, Endpoint, Policy, PolicyRef, Port, Rule, Tag, fq_str
from .validate import ValidationError, check_rule, parse_ports, ports_text, resequence

VERSION = 1


def _endpoint_doc(ep: Endpoint) -> Any:
    if ep.kind == "tags":
        return {"tags": list(ep.value)}
    if ep.kind == "any":
        return "any"
    return {ep.kind: ep.value}


def _endpoint_from(doc: Any, where: str) -> Endpoint:
    if doc == "any" or doc is None:
        return Endpoint()
    if not isinstance(doc, dict) or len(doc) != 1:
        raise ValidationError(f"{where}: expected 'any' or one of tags/virtual_network/address_group/subnet")
    kind, value = next(iter(doc.items()))
    if kind == "tags":
        if not isinstance(value, list):
            raise ValidationError(f"{where}.tags: expected a list")
        return Endpoint("tags", tuple(str(v) for v in value))
    if kind not in ("virtual_network", "address_group", "subnet"):
        raise ValidationError(f"{where}: unknown endpoint kind {kind!r}")
    return Endpoint(kind, str(value))


def security_tags(rules: list[Rule], apss: list[Aps]) -> set[str]:
    """The tags the security configuration uses: rule endpoints and APS application tags (global names)."""
    used = {t.removeprefix("global:") for r in rules for ep in (r.endpoint_1, r.endpoint_2) if ep.kind == "tags"
            for t in ep.value}
    return used | {t for a in apss for t in a.tags}


def _ports_doc(ports: list[Port], used: set[str]) -> list[dict]:
    out = []
    for p in sorted(ports, key=lambda p: (p.vm_name, p.uuid)):
        tags = sorted(t for t in p.tags if t in used or t.rsplit(":", 1)[-1] in used)
        if tags:
            out.append({"name": p.vm_name or fq_str(p.fq_name), "tags": tags})
    return out


def export_doc(tags: list[Tag], rules: list[Rule], policies: list[Policy], apss: list[Aps],
               ports: list[Port] | None = None) -> dict:
    out_rules = []
    for r in sorted(rules, key=lambda r: r.fq_name):
        item: dict[str, Any] = {"name": fq_str(r.fq_name), "action": r.action, "direction": r.direction,
                                "endpoint_1": _endpoint_doc(r.endpoint_1), "endpoint_2": _endpoint_doc(r.endpoint_2)}
        if r.service_groups:
            item["service_groups"] = list(r.service_groups)
        else:
            item["protocol"] = r.protocol
            if r.dst_ports != (0, 65535):
                item["dst_ports"] = ports_text(r.dst_ports)
            if r.src_ports != (0, 65535):
                item["src_ports"] = ports_text(r.src_ports)
        if r.match_tags:
            item["match_tags"] = list(r.match_tags)
        out_rules.append(item)
    return {
        "version": VERSION,
        "tags": sorted(fq_str(t.fq_name) for t in tags),
        "firewall_rules": out_rules,
        "firewall_policies": [{"name": fq_str(p.fq_name), "rules": [fq_str(x.fq_name) for x in p.rules]}
                              for p in sorted(policies, key=lambda p: p.fq_name)],
        "application_policy_sets": [{"name": fq_str(a.fq_name), "tags": sorted(a.tags),
                                     "policies": [fq_str(x.fq_name) for x in a.policies]}
                                    for a in sorted(apss, key=lambda a: a.fq_name)],
        # ports (VMIs) carrying the tags the rules and sets use: what makes a rule apply to a workload
        **({"ports": pdoc} if (pdoc := _ports_doc(ports or [], security_tags(rules, apss))) else {}),
    }


def dump_yaml(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, allow_unicode=True)


@dataclass
class Desired:
    tags: list[Tag]
    rules: list[Rule]
    policies: list[Policy]
    apss: list[Aps]
    ports: list[tuple[str, tuple[str, ...]]] = ()  # (port name: VM/pod name, display name or uuid; tags to carry)


def _list(doc: dict, key: str) -> list:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise ValidationError(f"{key}: expected a list")
    return value


def _named(item: Any, where: str) -> tuple[str, ...]:
    if not isinstance(item, dict) or not item.get("name"):
        raise ValidationError(f"{where}: expected a mapping with a name")
    return tuple(str(item["name"]).split(":"))


def parse_doc(doc: Any) -> Desired:
    if not isinstance(doc, dict):
        raise ValidationError("expected a mapping with tags, firewall_rules, firewall_policies, application_policy_sets")
    if doc.get("version", VERSION) != VERSION:
        raise ValidationError(f"version {doc.get('version')!r} is not supported (expected {VERSION})")
    tags = []
    for i, name in enumerate(_list(doc, "tags")):
        fq = tuple(str(name).split(":"))
        t, sep, v = fq[-1].partition("=")
        if not sep or not t or not v:
            raise ValidationError(f"tags[{i}]: {name!r} is not [domain:project:]TYPE=VALUE")
        tags.append(Tag(fq, t, v))
    rules = []
    for i, item in enumerate(_list(doc, "firewall_rules")):
        where = f"firewall_rules[{i}]"
        fq = _named(item, where)
        rule = Rule(fq, str(item.get("action", "pass")), str(item.get("protocol", "any")),
                    parse_ports(item.get("dst_ports"), f"{where}.dst_ports"),
                    parse_ports(item.get("src_ports"), f"{where}.src_ports"),
                    tuple(str(g) for g in item.get("service_groups") or ()),
                    _endpoint_from(item.get("endpoint_1"), f"{where}.endpoint_1"),
                    _endpoint_from(item.get("endpoint_2"), f"{where}.endpoint_2"),
                    str(item.get("direction", "<>")), tuple(str(t) for t in item.get("match_tags") or ()))
        try:
            check_rule(rule)
        except ValidationError as exc:
            raise ValidationError(f"{where} ({fq_str(fq)}): {exc}") from None
        rules.append(rule)
    policies = []
    for i, item in enumerate(_list(doc, "firewall_policies")):
        fq = _named(item, f"firewall_policies[{i}]")
        names = [tuple(str(r).split(":")) for r in item.get("rules") or []]
        policies.append(Policy(fq, tuple(PolicyRef(n, s) for n, s in zip(names, resequence(len(names)), strict=True))))
    apss = []
    for i, item in enumerate(_list(doc, "application_policy_sets")):
        fq = _named(item, f"application_policy_sets[{i}]")
        names = [tuple(str(r).split(":")) for r in item.get("policies") or []]
        apss.append(Aps(fq, tuple(PolicyRef(n, s) for n, s in zip(names, resequence(len(names)), strict=True)),
                        tuple(sorted(str(t) for t in item.get("tags") or ()))))
    ports = []
    for i, item in enumerate(_list(doc, "ports")):
        if not isinstance(item, dict) or not item.get("name") or not isinstance(item.get("tags"), list):
            raise ValidationError(f"ports[{i}]: expected a mapping with a name and a list of tags")
        ports.append((str(item["name"]), tuple(str(t) for t in item["tags"])))
    return Desired(tags, rules, policies, apss, ports)


@dataclass(frozen=True)
class Step:
    op: str  # create | update
    type: str
    fq_name: tuple[str, ...]
    body: dict  # what is sent (for update: without fq_name)
    old: dict | None = None  # current object, normalised the same way as body

    def diff(self) -> str:
        return render_diff(f"{self.type} {fq_str(self.fq_name)}", self.old, self.body)


def plan(desired: Desired, current: dict[str, dict[tuple[str, ...], dict]]) -> list[Step]:
    """Creates and updates, in dependency order (tags, rules, policies, sets). Nothing is deleted."""
    steps: list[Step] = []

    def add(type_name: str, fq: tuple[str, ...], body: dict, cur_body: dict | None) -> None:
        if cur_body is None:
            steps.append(Step("create", type_name, fq, body))
            return
        update = {k: v for k, v in body.items() if k != "fq_name"}
        old = {k: v for k, v in cur_body.items() if k != "fq_name"}
        if not is_noop(old, update):
            steps.append(Step("update", type_name, fq, update, old))

    have = current.get("tag", {})
    for t in desired.tags:
        if t.fq_name not in have:
            steps.append(Step("create", "tag", t.fq_name, t.body()))
    have = current.get("firewall-rule", {})
    for r in desired.rules:
        cur = have.get(r.fq_name)
        add("firewall-rule", r.fq_name, r.body(), Rule.from_api(cur).body() if cur else None)
    have = current.get("firewall-policy", {})
    for p in desired.policies:
        cur = have.get(p.fq_name)
        add("firewall-policy", p.fq_name, p.body(), Policy.from_api(cur).body() if cur else None)
    have = current.get("application-policy-set", {})
    for a in desired.apss:
        cur = have.get(a.fq_name)
        add("application-policy-set", a.fq_name, a.body(), Aps.from_api(cur).body() if cur else None)
    for name, tags in desired.ports:
        fq, vmi = _port_named(current.get("virtual-machine-interface", {}), name)
        refs = [{"to": list(r["to"])} for r in vmi.get("tag_refs") or [] if isinstance(r, dict) and r.get("to")]
        have_tags = {fq_str(r["to"]) for r in refs}
        missing = [t for t in tags if t not in have_tags]
        if missing:  # tags are only added: the port keeps the ones kube-manager or others put there
            steps.append(Step("update", "virtual-machine-interface", fq,
                              {"tag_refs": refs + [{"to": t.split(":")} for t in missing]}, {"tag_refs": refs}))
    return steps


def _port_named(vmis: dict[tuple[str, ...], dict], name: str) -> tuple[tuple[str, ...], dict]:
    found = [(fq, o) for fq, o in vmis.items() if name in (o.get("display_name"), o.get("uuid"), fq[-1])]
    if len(found) != 1:
        raise ValidationError(f"ports: {'no port' if not found else 'more than one port'} named {name!r}")
    return found[0]
