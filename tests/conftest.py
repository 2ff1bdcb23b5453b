"""Shared fixtures: real lab processes on loopback (each on its own 127.B range), and the shared data."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TFTUI_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"

sys.path.insert(0, str(ROOT))

# Logs, drafts and other state of the code under test go to a throwaway dir, never the tester's home.
os.environ.setdefault("TFTUI_STATE_DIR", tempfile.mkdtemp(prefix="tftui-test-state-"))

# Snapshots print clock times: make them the same on every machine.
os.environ["TZ"] = "UTC"
time.tzset()


def free_bases(start: int) -> tuple[int, ...]:
    """127.B ranges with nothing listening on the lab's first controller address."""
    out = []
    for base in range(start, 250):
        with socket.socket() as s:
            s.settimeout(0.05)
            if s.connect_ex((f"127.{base}.0.10", 8083)) != 0:
                out.append(base)
        if len(out) == 5:
            break
    return tuple(out)


# Each checkout running the suite at the same time as another (parallel workers) starts its lab ranges elsewhere.
_next_base = [int(os.environ.get("TFTUI_TEST_BASE", "100"))]


def next_base() -> int:
    """A free 127.B range for a lab a test module starts itself (in process, or once for the module)."""
    bases = free_bases(_next_base[0])
    _next_base[0] = bases[0] + 1 if bases[0] < 240 else 100
    return bases[0]


@pytest.fixture
def start_lab():
    """Start ``tftui lab`` as a child process (its PID recorded) and stop exactly that process afterwards."""
    from tftui.services.demo import start_demo_lab

    labs = []

    def start(scenario: str = "demo", vrouters: int | None = None, churn: float = 0.0, extra: tuple[str, ...] = ()):
        bases = free_bases(_next_base[0])
        _next_base[0] = bases[0] + 1 if bases[0] < 240 else 100
        lab = start_demo_lab(scenario=scenario, vrouters=vrouters, churn=churn, bases=bases, extra=extra)
        labs.append(lab)
        return lab

    yield start
    for lab in labs:
        lab.stop()


@pytest.fixture
def tmux(tmp_path):
    """A private tmux server for one test (tests/helpers/tmux.py), killed afterwards."""
    from helpers.tmux import tmux_fixture

    yield from tmux_fixture(tmp_path)


@pytest.fixture(autouse=True)
def _one_realnet_at_a_time(request):
    """Realnet tests use fixed namespace names and addresses: two checkouts running the suite at once take turns."""
    if request.node.get_closest_marker("realnet") is None:
        yield
        return
    import fcntl

    with open("/tmp/tftui-realnet.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"shared data not found at {DATA} (set TFTUI_SHARED)")
    return DATA


# Fuzz cases run, by target; the fuzz suites add to it and the summary prints it (the README quotes it).
FUZZ_CASES: Counter = Counter()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if FUZZ_CASES:
        parts = ", ".join(f"{k}: {v}" for k, v in sorted(FUZZ_CASES.items()))
        terminalreporter.write_line(f"fuzz cases run: {sum(FUZZ_CASES.values())} ({parts})")


def pytest_sessionfinish(session, exitstatus):
    """In CI no suite may be skipped: a skipped realnet or tmux test means it did not run."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; every suite must run in CI", red=True)
        session.exitstatus = 1
