"""The flows client against misbehaving agents: every HTTP-level fault the lab can serve, a page that fails
half-way through a walk (what arrived is kept), a server that hands out the same key forever, and huge or
malformed flow records — a clear message each time, no crash, no hang."""

from __future__ import annotations

import time

import pytest
from helpers.flows_lab import flows_lab, target

from tftui.clients.flows import FlowClient, FlowReadError
from tftui.clients.introspect import IntrospectSettings
from tftui.core.flows.records import encode_flow_page
from tftui.lab.flows import handlers
from tftui.lab.introspect_table import serves
from tftui.lab.topology import ServiceBehaviour

FAULTS = {
    "http500": "HTTP 500", "http404": "HTTP 404", "nonxml": "not XML", "truncated": "malformed XML",
    "laughs": "DTD/entity", "xxe": "DTD/entity", "gzipbomb": "compressed reply refused", "huge": "too large",
    "reset": "", "drip": "no reply in time",
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_every_fault_is_a_clear_error(fault):
    async with flows_lab(11, config_api=False) as (topo, intro, api, traffic):
        vr = topo.vrouters()[0]
        vr.behaviour["vrouter-agent"] = ServiceBehaviour(fault)
        settings = IntrospectSettings(timeout=2.0, max_bytes=4 * 1024 * 1024)
        started = time.monotonic()
        async with FlowClient(settings) as client:
            with pytest.raises(FlowReadError) as exc:
                await client.flows(target(topo))
        assert time.monotonic() - started < 10
        assert str(exc.value).startswith(f"{vr.name} ({vr.address}:8085): ")
        assert FAULTS[fault] in str(exc.value)
        assert "\x1b" not in str(exc.value)


@pytest.fixture
def replaced_next_page():
    """Swap the lab's NextFlowRecordsSet handler for the test, and put the real one back."""
    def swap(fn):
        serves("NextFlowRecordsSet")(fn)
    yield swap
    serves("NextFlowRecordsSet")(handlers.next_set)


async def test_a_page_failing_mid_walk_keeps_what_arrived(replaced_next_page):
    async with flows_lab(12, extra_flows=300, config_api=False) as (topo, intro, api, traffic), \
            FlowClient(IntrospectSettings(timeout=3.0)) as client:
        calls = []

        def failing(lab, node, svc, args):
            calls.append(args["flow_key"])
            if len(calls) == 2:
                return b"<FlowRecordsResp type=\"sandesh\"><flow_list type=\"list\">"  # cut off
            return handlers.next_set(lab, node, svc, args)

        replaced_next_page(failing)
        read = await client.flows(target(topo))
        assert len(read.flows) == 200 and "malformed XML" in read.error and not read.complete
        assert len({r.uuid for r in read.flows}) == 200


async def test_a_key_handed_out_forever_stops_as_a_loop(replaced_next_page):
    async with flows_lab(13, extra_flows=300, config_api=False) as (topo, intro, api, traffic), \
            FlowClient(IntrospectSettings(timeout=3.0)) as client:
        def stuck(lab, node, svc, args):
            records, _ = handlers.flows_of(lab, node).page(args["flow_key"])
            return encode_flow_page(records, "0-101-1-1-6-10.0.0.1-10.0.0.2")  # the same key, page after page

        replaced_next_page(stuck)
        read = await client.flows(target(topo))
        assert "twice" in read.error and "loop" in read.error
        assert len(read.flows) >= 100 and read.duplicates >= 0


async def test_garbage_inside_records_decodes_without_crash(replaced_next_page):
    async with flows_lab(14, config_api=False) as (topo, intro, api, traffic), \
            FlowClient(IntrospectSettings(timeout=3.0)) as client:
        def odd(lab, node, svc, args):
            return (b'<FlowRecordsResp type="sandesh"><flow_list type="list"><list type="struct" size="2">'
                    b'<SandeshFlowData><sip type="string">[bold]1.1.1.1[/]</sip><protocol type="u16">tcp</protocol>'
                    b'<action type="i32">-1</action><policy type="struct"/><local_tag_list type="list"/>'
                    b'</SandeshFlowData><SandeshFlowData/></list></flow_list>'
                    b'<flow_key type="string" link="NextFlowRecordsSet">0-0-0-0-0-0.0.0.0-0.0.0.0</flow_key>'
                    b'</FlowRecordsResp>')

        serves("FetchAllFlowRecords")(odd)
        try:
            read = await client.flows(target(topo))
        finally:
            serves("FetchAllFlowRecords")(handlers.fetch_all)
        assert len(read.flows) == 2 and read.complete
        assert read.flows[0].sip == "[bold]1.1.1.1[/]" and read.flows[0].protocol == 0
