"""Import a timeline as a new project from the window: choose the timeline, where to save, then open it.

Any timeline OpenTimelineIO reads (.otio, .otioz, FCP 7 / Premiere / Resolve .xml, .fcpxml,
CMX 3600 .edl, .kdenlive) becomes a new ``NAME.studio``: a clip becomes a shot, its media an
imported take; a clip whose media is missing becomes a shot with no take, and the note that
names the file is shown. The import runs off the UI thread; a failed one leaves no folder.
(An editor's re-cut of the open project is applied from the Export dialog, as one undoable step.)
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from studio.services.qt_handoff import HandoffRunner
from studio.services.settings import projects_folder, unique_bundle
from studio.ui import i18n, theme
from studio.ui.i18n import tr

TIMELINE_FILTER = "Timelines (*.otio *.otioz *.xml *.fcpxml *.edl *.kdenlive)"
NOTES_SHOWN = 12
"""Notes listed in the message itself; all of them are in its details."""


class TimelineImportFlow(QObject):
    """The window's "Import a timeline…": file dialogs, the import on a helper thread, then the project opens."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.runner = HandoffRunner(self)
        self.runner.imported.connect(self._imported)
        self.runner.failed.connect(self._failed)
        self.report = None
        self.notes_box: QMessageBox | None = None
        self._source: Path | None = None
        self.action: QAction | None = None

    def choose(self) -> None:
        """Ask for the timeline, then for the new project's name and folder; start the import."""
        folder = projects_folder(self.window.settings)
        start = str(folder if folder.is_dir() else Path.home())
        path, _ = QFileDialog.getOpenFileName(self.window, tr("Import a timeline as a new project"), start,
                                              tr(TIMELINE_FILTER))
        if not path:
            return
        suggested = unique_bundle(folder if folder.is_dir() else Path(path).parent, Path(path).stem)
        dest, _ = QFileDialog.getSaveFileName(self.window, tr("Save the new project as"), str(suggested),
                                              tr("Studio projects (*.studio)"))
        if dest:
            self.start(Path(path), Path(dest))

    def start(self, timeline_file: Path, destination: Path) -> bool:
        """Import ``timeline_file`` as a new project at ``destination`` (``.studio`` is added when missing)."""
        if self.runner.running():
            self.window.show_message(tr("An import is already running."), error=True)
            return False
        destination = Path(destination).expanduser()
        if destination.suffix.lower() != ".studio":
            destination = destination.with_name(destination.name + ".studio")
        if destination.exists():
            self.window.show_message(tr("{p} already exists. Choose a new project name.", p=str(destination)),
                                     error=True, timeout_ms=0)
            return False
        self.report = None
        self._source = Path(timeline_file)
        self.window.show_message(tr("Importing {f}…", f=self._source.name), timeout_ms=0)
        self.runner.start_import(self._source, destination)
        return True

    def _imported(self, report) -> None:
        self.report = report
        shots = report.project.shots
        with_media = sum(1 for s in shots if s.selected_take is not None)
        if not self.window.open_project(report.bundle):
            self.window.show_message(tr("Made {p}; open it with Open when you are ready.", p=str(report.bundle)))
            return
        summary = tr("Imported {f}: {n} shots, {m} with media.", f=self._source.name if self._source else "",
                     n=len(shots), m=with_media)
        self.window.show_message(summary, timeout_ms=0)
        if report.notes:
            self._show_notes(summary, report.notes)

    def _show_notes(self, summary: str, notes: list[str]) -> None:
        """The import's notes (missing media, converted frame rates…) where the user reads them, not only in a log."""
        box = QMessageBox(QMessageBox.Information, tr("Timeline imported"), summary, QMessageBox.Ok, self.window)
        box.setObjectName("TimelineImportNotes")
        listed = "\n".join(f"• {n}" for n in notes[:NOTES_SHOWN])
        more = len(notes) - NOTES_SHOWN
        box.setInformativeText(listed + ("\n" + tr("…and {k} more (see the details).", k=more) if more > 0 else ""))
        box.setDetailedText("\n".join(notes))
        box.setModal(False)
        box.open()  # never blocks: the new project is already open behind it
        self.notes_box = box

    def relabel(self, *_language) -> None:
        if self.action is not None:
            self.action.setText(tr("Import a timeline…"))
            self.action.setToolTip(tr("Import a timeline (OTIO, Premiere/Resolve XML, Final Cut, EDL, Kdenlive) "
                                      "as a new project"))

    def _failed(self, message: str) -> None:
        self.window.show_message(tr("Could not import the timeline: {m}", m=message), error=True, timeout_ms=0)


def install_timeline_import_action(window) -> QAction:
    """Add "Import a timeline…" beside Open on the window's toolbar (also Ctrl+Shift+O)."""
    flow = TimelineImportFlow(window)
    action = QAction(window)
    action.setObjectName("import_timeline")
    action.setIcon(theme.icon("open"))
    action.setShortcut("Ctrl+Shift+O")
    action.triggered.connect(lambda checked=False: flow.choose())

    flow.action = action
    flow.relabel()
    i18n.notifier.language_changed.connect(flow.relabel)  # a slot of the window's child: it goes with the window
    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        before = getattr(window, "act_save", None)
        toolbar.insertAction(before, action) if before is not None else toolbar.addAction(action)
        button = toolbar.widgetForAction(action)
        if button is not None and hasattr(button, "setToolButtonStyle"):
            from PySide6.QtCore import Qt

            button.setToolButtonStyle(Qt.ToolButtonIconOnly)  # the toolbar fits 1024 px; the tooltip names it
    window.addAction(action)
    window.act_import_timeline = action
    window.timeline_import = flow
    return action
