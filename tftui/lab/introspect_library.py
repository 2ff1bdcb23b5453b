"""What every simulated daemon answers from the Sandesh library: its UVE cache and types, its trace buffers,
its logging and sending parameters and its collector connection (the read-only requests only).

The behaviour follows the library's handlers (contrail-sandesh ``library/cpp/sandesh_uve.cc``,
``sandesh_trace.cc``, ``sandesh_req.cc``): an unknown UVE type answers ``returned 0`` without a period,
a known type without data ``returned 0`` with one, ``key`` picks one UVE; an unknown trace buffer answers
an empty list.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from tftui.core.catalog import ServiceDef
from tftui.core.introspect import Args, uve_types_of
from tftui.core.sandesh import F, L, M, S

from .introspect_table import sandesh_reply, serves
from .topology import LabNode

NODE_STATUS = "NodeStatus"
UVE_PERIOD = 0  # the lab's NodeStatus replies carry period 0 (core/nodestatus.py)
TRACE_BUFFER_SIZE = 100

# Trace buffers each daemon creates (names from its sources: SandeshTraceBufferCreate, pysandesh's
# trace_buffer_create); every C++ daemon also has the HTTP server's own "httpbuf" with its two lines from
# start-up (library/cpp/sandesh_http.cc). Daemons not listed (the nodemgrs...) create none.
TRACE_BUFFERS: dict[str, tuple[str, ...]] = {
    "control": ("BgpTraceBuf", "Config", "IFMapTraceBuf", "RoutingInstanceTraceBuf", "XmppMessageTrace", "XmppTrace",
                "httpbuf"),
    "dns": ("Config", "DnsBind", "XmppMessageTrace", "XmppTrace", "httpbuf"),
    "vrouter-agent": ("Acl", "Config", "Controller", "Flow", "KSyncFlowTable", "Operdb.interface.0", "Operdb.vrf.0",
                      "Xmpp", "XmppMessageTrace", "XmppTrace", "httpbuf"),
    "config-api": ("DBRequestTraceBuf", "DBUVERequestTraceBuf", "MessageBusNotifyTraceBuf", "RestApiTraceBuf",
                   "VncCfgTraceBuf"),
}


class LabTraces:
    """Trace buffers per (node, service): the lab's parts append to them (``trace_buffers(lab).add``)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._buffers: dict[tuple[str, str], dict[str, deque[str]]] = {}
        self._clock = clock  # the lab's (a test's fixed one)
        self._last_usec = 0

    def buffers(self, node: LabNode, svc: ServiceDef) -> dict[str, deque[str]]:
        key = (node.name, svc.key)
        bufs = self._buffers.get(key)
        if bufs is None:
            names = TRACE_BUFFERS.get(svc.key, ())
            bufs = self._buffers[key] = {n: deque(maxlen=TRACE_BUFFER_SIZE) for n in names}
            if "httpbuf" in bufs:
                self.add(node, svc, "httpbuf", "SandeshTraceText", "<Initializing httpbuf")
                self.add(node, svc, "httpbuf", "SandeshTraceText", "Size 100")
        return bufs

    def add(self, node: LabNode, svc: ServiceDef, buffer: str, trace: str, text: str) -> None:
        """One trace line as the library prints it: microseconds (now, and never twice the same), the trace
        sandesh's name, its text."""
        self._last_usec = max(int(self._clock() * 1_000_000), self._last_usec + 1)
        bufs = self.buffers(node, svc)
        bufs.setdefault(buffer, deque(maxlen=TRACE_BUFFER_SIZE)).append(f"{self._last_usec} {trace}: {text}")


def trace_buffers(lab) -> LabTraces:
    traces = getattr(lab, "traces", None)
    if traces is None:
        sessions = getattr(getattr(lab, "topo", None), "sessions", None)
        traces = lab.traces = LabTraces(sessions.clock if sessions is not None else time.time)
    return traces


# ------------------------------------------------------------------------------------ UVEs


def _cache_resp(returned: int, period: int | None) -> tuple[str, list[F]]:
    fields = [F("returned", "u32", returned, 1)]
    if period is not None:
        fields.append(F("period", "i32", period, 2))
    return ("SandeshUVECacheResp", fields)


@serves("SandeshUVECacheReq")
def uve_cache(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    tname, key = args["tname"], args["key"]
    if tname == NODE_STATUS and ("key" not in args.given or key == node.name):
        return lab.reply_for(node, svc)
    # another node's key, a type this daemon has no UVE of yet, or a type it does not know (no period)
    known = tname in uve_types_of(svc.key)
    return sandesh_reply(svc, [_cache_resp(0, UVE_PERIOD if known else None)])


@serves("SandeshUVETypesReq")
def uve_types(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    infos = [S("SandeshUVETypeInfo", [
        F("type_name", "string", name, 1, link="SandeshUVECacheReq"),
        F("seq_num", "u32", 1 if name == NODE_STATUS else 0, 2),
        F("period", "i32", UVE_PERIOD, 3),
        F("dsconf", "map", M("string", "string", []), 4),
        F("timeout", "i32", 0, 5),
    ]) for name in uve_types_of(svc.key)]
    return sandesh_reply(svc, [("SandeshUVETypesResp", [F("type_info", "list", L("struct", infos), 1)])])


# ------------------------------------------------------------------------------------ traces


@serves("SandeshTraceBufferListRequest")
def trace_buffer_list(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    names = sorted(trace_buffers(lab).buffers(node, svc))
    infos = [S("SandeshTraceBufInfo", [F("trace_buf_name", "string", n, 1, link="SandeshTraceRequest")])
             for n in names]
    return sandesh_reply(svc, [("SandeshTraceBufferListResponse",
                                [F("trace_buffer_list", "list", L("struct", infos), 1)])])


@serves("SandeshTraceRequest")
def trace_request(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    lines = list(trace_buffers(lab).buffers(node, svc).get(args["buf_name"], ()))
    count = args["count"]
    if "count" in args.given and count > 0:
        lines = lines[-count:]
    return sandesh_reply(svc, [("SandeshTraceTextResponse", [F("traces", "list", L("string", lines), 1)])])


@serves("SandeshTraceBufStatusReq")
def trace_buf_status(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    infos = [S("SandeshTraceBufStatusInfo", [F("trace_buf_name", "string", n, 1, link="SandeshTraceRequest"),
                                             F("enable_disable", "string", "Enabled", 2)])
             for n in sorted(trace_buffers(lab).buffers(node, svc))]
    return sandesh_reply(svc, [("SandeshTraceBufStatusRes",
                                [F("trace_buf_status_list", "list", L("struct", infos), 1)])])


# ------------------------------------------------------------------------------------ parameters


def _collector(lab) -> tuple[str, int, str]:
    """Where the daemons would send to: the first analytics node's collector, or nowhere (analytics-less)."""
    analytics = [n for n in lab.topo.nodes if "analytics" in n.roles]
    if analytics:
        return analytics[0].address, 8086, "Established"
    return "", 0, "Idle"


@serves("CollectorInfoRequest")
def collector_info(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    ip, port, status = _collector(lab)
    return sandesh_reply(svc, [("CollectorInfoResponse", [F("ip", "string", ip, 1), F("port", "i32", port, 2),
                                                          F("status", "string", status, 3)])])


@serves("SandeshLoggingParamsStatus")
def logging_params(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return sandesh_reply(svc, [("SandeshLoggingParams", [
        F("enable", "bool", True, 1), F("category", "string", "", 2), F("log_level", "string", "SYS_NOTICE", 3),
        F("trace_print", "bool", False, 4), F("enable_flow_log", "bool", False, 5)])])


@serves("SandeshSendingParamsStatus")
def sending_params(lab, node: LabNode, svc: ServiceDef, args: Args) -> bytes:
    return sandesh_reply(svc, [("SandeshSendingParams", [
        F("system_logs_rate_limit", "u32", 100, 1), F("disable_object_logs", "bool", False, 2),
        F("disable_all_logs", "bool", False, 3), F("disable_flows", "bool", False, 5)])])
