"""A lab with agents and SSH hosts for the launcher tests (not a test module itself)."""

import contextlib

import tftui.lab.agent  # noqa: F401  (registers the agent paths)
from tftui.core.agent import Vmi
from tftui.core.inventory import parse_cluster
from tftui.lab.hosts import LabHosts, files_for
from tftui.lab.introspect_server import IntrospectLab
from tftui.lab.runner import cluster_config
from tftui.lab.topology import build


@contextlib.asynccontextmanager
async def launcher_lab(tmp_path, base: int, vrouters: int = 4, connect_timeout: float = 1.5):
    topo = build("demo", vrouters=vrouters, base=base)
    intro = IntrospectLab(topo)
    await intro.start()
    hosts = LabHosts(topo, files_for(str(tmp_path / "lab.yaml")), 2022)
    try:
        await hosts.start()
        cfg = cluster_config(topo, 2, 1)
        cfg["ssh"] = hosts.cluster_keys()
        cfg["ssh"]["connect_timeout"] = connect_timeout
        yield topo, hosts, parse_cluster("lab", cfg, "test"), cfg
    finally:
        await hosts.stop()
        await intro.stop()


def vmi_of(topo, vrouter_index: int, k: int = 0) -> Vmi:
    vr = topo.vrouters()[vrouter_index]
    itf = topo.interfaces_on(vr.name)[k]
    return Vmi(vr.name, vr.address, itf.tap, itf.vm_name, itf.vm_uuid, itf.network, itf.ip, itf.mac,
               itf.metadata_ip, True)
