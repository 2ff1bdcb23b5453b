"""A change to the router's BGP configuration, written in the router's own dialect from fixed templates.

A change is a list of operations (set a neighbor, delete one, put one back as it was, the eBGP policy switch...).
Each dialect renders them: FRR/Quagga as vtysh configuration-mode lines run with `vtysh -c ... -c ...` and saved
with `write memory`; VyOS as a vbash script on stdin that opens a configuration session (script-template), runs
`my_set`/`my_delete` (whose exit status is reliable, unlike the shell's `set` and `commit` functions, which end
with `unset` and always return 0), `my_commit`, and discards the session on the first refusal. Every value was
validated (validate.py) before it reached an operation; replayed lines are the router's own, shell-quoted.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from .dialect import Dialect
from .running import IPV4_UNICAST, BgpConfig, NeighborConfig
from .validate import ValidationError

NO_REQUIREMENT, ROUTE_MAP, KEEP = "no-requirement", "route-map", "keep"
EBGP_CHOICES = (NO_REQUIREMENT, ROUTE_MAP, KEEP)
IMPORT_MAP = "TFTUI-FROM-TF"  # permit-all import route-map for the control nodes' routes (FRR route-map choice)

VTYSH = "vtysh"
VYOS_SHELL = "sg vyattacfg -c '/bin/vbash -s'"  # the configuration group, never sudo (VyOS docs)
SCRIPT_TEMPLATE = "source /opt/vyatta/etc/functions/script-template"
MY_SET, MY_DELETE = "/opt/vyatta/sbin/my_set", "/opt/vyatta/sbin/my_delete"
MY_COMMIT, MY_DISCARD = "/opt/vyatta/sbin/my_commit", "/opt/vyatta/sbin/my_discard"
REFUSED_STATUS, COMMIT_FAILED_STATUS = 3, 4  # the script's exit status names the step that failed


@dataclass(frozen=True)
class SetNeighbor:
    address: str
    remote_as: int
    description: str | None
    before: NeighborConfig | None = None  # what the router had for this address


@dataclass(frozen=True)
class DeleteNeighbor:
    address: str
    before: NeighborConfig | None = None


@dataclass(frozen=True)
class ReplayNeighbor:
    """Put a neighbor back exactly as the router printed it."""

    neighbor: NeighborConfig


@dataclass(frozen=True)
class CreateInstance:
    asn: int


@dataclass(frozen=True)
class DeleteInstance:
    asn: int


@dataclass(frozen=True)
class PolicyRequirement:
    required: bool  # False: `no bgp ebgp-requires-policy`


@dataclass(frozen=True)
class RouteMapPresence:
    """The permit-all import route-map itself (FRR: `route-map TFTUI-FROM-TF permit 10` / `no route-map ...`)."""

    present: bool


@dataclass(frozen=True)
class ImportRouteMap:
    """The route-map attached to a neighbor's IPv4 unicast imports (or detached)."""

    address: str
    remove: bool = False


RouterOp = (SetNeighbor | DeleteNeighbor | ReplayNeighbor | CreateInstance | DeleteInstance | PolicyRequirement
            | RouteMapPresence | ImportRouteMap)


@dataclass(frozen=True)
class Step:
    """One command run on the router: its fixed command line and, for VyOS, the script on stdin."""

    name: str  # apply | save
    command: str
    stdin: str | None = None


@dataclass(frozen=True)
class RouterChange:
    dialect: Dialect
    asn: int
    ops: tuple[RouterOp, ...]
    before: BgpConfig = field(default_factory=BgpConfig, compare=False)

    @property
    def empty(self) -> bool:
        return not self.ops

    def inverse(self) -> RouterChange:
        """The change that puts the router back as `before` (what the plan's undo and a rollback run)."""
        out: list[RouterOp] = []
        for op in reversed(self.ops):
            if isinstance(op, SetNeighbor):
                out.append(DeleteNeighbor(op.address))
                if op.before is not None:
                    out.append(ReplayNeighbor(op.before))
            elif isinstance(op, DeleteNeighbor):
                if op.before is not None:
                    out.append(ReplayNeighbor(op.before))
            elif isinstance(op, ReplayNeighbor):
                out.append(DeleteNeighbor(op.neighbor.address))
            elif isinstance(op, CreateInstance):
                out.append(DeleteInstance(op.asn))
            elif isinstance(op, DeleteInstance):
                out.append(CreateInstance(op.asn))
            elif isinstance(op, PolicyRequirement):
                out.append(PolicyRequirement(not op.required))
            elif isinstance(op, RouteMapPresence):
                out.append(RouteMapPresence(not op.present))
            elif isinstance(op, ImportRouteMap):
                out.append(ImportRouteMap(op.address, not op.remove))
        return RouterChange(self.dialect, self.asn, tuple(out), self.before)

    def verify(self, after: BgpConfig) -> list[str]:
        """What the router's configuration, read back after the change, does not show as it should."""
        wrong: list[str] = []
        for op in self.ops:
            if isinstance(op, SetNeighbor):
                n = after.neighbors.get(op.address)
                if n is None or n.remote_as != op.remote_as:
                    wrong.append(f"neighbor {op.address} remote-as {op.remote_as} is not in the configuration")
                elif op.description and n.description != op.description:
                    wrong.append(f"neighbor {op.address} has description {n.description!r}, not {op.description!r}")
                elif self.dialect.neighbor_needs_address_family and not n.ipv4_unicast:
                    wrong.append(f"neighbor {op.address} has no address-family {IPV4_UNICAST}")
            elif isinstance(op, DeleteNeighbor) and op.address in after.neighbors:
                wrong.append(f"neighbor {op.address} is still configured")
            elif isinstance(op, ReplayNeighbor):
                n = after.neighbors.get(op.neighbor.address)
                if n is None or n.remote_as != op.neighbor.remote_as:
                    wrong.append(f"neighbor {op.neighbor.address} was not put back")
            elif isinstance(op, CreateInstance) and after.asn != op.asn:
                wrong.append(f"BGP instance AS {op.asn} is not in the configuration")
            elif isinstance(op, DeleteInstance) and after.asn == op.asn:
                wrong.append(f"BGP instance AS {op.asn} is still configured")
            elif isinstance(op, PolicyRequirement):
                required = after.ebgp_requires_policy if not self.dialect.vtysh_config else not after.no_ebgp_requires_policy
                if required != op.required:
                    wrong.append("the eBGP policy requirement is " + ("on" if required else "off"))
            elif isinstance(op, RouteMapPresence) and (IMPORT_MAP in after.route_maps) != op.present:
                wrong.append(f"route-map {IMPORT_MAP} is {'missing' if op.present else 'still there'}")
            elif isinstance(op, ImportRouteMap):
                n = after.neighbors.get(op.address)
                has = n is not None and n.route_map_in == IMPORT_MAP
                if has == op.remove and (n is not None or not op.remove):
                    wrong.append(f"neighbor {op.address} import route-map {IMPORT_MAP} is "
                                 f"{'still there' if has else 'missing'}")
        return wrong

    def single_ops(self) -> list[RouterChange]:
        """One change per operation: a rollback runs each on its own, so one that fails does not stop the rest."""
        return [RouterChange(self.dialect, self.asn, (op,), self.before) for op in self.ops]

    # ------------------------------------------------------------ the router's words

    def lines(self) -> list[str]:
        """The configuration lines exactly as they are sent (vtysh configuration mode, or VyOS `set`/`delete`)."""
        if self.dialect.vtysh_config:
            return _frr_lines(self)
        return [("set " if cmd == MY_SET else "delete ") + " ".join(shlex.quote(w) for w in words)
                for cmd, words in _vyos_commands(self)]

    def steps(self) -> list[Step]:
        if self.empty:
            return []
        if self.dialect.vtysh_config:
            args = " ".join(f"-c {shlex.quote(line.strip())}" for line in _frr_lines(self))
            return [Step("apply", f"{VTYSH} {args}"), Step("save", f"{VTYSH} -c {shlex.quote('write memory')}")]
        return [Step("apply", VYOS_SHELL, _vyos_script(self))]


# ---------------------------------------------------------------- FRR / Quagga

def _frr_lines(change: RouterChange) -> list[str]:
    before, bgp, af, after = [], [], [], []
    quagga = change.dialect.os == "quagga"
    for op in change.ops:
        if isinstance(op, SetNeighbor):
            bgp.append(f"neighbor {op.address} remote-as {op.remote_as}")
            if op.description:
                bgp.append(f"neighbor {op.address} description {op.description}")
            if change.before.no_default_ipv4_unicast:
                af.append(f"neighbor {op.address} activate")
        elif isinstance(op, DeleteNeighbor):
            bgp.append(f"no neighbor {op.address}")
        elif isinstance(op, ReplayNeighbor):
            bgp.extend(_replayable(op.neighbor.lines))
            af.extend(_replayable(op.neighbor.af_lines))
        elif isinstance(op, DeleteInstance):
            after.append(f"no router bgp {op.asn}")
        elif isinstance(op, PolicyRequirement):
            if quagga:
                raise ValidationError("Quagga has no eBGP policy requirement to change")
            bgp.append("bgp ebgp-requires-policy" if op.required else "no bgp ebgp-requires-policy")
        elif isinstance(op, RouteMapPresence):
            if op.present:
                before += [f"route-map {IMPORT_MAP} permit 10", "exit"]
            else:
                after.append(f"no route-map {IMPORT_MAP}")
        elif isinstance(op, ImportRouteMap):
            af.append(f"{'no ' if op.remove else ''}neighbor {op.address} route-map {IMPORT_MAP} in")
    lines = ["configure terminal", *before]
    if bgp or af:
        lines.append(f"router bgp {change.asn}")
        lines += [f" {x}" for x in bgp]
        if af:
            lines += [" address-family ipv4 unicast", *(f"  {x}" for x in af), " exit-address-family"]
        lines.append("exit")
    lines += [*after, "end"]
    return lines


def _replayable(lines: list[str]) -> list[str]:
    """A router's own lines, put back: refuse anything that is not one printable line."""
    for line in lines:
        if not line.isprintable() or not line.strip():
            raise ValidationError(f"cannot put back {line[:60]!r}: not a single printable configuration line")
    return list(lines)


# ---------------------------------------------------------------- VyOS

def _vyos_commands(change: RouterChange) -> list[tuple[str, list[str]]]:
    legacy = change.dialect.legacy_vyos
    base = ["protocols", "bgp", str(change.asn)] if legacy else ["protocols", "bgp"]
    out: list[tuple[str, list[str]]] = []
    for op in change.ops:
        if isinstance(op, CreateInstance):
            if not legacy:  # 1.1-1.3 create the instance with the first `set protocols bgp ASN ...`
                out.append((MY_SET, [*base, "system-as", str(op.asn)]))
        elif isinstance(op, DeleteInstance):
            out.append((MY_DELETE, list(base)))
        elif isinstance(op, SetNeighbor):
            nb = [*base, "neighbor", op.address]
            out.append((MY_SET, [*nb, "remote-as", str(op.remote_as)]))
            if op.description:
                out.append((MY_SET, [*nb, "description", op.description]))
            if change.dialect.neighbor_needs_address_family:
                out.append((MY_SET, [*nb, "address-family", IPV4_UNICAST]))
        elif isinstance(op, DeleteNeighbor):
            out.append((MY_DELETE, [*base, "neighbor", op.address]))
        elif isinstance(op, ReplayNeighbor):
            for line in _replayable(op.neighbor.lines):
                words = shlex.split(line)
                if words[:1] != ["set"]:
                    raise ValidationError(f"cannot put back {line[:60]!r}: not a `set` command")
                out.append((MY_SET, words[1:]))
        elif isinstance(op, PolicyRequirement):
            if legacy:
                raise ValidationError("VyOS 1.1-1.3 always run BGP with `no bgp ebgp-requires-policy`")
            out.append((MY_SET if op.required else MY_DELETE, [*base, "parameters", "ebgp-requires-policy"]))
        elif isinstance(op, ImportRouteMap | RouteMapPresence):
            raise ValidationError("the import route-map choice is for plain FRR; VyOS needs no eBGP policy")
    return out


def _vyos_script(change: RouterChange) -> str:
    """Configuration session, each step checked, commit, save: on the first refusal the session is discarded."""
    bail = "{ %s; exit; builtin exit %d; }"
    lines = [SCRIPT_TEMPLATE, "configure"]
    for cmd, words in _vyos_commands(change):
        lines.append(f"{cmd} {' '.join(shlex.quote(w) for w in words)} || {bail % (MY_DISCARD, REFUSED_STATUS)}")
    lines += [f"{MY_COMMIT} || {bail % (MY_DISCARD, COMMIT_FAILED_STATUS)}", "save", "exit", ""]
    return "\n".join(lines)
