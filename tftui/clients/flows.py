"""A vrouter agent's flows over introspect: the flow table page by page, one flow by key, kernel flows, ACLs,
per-rule hit counts and an ACL's flows — read-only, on the generic request client (clients/introspect_requests).

The agent walks a table that changes under it: a flow can come twice (de-duplicated by uuid here) or be
missed; a table of 100k flows is a thousand requests, so a read stops at a page cap and says where to go on
("load more" resumes from that key). ``FlowErrorResp`` after a page is the end of the table, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from tftui.core.agent import AgentInterface, interface_from_struct
from tftui.core.flows.acl import (
    Acl,
    AclCounts,
    AclFlowPage,
    acl_flows_from_messages,
    acls_from_messages,
    counts_from_messages,
)
from tftui.core.flows.kernel import KernelFlow, kflows_from_messages
from tftui.core.flows.lean import decode_flow_messages
from tftui.core.flows.records import (
    NO_RECORD,
    FlowDecodeError,
    FlowRecord,
    FlowTableInfo,
    page_from_messages,
    record_from_messages,
    table_info_from_messages,
)
from tftui.core.sandesh import Struct

from .agent import AGENT_SERVICE, VrouterTarget
from .introspect import IntrospectClient, IntrospectSettings
from .introspect_requests import (
    Decoder,
    IntrospectReply,
    IntrospectRequester,
    IntrospectRequestError,
    RequestLimits,
    strict_messages,
)

DEFAULT_PAGE_CAP = 100  # 10,000 flows per read; "load more" goes on from where it stopped


class FlowReadError(Exception):
    """A flow read that failed; the message is fit to show as is."""


@dataclass(frozen=True)
class FlowTableRead:
    """What one read of a flow table brought: flows (each once), where to go on, and what went wrong."""

    target: VrouterTarget
    flows: tuple[FlowRecord, ...]
    next_key: str = ""  # where "load more" continues; "" when the table was read to its end
    pages: int = 0
    duplicates: int = 0  # records the agent handed out twice while its table changed between pages
    error: str = ""  # a page that failed after others arrived: what arrived is kept

    @property
    def complete(self) -> bool:
        return not self.next_key and not self.error


@dataclass(frozen=True)
class KernelFlowRead:
    target: VrouterTarget
    flows: tuple[KernelFlow, ...]
    next_handle: str = ""
    pages: int = 0
    error: str = ""


def _where(target: VrouterTarget) -> str:
    return f"{target.name} ({target.address}:{target.port})"


class FlowClient:
    """``async with FlowClient(settings) as c: await c.flows(target)``. One HTTP client (keep-alive, caps, TLS,
    proxy: clients/introspect.py) under two request walkers: the flow table's, stopped at ``page_cap`` pages,
    and one for the bounded listings (interfaces, ACLs, kernel flows)."""

    def __init__(self, settings: IntrospectSettings | None = None, page_cap: int = DEFAULT_PAGE_CAP):
        self.settings = settings or IntrospectSettings()
        self.page_cap = max(1, page_cap)
        self._http = IntrospectClient(self.settings)
        self._table = IntrospectRequester(self.settings, RequestLimits(max_pages=self.page_cap, max_items=10_000_000),
                                          client=self._http)
        self._lists = IntrospectRequester(self.settings, RequestLimits(max_pages=1000, max_items=10_000_000),
                                          client=self._http)

    async def __aenter__(self) -> FlowClient:
        await self._http.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self._http.close()

    async def _request(self, target: VrouterTarget, name: str, args: dict | None = None,
                       walker: IntrospectRequester | None = None, decode: Decoder = strict_messages) -> IntrospectReply:
        try:
            return await (walker or self._lists).request(target.address, target.port, name, args,
                                                         service=AGENT_SERVICE, decode=decode)
        except IntrospectRequestError as exc:
            raise FlowReadError(f"{_where(target)}: {exc}") from None

    # ---------------------------------------------------------------------------- the flow table

    async def flows(self, target: VrouterTarget, resume: str = "") -> FlowTableRead:
        """The table from the start, or from ``resume`` (a read's ``next_key``), up to ``page_cap`` pages."""
        reply = await (self._request(target, "NextFlowRecordsSet", {"flow_key": resume}, self._table,
                                     decode_flow_messages) if resume
                       else self._request(target, "FetchAllFlowRecords", walker=self._table,
                                          decode=decode_flow_messages))
        try:
            page = page_from_messages(reply.messages) if reply.messages else None
        except FlowDecodeError as exc:
            raise FlowReadError(f"{_where(target)}: {exc}") from None
        error = reply.error or ""
        if error.strip() == NO_RECORD.strip() or (page is not None and page.error and not error):
            error = ""  # FlowErrorResp: the walk ran past the last flow table
        if page is None and error:
            raise FlowReadError(f"{_where(target)}: {error}")
        if reply.stopped and reply.more is None:
            error = error or reply.stopped  # a loop: keep what came, say why it ended
        seen: dict[str, FlowRecord] = {}
        for rec in page.flows if page else ():
            seen.setdefault(rec.identity, rec)
        total = len(page.flows) if page else 0
        nxt = reply.more.key if reply.more is not None else ""
        return FlowTableRead(target, tuple(seen.values()), nxt, reply.pages, total - len(seen), error)

    async def flow(self, target: VrouterTarget, nh: int, sip: str, dip: str, src_port: int, dst_port: int,
                   protocol: int) -> FlowRecord | None:
        """One flow by its exact key (``nh`` = the interface's ``flow_key_idx``); None when the agent has none."""
        reply = await self._request(target, "FetchFlowRecord", {
            "nh": nh, "sip": sip, "dip": dip, "src_port": src_port, "dst_port": dst_port, "protocol": protocol},
            decode=decode_flow_messages)
        if reply.error and (reply.error.strip() == NO_RECORD.strip() or not reply.messages):
            if reply.error.strip() == NO_RECORD.strip():
                return None
            raise FlowReadError(f"{_where(target)}: {reply.error}")
        try:
            return record_from_messages(reply.messages)
        except FlowDecodeError as exc:
            raise FlowReadError(f"{_where(target)}: {exc}") from None

    async def table_info(self, target: VrouterTarget) -> FlowTableInfo:
        return await self._decoded(target, "SandeshFlowTableInfoRequest", None, table_info_from_messages)

    # ---------------------------------------------------------------------------- kernel, ACLs

    async def kernel_flows(self, target: VrouterTarget, show_evicted: bool = False,
                           flow_idx: int = -1) -> KernelFlowRead:
        reply = await self._request(target, "KFlowReq", {"flow_idx": flow_idx, "show_evicted": show_evicted})
        if not reply.messages and reply.error:
            raise FlowReadError(f"{_where(target)}: {reply.error}")
        flows: list[KernelFlow] = []
        try:
            page = kflows_from_messages(reply.messages)
        except FlowDecodeError as exc:
            raise FlowReadError(f"{_where(target)}: {exc}") from None
        flows.extend(page.flows)
        error = reply.error or ""
        if "Invalid Input" in error and flow_idx != -1:
            error = ""  # ErrResp for one index: no flow there
        return KernelFlowRead(target, tuple(flows), reply.more.key if reply.more else "", reply.pages, error)

    async def _decoded(self, target: VrouterTarget, name: str, args: dict | None, decode):
        """The reply through ``decode``; an agent that answered nothing usable is a FlowReadError."""
        reply = await self._request(target, name, args)
        if reply.error and not reply.messages:
            raise FlowReadError(f"{_where(target)}: {reply.error}")
        try:
            return decode(reply.messages)
        except FlowDecodeError as exc:
            raise FlowReadError(f"{_where(target)}: {reply.error or exc}") from None

    async def acls(self, target: VrouterTarget, uuid: str = "") -> list[Acl]:
        return await self._decoded(target, "AclReq", {"uuid": uuid} if uuid else None, acls_from_messages)

    async def acl_counts(self, target: VrouterTarget, acl_uuid: str) -> AclCounts:
        """Flows of the ACL and hits per rule (ACE id), every page merged."""
        return await self._decoded(target, "AclFlowCountReq", {"uuid": acl_uuid}, counts_from_messages)

    async def acl_flows(self, target: VrouterTarget, acl_uuid: str) -> AclFlowPage:
        """The flows that evaluated the ACL, each once."""
        return await self._decoded(target, "AclFlowReq", {"uuid": acl_uuid}, acl_flows_from_messages)

    async def interfaces(self, target: VrouterTarget) -> list[AgentInterface]:
        """Every interface of the agent (``ItfReq``, all pages), for ``flow_key_idx`` and VM names."""
        reply = await self._request(target, "ItfReq")
        if reply.error and not reply.messages:
            raise FlowReadError(f"{_where(target)}: {reply.error}")
        out = []
        for msg in reply.messages:
            if msg.name == "ItfResp":
                out += [interface_from_struct(i) for i in msg.fields.get("itf_list") or [] if isinstance(i, Struct)]
        return out
