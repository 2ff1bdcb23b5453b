"""vrouter agent interfaces (``Snh_ItfReq`` / ``Snh_PageReq``): decoding, paging keys, and the lab's encoder.

The agent answers 100 interfaces per page followed by a ``Pagination`` sandesh whose ``PageReqData``
carries the keys of the next page and of the whole table. ``ItfSandeshData`` grew from 33 to 71
fields over releases, so every field is read by name and anything unknown is ignored.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass

from .sandesh import DEFAULT_MAX_BYTES, F, L, S, SandeshError, Struct, decode_messages, encode_document

PAGE_SIZE = 100
INTERFACE_TABLE = "db.interface.0"
# The filter part of every key the agent hands out for the interface table, in the agent's order.
KEY_FILTERS = ("ip-active", "ip6-active", "ipv4", "ipv6", "l2-active", "mac", "name", "parent", "type",
                "uuid", "vn")
# Interfaces that belong to the host itself, never to a VM: newer agents list vhost0 as a vport with a
# 169.254 address of its own, so the type alone is not enough.
_HOST_TYPES = frozenset({"vhost", "eth", "pkt", "physical", "logical"})
_HOST_NAMES = frozenset({"vhost0", "pkt0", "pkt1", "pkt2", "pkt3"})


class AgentError(ValueError):
    """An agent reply that cannot be used; the message says why in a few words."""


@dataclass(frozen=True)
class AgentInterface:
    """One ``ItfSandeshData`` as the agent reports it (a subset of its fields, by name)."""

    name: str
    type: str = "vport"
    uuid: str = ""
    vm_uuid: str = ""
    vm_name: str = ""
    vn_name: str = ""
    vrf_name: str = ""
    ip_addr: str = ""
    mac_addr: str = ""
    mdata_ip_addr: str = ""
    active: str = "Active"
    ipv4_active: str = "Active"
    label: int = -1
    os_ifindex: int = -1
    index: int = 0
    flow_key_idx: int = -1  # the interface's key next hop: FetchFlowRecord's `nh` for flows it originates
    config_name: str = ""  # domain:project:uuid, what flow records name in `vmi`


@dataclass(frozen=True)
class PageInfo:
    """The ``PageReqData`` of a ``Pagination`` reply: keys for ``Snh_PageReq?x=KEY``."""

    next_page: str = ""
    prev_page: str = ""
    first_page: str = ""
    all: str = ""
    table_size: int = 0
    entries: str = ""


@dataclass(frozen=True)
class ItfPage:
    interfaces: tuple[AgentInterface, ...]
    page: PageInfo | None


@dataclass(frozen=True)
class Vmi:
    """A VM or pod interface reachable through its metadata IP on its own vrouter."""

    vrouter: str
    vrouter_address: str
    name: str
    vm_name: str
    vm_uuid: str
    vn: str
    ip: str
    mac: str
    metadata_ip: str
    active: bool
    flow_key_idx: int = -1  # FetchFlowRecord's `nh` for the flows this interface originates

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def vn_short(self) -> str:
        return self.vn.rsplit(":", 1)[-1]


# ------------------------------------------------------------------------------------ decoding


def _text(st: Struct, key: str) -> str:
    value = st.get(key, "")
    return value if isinstance(value, str) else str(value)


def _int(st: Struct, key: str, default: int) -> int:
    value = st.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def interface_from_struct(st: Struct) -> AgentInterface:
    return AgentInterface(
        name=_text(st, "name"), type=_text(st, "type"), uuid=_text(st, "uuid"), vm_uuid=_text(st, "vm_uuid"),
        vm_name=_text(st, "vm_name"), vn_name=_text(st, "vn_name"), vrf_name=_text(st, "vrf_name"),
        ip_addr=_text(st, "ip_addr"), mac_addr=_text(st, "mac_addr"), mdata_ip_addr=_text(st, "mdata_ip_addr"),
        active=_text(st, "active"), ipv4_active=_text(st, "ipv4_active"), label=_int(st, "label", -1),
        os_ifindex=_int(st, "os_ifindex", -1), index=_int(st, "index", 0),
        flow_key_idx=_int(st, "flow_key_idx", -1), config_name=_text(st, "config_name"),
    )


def page_from_struct(st: Struct) -> PageInfo:
    """A ``Pagination`` sandesh's ``PageReqData`` (keys never hold spaces: re-indented captures' padding goes)."""
    size = st.get("table_size", 0)
    return PageInfo(
        next_page=_text(st, "next_page").strip(), prev_page=_text(st, "prev_page").strip(),
        first_page=_text(st, "first_page").strip(), all=_text(st, "all").strip(),
        table_size=size if isinstance(size, int) and size >= 0 else 0, entries=_text(st, "entries").strip(),
    )


def decode_itf_reply(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> ItfPage:
    """One ``Snh_ItfReq`` or ``Snh_PageReq`` reply: its interfaces and, if present, its paging keys."""
    try:
        messages = decode_messages(body, max_bytes)
    except SandeshError as exc:
        raise AgentError(str(exc)) from None
    interfaces: list[AgentInterface] = []
    page: PageInfo | None = None
    seen_resp = False
    for msg in messages:
        if msg.name == "ItfResp":
            seen_resp = True
            items = msg.fields.get("itf_list", [])
            for item in items if isinstance(items, list) else []:
                if isinstance(item, Struct):
                    interfaces.append(interface_from_struct(item))
        elif msg.name == "Pagination":
            req = msg.fields.get("req")
            if isinstance(req, Struct):
                page = page_from_struct(req)
        elif msg.name == "ErrorResp":
            resp = msg.fields.get("resp", "")
            raise AgentError(f"agent refused the request: {resp}" if resp else "agent refused the request")
    if not seen_resp and page is None:
        names = ", ".join(sorted({m.name for m in messages})) or "nothing"
        raise AgentError(f"not an interface reply (got {names})")
    return ItfPage(tuple(interfaces), page)


def is_vm_interface(itf: AgentInterface) -> bool:
    """A VM/pod interface with a metadata IP: neither the host's own (vhost0, eth, pkt) nor one without."""
    if itf.type in _HOST_TYPES or itf.name in _HOST_NAMES:
        return False
    return is_metadata_ip(itf.mdata_ip_addr)


def vmis_from(vrouter: str, vrouter_address: str, interfaces: list[AgentInterface] | tuple) -> list[Vmi]:
    out: list[Vmi] = []
    seen: set[str] = set()
    for itf in interfaces:
        # Following pages while the table changes can return an interface twice; keep the first.
        if not is_vm_interface(itf) or (itf.uuid and itf.uuid in seen):
            continue
        if itf.uuid:
            seen.add(itf.uuid)
        out.append(Vmi(vrouter, vrouter_address, itf.name, itf.vm_name, itf.vm_uuid, itf.vn_name, itf.ip_addr,
                       itf.mac_addr, itf.mdata_ip_addr, itf.active == "Active", itf.flow_key_idx))
    return out


# ------------------------------------------------------------------------------------ page keys


@dataclass(frozen=True)
class PageKey:
    begin: int
    end: int
    table: str = INTERFACE_TABLE
    filters: tuple[tuple[str, str], ...] = tuple((f, "") for f in KEY_FILTERS)  # the agent's order

    def encode(self) -> str:
        """The agent's own spelling: its argument map, then a comma and the filters (none: a trailing comma)."""
        base = f"begin:{self.begin},end:{self.end},table:{self.table},"
        return base + ",".join(f"{k}:{v}" for k, v in self.filters)

    @property
    def is_all(self) -> bool:
        return self.begin == -1 and self.end == -1


def parse_page_key(key: str) -> PageKey:
    """``begin:0,end:99,table:db.interface.0,ip-active:,...`` (the agent's own key format)."""
    if not key or len(key) > 2048:
        raise AgentError("empty or oversized page key")
    values: dict[str, str] = {}
    filters: list[tuple[str, str]] = []
    for part in key.split(","):
        if not part:
            continue
        name, sep, value = part.partition(":")
        if not sep:
            raise AgentError(f"malformed page key part {part[:40]!r}")
        if name in ("begin", "end", "table"):
            values[name] = value
        else:
            filters.append((name, value))
    try:
        begin, end = int(values["begin"]), int(values["end"])
    except (KeyError, ValueError):
        raise AgentError("page key without numeric begin/end") from None
    if begin < -1 or end < -1 or (begin >= 0 and end < begin):
        raise AgentError(f"page key with an invalid range {begin}..{end}")
    return PageKey(begin, end, values.get("table", INTERFACE_TABLE), tuple(filters))


_NO_FILTERS = tuple((f, "") for f in KEY_FILTERS)


def all_key(table: str = INTERFACE_TABLE, filters: tuple[tuple[str, str], ...] = _NO_FILTERS) -> str:
    return PageKey(-1, -1, table, filters).encode()


def page_info_for(begin: int, table_size: int, page_size: int = PAGE_SIZE, table: str = INTERFACE_TABLE,
                  filters: tuple[tuple[str, str], ...] = _NO_FILTERS) -> PageInfo:
    """The keys the agent sends after the page starting at ``begin`` (``begin=-1``: the whole table)."""
    first = PageKey(0, page_size - 1, table, filters).encode()
    everything = all_key(table, filters)
    if begin < 0:
        return PageInfo("", "", first, everything, table_size,
                        f"0-{table_size - 1}/{table_size}" if table_size else "0-0/0")
    end = min(begin + page_size, table_size) - 1
    nxt = PageKey(end + 1, end + page_size, table, filters).encode() if end + 1 < table_size else ""
    prev = PageKey(max(0, begin - page_size), begin - 1, table, filters).encode() if begin > 0 else ""
    entries = f"{begin}-{end}/{table_size}" if table_size else "0-0/0"
    return PageInfo(nxt, prev, first, everything, table_size, entries)


# ------------------------------------------------------------------------------------ encoding (lab)


def _itf_struct(itf: AgentInterface) -> S:
    # Identifiers as the agent declares them; order as the C++ agent sends them (declaration order).
    return S("ItfSandeshData", [
        F("index", "i32", itf.index, 1),
        F("name", "string", itf.name, 2),
        F("uuid", "string", itf.uuid, 3),
        F("vrf_name", "string", itf.vrf_name, 4, link="VrfListReq"),
        F("active", "string", itf.active, 5),
        F("ipv4_active", "string", itf.ipv4_active, 49),
        F("l2_active", "string", "L2 Active", 28),
        F("dhcp_service", "string", "Enable", 6),
        F("dns_service", "string", "Enable", 7),
        F("type", "string", itf.type, 8),
        F("label", "i32", itf.label, 9),
        F("vn_name", "string", itf.vn_name, 10, link="VnListReq"),
        F("vm_uuid", "string", itf.vm_uuid, 11, link="VmListReq"),
        F("vm_name", "string", itf.vm_name, 12),
        F("ip_addr", "string", itf.ip_addr, 13),
        F("mac_addr", "string", itf.mac_addr, 14),
        F("policy", "string", "Enable" if itf.type == "vport" else "Disable", 15),
        F("fip_list", "list", L("struct", []), 16),
        F("mdata_ip_addr", "string", itf.mdata_ip_addr, 17),
        F("os_ifindex", "i32", itf.os_ifindex, 19),
        F("config_name", "string", itf.config_name, 23),
        F("admin_state", "string", "Enabled", 31),
        F("flow_key_idx", "i32", itf.flow_key_idx, 32),
        F("ip6_addr", "string", "--NA--", 34),
        F("transport", "string", "Ethernet", 44),
        F("fixed_ip4_list", "list", L("string", [itf.ip_addr] if itf.ip_addr else []), 50),
        F("metadata_ip_active", "string", "Active" if is_metadata_ip(itf.mdata_ip_addr) else "Inactive", 54),
        F("max_flows", "i32", 0, 67),
    ])


def _page_struct(page: PageInfo) -> S:
    return S("PageReqData", [
        F("prev_page", "string", page.prev_page, 1, link="PageReq"),
        F("next_page", "string", page.next_page, 2, link="PageReq"),
        F("first_page", "string", page.first_page, 3, link="PageReq"),
        F("all", "string", page.all, 4, link="PageReq"),
        F("table_size", "u32", page.table_size, 5),
        F("entries", "string", page.entries, 6),
    ])


def encode_itf_reply(interfaces: list[AgentInterface] | tuple, page: PageInfo | None) -> bytes:
    """A reply in the agent's shape: ``__ItfResp_list`` / ``ItfResp`` / ``itf_list``, then ``Pagination``."""
    messages: list[tuple[str, list[F]]] = [
        ("ItfResp", [F("itf_list", "list", L("struct", [_itf_struct(i) for i in interfaces]), 1),
                     F("more", "bool", page is not None, 0)]),
    ]
    if page is not None:
        messages.append(("Pagination", [F("req", "struct", _page_struct(page), 1), F("more", "bool", False, 0)]))
    return encode_document(messages, list_name="__ItfResp_list")


def encode_itf_table(interfaces: list[AgentInterface], key: PageKey | None, page_size: int = PAGE_SIZE) -> bytes:
    """The reply to ``Snh_ItfReq`` (``key=None``: first page) or ``Snh_PageReq?x=key`` over a whole table."""
    key = key or PageKey(0, page_size - 1)
    total = len(interfaces)
    if key.is_all:
        return encode_itf_reply(interfaces, page_info_for(-1, total, page_size, key.table, key.filters))
    begin = min(max(key.begin, 0), total)
    chunk = interfaces[begin:begin + page_size]
    return encode_itf_reply(chunk, page_info_for(begin, total, page_size, key.table, key.filters))


# ------------------------------------------------------------------------------------ validation


class InvalidInput(ValueError):
    """Input refused before it could reach a command line."""


def is_metadata_ip(value: str) -> bool:
    """A usable metadata IP: IPv4 link-local 169.254.0.0/16, not the network or broadcast address."""
    if not value or len(value) > 15:
        return False
    try:
        ip = ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return ip in _LINK_LOCAL and ip not in (_LINK_LOCAL.network_address, _LINK_LOCAL.broadcast_address) \
        and str(ip) == value


_LINK_LOCAL = ipaddress.IPv4Network("169.254.0.0/16")


def validate_metadata_ip(value: str) -> str:
    if not isinstance(value, str) or not is_metadata_ip(value):
        raise InvalidInput(f"{str(value)[:60]!r} is not a metadata IP (169.254.x.y)")
    return value


def _name_ok(value: str, max_len: int, extra: str) -> bool:
    if not value or len(value) > max_len or value[0] in "-.":
        return False
    return all(c.isascii() and (c.isalnum() or c in extra) for c in value)


def validate_user(value: str) -> str:
    """A login name as OpenSSH and useradd accept it; no option-like or shell-active characters."""
    if not isinstance(value, str) or not _name_ok(value, 32, "_.-"):
        raise InvalidInput(f"{str(value)[:60]!r} is not a valid user name")
    return value


def validate_vm_name(value: str) -> str:
    """A VM or pod name as typed on the command line (k8s names, nova names, ``ns__pod``)."""
    if not isinstance(value, str) or not _name_ok(value, 253, "_.:@-"):
        raise InvalidInput(f"{str(value)[:60]!r} is not a valid VM or pod name")
    return value
