"""The window's composition root: build the services, then the main window.

Nothing heavy is imported on the way to the first paint: engines load on the
worker thread when the first job runs (the registry imports them lazily), and
PyAV, OpenCV and sounddevice load on background threads when first needed.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Sequence

log = logging.getLogger("studio")


def has_display() -> bool:
    """Whether a window can be seen: an X11/Wayland display, or an on-screen Qt platform chosen explicitly."""
    if sys.platform in ("darwin", "win32"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.split(":")[0] in ("offscreen", "minimal"):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or platform)


def build_services(settings_path: Path | None = None):
    """Settings, document, jobs, engine bridge, player and importer (QtCore only)."""
    from studio.services.memory import tune_allocator

    tune_allocator()  # before any worker thread: see studio/services/memory.py
    from studio.engine.registry import available
    from studio.services.document import ProjectDocument
    from studio.services.jobs import JobQueue
    from studio.services.player_engine import PlayerEngine
    from studio.services.qt_engine import EngineBridge
    from studio.services.qt_import import MediaImporter
    from studio.services.settings import load_settings
    from studio.ui.main_window import Services

    settings = load_settings(settings_path)
    jobs = JobQueue()
    return Services(
        settings=settings,
        document=ProjectDocument(autosave_seconds=settings.autosave_seconds),
        jobs=jobs,
        engine=EngineBridge(jobs),
        player=PlayerEngine(start=False),  # the window starts it once its first frame is on screen
        importer=MediaImporter(),
        settings_path=settings_path,
        engines=tuple(available()),
    )


def build_window(settings_path: Path | None = None):
    """A MainWindow over fresh services; the QApplication must exist and be themed."""
    from studio.ui import i18n
    from studio.ui.main_window import MainWindow

    services = build_services(settings_path)
    i18n.set_language(services.settings.language)
    return MainWindow(services)


def ensure_app(argv: Sequence[str] | None = None):
    from PySide6.QtWidgets import QApplication

    from studio import APP_NAME
    from studio.ui.theme import app_icon, apply_theme

    app = QApplication.instance()
    if app is None:
        QApplication.setApplicationName(APP_NAME)
        QApplication.setOrganizationName(APP_NAME)
        QApplication.setDesktopFileName("studio")
        app = QApplication(list(argv or [sys.argv[0]]))
        apply_theme(app)
        app.setWindowIcon(app_icon())
    return app


def main(argv: Sequence[str] | None = None, project: str | None = None) -> int:
    """Open the window (with ``project`` open, if given) and run until it closes."""
    app = ensure_app(argv)
    window = build_window()
    window.show()
    if os.environ.get("STUDIO_EXIT_AFTER_PAINT"):
        # For smoke tests and the startup benchmark: quit once the first frame is painted.
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(os.environ["STUDIO_EXIT_AFTER_PAINT"]), app.quit)
    if project:
        # After the first paint: opening reads the project (and may ask about recovery).
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, lambda: window.open_project(project))
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], sys.argv[1] if len(sys.argv) > 1 else None))
