"""What only a compute's own shell shows: its container table (docker or crictl) and the vrouter module.

Both tables are column-aligned text whose cells may contain single spaces ("2 hours ago", "POD ID"),
so columns are cut at the header's column starts, not split on whitespace. The renderers exist for
the lab's compute hosts and are tested as round trips with the parsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_COLUMNS = ("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES")
CRICTL_COLUMNS = ("CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD")
MODULE_PRESENT = "vrouter kernel module is PRESENT"
MODULE_ABSENT = "vrouter kernel module is NOT PRESENT"
# Each command the compute runs: fixed strings, nothing from data is ever added to them.
CONTAINERS_COMMAND = "docker ps 2>/dev/null || crictl ps 2>/dev/null"
MODULE_COMMAND = "lsmod | grep vrouter"


@dataclass(frozen=True)
class Container:
    id: str
    image: str
    name: str
    state: str  # running | exited | ... (docker's STATUS "Up 2 hours" -> running)
    status: str  # as shown: "Up 2 hours", "Running"
    created: str = ""


class ComputeParseError(ValueError):
    pass


def _columns(header: str, names: tuple[str, ...]) -> list[tuple[str, int]] | None:
    """Start offsets of the named columns in ``header``, or None when it is not that table."""
    out, pos = [], 0
    for name in names:
        m = re.search(rf"(?<!\S){re.escape(name)}(?!\S)", header[pos:])
        if m is None:
            return None
        out.append((name, pos + m.start()))
        pos += m.end()
    return out


def _cut(line: str, cols: list[tuple[str, int]]) -> dict[str, str]:
    cells = {}
    for i, (name, start) in enumerate(cols):
        end = cols[i + 1][1] if i + 1 < len(cols) else None
        cells[name] = line[start:end].strip() if end is not None else line[start:].strip()
    return cells


def _docker_state(status: str) -> str:
    s = status.lower()
    if s.startswith("up"):
        return "paused" if "(paused)" in s else "running"
    if s.startswith("exited"):
        return "exited"
    if s.startswith("restarting"):
        return "restarting"
    return s.split(" ", 1)[0] if s else "unknown"


def parse_containers(text: str) -> tuple[str, list[Container]]:
    """``docker ps`` or ``crictl ps`` output -> (which tool, containers). Unknown text raises."""
    lines = [ln.rstrip("\r") for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ComputeParseError("no container table (neither docker nor crictl answered)")
    header = lines[0]
    cols = _columns(header, DOCKER_COLUMNS)
    if cols is not None:
        out = []
        for line in lines[1:]:
            c = _cut(line, cols)
            out.append(Container(c["CONTAINER ID"], c["IMAGE"], c["NAMES"], _docker_state(c["STATUS"]), c["STATUS"],
                                 c["CREATED"]))
        return "docker", out
    cols = _columns(header, CRICTL_COLUMNS)
    if cols is not None:
        out = []
        for line in lines[1:]:
            c = _cut(line, cols)
            out.append(Container(c["CONTAINER"], c["IMAGE"], c["NAME"], c["STATE"].lower(), c["STATE"], c["CREATED"]))
        return "crictl", out
    raise ComputeParseError(f"not a docker/crictl table: {header[:60]!r}")


def module_present(lsmod_output: str) -> bool:
    return any(line.split()[:1] == ["vrouter"] for line in lsmod_output.splitlines())


def module_line(lsmod_output: str) -> str:
    return MODULE_PRESENT if module_present(lsmod_output) else MODULE_ABSENT


# ------------------------------------------------------------------------------------ rendering (lab)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["   ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    for r in rows:
        lines.append("   ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"


def render_docker_ps(containers: list[Container]) -> str:
    rows = [(c.id, c.image, '"/entrypoint.sh /usr…"', c.created, c.status, "", c.name) for c in containers]
    return _table(DOCKER_COLUMNS, rows)


def render_crictl_ps(containers: list[Container]) -> str:
    rows = [(c.id, c.image, c.created, c.status, c.name, "0", c.id[::-1][:13], f"{c.name}-pod")
            for c in containers]
    return _table(CRICTL_COLUMNS, rows)
