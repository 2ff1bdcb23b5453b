"""The layer contract: core imports no UI or network library, and the package layers import downwards only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BLOCKER = """
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('textual', 'rich', 'httpx', 'aiohttp', 'asyncssh'):
            raise ImportError('core must not import ' + name)
sys.meta_path.insert(0, Block())
import tftui.core
for m in pkgutil.walk_packages(tftui.core.__path__, 'tftui.core.'):
    importlib.import_module(m.name)
print('CORE OK')
"""


def test_core_imports_with_ui_and_network_libraries_blocked():
    r = subprocess.run([sys.executable, "-c", BLOCKER], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "CORE OK" in r.stdout, r.stderr


def test_import_linter_contracts():
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe if exe.exists() else "lint-imports"), "--config", "pyproject.toml"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: 2 kept, 0 broken" in r.stdout
