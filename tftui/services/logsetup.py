"""The log file: created 0600 in the state dir, since events name hosts and errors carry details."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .config import log_path


def setup_file_logging(path: Path | None = None, level: int = logging.INFO) -> Path:
    path = path or log_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("tftui")
    root.setLevel(level)
    if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in root.handlers):
        root.addHandler(handler)
    return path



def headless_logging() -> None:
    """Headless commands log to the same file (with times) as the UI: a cron job's stderr is often lost.

    Having a handler also keeps logging's last-resort stderr printer from repeating errors on stderr."""
    try:
        setup_file_logging()
    except OSError:
        logging.getLogger("tftui").addHandler(logging.NullHandler())
