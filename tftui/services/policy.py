"""The policy editor's state: objects loaded from the config API, drafts, guarded writes.

Every change is first a Draft (saved to the state dir), shown as a diff, then committed: each object
it touches is re-read and the write is refused if its revision moved since the draft was made. A
failed write keeps the draft with the reason. ``readonly`` refuses every write before any I/O.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from tftui.clients.configapi import ConfigApiClient, ConfigApiError
from tftui.core.inventory import ClusterSpec, ConfigError
from tftui.core.peering.tf import is_control_node, plain_refs, with_session, without_session
from tftui.core.policy.models import (
    IP_FABRIC,
    Aps,
    BgpRouter,
    Network,
    Policy,
    PolicyRef,
    Port,
    Rule,
    Tag,
    fq_str,
)
from tftui.core.policy.settings import config_api_settings
from tftui.core.policy.validate import ValidationError, check_bgp_router, check_rule, parse_tag, resequence
from tftui.services.policy_drafts import Draft, DraftStore, Op

log = logging.getLogger(__name__)


class ReadOnlyError(RuntimeError):
    pass


class ConflictError(RuntimeError):
    pass


def revision(obj: dict, etag: str | None) -> str:
    return etag or str((obj.get("id_perms") or {}).get("last_modified", ""))


@dataclass
class PolicyState:
    tags: list[Tag] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)  # uuid -> rule
    policies: list[Policy] = field(default_factory=list)
    apss: list[Aps] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    bgp_routers: list[BgpRouter] = field(default_factory=list)
    address_groups: list[str] = field(default_factory=list)
    service_groups: list[str] = field(default_factory=list)


class PolicyService:
    def __init__(self, client: ConfigApiClient, *, readonly: bool = False, draft_dir: Path | None = None,
                 cluster: str = "default"):
        self.client = client
        self.readonly = readonly
        self.drafts = DraftStore(draft_dir, cluster)
        self.state = PolicyState()

    @classmethod
    def from_cluster(cls, cluster: ClusterSpec, *, readonly: bool = False, draft_dir: Path | None = None) -> PolicyService:
        """The service for a cluster's ``config_api``/``auth``; drafts go to ``state_dir()`` unless told."""
        settings = config_api_settings(cluster)
        if settings is None:
            raise ConfigError(f"cluster {cluster.name!r} has no config_api (add config_api: http://HOST:8082)")
        if draft_dir is None:
            from tftui.services.config import state_dir

            draft_dir = state_dir()
        return cls(ConfigApiClient(settings), readonly=readonly, draft_dir=draft_dir, cluster=cluster.name)

    async def aclose(self) -> None:
        await self.client.aclose()

    # ------------------------------------------------------------------ loading
    async def load_tags(self) -> list[Tag]:
        self.state.tags = sorted((Tag.from_api(d) for d in await self.client.list_all("tag")),
                                 key=lambda t: (t.type, t.value, t.fq_name))
        return self.state.tags

    async def tag_users(self, tag: Tag) -> list[tuple[str, str]]:
        """What carries (or refers to) a tag: (type, name) pairs from its back-refs."""
        obj = await self.client.read("tag", tag.uuid, exclude_children=True)
        out = []
        for key, refs in sorted(obj.items()):
            if key.endswith("_back_refs"):
                kind = key[: -len("_back_refs")].replace("_", "-")
                out.extend((kind, fq_str(r["to"])) for r in refs)
        return out

    async def load_ports(self) -> list[Port]:
        ips: dict[str, list[str]] = {}
        for iip in await self.client.list_all("instance-ip"):
            for ref in iip.get("virtual_machine_interface_refs") or []:
                ips.setdefault(ref["uuid"], []).append(iip.get("instance_ip_address", ""))
        vms = {vm["uuid"]: vm.get("display_name") or vm["fq_name"][-1] for vm in await self.client.list_all("virtual-machine")}
        ports = []
        for vmi in await self.client.list_all("virtual-machine-interface"):
            vm = next((vms.get(r["uuid"], "") for r in vmi.get("virtual_machine_refs") or []), "")
            ports.append(Port.from_api(vmi, tuple(ips.get(vmi["uuid"], ())), vm))
        self.state.ports = sorted(ports, key=lambda p: (p.vm_name, p.uuid))
        return self.state.ports

    async def load_security(self) -> None:
        self.state.rules = {d["uuid"]: Rule.from_api(d) for d in await self.client.list_all("firewall-rule")}
        self.state.policies = sorted((Policy.from_api(d) for d in await self.client.list_all("firewall-policy")),
                                     key=lambda p: p.fq_name)
        self.state.apss = sorted((Aps.from_api(d) for d in await self.client.list_all("application-policy-set")),
                                 key=lambda a: a.fq_name)
        self.state.address_groups = sorted(fq_str(d["fq_name"]) for d in await self.client.list_all("address-group"))
        self.state.service_groups = sorted(fq_str(d["fq_name"]) for d in await self.client.list_all("service-group"))

    async def load_networks(self) -> list[Network]:
        self.state.networks = sorted((Network.from_api(d) for d in await self.client.list_all("virtual-network")),
                                     key=lambda n: n.fq_name)
        return self.state.networks

    async def load_bgp(self) -> list[BgpRouter]:
        routers = []
        for d in await self.client.list_all("bgp-router"):
            full = await self.client.read("bgp-router", d["uuid"], exclude_children=True)
            routers.append(BgpRouter.from_api(full))
        self.state.bgp_routers = sorted(routers, key=lambda r: (r.router_type != "control-node", r.name))
        return self.state.bgp_routers

    async def load_all(self) -> PolicyState:
        await self.load_tags()
        await self.load_ports()
        await self.load_security()
        await self.load_networks()
        await self.load_bgp()
        return self.state

    def rule_by_fq(self, fq: tuple[str, ...]) -> Rule | None:
        return next((r for r in self.state.rules.values() if r.fq_name == fq), None)

    # ------------------------------------------------------------------ drafts
    def _guard(self) -> None:
        if self.readonly:
            raise ReadOnlyError("read-only mode: no changes are made (started with --readonly)")

    async def _current(self, type_name: str, uuid: str, keys: list[str]) -> tuple[dict, str]:
        obj, etag = await self.client.read_with_etag(type_name, uuid, exclude_back_refs=True, exclude_children=True)
        return {k: obj.get(k) for k in keys}, revision(obj, etag)

    async def _update_op(self, type_name: str, uuid: str, body: dict) -> Op:
        obj, etag = await self.client.read_with_etag(type_name, uuid, exclude_back_refs=True, exclude_children=True)
        old = {k: obj.get(k) for k in body}
        return Op("update", type_name, list(obj["fq_name"]), body, uuid, old, revision(obj, etag))

    def _draft(self, title: str, ops: list[Op]) -> Draft:
        return self.drafts.put(Draft(title, ops))

    async def draft_create_tag(self, text: str, project: tuple[str, ...] | None = None) -> Draft:
        self._guard()
        t, v = parse_tag(text)
        tag = Tag(tuple(project or ()) + (f"{t}={v}",), t, v)
        return self._draft(f"create tag {fq_str(tag.fq_name)}", [Op("create", "tag", list(tag.fq_name), tag.body())])

    async def draft_delete(self, type_name: str, uuid: str) -> Draft:
        self._guard()
        obj, etag = await self.client.read_with_etag(type_name, uuid, exclude_back_refs=True, exclude_children=True)
        old = {k: v for k, v in obj.items() if k not in ("href", "id_perms", "perms2")}
        op = Op("delete", type_name, list(obj["fq_name"]), None, uuid, old, revision(obj, etag))
        return self._draft(f"delete {type_name} {fq_str(obj['fq_name'])}", [op])

    async def draft_port_tags(self, port: Port, add: list[str], remove: list[str]) -> Draft:
        """set-tag on a VMI: label values are added/removed; other types replace that type's tag."""
        self._guard()
        body: dict = {}
        for text in add:
            t, v = parse_tag(text.removeprefix("global:"))
            if t == "label":
                body.setdefault("label", {"is_global": True, "add_values": [], "delete_values": []})["add_values"].append(v)
            else:
                body[t] = {"is_global": True, "value": v}
        for text in remove:
            t, v = parse_tag(text.split(":")[-1])
            if t == "label":
                body.setdefault("label", {"is_global": True, "add_values": [], "delete_values": []})["delete_values"].append(v)
            elif t not in body:
                body[t] = None
        if not body:
            raise ValidationError("nothing to change")
        cur, rev = await self._current("virtual-machine-interface", port.uuid, ["tag_refs"])
        before = sorted(fq_str(r["to"]) for r in cur.get("tag_refs") or [])
        after = [x for x in before if x not in remove] + [a for a in add if a not in before]
        op = Op("set-tag", "virtual-machine-interface", list(port.fq_name), {**body, "_preview": sorted(after)},
                port.uuid, {"tags": before}, rev)
        return self._draft(f"tags of {port.vm_name or port.uuid}", [op])

    async def draft_rule(self, rule: Rule, uuid: str | None = None) -> Draft:
        self._guard()
        check_rule(rule)
        if uuid:
            body = {k: v for k, v in rule.body().items() if k != "fq_name"}
            return self._draft(f"edit rule {fq_str(rule.fq_name)}", [await self._update_op("firewall-rule", uuid, body)])
        return self._draft(f"create rule {fq_str(rule.fq_name)}", [Op("create", "firewall-rule", list(rule.fq_name),
                                                                    rule.body())])

    async def draft_policy(self, fq_name: tuple[str, ...], rule_names: list[tuple[str, ...]],
                           uuid: str | None = None, new_rules: list[Rule] | None = None) -> Draft:
        """A policy with rules in this order (sequences recomputed 1.0, 2.0, ...); new rules created first."""
        self._guard()
        ops = []
        for rule in new_rules or []:
            check_rule(rule)
            ops.append(Op("create", "firewall-rule", list(rule.fq_name), rule.body()))
        refs = tuple(PolicyRef(n, s) for n, s in zip(rule_names, resequence(len(rule_names)), strict=True))
        body = Policy(fq_name, refs).body()
        if uuid:
            ops.append(await self._update_op("firewall-policy", uuid, {"firewall_rule_refs": body["firewall_rule_refs"]}))
        else:
            ops.append(Op("create", "firewall-policy", list(fq_name), body))
        return self._draft(f"{'edit' if uuid else 'create'} policy {fq_str(fq_name)}", ops)

    async def draft_aps(self, aps: Aps, policy_names: list[tuple[str, ...]], tags: list[str] | None = None) -> Draft:
        self._guard()
        refs = tuple(PolicyRef(n, s) for n, s in zip(policy_names, resequence(len(policy_names)), strict=True))
        body = {"firewall_policy_refs": [{"to": list(r.fq_name), "attr": {"sequence": r.sequence}} for r in refs]}
        if tags is not None:
            body["tag_refs"] = [{"to": t.split(":")} for t in tags]
        return self._draft(f"edit application policy set {fq_str(aps.fq_name)}",
                           [await self._update_op("application-policy-set", aps.uuid, body)])

    async def draft_network(self, net: Network, ip_fabric_forwarding: bool | None = None,
                            fabric_snat: bool | None = None) -> Draft:
        self._guard()
        body = net.switch_body(ip_fabric_forwarding, fabric_snat)
        if not body:
            raise ValidationError("nothing to change")
        return self._draft(f"switches of {fq_str(net.fq_name)}", [await self._update_op("virtual-network", net.uuid, body)])

    async def draft_bgp_peer(self, router: BgpRouter, control_nodes: list[BgpRouter] | None = None) -> Draft:
        """An external router plus the session refs from each control node, as the web UI creates them."""
        self._guard()
        check_bgp_router(router)
        fq = IP_FABRIC + ("__default__", router.name)
        router = BgpRouter(fq, router.router_type, router.vendor, router.asn, router.address, router.identifier,
                           router.port, router.hold_time, router.families)
        ops = [Op("create", "bgp-router", list(fq), router.body())]
        controls = control_nodes if control_nodes is not None else [
            r for r in self.state.bgp_routers if is_control_node(r)]
        for cn in controls:
            op = await self.session_op(cn, router, add=True)
            if op is not None:
                ops.append(op)
        return self._draft(f"add BGP peer {router.name} AS {router.asn} {router.address}", ops)

    async def session_op(self, control: BgpRouter, router: BgpRouter, add: bool) -> Op | None:
        """The update that adds (or removes) a session from a control node to an external router, from the
        control node as it is now; None when there is nothing to change."""
        obj, etag = await self.client.read_with_etag("bgp-router", control.uuid, exclude_back_refs=True,
                                                     exclude_children=True)
        refs = obj.get("bgp_router_refs") or []
        new = with_session(refs, router, router.families) if add else without_session(refs, router)
        if new is None:
            return None
        return Op("update", "bgp-router", list(obj["fq_name"]), {"bgp_router_refs": new}, control.uuid,
                  {"bgp_router_refs": plain_refs(refs)}, revision(obj, etag))

    async def load_global_asn(self) -> int:
        """TF's AS number: autonomous_system of the global-system-config (64512 unless changed)."""
        gscs = await self.client.list_all("global-system-config")
        asn = next((g.get("autonomous_system") for g in gscs if isinstance(g.get("autonomous_system"), int)), None)
        if asn is None:
            raise ConfigApiError(404, "global-system-config has no autonomous_system")
        return asn

    # ------------------------------------------------------------------ commit
    def discard(self, draft: Draft) -> None:
        self.drafts.drop(draft.id)

    async def commit(self, draft: Draft) -> None:
        """Write a draft. Raises ConflictError/ConfigApiError with the draft kept and its error set."""
        self._guard()
        try:
            for op in draft.ops:  # check every revision before the first write
                if op.uuid and op.op != "create":
                    obj, etag = await self.client.read_with_etag(op.type, op.uuid, exclude_back_refs=True,
                                                                 exclude_children=True)
                    if revision(obj, etag) != op.rev:
                        raise ConflictError(f"{op.type} {fq_str(op.fq_name)} changed on the server since this draft "
                                            "was made; reload and redo the change")
            while draft.ops:
                await self._apply(draft.ops[0])
                draft.ops.pop(0)  # done: a later failure keeps only what is left to do
                self.drafts.put(draft)
        except ConfigApiError as exc:
            draft.error = str(exc)
            self.drafts.put(draft)
            raise
        except ConflictError as exc:
            log.error("draft %r not sent: %s", draft.title, exc)  # API errors are logged by the client
            draft.error = str(exc)
            self.drafts.put(draft)
            raise
        self.drafts.drop(draft.id)

    async def _apply(self, op: Op) -> None:
        if op.op == "create":
            await self.client.create(op.type, op.body or {})
        elif op.op == "update":
            assert op.uuid
            await self.client.update(op.type, op.uuid, op.body or {})
        elif op.op == "delete":
            assert op.uuid
            await self.client.delete(op.type, op.uuid)
        elif op.op == "set-tag":
            assert op.uuid
            body = {k: v for k, v in (op.body or {}).items() if not k.startswith("_")}
            await self.client.set_tag(op.type, op.uuid, body)
        else:
            raise ValidationError(f"unknown operation {op.op!r}")
