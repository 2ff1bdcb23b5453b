"""One path for errors in views and dialogs: a worker that raises, a fetch that fails, a view's code that
trips on new data all end up on the status line, in a notification and in the log — never a crash."""

from __future__ import annotations

import logging

from textual.screen import ModalScreen, ScreenResultType
from textual.worker import Worker, WorkerState

from tftui.services.feed import describe_error

from .keys import bindings

log = logging.getLogger("tftui.ui")


def log_error(message: str, exc: BaseException | None = None) -> None:
    log.error("%s", message, exc_info=exc)


class ErrorPath:
    """One way errors reach the operator, for screens and dialogs: no worker of theirs can end the app."""

    worker_error: str | None = None

    def run_worker(self, work, *args, **kwargs) -> Worker:  # @work goes through here too
        kwargs["exit_on_error"] = False
        return super().run_worker(work, *args, **kwargs)  # type: ignore[misc]

    def report_error(self, message: str, exc: BaseException | None = None) -> None:
        """Status line, notification and log; nothing else changes (the last good data stays)."""
        self.worker_error = message
        log_error(message, exc)
        self.notify(message, severity="error", timeout=10, markup=False)  # type: ignore[attr-defined]
        self.update_status()

    def update_status(self) -> None:
        """Screens with a status line redraw it."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            err = event.worker.error
            name = event.worker.name or "worker"
            self.report_error(f"{name}: {describe_error(err)}", err)


class ViewModal(ErrorPath, ModalScreen[ScreenResultType]):
    """A dialog: same error path as the views."""

    BINDINGS = bindings("modal.close")

    def action_close(self) -> None:
        self.dismiss(None)


