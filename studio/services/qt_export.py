"""Export on a background thread with progress and cancel, reported by queued signals."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from studio.domain.model import Project
from studio.engine.protocol import CancelledError, CancelToken

log = logging.getLogger(__name__)


class ExportRunner(QObject):
    """Runs `studio.services.export.export_project` off the UI thread; one export at a time."""

    progress = Signal(str, int, int)
    """stage ("render <title>" or "encode"), done, total."""
    finished = Signal(object)
    """The ExportReport."""
    failed = Signal(str, str)
    """message, hint."""
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._cancel = CancelToken()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, project: Project, bundle: Path, destination: Path, *, aspect: str | None, quality: str,
              farm: str | None = None) -> None:
        if self.running():
            raise RuntimeError("an export is already running")
        self._cancel = CancelToken()
        cancel = self._cancel

        def work() -> None:
            from studio.services.export import ExportOptions, export_project

            try:
                report = export_project(
                    project, bundle, destination, ExportOptions(aspect=aspect, quality=quality, farm=farm or None),
                    progress=lambda stage, done, total: self.progress.emit(stage, done, total), cancel=cancel,
                )
            except CancelledError:
                self.cancelled.emit()
                return
            except Exception as exc:
                self.failed.emit(*describe_export_error(exc, destination))
                return
            self.finished.emit(report)

        self._thread = threading.Thread(target=work, name="studio-export", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.cancel()

    def wait(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def describe_export_error(exc: Exception, destination: Path) -> tuple[str, str]:
    """A readable (message, hint) for an export failure; the traceback goes to the log."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    hint = getattr(exc, "hint", "") or ""
    if isinstance(exc, OSError):
        message = f"could not write {destination}: {exc.strerror or exc}"
        hint = "choose another folder or free some disk space"
    elif not hint and not isinstance(exc, ValueError):
        log.error("export to %s failed", destination, exc_info=exc)
        hint = "see the log for details"
    return message, hint
