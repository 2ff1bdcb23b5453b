"""Drafts of config API changes, saved on every edit so a killed tftui loses nothing.

A draft is a list of operations plus the revision (ETag, or id_perms.last_modified) of every object
it changes, taken when the draft was made; the editor refuses to write if that revision moved.
"""

from __future__ import annotations

import json
import os
import uuid as uuidlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tftui.core.policy.describe import describe_op
from tftui.core.policy.diff import render_diff
from tftui.core.policy.models import fq_str


@dataclass
class Op:
    op: str  # create | update | delete | set-tag
    type: str
    fq_name: list[str]
    body: dict | None = None
    uuid: str | None = None
    old: dict | None = None  # the written keys as they were when the draft was made
    rev: str | None = None

    def diff(self) -> str:
        title = f"{self.type} {fq_str(self.fq_name)}"
        if self.op == "delete":
            return render_diff(title, self.old or {}, None)
        if self.op == "set-tag":
            body = {k: v for k, v in (self.body or {}).items() if not k.startswith("_")}
            return (render_diff(title, self.old or {}, {"tags": (self.body or {}).get("_preview", [])})
                    + "\nPOST /set-tag " + json.dumps(body, sort_keys=True))
        return render_diff(title, self.old if self.op == "update" else None, self.body or {})


@dataclass
class Draft:
    title: str
    ops: list[Op]
    id: str = field(default_factory=lambda: uuidlib.uuid4().hex[:12])
    error: str | None = None

    def diff(self) -> str:
        return "\n\n".join(op.diff() for op in self.ops)

    def summary(self) -> list[str]:
        """The change in the operator's words, one or more lines per operation."""
        return [line for op in self.ops for line in describe_op(op.op, op.type, op.fq_name, op.body, op.old)]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> Draft:
        return cls(d["title"], [Op(**o) for o in d.get("ops", [])], d.get("id", uuidlib.uuid4().hex[:12]),
                   d.get("error"))


class DraftStore:
    """Drafts of one cluster in ``<state_dir>/drafts-<cluster>.json`` (mode 600, written atomically)."""

    def __init__(self, directory: Path | None, cluster: str):
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in cluster) or "default"
        self.path = directory / f"drafts-{safe}.json" if directory else None
        self.drafts: dict[str, Draft] = {}
        self.load_error: str | None = None
        self._load()

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            self.drafts = {d["id"]: Draft.from_json(d) for d in doc.get("drafts", [])}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.load_error = f"{self.path}: unreadable drafts ({exc}); left untouched"
            self.path = None  # never overwrite what we could not read

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"drafts": [d.to_json() for d in self.drafts.values()]}, fh, indent=1)
        os.replace(tmp, self.path)

    def put(self, draft: Draft) -> Draft:
        self.drafts[draft.id] = draft
        self.save()
        return draft

    def drop(self, draft_id: str) -> None:
        if self.drafts.pop(draft_id, None) is not None:
            self.save()

    def pending(self) -> list[Draft]:
        return list(self.drafts.values())
