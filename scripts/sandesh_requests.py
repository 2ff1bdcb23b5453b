"""Print the request definitions of a Sandesh IDL file in the form tftui's request table uses.

    python scripts/sandesh_requests.py path/to/agent.sandesh [RequestName ...]

Reads the IDL (``*.sandesh`` of tungstenfabric/tf-controller or Juniper/contrail-sandesh) and prints one
``Req(...)`` line per ``request sandesh``, fields in declaration order with their identifiers, types and
defaults, ready to paste into ``tftui/core/introspect/`` under the file's module (the file name without
``.sandesh``). A development aid: tftui itself never reads IDL files. Names that look like writes are flagged
for review; whether a request has a side effect is decided by reading its handler, not by its name.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_REQUEST = re.compile(r"\brequest\s+sandesh\s+(\w+)\s*\{(.*?)\}", re.S)
_FIELD = re.compile(
    r"(\d+)\s*:\s*(?:optional\s+|required\s+)?"
    r"([\w.]+(?:\s*<[^<>]*(?:<[^<>]*>[^<>]*)?>)?)\s+(\w+)"
    r"(?:\s*=\s*(\"[^\"]*\"|[^;,\s()]+))?"
    r"(?:\s*\(([^)]*)\))?"
)
_WRITE_WORDS = re.compile(r"Set|Clear|Delete|Del[A-Z]|Reset|Enable|Disable|Add|Flush|Ping|TraceRoute|Update|Config")


def requests_of(text: str) -> list[tuple[str, list[tuple[int, str, str, str]]]]:
    text = _COMMENTS.sub("", text)
    out = []
    for m in _REQUEST.finditer(text):
        fields = [(int(f.group(1)), re.sub(r"\s+", "", f.group(2)), f.group(3), (f.group(4) or "").strip('"'))
                  for f in _FIELD.finditer(m.group(2))]
        out.append((m.group(1), fields))
    return out


def line_for(name: str, fields: list[tuple[int, str, str, str]]) -> str:
    spec = "; ".join(f"{i}: {t} {n}" + (f" = {d}" if d else "") for i, t, n, d in fields)
    flag = "  # REVIEW: side effect?" if _WRITE_WORDS.search(name) else ""
    return f'    Req("{name}", "{spec}"),{flag}'


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    path, wanted = Path(argv[0]), set(argv[1:])
    print(f"# module {path.stem}")
    for name, fields in requests_of(path.read_text(encoding="utf-8", errors="replace")):
        if not wanted or name in wanted:
            print(line_for(name, fields))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
