"""The control node's side of a peering (core/peering/status.control_side_from) read from a real control node's
BgpNeighborReq listing (sample 43: a gateway router, BGPaaS clients sharing an address, XMPP agents) after a trip
through the wire format; and how an unreadable control node counts in the watch."""

from __future__ import annotations

import dataclasses

from helpers.ist_text import cli_tables

from tftui.core.control.peers import BgpNeighbor, decode_neighbors, encode_neighbors
from tftui.core.control.routes import MASTER_INSTANCE
from tftui.core.peering.status import ControlSide, PeeringStatus, control_side_from, pair_statuses
from tftui.core.routes.models import Neighbor

SAMPLE = "introspect-real/43_control_BgpNeighbor_bgpaas_external.contrail-scrape-ist-cli-text-2020.txt"


def _listing(shared_data) -> list[BgpNeighbor]:
    [(columns, rows)] = [t for t in cli_tables((shared_data / SAMPLE).read_text()) if t[0][:2] == ["peer", "peer_address"]]
    models = [BgpNeighbor(peer=r[0], peer_address=r[1], peer_asn=int(r[2]), encoding=r[3], peer_type=r[4], state=r[5],
                          send_state=r[6], flap_count=int(r[7]), last_flap="" if r[8] == "n/a" else r[8])
              for r in rows]  # the CLI's table has no instance column: every peer reads as the master's
    return list(decode_neighbors(encode_neighbors(models)).neighbors)


def test_the_router_as_a_real_control_node_lists_it(shared_data):
    listing = _listing(shared_data)
    vmx = control_side_from(listing, "192.168.0.250")  # the gateway router of that cluster
    assert vmx == ControlSide("Established", True, None, None, 0)
    assert control_side_from(listing, "10.10.10.100") == ControlSide("Active", False)
    # an address that is only a prefix of listed ones, and an agent's address (XMPP), are not the router
    assert control_side_from(listing, "192.168.0.2") is None
    assert control_side_from(listing, "172.18.101.104") is None


def test_the_master_instance_peer_wins_over_bgpaas_and_deleted_ones(shared_data):
    listing = _listing(shared_data)
    twins = [n for n in listing if n.peer_address == "4.4.4.100"]
    assert len(twins) == 2 and all(n.instance_name == "" for n in twins)  # two BGPaaS clients, one address
    router = dataclasses.replace(twins[0], peer="gw", instance_name=MASTER_INSTANCE, state="Established",
                                 last_state_at="2020-Nov-12 11:07:13.036137", prefixes=4)
    bgpaas = [dataclasses.replace(n, instance_name="default-domain:admin:vn1:vn1") for n in twins]
    side = control_side_from([*bgpaas, router], "4.4.4.100")
    assert side == ControlSide("Established", True, "2020-Nov-12 11:07:13.036137", None, 4)
    assert side.words() == "Established, 4 prefixes since 2020-Nov-12 11:07:13.036137"
    closing = dataclasses.replace(router, deleted=True, state="Idle", last_error="Hold timer expired")
    side = control_side_from([closing], "4.4.4.100")
    assert side is not None and not side.established and side.state == "Idle (being deleted)"
    assert side.words() == "Idle (being deleted) since 2020-Nov-12 11:07:13.036137 (Hold timer expired)"
    assert control_side_from([closing, router], "4.4.4.100").established


def _n(address: str, state: str = "Established") -> Neighbor:
    return Neighbor(address, 64512, state, state == "Established", "00:01:00", 3)


def test_an_unreadable_control_node_is_neither_up_nor_gone():
    controls = [("ctrl1", "10.0.0.1"), ("ctrl2", "10.0.0.2")]
    sides = {"ctrl1": ControlSide("Established", True), "ctrl2": None}
    up = PeeringStatus("add", 3, pair_statuses(controls, [_n("10.0.0.1"), _n("10.0.0.2")], sides,
                                               {"ctrl2": "connection refused"}))
    assert [p.up for p in up.pairs] == [True, False] and not up.sessions_done
    assert up.pairs[1].control_words() == "not read (connection refused)"
    assert up.lines()[2].endswith("control node: not read (connection refused)")
    assert up.to_json()["pairs"][1]["control_error"] == "connection refused"
    gone = PeeringStatus("remove", 3, pair_statuses(controls, [], {"ctrl1": None, "ctrl2": None},
                                                    {"ctrl2": "timed out"}))
    assert [p.gone for p in gone.pairs] == [True, False] and not gone.done
    # the same status without the error is done: the error, not the missing side, holds it back
    assert PeeringStatus("remove", 3, pair_statuses(controls, [], {"ctrl1": None, "ctrl2": None})).done
    # what is printed again changes when the error does
    assert up.key() != PeeringStatus("add", 3, pair_statuses(controls, [_n("10.0.0.1"), _n("10.0.0.2")], sides)).key()
