"""Property-based fuzzing of the Sandesh decoders: whatever bytes arrive, only SandeshError (or AgentError for
the agent's interface list) or a clean result comes out, and entities are never resolved.

Every case is counted (conftest prints the totals at the end of the run) so the README can quote the number.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from conftest import DATA, FUZZ_CASES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tftui.core.agent import AgentError, decode_itf_reply
from tftui.core.catalog import ServiceDef
from tftui.core.nodestatus import decode_node_statuses, first_process_status
from tftui.core.pretty import pretty_xml
from tftui.core.sandesh import INT_TYPES, F, L, M, S, SandeshError, decode_messages, encode_document
from tftui.core.status import BAD_REPLY, FetchKind, FetchResult, evaluate_introspect

TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SCALE = float(os.environ.get("TFTUI_FUZZ_SCALE", "1"))
SVC = ServiceDef("vrouter-agent", "vrouter", "agent", 8085)
CAPTURES = [p.read_bytes() for p in sorted((DATA / "introspect").glob("*.xml"))]
MARKER = f"FUZZ-MARKER-{uuid.uuid4().hex}"
_MARKER_FILE = Path(f"/tmp/tftui-fuzz-{os.getpid()}.txt")  # noqa: S108 - an entity target, never read by tftui


def _cases(n: int) -> int:
    return max(10, int(n * SCALE))


@pytest.fixture(scope="module", autouse=True)
def _remove_marker():
    yield
    _MARKER_FILE.unlink(missing_ok=True)


def _marker_file() -> Path:
    if not _MARKER_FILE.exists():
        _MARKER_FILE.write_text(MARKER)
    return _MARKER_FILE


def decode_everything(body: bytes, target: str) -> None:
    """Feed ``body`` to every decoder; anything but their own error type fails the test."""
    FUZZ_CASES[target] += 1
    results = []
    for decode in (decode_messages, decode_node_statuses, first_process_status):
        try:
            results.append(decode(body))
        except SandeshError:
            pass
    try:
        results.append(decode_itf_reply(body))
    except AgentError:
        pass
    state = evaluate_introspect(SVC, FetchResult(FetchKind.REPLY, 200, body))
    assert state.state in ("active", "initializing", BAD_REPLY)
    if state.state == BAD_REPLY:
        assert state.reason and state.status.startswith("bad reply: ")
    state.node_statuses  # noqa: B018 - the lazy full decode the detail pane triggers
    shown = pretty_xml(body)  # what the raw XML view renders
    assert MARKER not in repr(results) + state.status + shown
    # nothing that reaches the terminal may carry controls (CSI, OSC, CR...) from the reply
    texts = [state.status, state.reason, shown] + [
        t for ns in state.node_statuses for ps in ns.process_status for t in (ps.module_id, ps.state, ps.description or "")]
    assert not any(TERMINAL_CONTROLS.search(t) for t in texts), (state.status, shown[:200])


# ------------------------------------------------------------------------------- random bytes


@settings(max_examples=_cases(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes(body):
    decode_everything(body, "random bytes")


XML_BITS = st.sampled_from([
    b"<", b">", b"</", b"/>", b"<a>", b"</a>", b'<x type="struct">', b'<x type="list">', b'<list type="struct">',
    b'<x type="map">', b'<map key="string" value="struct">', b"<element>", b"</element>", b'type="i32"',
    b"<NodeStatus>", b"</NodeStatus>", b"<ProcessStatus>", b"<state>", b"Functional", b"<description>",
    b'<ItfResp type="sandesh">', b'<itf_list type="list">', b"<ItfSandeshData>", b"<Pagination>",
    b"&amp;", b"&lt;", b"&#0;", b"&#x10FFFF;", b"&#xD800;", b"&xxe;", b"&lol9;", b"<!DOCTYPE x>",
    b"<!ENTITY e SYSTEM 'file:///etc/passwd'>", b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<?xml version='1.0'?>",
    b"<?pi x?>", b"\x00", b"\xff\xfe", b"&#13;", b"&#x9b;", b"\xc2\x9b", b"\x1b[2J", b"\xef\xbb\xbf", b"\xc3", b" ", b"\n", b"[bold]", b"[/]", b'"', b"'",
])


@settings(max_examples=_cases(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(XML_BITS | st.binary(max_size=8), max_size=60).map(b"".join))
def test_random_xml_fragments(body):
    decode_everything(body, "xml fragments")


# ------------------------------------------------------------------------------- mutated captures

INSERTS = st.sampled_from([
    b"<!DOCTYPE x [<!ENTITY e 'lol'>]>", b"&e;", b"&xxe;", b"<a>", b"</NodeStatus>", b"<ProcessStatus>",
    b'<description type="string">[bold]x[/]</description>', b"<![CDATA[x]]>", b"&#13;", b"\xc2\x9b[31m", b"\x00", b"\xff", b"&#1;",
    b'<x type="struct"></x>', b'<x type="list"><list type="i32"><element>zz</element></list></x>',
    b'<x type="map"><map key="i32" value="struct"><element>q</element></map></x>', b"<?pi?>", b"<!-- -->",
])


@st.composite
def mutated_capture(draw) -> bytes:
    body = bytearray(draw(st.sampled_from(CAPTURES)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("truncate", "flip", "insert", "splice", "delete")))
        pos = draw(st.integers(0, len(body)))
        if op == "truncate":
            body = body[:pos]
        elif op == "flip" and body:
            i = min(pos, len(body) - 1)
            body[i] ^= draw(st.integers(1, 255))
        elif op == "insert":
            body[pos:pos] = draw(INSERTS)
        elif op == "splice":
            other = draw(st.sampled_from(CAPTURES))
            start = draw(st.integers(0, len(other)))
            body[pos:] = other[start:start + draw(st.integers(0, 4000))]
        elif op == "delete":
            del body[pos:pos + draw(st.integers(1, 200))]
    return bytes(body)


@settings(max_examples=_cases(1500), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_capture())
def test_mutated_real_captures(body):
    decode_everything(body, "mutated captures")


ENCODINGS = st.sampled_from(["utf-16-le", "utf-16-be", "utf-16", "utf-7", "latin-1", "utf-32"])


@settings(max_examples=_cases(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CAPTURES), ENCODINGS, st.booleans(), st.booleans())
def test_other_encodings_and_smuggled_entities(capture, encoding, declare, entity):
    """UTF-16/UTF-7 hide a DOCTYPE from a byte search; the decoder must still refuse it."""
    text = capture.decode()
    if entity:
        dtd = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{_marker_file()}">]>'
        text = dtd + text.replace("<state type=\"string\"", "<state type=\"string\">&xxe;<x", 1)
    if declare:
        text = f'<?xml version="1.0" encoding="{encoding.upper().replace("-LE", "LE").replace("-BE", "BE")}"?>' + text
    body = text.encode(encoding, errors="replace")
    decode_everything(body, "re-encoded captures")
    if entity:
        try:
            decode_messages(body)
        except SandeshError:
            return
        raise AssertionError(f"a DTD in {encoding} was accepted")


# ------------------------------------------------------------------------------- well-formed trees

NAMES = st.sampled_from(["name", "state", "description", "data", "list", "map", "element", "NodeStatus", "more",
                         "ProcessStatus", "itf_list", "req", "_", "a1", "module_id", "process_status", "x"])
TYPES = st.sampled_from(sorted(INT_TYPES) + ["string", "bool", "double", "ipaddr", "uuid_t", "x_unknown_t", "u128"])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30) | st.sampled_from(
    ["[bold]x[/]", "[red]", "\u009b31m", "\x85", "Non-Functional", "Functional", "nœud-節点", "-1", "1e309", "nan", "true", " "])
SCALAR = st.builds(F, NAMES, TYPES, TEXT | st.integers(-2**70, 2**70) | st.floats() | st.booleans())


def _fields(children):
    struct = st.builds(S, NAMES, st.lists(children, max_size=3))
    return (
        st.builds(F, NAMES, st.just("struct"), struct)
        | st.builds(F, NAMES, st.just("list"), st.builds(L, st.just("struct"), st.lists(struct, max_size=3)))
        | st.builds(F, NAMES, st.just("list"), st.builds(L, TYPES, st.lists(TEXT, max_size=4)))
        | st.builds(F, NAMES, st.just("map"), st.builds(M, TYPES, st.just("struct"),
                                                         st.lists(st.tuples(TEXT, struct), max_size=3)))
    )


FIELDS = st.recursive(SCALAR, _fields, max_leaves=10)
WELL_KNOWN = st.sampled_from(["NodeStatusUVE", "ItfResp", "Pagination", "SandeshUVECacheResp", "ErrorResp"])


@st.composite
def sandesh_document(draw) -> bytes:
    messages = []
    list_name = draw(st.none() | st.just("__X_list"))
    for _ in range(draw(st.integers(1, 3)) if list_name else 1):  # bare messages: one root element only
        name = draw(WELL_KNOWN | NAMES)
        fields = draw(st.lists(FIELDS, max_size=5))
        if name == "NodeStatusUVE" and draw(st.booleans()):
            ps = S("ProcessStatus", draw(st.lists(FIELDS, max_size=3)) + [F("state", "string", draw(TEXT))])
            fields.append(F("data", "struct", S("NodeStatus", [
                F("process_status", "list", L("struct", [ps])), *draw(st.lists(FIELDS, max_size=3))])))
        messages.append((name, fields))
    return encode_document(messages, list_name=list_name)


@settings(max_examples=_cases(800), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sandesh_document())
def test_generated_well_formed_sandesh_always_decodes(body):
    decode_everything(body, "generated sandesh")
    messages = decode_messages(body)  # well-formed: must decode, whatever the types say
    assert messages
