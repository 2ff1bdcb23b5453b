"""The node tree: nodes grouped by role (or one flat list), a glyph and colour per node for its worst service.

Groups fill their children lazily, on first expand, and polls only relabel the nodes that changed:
the tree is rebuilt only when the grouping or the filter changes.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tftui.core.analytics.alarms import CRITICAL, MAJOR
from tftui.core.analytics.nodes import AlarmMark
from tftui.core.catalog import ROLE_GROUPS, normalise_role
from tftui.core.cluster import NodeResult
from tftui.core.sorting import natural_key
from tftui.core.status import Health
from tftui.services.state import ClusterState

from .framework.keys import bindings
from .styles import GLYPHS, Palette

EAGER_GROUP_SIZE = 60  # groups up to this size are filled and expanded at once
CHUNK = 200  # big groups show this many nodes at a time, then a "more" line: expanding 2000 costs ~100 ms


def primary_role(roles: tuple[str, ...]) -> str:
    """The one group a node is listed under: controllers under control, computes under vrouter."""
    normal = {normalise_role(r) for r in roles}
    return next((g for g in ROLE_GROUPS if g in normal), "other")


BELL = "🔔"
_BELL_TONES = {CRITICAL: "err", MAJOR: "warn"}


def node_label(result: NodeResult, health: Health, palette: Palette, alarms: AlarmMark | None = None) -> Text:
    text = Text()
    text.append(GLYPHS[health] + " ", style=palette.health[health])
    text.append(result.name)
    if alarms is not None:  # unacknowledged analytics alarms: a bell, and how many when more than one
        text.append(f" {BELL}{alarms.count if alarms.count > 1 else ''}",
                    style=palette.tone(_BELL_TONES.get(alarms.worst, "accent")))
    text.append(f"  {result.address}", style=palette.dim)
    return text


class NodeTree(Tree[object]):
    BINDINGS = bindings("nodes.toggle_view", "nodes.expand", "nodes.collapse", "view.top", "view.bottom")

    def __init__(self, state: ClusterState, palette: Palette, **kw) -> None:
        super().__init__("cluster", **kw)
        self.show_root = False
        self.guide_depth = 2
        self.cluster = state
        self.palette = palette
        self.flat = False
        self.worst_first = False
        self.matches: Callable[[NodeResult], bool] | None = None
        self._shown: dict[str, list[TreeNode]] = {}  # node name -> tree nodes showing it
        self._labels: dict[str, tuple[Health, AlarmMark | None]] = {}  # what each node's label shows
        self.alarm_marks: dict[str, AlarmMark] = {}  # from the alarms feed (views/nodes.py), when analytics has one
        self._groups: dict[str, tuple[TreeNode, list[str]]] = {}  # group key -> (tree node, member names)
        self._group_of: dict[int, str] = {}  # tree node id -> group key
        self._groups_of: dict[str, list[str]] = {}  # node name -> group keys it is listed in
        self._filled: dict[str, int] = {}  # group -> how many of its members have leaves
        self._more: dict[str, TreeNode] = {}  # group -> its "… N more" line
        self._more_of: dict[int, str] = {}

    # ----------------------------------------------------------------------------- building

    def _members(self) -> list[tuple[str, list[str]]]:
        results = self.cluster.ordered()
        if self.matches is not None:
            results = [r for r in results if self.matches(r)]
        if self.worst_first:  # within each group; the inventory's order (or the names') among equals
            results = sorted(results, key=lambda r: -self.cluster.health(r.name))
        if self.flat:
            ordered = results if self.worst_first else sorted(results, key=lambda r: natural_key(r.name))
            return [("", [r.name for r in ordered])]
        groups: dict[str, list[str]] = {}
        for r in results:
            groups.setdefault(primary_role(r.roles), []).append(r.name)
        order = {g: i for i, g in enumerate(ROLE_GROUPS)}
        return sorted(groups.items(), key=lambda kv: order.get(kv[0], 99))

    def rebuild(self) -> None:
        selected = self.selected_name
        self.clear()
        self._shown.clear()
        self._groups.clear()
        self._group_of.clear()
        self._groups_of.clear()
        self._filled.clear()
        self._more.clear()
        self._more_of.clear()
        for group, names in self._members():
            if not group:
                for name in names:
                    self._add_leaf(self.root, name)
                continue
            node = self.root.add(self._group_label(group, names), data=None, expand=False)
            self._groups[group] = (node, names)
            self._group_of[node.id] = group
            for n in names:
                self._groups_of.setdefault(n, []).append(group)
            if len(names) <= EAGER_GROUP_SIZE:
                self._fill(group)
                node.expand()
            else:
                node.allow_expand = True
        if selected:
            self.select_name(selected)
        else:
            first = next((n for n in self._shown), None)
            if first:
                self.select_name(first)

    def _fill(self, group: str, upto: int = 0) -> None:
        """Add the group's next chunk of leaves (at least up to index ``upto``), then a "more" line if any remain."""
        node, names = self._groups[group]
        done = self._filled.get(group, 0)
        target = min(len(names), max(done + CHUNK, upto + 1)) if done or len(names) > EAGER_GROUP_SIZE else len(names)
        if target <= done:
            return
        more = self._more.pop(group, None)
        if more is not None:
            more.remove()
        for name in names[done:target]:
            self._add_leaf(node, name)
        self._filled[group] = target
        if target < len(names):
            label = Text(f"… {len(names) - target} more (enter)", style=self.palette.dim)
            self._more[group] = node.add_leaf(label, data=None)
            self._more_of[self._more[group].id] = group

    def _on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        group = self._more_of.pop(event.node.id, None)
        if group is not None:
            self._fill(group)

    def _add_leaf(self, parent: TreeNode, name: str) -> None:
        result = self.cluster.results[name]
        health = self.cluster.health(name)
        mark = self.alarm_marks.get(name)
        label = node_label(result, health, self.palette, mark)
        if "vrouter" in result.roles:  # expands, on demand, into the interfaces its agent reports
            leaf = parent.add(label, data=name, allow_expand=True)
        else:
            leaf = parent.add_leaf(label, data=name)
        self._shown.setdefault(name, []).append(leaf)
        self._labels[name] = (health, mark)

    def _group_label(self, group: str, names: list[str]) -> Text:
        text = Text(f"{group} ({len(names)})", style="bold")
        bad = [self.cluster.health(n) for n in names]
        for h in (Health.UNREACHABLE, Health.DEGRADED, Health.UNKNOWN):
            count = bad.count(h)
            if count:
                text.append(f" {GLYPHS[h]}{count}", style=self.palette.health[h])
        return text

    class InterfacesWanted(Message):
        """A vrouter was expanded: its interfaces should be fetched (by the app; widgets do no I/O)."""

        def __init__(self, vrouter: str) -> None:
            super().__init__()
            self.vrouter = vrouter

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        group = self._group_of.get(event.node.id)
        if group is not None and group in self._groups and group not in self._filled:
            self._fill(group)
        elif isinstance(event.node.data, str) and not event.node.children:
            event.node.add_leaf(Text("asking the agent…", style=self.palette.dim), data=None)
            self.post_message(self.InterfacesWanted(event.node.data))

    def show_interfaces(self, vrouter: str, items: list[tuple[Text, object]], error: str | None = None) -> None:
        """Replace a vrouter's children with its interfaces (or the reason there are none)."""
        for leaf in self._shown.get(vrouter, ()):
            leaf.remove_children()
            if error:
                leaf.add_leaf(Text(error, style=self.palette.err), data=None)
            elif not items:
                leaf.add_leaf(Text("no VM/pod interfaces", style=self.palette.dim), data=None)
            for label, data in items:
                leaf.add_leaf(label, data=data)

    @property
    def selected_group(self) -> tuple[str, list[str]] | None:
        """The role group under the cursor (its name and member names), if the cursor is on a group row."""
        node = self.cursor_node
        group = self._group_of.get(node.id) if node is not None else None
        return (group, self._groups[group][1]) if group is not None and group in self._groups else None

    def group_node(self, group: str) -> TreeNode | None:
        """The tree node of a role group (``vrouter``), if shown."""
        entry = self._groups.get(group)
        return entry[0] if entry is not None else None

    @property
    def shown_names(self) -> set[str]:
        """The nodes the tree lists now (filled groups only)."""
        return {name for name, leaves in self._shown.items() if leaves}

    def action_first_row(self) -> None:
        self.move_cursor_to_line(0)

    def action_last_row(self) -> None:
        self.move_cursor_to_line(max(0, self.last_line))

    @property
    def selected_interface(self):
        node = self.cursor_node
        return node.data if node is not None and node.data is not None and not isinstance(node.data, str) else None

    # ----------------------------------------------------------------------------- updating

    def refresh_nodes(self, names: set[str]) -> None:
        """Relabel only the nodes whose health (or bell) changed, and the groups they sit in."""
        touched_groups = set()
        for name in names:
            health = self.cluster.health(name)
            mark = self.alarm_marks.get(name)
            if self._labels.get(name) == (health, mark):
                continue
            self._labels[name] = (health, mark)
            label = node_label(self.cluster.results[name], health, self.palette, mark)
            for leaf in self._shown.get(name, ()):
                leaf.set_label(label)
            touched_groups.update(self._groups_of.get(name, ()))
        for group in touched_groups:
            node, members = self._groups[group]
            node.set_label(self._group_label(group, members))

    def set_alarm_marks(self, marks: dict[str, AlarmMark]) -> None:
        """Ring (or silence) the bells of the nodes whose unacknowledged alarms changed."""
        changed = {n for n in marks.keys() | self.alarm_marks.keys() if marks.get(n) != self.alarm_marks.get(n)}
        self.alarm_marks = marks
        self.refresh_nodes({n for n in changed if n in self.cluster.results})

    def relabel_all(self) -> None:
        self._labels.clear()
        self.refresh_nodes(set(self.cluster.results))
        for group, (node, members) in self._groups.items():
            node.set_label(self._group_label(group, members))

    # ----------------------------------------------------------------------------- selection

    @property
    def selected_name(self) -> str | None:
        """The selected node's name; for an interface line, the vrouter it belongs to."""
        node = self.cursor_node
        if node is None:
            return None
        if isinstance(node.data, str):
            return node.data
        parent = node.parent
        return parent.data if parent is not None and isinstance(parent.data, str) else None

    def select_name(self, name: str) -> bool:
        if name not in self._shown:
            for group in self._groups_of.get(name, ()):
                self._fill(group, upto=self._groups[group][1].index(name))
                self._groups[group][0].expand()
                break
        leaves = self._shown.get(name)
        if not leaves:
            return False
        leaf = leaves[0]
        if leaf.parent is not None and not leaf.parent.is_expanded:
            leaf.parent.expand()
        self.call_after_refresh(self._move_to, leaf)
        return True

    def _move_to(self, leaf: TreeNode) -> None:
        self.move_cursor(leaf)
        self.scroll_to_node(leaf)

    def action_toggle_view(self) -> None:
        self.flat = not self.flat
        self.rebuild()

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            node.expand()

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.allow_expand:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)
