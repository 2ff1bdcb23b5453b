"""Flows on the vrouter agent: records, kernel flows, ACLs, the decision chain, and the packet-vs-policy
decision the lab uses (see docs/flows.md)."""
