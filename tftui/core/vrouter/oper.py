"""The agent's oper tables: VRFs (``VrfListReq``), unicast routes (``Inet4UcRouteReq``/``Inet6UcRouteReq``) with their
paths and next hops, and next hops (``NhListReq``).

Names and identifiers from tf-controller ``src/vnsw/agent/oper/agent.sandesh``. Every list comes 100 entries per
page, followed by a ``Pagination`` sandesh whose keys (``begin:B,end:E,table:T,`` + filters) go to ``PageReq``.
Route tables are named ``<vrf>.uc.route.0`` (inet6: ``.uc.route6.0``); a VRF's ``ucindex`` is the
``vrf_index`` parameter of the route requests. Fields grew over releases (``mac`` turned from a string into a
list), so everything is read by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..agent import PAGE_SIZE, PageInfo, PageKey, page_from_struct, page_info_for
from ..sandesh import DEFAULT_MAX_BYTES, F, L, Message, S, Struct, encode_document
from ..sandesh_fields import decode_reply, flag, num, of_type, strings, struct, structs, text

VRF_TABLE = "db.vrf.0"
NH_TABLE = "db.nexthop.0"
NH_FILTERS = (("nh_index", ""), ("policy_enabled", ""), ("type", ""))  # the agent's sorted argument map


def route_table_name(vrf: str, inet6: bool = False) -> str:
    return f"{vrf}.uc.route6.0" if inet6 else f"{vrf}.uc.route.0"


@dataclass(frozen=True)
class Vrf:
    name: str
    ucindex: int
    uc6index: int = -1
    vn: str = ""
    source: str = "Config;"
    table_label: int = -1
    vxlan_id: int = 0
    rd: str = ""


@dataclass(frozen=True)
class NextHop:
    type: str
    index: int = 0
    valid: bool = True
    policy: str = ""
    itf: str = ""  # interface next hops: the tap / vhost0
    sip: str = ""  # tunnel next hops: this vrouter's address
    dip: str = ""  # tunnel next hops: the remote vrouter
    vrf: str = ""
    mac: str = ""
    tunnel_type: str = ""
    label: int = -1
    ref_count: int = 0

    @property
    def target(self) -> str:
        """Where packets go, in one word: the interface, the tunnel's far end, the VRF, or the type."""
        if self.type == "tunnel" and self.dip:
            return f"{self.dip} ({self.tunnel_type})" if self.tunnel_type else self.dip
        if self.itf:
            return self.itf
        if self.type == "vrf" and self.vrf:
            return self.vrf
        return self.type or "-"


@dataclass(frozen=True)
class AgentPath:
    peer: str  # LocalVmPort, Local, LinkLocal, a control node's address (learned over XMPP), ...
    nh: NextHop
    label: int = -1
    vxlan_id: int = 0
    dest_vns: tuple[str, ...] = ()
    unresolved: bool = False
    gw_ip: str = ""
    vrf: str = ""
    supported_tunnel_type: str = ""
    active_tunnel_type: str = ""
    stale: bool = False
    preference: int = 0
    sequence: int = 0
    ecmp: bool = False
    communities: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgentRoute:
    vrf: str
    src_ip: str
    plen: int
    paths: tuple[AgentPath, ...] = ()
    proxy_arp: bool = False

    @property
    def prefix(self) -> str:
        return f"{self.src_ip}/{self.plen}"

    @property
    def active(self) -> AgentPath | None:
        """The path the agent installs: the first one, as the oper DB sorts them."""
        return self.paths[0] if self.paths else None


@dataclass(frozen=True)
class Page:
    """One reply of a paged agent list: its items and, when present, the keys of the other pages."""

    items: tuple
    page: PageInfo | None


# ------------------------------------------------------------------------------------ decoding


def vrf_from_struct(st: Struct) -> Vrf:
    return Vrf(name=text(st, "name"), ucindex=num(st, "ucindex", -1), uc6index=num(st, "uc6index", -1),
               vn=text(st, "vn"), source=text(st, "source"), table_label=num(st, "table_label", -1),
               vxlan_id=num(st, "vxlan_id"), rd=text(st, "RD"))


def nh_from_struct(st: Struct) -> NextHop:
    macs = strings(st, "mac")
    return NextHop(
        type=text(st, "type"), index=num(st, "nh_index"), valid=text(st, "valid") != "false",
        policy=text(st, "policy"), itf=text(st, "itf"), sip=text(st, "sip"), dip=text(st, "dip"), vrf=text(st, "vrf"),
        mac=macs[0] if macs else "", tunnel_type=text(st, "tunnel_type"), label=num(st, "label", -1),
        ref_count=num(st, "ref_count"),
    )


def path_from_struct(st: Struct) -> AgentPath:
    pref = struct(st, "path_preference_data")
    return AgentPath(
        peer=text(st, "peer"), nh=nh_from_struct(struct(st, "nh")), label=num(st, "label", -1),
        vxlan_id=num(st, "vxlan_id"), dest_vns=strings(st, "dest_vn_list"), unresolved=flag(st, "unresolved"),
        gw_ip=text(st, "gw_ip"), vrf=text(st, "vrf"), supported_tunnel_type=text(st, "supported_tunnel_type"),
        active_tunnel_type=text(st, "active_tunnel_type"), stale=flag(st, "stale"),
        preference=num(pref, "preference"), sequence=num(pref, "sequence"), ecmp=flag(pref, "ecmp"),
        communities=strings(st, "communities"),
    )


def route_from_struct(st: Struct) -> AgentRoute:
    return AgentRoute(vrf=text(st, "src_vrf"), src_ip=text(st, "src_ip"), plen=num(st, "src_plen"),
                      paths=tuple(path_from_struct(p) for p in structs(st, "path_list")),
                      proxy_arp=flag(st, "proxy_arp"))


VRF_REPLIES = ("VrfListResp",)
ROUTE_REPLIES = ("Inet4UcRouteResp", "Inet6UcRouteResp")
NH_REPLIES = ("NhListResp",)


def paged_from(messages: list[Message], names: tuple[str, ...], list_field: str, convert) -> Page:
    """Items of every ``names`` message (one page, or every page a client followed), and the last paging keys."""
    items = [convert(s) for resp in of_type(messages, names) for s in structs(resp, list_field)]
    pages = [page_from_struct(struct(p, "req")) for p in of_type(messages, ("Pagination",))]
    return Page(tuple(items), pages[-1] if pages else None)


def decode_vrfs(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Page:
    return vrfs_from(decode_reply(body, VRF_REPLIES, max_bytes))


def vrfs_from(messages: list[Message]) -> Page:
    return paged_from(messages, VRF_REPLIES, "vrf_list", vrf_from_struct)


def decode_uc_routes(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Page:
    """An ``Inet4UcRouteResp`` or ``Inet6UcRouteResp`` page."""
    return uc_routes_from(decode_reply(body, ROUTE_REPLIES, max_bytes))


def uc_routes_from(messages: list[Message]) -> Page:
    return paged_from(messages, ROUTE_REPLIES, "route_list", route_from_struct)


def decode_nhs(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Page:
    return nhs_from(decode_reply(body, NH_REPLIES, max_bytes))


def nhs_from(messages: list[Message]) -> Page:
    return paged_from(messages, NH_REPLIES, "nh_list", nh_from_struct)


# ------------------------------------------------------------------------------------ encoding (lab)


def _vrf_struct(v: Vrf) -> S:
    return S("VrfSandeshData", [
        F("name", "string", v.name, 1), F("ucindex", "i32", v.ucindex, 2, link="Inet4UcRouteReq"),
        F("mcindex", "i32", v.ucindex, 3, link="Inet4McRouteReq"),
        F("l2index", "i32", v.ucindex, 4, link="Layer2RouteReq"), F("source", "string", v.source, 5),
        F("uc6index", "i32", v.uc6index, 6, link="Inet6UcRouteReq"), F("vn", "string", v.vn, 7, link="VnListReq"),
        F("table_label", "i32", v.table_label, 8), F("vxlan_id", "i32", v.vxlan_id, 9),
        F("evpnindex", "i32", v.ucindex, 10, link="EvpnRouteReq"),
        F("brindex", "i32", v.ucindex, 11, link="BridgeRouteReq"),
        F("mplsindex", "i32", v.ucindex, 12, link="Inet4MplsUcRouteReq"), F("RD", "string", v.rd, 13),
    ])


def _nh_struct(nh: NextHop) -> S:
    """Only the fields the agent sets for the next hop's type, as it does (optional fields stay out)."""
    fields = [F("type", "string", nh.type, 1), F("ref_count", "i32", nh.ref_count, 2)]
    if nh.type:
        fields += [F("valid", "string", "true" if nh.valid else "false", 3), F("policy", "string", nh.policy, 4)]
    if nh.sip:
        fields.append(F("sip", "string", nh.sip, 5))
    if nh.dip:
        fields.append(F("dip", "string", nh.dip, 6))
    if nh.vrf:
        fields.append(F("vrf", "string", nh.vrf, 7, link="VrfListReq"))
    if nh.itf:
        fields.append(F("itf", "string", nh.itf, 8, link="ItfReq"))
    if nh.mac:
        fields.append(F("mac", "list", L("string", [nh.mac]), 9))
    if nh.type == "interface":
        fields.append(F("mcast", "string", "disabled", 12))
    if nh.tunnel_type:
        fields.append(F("tunnel_type", "string", nh.tunnel_type, 16))
    fields += [F("nh_index", "i32", nh.index, 21), F("vxlan_flag", "bool", False, 24), F("intf_flags", "i32", 0, 34),
               F("isid", "i32", 0, 26), F("learning_enabled", "bool", False, 27), F("etree_leaf", "bool", False, 28),
               F("layer2_control_word", "bool", False, 29), F("crypt_all_traffic", "bool", False, 31),
               F("crypt_path_available", "bool", False, 32), F("crypt_interface", "string", "", 33)]
    return S("NhSandeshData", fields)


def _path_struct(p: AgentPath) -> S:
    pref = S("PathPreferenceSandeshData", [F("sequence", "i32", p.sequence, 1), F("preference", "i32", p.preference, 2),
                                           F("ecmp", "bool", p.ecmp, 3), F("wait_for_traffic", "bool", True, 4)])
    fields = [F("nh", "struct", _nh_struct(p.nh), 1), F("label", "i32", p.label, 2),
              F("vxlan_id", "i32", p.vxlan_id, 3), F("peer", "string", p.peer, 4),
              F("dest_vn_list", "list", L("string", list(p.dest_vns)), 5, link="VnListReq"),
              F("unresolved", "string", "true" if p.unresolved else "false", 6)]
    if p.gw_ip:
        fields.append(F("gw_ip", "string", p.gw_ip, 7))
    if p.vrf:
        fields.append(F("vrf", "string", p.vrf, 8, link="VrfListReq"))
    fields += [F("sg_list", "list", L("i32", []), 10),
               F("supported_tunnel_type", "string", p.supported_tunnel_type, 11),
               F("active_tunnel_type", "string", p.active_tunnel_type, 12), F("stale", "bool", p.stale, 13),
               F("path_preference_data", "struct", pref, 14), F("active_label", "i32", p.label, 16),
               F("ecmp_hashing_fields", "string",
                 "l3-source-address,l3-destination-address,l4-protocol,l4-source-port,l4-destination-port,", 20),
               F("communities", "list", L("string", list(p.communities)), 21),
               F("peer_sequence_number", "u64", 0, 22), F("etree_leaf", "bool", False, 23),
               F("layer2_control_word", "bool", False, 24), F("inactive", "bool", False, 26),
               F("origin_vn", "string", p.dest_vns[0] if p.dest_vns else "", 27)]
    return S("PathSandeshData", fields)


def _route_struct(r: AgentRoute) -> S:
    return S("RouteUcSandeshData", [
        F("src_ip", "string", r.src_ip, 1), F("src_plen", "i32", r.plen, 2),
        F("src_vrf", "string", r.vrf, 3, link="VrfListReq"),
        F("path_list", "list", L("struct", [_path_struct(p) for p in r.paths]), 4),
        F("ipam_subnet_route", "bool", False, 5), F("ipam_host_route", "bool", False, 8),
        F("proxy_arp", "bool", r.proxy_arp, 6), F("multicast", "bool", False, 7),
        F("intf_route_type", "string", "interface" if r.paths and r.paths[0].peer == "LocalVmPort" else "", 9),
    ])


def _pagination(page: PageInfo) -> tuple[str, list[F]]:
    req = S("PageReqData", [
        F("prev_page", "string", page.prev_page, 1, link="PageReq"),
        F("next_page", "string", page.next_page, 2, link="PageReq"),
        F("first_page", "string", page.first_page, 3, link="PageReq"),
        F("all", "string", page.all, 4, link="PageReq"), F("table_size", "u32", page.table_size, 5),
        F("entries", "string", page.entries, 6),
    ])
    return "Pagination", [F("req", "struct", req, 1), F("more", "bool", False, 0)]


def encode_paged(resp_name: str, list_field: str, structs_: list[S], page: PageInfo) -> bytes:
    """``__<Resp>_list``: the response with one page of items (more=true), then the ``Pagination`` sandesh."""
    messages = [(resp_name, [F(list_field, "list", L("struct", structs_), 1), F("more", "bool", True, 0)]),
                _pagination(page)]
    return encode_document(messages, list_name=f"__{resp_name}_list")


def page_window(total: int, key: PageKey | None, table: str, filters: tuple[tuple[str, str], ...] = (),
                page_size: int = PAGE_SIZE) -> tuple[int, int, PageInfo]:
    """(start, stop, keys) of the page a request asks for: the first page, or the one a ``PageReq`` key names."""
    if key is not None and key.is_all:
        return 0, total, page_info_for(-1, total, page_size, table, filters)
    begin = min(max(key.begin if key else 0, 0), total)
    return begin, min(begin + page_size, total), page_info_for(begin, total, page_size, table, filters)


def encode_vrfs(vrfs: list[Vrf], key: PageKey | None = None) -> bytes:
    start, stop, page = page_window(len(vrfs), key, VRF_TABLE)
    return encode_paged("VrfListResp", "vrf_list", [_vrf_struct(v) for v in vrfs[start:stop]], page)


def encode_uc_routes(routes: list[AgentRoute], vrf: str, key: PageKey | None = None, inet6: bool = False) -> bytes:
    start, stop, page = page_window(len(routes), key, route_table_name(vrf, inet6))
    name = "Inet6UcRouteResp" if inet6 else "Inet4UcRouteResp"
    return encode_paged(name, "route_list", [_route_struct(r) for r in routes[start:stop]], page)


def encode_nhs(nhs: list[NextHop], key: PageKey | None = None, filters: tuple[tuple[str, str], ...] = NH_FILTERS) -> bytes:
    start, stop, page = page_window(len(nhs), key, NH_TABLE, filters)
    return encode_paged("NhListResp", "nh_list", [_nh_struct(n) for n in nhs[start:stop]], page)
