"""Timeline exports and delivery encodes for the window, on a background thread (queued signals)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from studio.domain.model import Project

log = logging.getLogger(__name__)

TIMELINE_CHOICES = (".otio", ".otioz", ".xml", ".fcpxml", ".edl", ".kdenlive")
DELIVERY_CHOICES = (
    # (key, preset, codec, suffix)
    ("vertical", "vertical", "h264", ".mp4"),
    ("youtube", "youtube", "h265", ".mp4"),
    ("ebu-r128", "ebu-r128", "h264", ".mp4"),
    ("atsc-a85", "atsc-a85", "h264", ".mp4"),
    ("av1", None, "av1", ".mp4"),
    ("prores", None, "prores", ".mov"),
    ("png", None, "png", ""),
)


class HandoffRunner(QObject):
    """Writes a timeline (`studio.interchange.timeline`) or a delivery (`studio.services.delivery`) off the UI thread."""

    finished = Signal(object)
    """The written path."""
    failed = Signal(str)
    """A one-line message."""
    recut = Signal(object)
    """The ImportReport of a re-cut (its ``project`` is the re-cut project, not yet applied)."""
    imported = Signal(object)
    """The ImportReport of a timeline made into a new project (saved at its ``bundle``)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, project: Project, bundle: Path, destination: Path, choice: str) -> None:
        """``choice`` is a timeline suffix (".otio"…) or a delivery key ("vertical", "prores"…)."""
        if self.running():
            raise RuntimeError("a hand-off is already running")

        def work() -> None:
            try:
                from studio.services.export import ensure_takes

                p, _ = ensure_takes(project, bundle, list(project.shots))
                if choice in TIMELINE_CHOICES:
                    from studio.interchange.timeline import export_timeline

                    path = export_timeline(p, bundle, destination).path
                else:
                    from studio.services.delivery import deliver

                    _, preset, codec, _ = next(c for c in DELIVERY_CHOICES if c[0] == choice)
                    path = deliver(p, bundle, destination, preset=preset, codec=codec).path
            except Exception as exc:
                log.error("hand-off to %s failed", destination, exc_info=exc)
                self.failed.emit(getattr(exc, "message", None) or str(exc) or type(exc).__name__)
                return
            self.finished.emit(path)

        self._thread = threading.Thread(target=work, name="studio-handoff", daemon=True)
        self._thread.start()

    def start_recut(self, project: Project, bundle: Path, timeline_file: Path) -> None:
        """Read an editor's re-cut of ``project`` (new media go into the bundle; the project is not saved)."""
        if self.running():
            raise RuntimeError("a hand-off is already running")

        def work() -> None:
            try:
                from studio.interchange.importing import recut_from_file

                report = recut_from_file(timeline_file, project, bundle)
            except Exception as exc:
                log.error("re-cut from %s failed", timeline_file, exc_info=exc)
                self.failed.emit(getattr(exc, "message", None) or str(exc) or type(exc).__name__)
                return
            self.recut.emit(report)

        self._thread = threading.Thread(target=work, name="studio-recut", daemon=True)
        self._thread.start()

    def start_import(self, timeline_file: Path, destination: Path) -> None:
        """Make a new project at ``destination`` from a timeline (nothing is left behind on failure)."""
        if self.running():
            raise RuntimeError("a hand-off is already running")

        def work() -> None:
            try:
                from studio.interchange.importing import import_new_project

                report = import_new_project(timeline_file, destination)
            except Exception as exc:
                log.error("importing %s as %s failed", timeline_file, destination, exc_info=exc)
                self.failed.emit(getattr(exc, "message", None) or str(exc) or type(exc).__name__)
                return
            self.imported.emit(report)

        self._thread = threading.Thread(target=work, name="studio-timeline-import", daemon=True)
        self._thread.start()

    def wait(self, timeout: float = 60.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
