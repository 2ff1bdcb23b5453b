"""The detail pane: what contrail-status prints for the selected node, then what NodeStatus carries; for a
role group, the group's health at a glance."""

from __future__ import annotations

import io
import time
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from tftui.core.analytics.alarms import CRITICAL, Alarm
from tftui.core.cluster import NodeResult
from tftui.core.groups import GroupSummary
from tftui.core.humanize import age
from tftui.core.nodestatus import NodeStatus
from tftui.core.render import contrail_status_lines
from tftui.core.status import Health, ServiceState

from .styles import GLYPHS, HEALTH_WORDS, Palette


def _gib(kib: int) -> str:
    return f"{kib / 1024 / 1024:.1f}"


def _section(title: str, palette: Palette) -> Text:
    return Text(f"\n── {title} ", style=palette.heading)


def _blocks(result: NodeResult, palette: Palette) -> Text:
    text = Text()
    for line in contrail_status_lines(result):
        if line.kind == "pod":
            text.append(line.text + "\n", style="bold")
        elif line.kind == "service":
            text.append(f"{line.name}: ")
            text.append(line.status + "\n", style=palette.state.get(line.state, palette.warn))
        else:
            text.append(line.text + "\n")
    return text


# Replies above this are not decoded for the detail pane: it runs in the UI thread, and a hostile 8 MB reply
# takes about a second to model. Real NodeStatus replies are tens of KB.
DETAIL_MAX_BYTES = 1024 * 1024


def _statuses(s: ServiceState) -> tuple[NodeStatus, ...]:
    return s.node_statuses if len(s.raw) <= DETAIL_MAX_BYTES else ()


def _service_lines(s: ServiceState, palette: Palette, now: float | None = None) -> Text:
    """A service's state and its evidence; with ``now``, also how old that evidence is (status from several
    sources: introspect, analytics, nodemgr, probe)."""
    text = Text()
    port = f" :{s.port}" if s.port else ""
    text.append(f"{s.pod}/{s.name}", style="bold")
    text.append(f"{port}  ")
    text.append(s.status, style=palette.state.get(s.state, palette.warn))
    if now is not None and s.at:
        text.append(f"  [{s.evidence}, {age(now - s.at)} old]", style=palette.dim)
    else:
        text.append(f"  [{s.evidence}]", style=palette.dim)
    if s.reason and not s.ok:
        text.append(f"\n    why: {s.reason}", style=palette.warn)
    if len(s.raw) > DETAIL_MAX_BYTES:
        text.append(f"\n    reply of {len(s.raw) // 1024} KB: not detailed here (y shows it raw)", style=palette.warn)
    text.append("\n")
    for ns in _statuses(s):
        for ps in ns.process_status:
            for c in ps.connection_infos:
                style = palette.ok if c.status == "Up" else palette.err
                text.append(f"    {c.type}{' ' + c.name if c.name else ''} ", style=palette.dim)
                text.append(c.status, style=style)
                text.append(f" {','.join(c.server_addrs) or '-'} {c.description}\n", style=palette.dim)
    return text


def _nodemgr_details(statuses: list[NodeStatus], palette: Palette) -> Text:
    text = Text()
    seen_proc: set[str] = set()
    for ns in statuses:
        for p in ns.process_info:
            if p.process_name in seen_proc:
                continue
            seen_proc.add(p.process_name)
            style = palette.ok if p.running else palette.err
            text.append(f"  {p.process_name:<36} ")
            text.append(f"{p.short_state:<9}", style=style)
            text.append(f" starts {p.start_count} exits {p.exit_count}", style=palette.dim)
            if p.core_file_list:
                text.append(f" cores {len(p.core_file_list)}", style=palette.err)
            text.append("\n")
    return text


def _system(statuses: list[NodeStatus], palette: Palette) -> Text:
    text = Text()
    ns = next((n for n in statuses if n.system_cpu or n.system_mem or n.disk_usage), None)
    if ns is None:
        return text
    if ns.system_cpu:
        c = ns.system_cpu
        cpus = f" ({ns.num_cpu} cpus)" if ns.num_cpu else ""
        text.append(f"  cpu load {c.one_min_avg:.2f} {c.five_min_avg:.2f} {c.fifteen_min_avg:.2f}{cpus}\n")
    if ns.system_mem and ns.system_mem.total:
        m = ns.system_mem
        text.append(f"  memory {_gib(m.used)} / {_gib(m.total)} GiB used ({m.used * 100 // m.total}%)\n")
    for d in ns.disk_usage:
        style = palette.err if d.percent_used >= 90 else (palette.warn if d.percent_used >= 80 else Text().style)
        text.append(f"  disk {d.partition} ({d.partition_type}) ")
        text.append(f"{d.percent_used}% used", style=style)
        text.append(f", {d.available_1k // 1024 // 1024} GiB free\n")
    for p in ns.process_cpu_mem:
        text.append(f"  {p.process:<36} cpu {p.cpu_share:.2f}%  rss {p.mem_res // 1024} MiB\n", style=palette.dim)
    return text


DETAIL_ALARMS = 3  # the node's worst few: the pane is about the node, :alarms has them all


def _alarm_lines(alarms: Sequence[Alarm], palette: Palette) -> Text:
    """One line per thing that is wrong: alarm-gen raises a host-wide alarm (a full disk) once per node type
    the host runs, so the same sentence is said once, with how many UVEs carry it."""
    said: dict[str, list[Alarm]] = {}
    for a in alarms:
        said.setdefault(a.sentence, []).append(a)
    text = Text()
    for sentence, group in list(said.items())[:DETAIL_ALARMS]:
        worst = group[0].severity_name
        text.append(f"{worst:<8} ", style=palette.err if worst == CRITICAL else palette.warn)
        text.append(sentence)
        text.append(f" ({len(group)} UVEs)\n" if len(group) > 1 else "\n", style=palette.dim)
    if len(said) > DETAIL_ALARMS:
        text.append(f"… {len(said) - DETAIL_ALARMS} more\n", style=palette.dim)
    return text


def render_detail(result: NodeResult | None, health: Health, palette: Palette, now: float | None = None,
                  backoff: float = 0.0, alarms: Sequence[Alarm] = (), sources: bool = False) -> RenderableType:
    """The node's contrail-status, its services, nodemgr's processes, the host's figures; ``alarms``: its
    unacknowledged analytics alarms; ``sources``: each service line says where its state came from and how
    old it is (the cluster's status comes from more than introspect)."""
    if result is None:
        return Text("Select a node.", style=palette.dim)
    now = now or time.time()
    head = Text()
    head.append(GLYPHS[health] + " ", style=palette.health[health])
    head.append(result.name, style="bold")
    head.append(f"  {result.address}  {HEALTH_WORDS[health]}\n", style=palette.health[health])
    head.append(f"roles: {', '.join(result.roles) or '-'}\n", style=palette.dim)
    if not result.polled:
        head.append("not polled yet\n", style=palette.dim)
        return head
    head.append(f"polled at {time.strftime('%H:%M:%S', time.localtime(result.at))}", style=palette.dim)
    if backoff:
        head.append(f" · backed off, next try in {age(backoff)}", style=palette.warn)
    if not result.reachable:
        head.append(" · nothing answered", style=palette.err)
    head.append("\n")
    parts: list[RenderableType] = [head]
    if alarms:
        parts += [_section(f"alarms ({len(alarms)} unacknowledged: :alarms)", palette), _alarm_lines(alarms, palette)]
    parts += [_section("contrail-status", palette), _blocks(result, palette)]
    parts.append(_section("services", palette))
    body = Text()
    for s in result.services:
        body.append_text(_service_lines(s, palette, now if sources else None))
    parts.append(body)
    statuses = [ns for s in result.services if s.name == "nodemgr" for ns in _statuses(s)]
    if statuses:
        parts += [_section("processes (nodemgr)", palette), _nodemgr_details(statuses, palette)]
        system = _system(statuses, palette)
        if system.plain:
            parts += [_section("system", palette), system]
    builds = sorted({ns.build_version for s in result.services for ns in _statuses(s) if ns.build_version})
    if builds:
        parts.append(Text(f"\nbuild {', '.join(builds)}", style=palette.dim))
    for part in parts:
        if isinstance(part, Text):
            part.rstrip()  # each part is its own line in the Group: trailing newlines would be blank lines
    return Group(*parts)


def render_group(summary: GroupSummary, palette: Palette) -> Text:
    """A role group: how many nodes in each health, the unhealthy ones with their worst service, the
    unreachable ones with how long ago they last answered."""
    text = Text()
    total = sum(summary.counts.values())
    text.append(f"{summary.group} ({total})\n", style="bold")
    for health in (Health.OK, Health.DEGRADED, Health.UNREACHABLE, Health.UNKNOWN, Health.PENDING):
        count = summary.counts.get(health, 0)
        if count:
            text.append(f"{GLYPHS[health]} {count} {HEALTH_WORDS[health]}  ", style=palette.health[health])
    if summary.unhealthy:
        text.append_text(_section("unhealthy", palette))
        text.append("\n")
        for name, health, worst in summary.unhealthy:
            text.append(f"{GLYPHS[health]} ", style=palette.health[health])
            text.append(f"{name}  ", style="bold")
            text.append(f"{worst}\n", style=palette.health[health])
    if summary.unreachable:
        text.append_text(_section("unreachable", palette))
        text.append("\n")
        for name, ago in summary.unreachable:
            text.append(f"{GLYPHS[Health.UNREACHABLE]} ", style=palette.health[Health.UNREACHABLE])
            text.append(f"{name}  ", style="bold")
            text.append("never answered\n" if ago is None else f"last answered {age(ago)} ago\n", style=palette.dim)
    text.rstrip()
    return text


class DetailPane(VerticalScroll):
    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane > Static { width: 1fr; }
    DetailPane #compute-box { height: auto; }
    """

    def compose(self):
        yield Static(id="detail-body")
        yield Vertical(id="compute-box")

    def show_compute(self, text: Text | None) -> None:
        """Below the introspect view: what only the compute itself can tell (containers, kernel module)."""
        box = self.query_one("#compute-box", Vertical)
        self.compute_shown = text
        if text is None:
            box.remove_children()
            return
        body = box.query("#compute-body")
        if body:
            body.first(Static).update(text)
        else:
            box.mount(Static(Text("\n── on the compute (over SSH)", style="bold")), Static(text, id="compute-body"))

    shown: RenderableType = ""
    compute_shown: Text | None = None

    def show(self, renderable: RenderableType) -> None:
        self.shown = renderable
        self.query_one("#detail-body", Static).update(renderable)

    def plain_text(self, width: int = 200) -> str:
        from rich.console import Console

        console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
        console.print(self.shown)
        if self.compute_shown is not None:
            console.print("── on the compute (over SSH)")
            console.print(self.compute_shown)
        return console.export_text()
