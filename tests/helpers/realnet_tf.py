"""TF's config API for the real-router test bed: the lab's config API, seeded with the bed's control nodes (ExaBGP
plays them), its vrouter and three pods on a network with IP fabric forwarding. Run as a process in a namespace:

    python tests/helpers/realnet_tf.py PORT NAME=ADDRESS ...   (prints "ready" once it serves on 127.0.0.1:PORT)
    python tests/helpers/realnet_tf.py --sessions PORT         (prints {bgp-router: [names it has sessions with]})
"""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from tftui.lab.configapi import start_config_api  # noqa: E402
from tftui.lab.topology import LabInterface, LabNetwork, LabNode, Topology  # noqa: E402

POD_NETWORK = ("default-domain", "k8s-default", "k8s-default-pod-network")
PODS = ["10.47.255.250", "10.47.255.251", "10.47.255.252"]
VROUTER = "172.31.2.194"


def topology(controls: dict[str, str]) -> Topology:
    nodes = [LabNode(name, address, ("control",)) for name, address in controls.items()]
    nodes.append(LabNode("vrouter1", VROUTER, ("vrouter",)))
    topo = Topology("realnet", nodes)
    topo.networks = [LabNetwork(POD_NETWORK, "10.32.0.0/12", ip_fabric_forwarding=True,
                                uuid="00000000-0000-4000-8000-00000000000a")]
    for i, ip in enumerate(PODS):
        topo.interfaces.append(LabInterface(
            f"pod-{i}", f"00000000-0000-4000-8000-0000000001{i:02d}", f"00000000-0000-4000-8000-0000000002{i:02d}",
            f"tap{i}", "vrouter1", ":".join(POD_NETWORK), ip, f"02:00:00:00:00:{i:02x}", f"169.254.0.{i + 3}"))
    topo.router.address = "172.31.10.140"
    topo.router.peered = set()  # TF knows nothing of the router yet: `tftui peer add` does that
    return topo


async def serve(port: int, controls: dict[str, str]) -> None:
    api = await start_config_api(topology(controls), host="127.0.0.1", port=port)
    print("ready", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await api.stop()


def sessions(port: int) -> dict[str, list[str]]:
    """bgp-router name -> the names it has sessions with (its refs, and refs to it from the others)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/bgp-routers?detail=True", timeout=5) as reply:
        routers = [r["bgp-router"] for r in json.load(reply)["bgp-routers"]]
    peers: dict[str, set[str]] = {r["fq_name"][-1]: set() for r in routers}
    for r in routers:
        for ref in r.get("bgp_router_refs", []):
            peers[r["fq_name"][-1]].add(ref["to"][-1])
            peers.setdefault(ref["to"][-1], set()).add(r["fq_name"][-1])
    return {name: sorted(names) for name, names in peers.items()}


if __name__ == "__main__":
    if sys.argv[1] == "--sessions":
        print(json.dumps(sessions(int(sys.argv[2]))))
    else:
        asyncio.run(serve(int(sys.argv[1]), dict(arg.split("=", 1) for arg in sys.argv[2:])))
