"""``tftui --demo``: the lab as a child process, started, waited for, and stopped by its own PID."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

READY = "tftui-lab ready"


class DemoError(RuntimeError):
    pass


@dataclass
class DemoLab:
    process: subprocess.Popen
    config_path: Path
    workdir: tempfile.TemporaryDirectory
    info: dict

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.workdir.cleanup()


def _wait_ready(proc: subprocess.Popen, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buf = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
            for line in buf.decode(errors="replace").splitlines():
                if line.startswith(READY):
                    return json.loads(line[len(READY):].strip() or "{}")
        elif proc.poll() is not None:
            break
    raise DemoError("the lab did not become ready")


def _in_use(base: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.05)
        return s.connect_ex((f"127.{base}.0.10", 8083)) == 0


def candidate_bases(count: int = 5) -> tuple[int, ...]:
    """127.B ranges where no other lab is already serving (several demos may run on one host)."""
    return tuple(b for b in range(42, 250, 10) if not _in_use(b))[:count]


def start_demo_lab(scenario: str = "demo", vrouters: int | None = None, churn: float = 4.0,
                   bases: tuple[int, ...] | None = None, extra: tuple[str, ...] = (),
                   timeout: float = 60.0) -> DemoLab:
    """Start ``tftui lab`` on the first free 127.B.x.y range and return once it serves."""
    last_err = ""
    for base in bases or candidate_bases():
        workdir = tempfile.TemporaryDirectory(prefix="tftui-demo-")
        config = Path(workdir.name) / "lab.yaml"
        argv = [sys.executable, "-m", "tftui", "lab", "--scenario", scenario, "--base", str(base),
                "--write-config", str(config), "--parent", str(os.getpid()), *extra]
        if vrouters is not None:
            argv += ["--vrouters", str(vrouters)]
        if churn:
            argv += ["--churn", str(churn)]
        log = open(Path(workdir.name) / "lab.log", "wb")  # noqa: SIM115 - lives as long as the child
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            info = _wait_ready(proc, timeout)
            return DemoLab(proc, config, workdir, info)
        except DemoError:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=5)
            log.close()
            last_err = (Path(workdir.name) / "lab.log").read_text(errors="replace").strip()[-500:]
            workdir.cleanup()
    raise DemoError(f"could not start the lab: {last_err or 'no output'}")
