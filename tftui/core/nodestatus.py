"""The NodeStatus UVE: model, decoding from a Sandesh reply, and encoding back (for the lab)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .sandesh import (
    DEFAULT_MAX_BYTES,
    F,
    L,
    M,
    S,
    Struct,
    clean_text,
    decode_messages,
    encode_document,
    parse_document,
)


@dataclass(frozen=True)
class ConnectionInfo:
    type: str
    name: str = ""
    server_addrs: tuple[str, ...] = ()
    status: str = ""
    description: str = ""


@dataclass(frozen=True)
class ProcessStatus:
    module_id: str
    instance_id: str = "0"
    state: str = ""
    connection_infos: tuple[ConnectionInfo, ...] = ()
    # None when the element is absent: the real contrail-status dies on a KeyError there.
    description: str | None = None


@dataclass(frozen=True)
class ProcessInfo:
    process_name: str
    process_state: str = ""
    start_count: int = 0
    stop_count: int = 0
    exit_count: int = 0
    last_start_time: str = ""
    last_stop_time: str = ""
    last_exit_time: str = ""
    core_file_list: tuple[str, ...] = ()

    @property
    def running(self) -> bool:
        return self.process_state == "PROCESS_STATE_RUNNING"

    @property
    def short_state(self) -> str:
        return self.process_state.removeprefix("PROCESS_STATE_").lower() or "unknown"


@dataclass(frozen=True)
class DiskUsage:
    partition: str
    partition_type: str = ""
    used_1k: int = 0
    available_1k: int = 0
    percent_used: int = 0


@dataclass(frozen=True)
class MemUsage:
    total: int = 0
    used: int = 0
    free: int = 0
    buffers: int = 0
    cached: int = 0


@dataclass(frozen=True)
class CpuLoad:
    one_min_avg: float = 0.0
    five_min_avg: float = 0.0
    fifteen_min_avg: float = 0.0
    cpu_share: float = 0.0


@dataclass(frozen=True)
class ProcessCpuMem:
    process: str
    cpu_share: float = 0.0
    mem_virt: int = 0
    mem_res: int = 0


@dataclass(frozen=True)
class NodeStatus:
    name: str
    key: str = ""
    deleted: bool = False
    process_status: tuple[ProcessStatus, ...] = ()
    process_info: tuple[ProcessInfo, ...] = ()
    disk_usage: tuple[DiskUsage, ...] = ()
    system_mem: MemUsage | None = None
    system_cpu: CpuLoad | None = None
    process_cpu_mem: tuple[ProcessCpuMem, ...] = ()
    build_info: str = ""
    installed_package_version: str = ""
    running_package_version: str = ""
    num_cpu: int = 0
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def build_version(self) -> str:
        return build_version(self.build_info) or self.running_package_version


def build_version(build_info: str) -> str:
    """'5.1.0-107.el7' from the build_info JSON string; '' when it is absent or not JSON."""
    if not build_info:
        return ""
    try:
        info = json.loads(build_info)["build-info"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        return ""
    if not isinstance(info, dict):
        return ""
    return str(info.get("build-id") or info.get("build-version") or "")


# ------------------------------------------------------------------------------------- decoding


def _s(d: dict, k: str, default: str = "") -> str:
    v = d.get(k, default)
    return v if isinstance(v, str) else str(v)


def _i(d: dict, k: str) -> int:
    v = d.get(k, 0)
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def _f(d: dict, k: str) -> float:
    v = d.get(k, 0.0)
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def _structs(v) -> list[dict]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _conn(d: dict) -> ConnectionInfo:
    addrs = d.get("server_addrs")
    return ConnectionInfo(
        type=_s(d, "type"),
        name=_s(d, "name"),
        server_addrs=tuple(str(a) for a in addrs) if isinstance(addrs, list) else (),
        status=_s(d, "status"),
        description=_s(d, "description"),
    )


def _process_status(d: dict) -> ProcessStatus:
    return ProcessStatus(
        module_id=_s(d, "module_id"),
        instance_id=_s(d, "instance_id", "0"),
        state=_s(d, "state"),
        connection_infos=tuple(_conn(c) for c in _structs(d.get("connection_infos"))),
        description=_s(d, "description") if "description" in d else None,
    )


def _process_info(d: dict) -> ProcessInfo:
    cores = d.get("core_file_list")
    return ProcessInfo(
        process_name=_s(d, "process_name"),
        process_state=_s(d, "process_state"),
        start_count=_i(d, "start_count"),
        stop_count=_i(d, "stop_count"),
        exit_count=_i(d, "exit_count"),
        last_start_time=_s(d, "last_start_time"),
        last_stop_time=_s(d, "last_stop_time"),
        last_exit_time=_s(d, "last_exit_time"),
        core_file_list=tuple(str(c) for c in cores) if isinstance(cores, list) else (),
    )


def node_status_from_struct(d: dict) -> NodeStatus:
    disk = d.get("disk_usage_info")
    pcm = d.get("process_mem_cpu_usage")
    mem = d.get("system_mem_usage")
    cpu = d.get("system_cpu_usage")
    cpu_info = d.get("system_cpu_info")
    key = d.annotations.get("name", {}).get("key", "") if isinstance(d, Struct) else ""
    known = {
        "name", "deleted", "process_status", "process_info", "disk_usage_info", "process_mem_cpu_usage",
        "system_mem_usage", "system_cpu_usage", "system_cpu_info", "build_info",
        "installed_package_version", "running_package_version",
    }
    return NodeStatus(
        name=_s(d, "name"),
        key=key,
        deleted=bool(d.get("deleted", False)),
        process_status=tuple(_process_status(p) for p in _structs(d.get("process_status"))),
        process_info=tuple(_process_info(p) for p in _structs(d.get("process_info"))),
        disk_usage=tuple(
            DiskUsage(
                partition=str(part),
                partition_type=_s(v, "partition_type"),
                used_1k=_i(v, "partition_space_used_1k"),
                available_1k=_i(v, "partition_space_available_1k"),
                percent_used=_i(v, "percentage_partition_space_used"),
            )
            for part, v in (disk.items() if isinstance(disk, dict) else ())
            if isinstance(v, dict)
        ),
        system_mem=MemUsage(
            _i(mem, "total"), _i(mem, "used"), _i(mem, "free"), _i(mem, "buffers"), _i(mem, "cached")
        )
        if isinstance(mem, dict)
        else None,
        system_cpu=CpuLoad(
            _f(cpu, "one_min_avg"), _f(cpu, "five_min_avg"), _f(cpu, "fifteen_min_avg"), _f(cpu, "cpu_share")
        )
        if isinstance(cpu, dict)
        else None,
        process_cpu_mem=tuple(
            ProcessCpuMem(str(p), _f(v, "cpu_share"), _i(v, "mem_virt"), _i(v, "mem_res"))
            for p, v in (pcm.items() if isinstance(pcm, dict) else ())
            if isinstance(v, dict)
        ),
        build_info=_s(d, "build_info"),
        installed_package_version=_s(d, "installed_package_version"),
        running_package_version=_s(d, "running_package_version"),
        num_cpu=_i(cpu_info, "num_cpu") if isinstance(cpu_info, dict) else 0,
        extra={k: v for k, v in d.items() if k not in known},
    )


def first_process_status(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, str | None] | None:
    """(state, description) of the first ProcessStatus of the first NodeStatus that has one: all that the
    contrail-status rules need, without building the whole model (the poller's hot path at fleet scale)."""
    root = parse_document(body, max_bytes)
    for ps in root.iter("ProcessStatus"):
        state = ps.find("state")
        desc = ps.find("description")
        return (clean_text(state.text) if state is not None else ""), (clean_text(desc.text) if desc is not None else None)
    return None


def decode_node_statuses(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[NodeStatus]:
    """Every NodeStatus in a ``Snh_SandeshUVECacheReq?x=NodeStatus`` reply, in order."""
    out = []
    for msg in decode_messages(body, max_bytes):
        data = msg.fields.get("data")
        if msg.name.startswith("NodeStatus") and isinstance(data, dict):
            out.append(node_status_from_struct(data))
    return out


# ------------------------------------------------------------------------------------- encoding


def _encode_conn(c: ConnectionInfo) -> S:
    return S("ConnectionInfo", [
        F("type", "string", c.type, 1),
        F("name", "string", c.name, 2),
        F("server_addrs", "list", L("string", list(c.server_addrs)), 3),
        F("status", "string", c.status, 4),
        F("description", "string", c.description, 5),
    ])


def _encode_process_status(p: ProcessStatus) -> S:
    fields = [
        F("module_id", "string", p.module_id, 1),
        F("instance_id", "string", p.instance_id, 2),
        F("state", "string", p.state, 3),
        F("connection_infos", "list", L("struct", [_encode_conn(c) for c in p.connection_infos]), 4),
    ]
    if p.description is not None:
        fields.append(F("description", "string", p.description, 6))
    return S("ProcessStatus", fields)


def _encode_process_info(p: ProcessInfo) -> S:
    return S("ProcessInfo", [
        F("process_name", "string", p.process_name, 1),
        F("process_state", "string", p.process_state, 2),
        F("start_count", "u32", p.start_count, 3),
        F("stop_count", "u32", p.stop_count, 4),
        F("exit_count", "u32", p.exit_count, 5),
        F("last_start_time", "string", p.last_start_time, 6),
        F("last_stop_time", "string", p.last_stop_time, 7),
        F("last_exit_time", "string", p.last_exit_time, 8),
        F("core_file_list", "list", L("string", list(p.core_file_list)), 9),
    ])


def node_status_fields(ns: NodeStatus) -> list[F]:
    f: list[F] = [F("name", "string", ns.name, 1, key=ns.key or "ObjectVRouter"), F("deleted", "bool", ns.deleted, 2)]
    if ns.process_status:
        f.append(F("process_status", "list",
                   L("struct", [_encode_process_status(p) for p in ns.process_status]), 4, aggtype="union"))
    if ns.process_info:
        f.append(F("process_info", "list", L("struct", [_encode_process_info(p) for p in ns.process_info]), 5,
                   aggtype="union"))
    if ns.disk_usage:
        f.append(F("disk_usage_info", "map", M("string", "struct", [
            (d.partition, S("DiskPartitionUsageStats", [
                F("partition_type", "string", d.partition_type, 1),
                F("partition_space_used_1k", "u64", d.used_1k, 3),
                F("partition_space_available_1k", "u64", d.available_1k, 4),
                F("percentage_partition_space_used", "u16", d.percent_used, 5),
            ])) for d in ns.disk_usage]), 6, tags=""))
    if ns.build_info:
        f.append(F("build_info", "string", ns.build_info, 9))
    if ns.process_cpu_mem:
        f.append(F("process_mem_cpu_usage", "map", M("string", "struct", [
            (p.process, S("ProcessCpuInfo", [
                F("mem_virt", "u32", p.mem_virt, 3),
                F("cpu_share", "double", p.cpu_share, 4),
                F("mem_res", "u32", p.mem_res, 5),
            ])) for p in ns.process_cpu_mem]), 10))
    if ns.num_cpu:
        f.append(F("system_cpu_info", "struct", S("SystemCpuInfo", [F("num_cpu", "u32", ns.num_cpu, 2)]), 12))
    if ns.system_mem:
        m = ns.system_mem
        f.append(F("system_mem_usage", "struct", S("SysMemInfo", [
            F("total", "u32", m.total, 1), F("used", "u32", m.used, 2), F("free", "u32", m.free, 3),
            F("buffers", "u32", m.buffers, 4), F("cached", "u32", m.cached, 5),
        ]), 13))
    if ns.system_cpu:
        c = ns.system_cpu
        f.append(F("system_cpu_usage", "struct", S("SysCpuInfo", [
            F("one_min_avg", "double", c.one_min_avg, 1), F("five_min_avg", "double", c.five_min_avg, 2),
            F("fifteen_min_avg", "double", c.fifteen_min_avg, 3), F("cpu_share", "double", c.cpu_share, 4),
        ]), 14))
    if ns.running_package_version:
        f.append(F("running_package_version", "string", ns.running_package_version, 15))
    if ns.installed_package_version:
        f.append(F("installed_package_version", "string", ns.installed_package_version, 16))
    return f


def encode_node_status_reply(statuses: list[NodeStatus], more: bool | None = False) -> bytes:
    """A ``Snh_SandeshUVECacheReq?x=NodeStatus`` reply as a live server sends it (C++ style with ``more``)."""
    msgs = [("NodeStatusUVE", [F("data", "struct", S("NodeStatus", node_status_fields(ns)), 1)]) for ns in statuses]
    resp = [F("returned", "u32", len(statuses), 1), F("period", "i32", 0, 2)]
    if more is not None:
        resp.append(F("more", "bool", more, 0))
    msgs.append(("SandeshUVECacheResp", resp))
    return encode_document(msgs, list_name="__NodeStatusUVE_list")
