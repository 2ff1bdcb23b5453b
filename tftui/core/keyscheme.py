"""Every key binding of tftui, by id: one table, so a key means one thing in every view.

The UI builds its Textual bindings from this table (``tftui/ui/framework/keys.py``); ``tftui info`` lists it
with the config's ``keys:`` remaps applied, without importing Textual. Keys use Textual's names
(``slash``, ``question_mark``, ``ctrl+r``); several keys are separated by commas.

Scopes: ``app`` bindings work in every view, ``view`` bindings are the framework's own (every resource view
and the node tree has them), ``modal`` ones belong to dialogs; the rest belong to one family of views.
A printable key (a letter, digit or symbol) has one description wherever it is bound: that is the rule
"one key, one meaning", checked by the unit tests. ``enter`` and ``escape`` are structural (open / back)
and may be worded for their dialog.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KeySpec:
    id: str
    keys: str
    description: str
    action: str = ""  # defaults to the id's part after the dot
    show: bool = True  # in the footer (every binding is in `?` help)
    scope: str = ""  # defaults to the id's part before the dot

    @property
    def action_name(self) -> str:
        return self.action or self.id.split(".", 1)[1]

    @property
    def where(self) -> str:
        return self.scope or self.id.split(".", 1)[0]


def _tabs() -> tuple[KeySpec, ...]:
    lists = (("tags", "Tags"), ("ports", "Ports"), ("policies", "Policies"), ("sets", "App sets"),
             ("networks", "Networks"), ("bgp", "BGP peers"))
    return tuple(KeySpec(f"policy.{name}", str(i), title, f"show_list('{name}')", show=False)
                 for i, (name, title) in enumerate(lists, 1))


SCHEME: tuple[KeySpec, ...] = (
    # everywhere
    KeySpec("app.quit", "q", "Quit"),
    KeySpec("app.help", "question_mark,f1", "Help"),
    KeySpec("app.command", "colon", "Cmd"),
    KeySpec("app.events", "e", "Events", "open_view('events')"),
    KeySpec("app.interfaces", "i", "VMIs", "open_view('interfaces')"),
    KeySpec("app.routes", "r", "Routes", "open_view('routes')"),
    KeySpec("app.policy", "f", "Policy", "open_view('tags')"),
    # every view (the framework's keys)
    KeySpec("view.back", "escape", "Back"),
    KeySpec("view.filter", "slash", "Filter"),
    KeySpec("view.refresh", "ctrl+r", "Refresh"),
    KeySpec("view.pause", "p", "Pause"),
    KeySpec("view.raw", "y", "Raw", show=False),
    KeySpec("view.worst", "w", "Worst first", "worst_first", show=False),
    KeySpec("view.open", "enter", "Open", show=False),
    KeySpec("view.top", "home,g", "Top", "first_row", show=False),
    KeySpec("view.bottom", "end,G", "Bottom", "last_row", show=False),
    KeySpec("view.next_page", "right_square_bracket", "Next page", "page(1)", show=False),
    KeySpec("view.prev_page", "left_square_bracket", "Previous page", "page(-1)", show=False),
    # the node tree
    KeySpec("nodes.toggle_view", "v", "Tree/flat", show=False),
    KeySpec("nodes.ssh", "s", "SSH", show=False),
    KeySpec("nodes.expand", "right", "Expand", show=False),
    KeySpec("nodes.collapse", "left", "Collapse", show=False),
    KeySpec("nodes.history", "h", "History", show=False),  # the node's state changes: analytics' and the poller's
    KeySpec("nodes.flows", "F", "Flows", show=False),  # on a vrouter or an interface line
    # interfaces
    KeySpec("interfaces.ssh", "s", "SSH", "ssh"),
    KeySpec("interfaces.mark", "space", "Mark"),
    KeySpec("interfaces.run", "exclamation_mark", "Run cmd", "run_command"),
    KeySpec("interfaces.flows", "F", "Flows"),
    # flows
    KeySpec("flows.more", "m", "Load more", "load_more"),
    KeySpec("flows.rule", "R", "Open rule", "open_rule"),
    # the gateway router
    KeySpec("routes.protocol", "P", "Protocol"),
    KeySpec("routes.check", "c", "Cross-check", "open_view('gatewayless')"),
    KeySpec("routes.accept_key", "A", "Accept host key", show=False),
    # peering the gateway router (:peer)
    KeySpec("peer.mark", "space", "Mark", "mark"),
    KeySpec("peer.add", "plus", "Add peering", "add_peering"),
    KeySpec("peer.remove", "x", "Remove", "remove_peering"),
    KeySpec("peer.router", "C", "Choose router", "pick_router", show=False),
    KeySpec("peer.ebgp", "b", "eBGP policy", "ebgp_policy", show=False),  # the summary says "b:" when needed
    KeySpec("peer.diagnose", "W", "Why down", "diagnose", show=False),  # said when a session stays down
    # the analytics views
    KeySpec("alarms.ack", "a", "Acknowledge", "acknowledge"),
    KeySpec("alarms.acked", "H", "Acked too", "toggle_acked"),
    KeySpec("uve.flat", "v", "Tree/flat", "toggle_flat"),
    KeySpec("analytics.query", "o", "Query"),
    KeySpec("logs.follow", "l", "Follow", "toggle_follow"),
    # the config API lists
    *_tabs(),
    KeySpec("policy.new", "n", "New"),
    KeySpec("policy.remove", "x", "Remove"),
    KeySpec("policy.tag", "t", "Tag"),
    KeySpec("policy.untag", "u", "Untag"),
    KeySpec("policy.iff", "I", "IP fabric fwd", "toggle_iff"),
    KeySpec("policy.snat", "S", "Fabric SNAT", "toggle_snat"),
    KeySpec("policy.drafts", "D", "Drafts", show=False),  # the lists' tab line says "N draft(s): D"
    KeySpec("policy.up", "K,shift+up", "Move up"),
    KeySpec("policy.down", "J,shift+down", "Move down"),
    KeySpec("policy.flows", "F", "Flows", show=False),  # a rule's live flows and hits; the rules' summary says F
    # dialogs
    KeySpec("modal.close", "escape", "Back"),
    KeySpec("modal.send", "enter", "Send"),
    KeySpec("modal.drop", "x", "Remove"),
    KeySpec("modal.raw", "y", "Raw"),
    KeySpec("modal.save", "ctrl+s", "Save"),
    KeySpec("modal.pick", "f2", "Pick"),
)

BY_ID: dict[str, KeySpec] = {k.id: k for k in SCHEME}
MODAL_SCOPES = frozenset({"modal"})
_MODIFIER = r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)"
_KEY = re.compile(rf"^{_MODIFIER}*(?:[A-Za-z0-9_]+|[!-~])$")


def key_list(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def _overlap(a: KeySpec, b: KeySpec) -> bool:
    """Can both bindings be active at once (so one key cannot serve both)?"""
    if (a.where in MODAL_SCOPES) != (b.where in MODAL_SCOPES):
        return False
    return a.where == b.where or {"app", "view"} & {a.where, b.where} != set()


def parse_keymap(doc: Any, where: str = "keys") -> tuple[dict[str, str], list[str]]:
    """The config's ``keys:`` section (``{binding_id: "key[,key]"}``) checked against the scheme.

    Returns the usable remaps and a warning per entry that was not used (unknown id, bad key name) or that
    takes a key another binding active at the same time already has."""
    if doc is None:
        return {}, []
    if not isinstance(doc, dict):
        return {}, [f"{where}: expected a mapping of binding id to keys, got {type(doc).__name__}"]
    keymap: dict[str, str] = {}
    warnings: list[str] = []
    for raw_id, value in doc.items():
        binding_id = str(raw_id)
        spec = BY_ID.get(binding_id)
        if spec is None:
            close = difflib.get_close_matches(binding_id, BY_ID, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warnings.append(f"{where}.{binding_id}: no such binding{hint}; `tftui info` lists them")
            continue
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, str) or not key_list(value):
            warnings.append(f"{where}.{binding_id}: expected keys as a string like \"E\" or \"ctrl+e,f5\"")
            continue
        bad = [k for k in key_list(value) if not _KEY.match(k)]
        if bad:
            warnings.append(f"{where}.{binding_id}: {bad[0]!r} is not a key name (e.g. E, ctrl+e, f5, question_mark)")
            continue
        keymap[binding_id] = ",".join(key_list(value))
    effective = {spec.id: key_list(keymap.get(spec.id, spec.keys)) for spec in SCHEME}
    for binding_id, keys in keymap.items():
        spec = BY_ID[binding_id]
        for other in SCHEME:
            if other.id == binding_id or not _overlap(spec, other):
                continue
            taken = set(key_list(keys)) & set(effective[other.id])
            if taken:
                warnings.append(f"{where}.{binding_id}: {sorted(taken)[0]!r} is also {other.description} "
                                f"({other.id}); remap that one too")
    return keymap, warnings


def effective_bindings(keymap: dict[str, str], source: str = "config") -> list[tuple[KeySpec, str, str]]:
    """(binding, its keys now, where they came from) for every binding of the scheme."""
    out = []
    for spec in SCHEME:
        if spec.id in keymap:
            out.append((spec, keymap[spec.id], f"{source} keys.{spec.id}"))
        else:
            out.append((spec, spec.keys, "default"))
    return out
