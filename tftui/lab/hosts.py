"""The lab's compute hosts and VMs over real SSH (asyncssh servers), so the launcher works end to end.

Every vrouter runs an SSH server on its own 127.B.x.y address (port 2022 by default) that answers a
root shell and forwards ``direct-tcpip`` to its own VMs' metadata IPs, as ``ssh -J root@COMPUTE
cirros@169.254.0.4`` needs: the metadata IP is looked up on *that* compute only, then the channel is
joined to the VM's own SSH server (started on first use, on a loopback port of the compute's address).
Host keys are generated per run and written to a known_hosts file keyed the way the launcher looks
them up (``[COMPUTE]:PORT`` and ``COMPUTE-METADATA_IP``), with a client key; the lab's config names
both in ``ssh:`` and nothing else (no ssh config of its own), so host key checking stays on in the demo
and the demo logs in exactly as a cluster configured only through tftui's config does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from tftui.core.launcher import host_key_alias, known_hosts_name

from .runner import LabContext, register_component
from .shells import EXIT, ComputeShell, VmShell
from .topology import LabInterface, LabNode, Topology

DEFAULT_SSH_PORT = 2022
KEY_TYPE = "ssh-ed25519"


@dataclass
class LabSshFiles:
    directory: Path
    client_key: Path
    known_hosts: Path
    temporary: bool = False


async def _serve_shell(process: asyncssh.SSHServerProcess, shell) -> None:
    """A one-shot command (``ssh host cmd``) or an interactive line-by-line shell with a prompt."""
    try:
        if process.command is not None:
            reply = shell.run(process.command)
            if reply is not EXIT:
                process.stdout.write(reply.output)
            process.exit(max(reply.status, 0))
            return
        process.stdout.write(shell.prompt)
        while True:
            try:
                line = await process.stdin.readline()
            except (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue
            if not line:
                break
            reply = shell.run(line.rstrip("\r\n"))
            if reply is EXIT:
                break
            process.stdout.write(reply.output)
            process.stdout.write(shell.prompt)
        process.exit(0)
    except (asyncssh.Error, ConnectionError, BrokenPipeError):
        process.close()


class VmHost:
    """One VM's own SSH server; listens only once someone is forwarded to it."""

    def __init__(self, topo: Topology, itf: LabInterface, address: str, key: asyncssh.SSHKey,
                 authorized: asyncssh.SSHAuthorizedKeys, traffic=None):
        self.topo, self.itf, self.address, self.key, self.authorized = topo, itf, address, key, authorized
        self.traffic = traffic
        self._server: asyncssh.SSHAcceptor | None = None
        self._lock = asyncio.Lock()
        self.port = 0

    async def ensure_listening(self) -> int:
        async with self._lock:
            if self._server is None:
                self._server = await asyncssh.listen(
                    self.address, 0, server_host_keys=[self.key], authorized_client_keys=self.authorized,
                    process_factory=lambda p: _serve_shell(p, VmShell(self.topo, self.itf, self.traffic)),
                    allow_scp=False, sftp_factory=None, keepalive_interval=0, login_timeout=10)
                self.port = self._server.get_port()
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None


class _ComputeServer(asyncssh.SSHServer):
    def __init__(self, compute: ComputeHost):
        self.compute = compute
        self._conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int):
        if self.compute.peers is not None and (dest_host, dest_port) in self.compute.peers:
            # another lab compute: any compute can serve as the bastion in front of the others
            return self._conn.forward_connection(dest_host, dest_port) if self._conn else False
        vm = self.compute.vms.get(dest_host)
        if vm is None or dest_port != 22 or not vm.itf.active:
            # what the compute's kernel would say: no vhost0 route to that metadata IP here
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_CONNECT_FAILED,
                                            f"connect to {dest_host} port {dest_port}: No route to host")
        return self._forward(vm)

    async def _forward(self, vm: VmHost):
        port = await vm.ensure_listening()
        assert self._conn is not None
        return await self._conn.forward_connection(vm.address, port)


class ComputeHost:
    def __init__(self, topo: Topology, node: LabNode, port: int, key: asyncssh.SSHKey,
                 authorized: asyncssh.SSHAuthorizedKeys, vms: dict[str, VmHost]):
        self.topo, self.node, self.port, self.key, self.authorized = topo, node, port, key, authorized
        self.vms = vms  # metadata IP -> VM
        self.peers: set[tuple[str, int]] | None = None  # other computes' SSH endpoints, reachable from here
        self.shell = ComputeShell(topo, node)
        self._server: asyncssh.SSHAcceptor | asyncio.AbstractServer | None = None
        self._held: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        if self.node.dead:
            return  # nothing listens: "connection refused"
        if self.node.hang:
            async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                self._held.append(writer)  # accept and never answer: the launcher must time out

            self._server = await asyncio.start_server(hold, self.node.address, self.port, reuse_address=True)
            return
        self._server = await asyncssh.listen(
            self.node.address, self.port, server_host_keys=[self.key], authorized_client_keys=self.authorized,
            server_factory=lambda: _ComputeServer(self), process_factory=lambda p: _serve_shell(p, self.shell),
            allow_scp=False, sftp_factory=None, reuse_address=True, login_timeout=10)

    async def stop(self) -> None:
        for w in self._held:
            w.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        for vm in self.vms.values():
            await vm.stop()


class LabHosts:
    """All compute hosts of a topology, their keys, and the files a client needs to trust them."""

    def __init__(self, topo: Topology, files: LabSshFiles, port: int = DEFAULT_SSH_PORT, traffic=None):
        self.topo, self.files, self.port = topo, files, port
        self.traffic = traffic  # lab/flows: what the VM shells send goes through the agents' decision
        self.computes: dict[str, ComputeHost] = {}

    async def start(self) -> None:
        client_key = asyncssh.generate_private_key(KEY_TYPE, comment="tftui-lab-client")
        self.files.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.files.directory, 0o700)
        _write_private(self.files.client_key, client_key.export_private_key("openssh"))
        _write_private(self.files.client_key.with_suffix(".pub"), client_key.export_public_key("openssh"))
        authorized = asyncssh.import_authorized_keys(client_key.export_public_key("openssh").decode())
        known: list[str] = []
        by_vrouter: dict[str, list] = {}
        for itf in self.topo.interfaces:
            by_vrouter.setdefault(itf.vrouter, []).append(itf)
        for node in self.topo.vrouters():
            key = asyncssh.generate_private_key(KEY_TYPE)
            known.append(f"{known_hosts_name(node.address, self.port)} {key.export_public_key('openssh').decode().strip()}")
            vms: dict[str, VmHost] = {}
            for itf in by_vrouter.get(node.name, ()):
                vm_key = asyncssh.generate_private_key(KEY_TYPE)
                vms[itf.metadata_ip] = VmHost(self.topo, itf, node.address, vm_key, authorized, self.traffic)
                known.append(f"{host_key_alias(node.address, itf.metadata_ip)} "
                             f"{vm_key.export_public_key('openssh').decode().strip()}")
            self.computes[node.name] = ComputeHost(self.topo, node, self.port, key, authorized, vms)
        peers = {(c.node.address, self.port) for c in self.computes.values() if not c.node.dead}
        for compute in self.computes.values():
            compute.peers = peers - {(compute.node.address, self.port)}
        _write_private(self.files.known_hosts, ("\n".join(known) + "\n").encode())
        started: list[ComputeHost] = []
        try:
            for compute in self.computes.values():
                await compute.start()
                started.append(compute)
        except BaseException:
            for compute in started:
                await compute.stop()
            raise

    async def stop(self) -> None:
        for compute in self.computes.values():
            await compute.stop()
        if self.files.temporary:
            shutil.rmtree(self.files.directory, ignore_errors=True)

    def cluster_keys(self) -> dict:
        """The ``ssh:`` settings of the cluster config the lab writes."""
        return {
            "compute": {"username": "root", "port": self.port, "identity_file": str(self.files.client_key),
                        "known_hosts": str(self.files.known_hosts)},
            "vm": {"username": "cirros", "identity_file": str(self.files.client_key),
                   "known_hosts": str(self.files.known_hosts)},
            "connect_timeout": 3,
        }


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def files_for(write_config: str | None) -> LabSshFiles:
    """Next to the written config (``lab.yaml`` -> ``lab-ssh/``), else a private temporary directory."""
    if write_config:
        cfg = Path(write_config).resolve()
        directory, temporary = cfg.parent / f"{cfg.stem}-ssh", False
    else:
        directory, temporary = Path(tempfile.mkdtemp(prefix="tftui-lab-ssh-")), True
    return LabSshFiles(directory, directory / "client_ed25519", directory / "known_hosts", temporary)


@register_component
async def start(ctx: LabContext) -> None:
    port = int(getattr(ctx.args, "ssh_port", None) or DEFAULT_SSH_PORT)
    hosts = LabHosts(ctx.topo, files_for(getattr(ctx.args, "write_config", None)), port, ctx.shared.get("traffic"))
    await hosts.start()
    ctx.stoppers.append(hosts.stop)
    ctx.cluster["ssh"] = hosts.cluster_keys()
    ctx.hosts = hosts  # type: ignore[attr-defined]  (tests and --demo reach the servers through it)
