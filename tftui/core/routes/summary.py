"""`show ip bgp summary`: Quagga 0.99 and FRR 7-10 text, FRR JSON."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from .models import ESTABLISHED, POLICY, Neighbor, Parsed, as_dict, content_lines, to_int

_ROUTER_ID = re.compile(r"BGP router identifier (\S+?),\s*local AS number (\d+)(?:\s+VRF (\S+))?")
_VRF_TITLE = re.compile(r"Summary \(VRF (\S+?)\):")
_STATES = ("Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established", "Clearing", "Deleted", "NoNeg")


def _is_peer(token: str) -> bool:
    try:
        ipaddress.ip_address(token)
        return True
    except ValueError:
        # unnumbered peers are interface names; FRR may show hostname(address)
        return bool(re.fullmatch(r"[A-Za-z][\w.@-]*(\([0-9a-fA-F:.]+\))?\*?", token)) and token != "Neighbor"


def _neighbor_from_tokens(tokens: list[str], header: list[str]) -> Neighbor | None:
    cols = {name: i for i, name in enumerate(header)}
    k = cols.get("Up/Down")
    if k is None or len(tokens) < k + 2:
        return None
    address = tokens[0].rstrip("*")
    remote_as = to_int(tokens[cols["AS"]]) if "AS" in cols else None
    if "V" in cols and not tokens[cols["V"]].isdigit():
        return None
    up_down = tokens[k]
    rest = tokens[k + 1:]
    state_tok = rest.pop(0)
    if rest and state_tok in _STATES and rest[0].startswith("(") and rest[0].endswith(")"):
        state_tok = f"{state_tok} {rest.pop(0)}"  # Idle (Admin), Idle (PfxCt)
    sent: int | None = None
    policy_sent = False
    if "PfxSnt" in cols and rest:
        sent_tok = rest.pop(0)
        sent = to_int(sent_tok)
        policy_sent = sent_tok == POLICY
    desc = " ".join(rest) if "Desc" in cols and rest else None
    if desc == "N/A":
        desc = None
    received = to_int(state_tok)
    if received is not None:
        state, established, policy = ESTABLISHED, True, False
    elif state_tok == POLICY:
        state, established, policy = ESTABLISHED, True, True
    else:
        state, established, policy = state_tok, False, False
    return Neighbor(
        address=address, remote_as=remote_as, state=state, established=established,
        up_down=None if up_down == "never" else up_down, prefixes_received=received, prefixes_sent=sent,
        description=desc, policy_blocked=policy, sends_withheld=policy_sent,
        msg_rcvd=to_int(tokens[cols["MsgRcvd"]]) if "MsgRcvd" in cols else None,
        msg_sent=to_int(tokens[cols["MsgSent"]]) if "MsgSent" in cols else None,
    )


def parse_summary_text(text: str) -> Parsed[Neighbor]:
    out: Parsed[Neighbor] = Parsed()
    header: list[str] | None = None
    pending: str | None = None  # a Quagga neighbor address wrapped onto its own line
    for line, stripped in content_lines(text, out):
        m = _ROUTER_ID.search(stripped)
        if m:
            out.meta["router_id"], out.meta["local_as"] = m[1], int(m[2])
            if m[3]:
                out.meta["vrf"] = m[3]
            continue
        m = _VRF_TITLE.search(stripped)
        if m:
            out.meta["vrf"] = m[1]
            continue
        tokens = stripped.split()
        if tokens[0] == "Neighbor" and "Up/Down" in tokens:
            header = tokens
            continue
        if header is None:
            continue  # titles, memory lines, max multipaths: nothing to understand
        if tokens[0] == "Total" or stripped.startswith("Displayed"):
            continue
        if pending is not None:
            if line[:1].isspace():
                tokens = [pending, *tokens]
            else:
                out.skipped.append(pending)
            pending = None
        if len(tokens) == 1 and _is_peer(tokens[0]):
            pending = tokens[0]
            continue
        neighbor = _neighbor_from_tokens(tokens, header) if _is_peer(tokens[0]) else None
        if neighbor is None:
            out.skipped.append(line)
        else:
            out.items.append(neighbor)
    if pending is not None:
        out.skipped.append(pending)
    return out


def _json_neighbor(address: str, p: dict[str, Any]) -> Neighbor:
    state = str(p.get("state") or "Unknown")
    established = state == ESTABLISHED
    peer_state = p.get("peerState")
    policy = established and (peer_state == "Policy" or p.get("pfxRcd") == POLICY)
    received = p.get("pfxRcd") if established and isinstance(p.get("pfxRcd"), int) else None
    if established and received is None and not policy:
        received = to_int(str(p.get("prefixReceivedCount"))) if "prefixReceivedCount" in p else None
    sent = p.get("pfxSnt") if isinstance(p.get("pfxSnt"), int) else None
    uptime = p.get("peerUptime")
    desc = p.get("desc")
    return Neighbor(
        address=address, remote_as=p.get("remoteAs") if isinstance(p.get("remoteAs"), int) else None,
        state=state, established=established,
        up_down=None if uptime in (None, "never") else str(uptime),
        prefixes_received=None if policy else received, prefixes_sent=None if policy else sent,
        description=str(desc) if desc not in (None, "", "N/A") else None, policy_blocked=bool(policy),
        sends_withheld=established and p.get("pfxSnt") == POLICY,
        msg_rcvd=p.get("msgRcvd") if isinstance(p.get("msgRcvd"), int) else None,
        msg_sent=p.get("msgSent") if isinstance(p.get("msgSent"), int) else None,
    )


def parse_summary_json(doc: Any) -> Parsed[Neighbor]:
    """FRR's {ipv4Unicast: {routerId, as, peers: {...}}}, or the bare inner mapping, or {} (no BGP)."""
    out: Parsed[Neighbor] = Parsed()
    if not isinstance(doc, dict):
        out.skipped.append(f"not a JSON object: {type(doc).__name__}")
        return out
    body = doc.get("ipv4Unicast", doc)
    if not isinstance(body, dict):
        out.skipped.append("ipv4Unicast is not an object")
        return out
    if "routerId" in body:
        out.meta["router_id"] = body["routerId"]
    if isinstance(body.get("as"), int):
        out.meta["local_as"] = body["as"]
    if body.get("vrfName"):
        out.meta["vrf"] = body["vrfName"]
    peers = body.get("peers") or {}
    if not isinstance(peers, dict):
        out.skipped.append("peers is not an object")
        return out
    for address, p in peers.items():
        try:
            out.items.append(_json_neighbor(str(address), as_dict(p)))
        except (TypeError, ValueError, AttributeError) as exc:  # a shape FRR never sent: keep going
            out.skipped.append(f"peer {address}: {exc}")
    return out
