"""A real-shell SSH server for the injection tests (not a test module): every command it receives is recorded
verbatim and run by /bin/sh in its own directory, as sshd would, so an injection would really execute."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import asyncssh

FAKE_VTYSH = """#!/bin/sh
# records its argv one element per record, NUL-separated, then answers like FRR
for a in "$@"; do printf '%s\\0' "$a"; done >> "$HOME/vtysh-argv"; printf '\\n' >> "$HOME/vtysh-argv"
case "$2" in
  "show version") echo "FRRouting 8.4.4 (lab)";;
  *) echo "{}";;
esac
"""


class _Server(asyncssh.SSHServer):
    def __init__(self, key: asyncssh.SSHKey):
        self._public = key.public_data

    def begin_auth(self, username: str) -> bool:
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return key.public_data == self._public


class ShellSsh:
    def __init__(self, root: Path, host: str = "127.0.0.1"):
        self.root, self.host = root, host
        self.home = root / "remote-home"  # the commands' working directory and $HOME
        self.bin = root / "remote-bin"
        self.received: list[str] = []
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.client_key = asyncssh.generate_private_key("ssh-ed25519")
        self.identity = root / "client_key"
        self.known_hosts = root / "known_hosts"
        self.port = 0
        self._server: asyncssh.SSHAcceptor | None = None

    async def _handle(self, process: asyncssh.SSHServerProcess) -> None:
        command = process.command or ""
        self.received.append(command)
        proc = await asyncio.create_subprocess_exec(
            "/bin/sh", "-c", command, cwd=self.home, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={"PATH": f"{self.bin}:/usr/bin:/bin", "HOME": str(self.home)})
        out, err = await proc.communicate()
        process.stdout.write(out.decode(errors="replace"))
        process.stderr.write(err.decode(errors="replace"))
        process.exit(proc.returncode or 0)

    async def start(self) -> ShellSsh:
        self.home.mkdir(parents=True, exist_ok=True)
        self.bin.mkdir(parents=True, exist_ok=True)
        vtysh = self.bin / "vtysh"
        vtysh.write_text(FAKE_VTYSH)
        vtysh.chmod(0o755)
        self.client_key.write_private_key(str(self.identity))
        self.identity.chmod(0o600)
        self._server = await asyncssh.create_server(
            lambda: _Server(self.client_key.convert_to_public()), self.host, 0, server_host_keys=[self.host_key],
            process_factory=self._handle)
        self.port = self._server.get_port()
        self.known_hosts.write_text(f"[{self.host}]:{self.port} "
                                    f"{self.host_key.export_public_key('openssh').decode().strip()}\n")
        return self

    def vtysh_calls(self) -> list[list[str]]:
        path = self.home / "vtysh-argv"
        if not path.exists():
            return []
        return [line.split("\0")[:-1] for line in path.read_text().split("\n") if line]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
