"""The requests every introspect server has, from the Sandesh library itself (C++ and Python alike)."""

from __future__ import annotations

from .defs import Module, Req

_SRC = "Juniper/contrail-sandesh @ 857c483697b88da94cd11ecfe2df3247c902bbb3 : library/common/"

SANDESH_UVE = Module("sandesh_uve", [
    Req("SandeshMessageStatsReq"),
    Req("SandeshLoggingParamsSet", "1: bool enable; 2: string category; 3: string log_level; 4: bool trace_print; "
        "5: bool enable_flow_log", writes="changes the daemon's logging level and categories"),
    Req("SandeshLoggingParamsStatus"),
    Req("SandeshSendingParamsSet", "1: u32 system_logs_rate_limit; 2: bool disable_object_logs; "
        "3: bool disable_all_logs; 4: bool disable_flows", writes="changes what the daemon sends to the collector"),
    Req("SandeshSendingParamsStatus"),
    Req("SandeshSendQueueParamsSet", "1: bool high; 2: u32 queue_count; 3: string sending_level",
        writes="changes the send queue's water marks"),
    Req("SandeshSendQueueParamsReset", writes="resets the send queue's water marks"),
    Req("SandeshSendQueueParamsStatus"),
    Req("SandeshSendQueueSet", "1: bool enable", writes="turns the send queue on or off"),
    Req("SandeshSendQueueStatus"),
    Req("CollectorInfoRequest"),
    Req("SandeshUVEDSConfReq", "1: string tname; 2: string dsattr; 3: string dsconf",
        writes="changes a UVE type's derived-statistics configuration"),
    Req("SandeshUVECacheReq", "1: string tname; 2: string key"),
    Req("SandeshUVETypesReq"),
], source=_SRC + "sandesh_uve.sandesh")

SANDESH_TRACE = Module("sandesh_trace", [
    Req("SandeshTraceRequest", "1: string buf_name; 2: i32 count"),
    Req("SandeshTraceBufferListRequest"),
    Req("SandeshTraceEnableDisableReq", "1: bool enable", writes="turns tracing on or off"),
    Req("SandeshTraceBufStatusReq"),
    Req("SandeshTraceBufferEnableDisableReq", "1: string trace_buf_name; 2: bool enable",
        writes="turns a trace buffer on or off"),
], source=_SRC + "sandesh_trace.sandesh")

LIBRARY_MODULES = (SANDESH_UVE, SANDESH_TRACE)
