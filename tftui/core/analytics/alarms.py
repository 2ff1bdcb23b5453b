"""Alarms as alarm-gen raises them, in every shape the payload has had, rendered as one sentence each.

The ``UVEAlarmInfo`` payload (Juniper/contrail-sandesh ``library/common/sandesh_alarm_base.sandesh``)
changed shape several times; all of them are still found on running clusters:

- current (since d73f5fc, 2016-08): ``alarm_rules.or_list[].and_list[]`` of ``{condition, match[]}``,
  ``condition.operand2`` an object ``{uve_attribute | json_value}``, ``json_variables`` in matches;
- transitional (7101b60..d73f5fc, 2016): ``rules[].rule[]`` of ``{condition, match[]}`` with ``operand2``
  a string and ``vars``/``json_vars``; and before it (f572450, 2015-11) ``rules[]`` of
  ``{oper, operand1: {name, json_value}, operand2}``;
- R3.0 (53dc6be, 2015-12): ``any_of[].all_of[]`` of ``{rule: {oper, operand1: {keys}, operand2}, json_operand1_value,
  json_vars}``;
- the first (9b2e33d, 2015-04): ``description: [{rule, value}]``.

Severity: current alarm-gen numbers 0 critical, 1 major, 2 minor (``plugins/alarm_base.py``); the older
payloads carried Sandesh levels (3 = SYS_ERR for a stopped process, 4 = SYS_WARN), read here as
0..2 critical, 3 major, 4 and above minor.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

CRITICAL, MAJOR, MINOR = "critical", "major", "minor"
SEVERITY_NAMES = {0: CRITICAL, 1: MAJOR, 2: MINOR}
SERIOUS = frozenset({CRITICAL, MAJOR})

FORM_CURRENT, FORM_RULES, FORM_ANY_OF, FORM_DESCRIPTION, FORM_TEXT = (
    "alarm_rules", "rules", "any_of", "description-list", "description")


@dataclass(frozen=True)
class AlarmTerm:
    """One matched condition: ``operand1 operation operand2`` and what the UVE held when it matched."""

    operand1: str  # the UVE attribute, e.g. NodeStatus.process_info.process_state
    operation: str
    operand2: str  # an attribute name or a JSON value, as text
    value1: Any = None  # the attribute's value at the match (decoded JSON)
    value2: Any = None
    variables: tuple[tuple[str, Any], ...] = ()  # e.g. (("NodeStatus.process_info.process_name", "contrail-topology"),)
    operand2_is_value: bool = True
    matched: bool = True  # False: the condition came without a match, so there is no value to show


@dataclass(frozen=True)
class Alarm:
    table: str  # the UVE type, e.g. analytics-node
    name: str  # the UVE key, e.g. the host name
    type: str  # e.g. default-global-system-config:system-defined-process-status
    severity: int
    severity_name: str
    ack: bool = False
    timestamp: int = 0  # µs since the epoch
    description: str = ""
    token: str = ""
    terms: tuple[tuple[AlarmTerm, ...], ...] = ()  # OR of ANDs
    notes: tuple[str, ...] = ()  # the oldest form's "rule: value" lines
    form: str = FORM_CURRENT

    @property
    def id(self) -> str:
        """Short, stable across calls: what ``tftui alarms ack ID`` takes."""
        return hashlib.sha1(f"{self.table}/{self.name}/{self.type}".encode()).hexdigest()[:8]

    @property
    def serious(self) -> bool:
        return self.severity_name in SERIOUS

    @property
    def short_type(self) -> str:
        return self.type.rsplit(":", 1)[-1]

    @property
    def sentence(self) -> str:
        return alarm_sentence(self)


def severity_name(value: Any, legacy: bool = False) -> str:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return MAJOR  # alarm-gen's default severity
    if legacy:
        return CRITICAL if n <= 2 else MAJOR if n == 3 else MINOR
    return SEVERITY_NAMES.get(n, MINOR if n > 2 else CRITICAL)


def _json(text: Any) -> Any:
    """alarm-gen sends values JSON-encoded (``"\\"PROCESS_STATE_STOPPED\\""``); R3.0 variables were plain."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _variables(raw: Any) -> tuple[tuple[str, Any], ...]:
    if not isinstance(raw, dict):
        return ()
    return tuple((str(k), _json(v)) for k, v in raw.items())


def _operand2(raw: Any) -> tuple[str, bool]:
    """(text, is a value) of a condition's operand2 in any of its shapes."""
    if isinstance(raw, dict):
        if raw.get("uve_attribute"):
            return str(raw["uve_attribute"]), False
        if "json_value" in raw:
            return _text(_json(raw["json_value"])), True
        if raw.get("keys"):
            return ".".join(str(k) for k in raw["keys"]), False
        if raw.get("name"):
            return str(raw["name"]), False
        return "", True
    if raw is None:
        return "", True
    decoded = _json(raw)
    if decoded is raw and isinstance(raw, str) and "." in raw and " " not in raw:
        return raw, False  # not JSON: an attribute name
    return _text(decoded), True


def _operand1(raw: Any) -> str:
    if isinstance(raw, dict):
        if raw.get("keys"):
            return ".".join(str(k) for k in raw["keys"])
        return str(raw.get("name", ""))
    return str(raw or "")


def _condition_terms(cond: dict, matches: Any) -> tuple[AlarmTerm, ...]:
    op2, is_value = _operand2(cond.get("operand2"))
    base = dict(operand1=_operand1(cond.get("operand1")), operation=str(cond.get("operation", cond.get("oper", ""))),
                operand2=op2, operand2_is_value=is_value)
    out = []
    for m in matches if isinstance(matches, list) else []:
        if not isinstance(m, dict):
            continue
        variables = m.get("json_variables", m.get("json_vars"))
        out.append(AlarmTerm(value1=_json(m.get("json_operand1_value")), value2=_json(m.get("json_operand2_value")),
                             variables=_variables(variables), **base))
    return tuple(out) or (AlarmTerm(matched=False, **base),)


def _and_list(items: Any) -> tuple[AlarmTerm, ...]:
    terms: list[AlarmTerm] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("condition"), dict):
            terms.extend(_condition_terms(item["condition"], item.get("match")))
    return tuple(terms)


def _any_of(groups: Any) -> tuple[tuple[AlarmTerm, ...], ...]:
    out = []
    for group in groups if isinstance(groups, list) else []:
        terms = []
        for el in (group.get("all_of") if isinstance(group, dict) else None) or []:
            if not isinstance(el, dict):
                continue
            rule = el.get("rule") if isinstance(el.get("rule"), dict) else {}
            op2, is_value = _operand2(rule.get("operand2"))
            terms.append(AlarmTerm(_operand1(rule.get("operand1")), str(rule.get("oper", "")), op2,
                                   _json(el.get("json_operand1_value")), _json(el.get("json_operand2_value")),
                                   _variables(el.get("json_vars")), is_value))
        if terms:
            out.append(tuple(terms))
    return tuple(out)


def _rules(rules: list) -> tuple[tuple[AlarmTerm, ...], ...]:
    out = []
    for r in rules:
        if not isinstance(r, dict):
            continue
        if isinstance(r.get("rule"), list):  # 2016: [{rule: [AlarmConditionMatch]}]
            terms = _and_list(r["rule"])
        else:  # 2015-11: [{oper, operand1: {name, json_value}, operand2}]
            o1 = r.get("operand1") if isinstance(r.get("operand1"), dict) else {}
            op2, is_value = _operand2(r.get("operand2"))
            terms = (AlarmTerm(_operand1(o1), str(r.get("oper", "")), op2, _json(o1.get("json_value")),
                               operand2_is_value=is_value),)
        if terms:
            out.append(terms)
    return tuple(out)


def parse_alarm(table: str, name: str, d: dict) -> Alarm:
    """One ``UVEAlarmInfo`` (any historical shape) of the UVE ``table``/``name``."""
    rules = d.get("alarm_rules")
    description = d.get("description")
    notes: tuple[str, ...] = ()
    legacy = True
    if isinstance(rules, dict):
        terms = tuple(t for t in (_and_list(g.get("and_list")) for g in rules.get("or_list") or []
                                  if isinstance(g, dict)) if t)
        form, legacy = FORM_CURRENT, False
    elif isinstance(d.get("rules"), list) and d["rules"]:
        terms, form = _rules(d["rules"]), FORM_RULES
    elif isinstance(d.get("any_of"), list):
        terms, form = _any_of(d["any_of"]), FORM_ANY_OF
    elif isinstance(description, list):
        terms, form = (), FORM_DESCRIPTION
        notes = tuple(f"{e.get('rule', '')}: {e.get('value', '')}".strip(": ") for e in description
                      if isinstance(e, dict))
    else:
        terms, form, legacy = (), FORM_TEXT, False
    try:
        timestamp = int(d.get("timestamp") or 0)
    except (TypeError, ValueError):
        timestamp = 0
    return Alarm(table=table, name=name, type=str(d.get("type", "")), severity=_int(d.get("severity"), 1),
                 severity_name=severity_name(d.get("severity"), legacy), ack=bool(d.get("ack", False)),
                 timestamp=timestamp, description=description if isinstance(description, str) else "",
                 token=str(d.get("token", "")), terms=terms, notes=notes, form=form)


def _int(v: Any, default: int) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def alarms_of_uve(table: str, name: str, uve: dict) -> list[Alarm]:
    """The alarms inside one UVE (its ``UVEAlarms`` struct), if any."""
    block = uve.get("UVEAlarms") if isinstance(uve, dict) else None
    items = block.get("alarms") if isinstance(block, dict) else None
    return [parse_alarm(table, name, a) for a in items or [] if isinstance(a, dict)]


def parse_alarms_reply(doc: Any) -> list[Alarm]:
    """``GET /analytics/alarms``: ``{uve-type: [{name, value: {UVEAlarms: {alarms: [...]}}}]}``."""
    out: list[Alarm] = []
    if not isinstance(doc, dict):
        return out
    for table, entries in doc.items():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                out.extend(alarms_of_uve(str(table), str(entry.get("name", "")), entry.get("value") or {}))
    return sorted(out, key=lambda a: (_RANK.get(a.severity_name, 3), a.ack, a.table, a.name, a.type))


_RANK = {CRITICAL: 0, MAJOR: 1, MINOR: 2}


# ----------------------------------------------------------------------------------------- sentences


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if v is None:
        return "null"
    return json.dumps(v, separators=(",", ":"), sort_keys=True)


def _expected(actual: str, expected: str) -> str:
    """``RUNNING`` for ``PROCESS_STATE_RUNNING`` next to ``PROCESS_STATE_STOPPED``: the shared prefix says nothing."""
    i = 0
    while i < min(len(actual), len(expected)) and actual[i] == expected[i]:
        i += 1
    cut = expected.rfind("_", 0, i) + 1
    return expected[cut:] if cut > 0 and cut < len(expected) else expected


_EXPECT = {"!=": "expected {}", "==": "must not be {}", "<": "threshold < {}", "<=": "threshold <= {}",
           ">": "threshold > {}", ">=": "threshold >= {}", "in": "alarm when in {}", "not in": "expected one of {}", "range": "alarm in range {}",
           "size==": "alarm when size is {}", "size!=": "expected size {}"}


def term_sentence(term: AlarmTerm, name: str) -> str:
    attr = term.operand1.split(".", 1)[1] if "." in term.operand1 else term.operand1
    leaf = attr.rsplit(".", 1)[-1] or attr
    actual = _text(term.value1) if term.matched else "?"
    # instance 0 is every daemon's only instance, and a description is said after the sentence, not in it
    subjects = [_text(v) for k, v in term.variables
                if v not in ("", None) and not (k.endswith("instance_id") and _text(v) == "0")
                and not k.endswith(".description")]
    details = [_text(v) for k, v in term.variables if k.endswith(".description") and v]
    if subjects:
        state_like = leaf.endswith(("state", "status"))
        who = ", ".join(subjects)
        head = f"{who} is {actual}" if state_like else f"{who}: {leaf} is {actual}"
    else:
        head = f"{attr or '?'} is {actual}"
    expected = term.operand2 if term.operand2_is_value else term.operand2 + (
        f" = {_text(term.value2)}" if term.value2 is not None else "")
    if term.operand2_is_value and term.operation == "!=":
        expected = _expected(actual, expected)
    why = _EXPECT.get(term.operation, term.operation + " {}").format(expected)
    said = f": {details[0]}" if details else ""
    return f"{head} on {name} ({why}){said}"


def alarm_sentence(alarm: Alarm) -> str:
    """One line an operator can act on: "contrail-topology is PROCESS_STATE_STOPPED on analytics1 (expected RUNNING)"."""
    for group in alarm.terms:  # the first OR-group that matched says why the alarm is up
        return "; ".join(term_sentence(t, alarm.name) for t in group)
    if alarm.notes:
        return "; ".join(alarm.notes) + f" on {alarm.name}"
    if alarm.description:
        return f"{alarm.description} on {alarm.name}"
    return f"{alarm.short_type or 'alarm'} on {alarm.name}"


def alarm_json(a: Alarm) -> dict:
    return {"id": a.id, "table": a.table, "name": a.name, "type": a.type, "severity": a.severity,
            "severity_name": a.severity_name, "ack": a.ack, "timestamp": a.timestamp, "sentence": a.sentence,
            "description": a.description, "form": a.form}
