"""Hand-off dialog: the cut as a timeline for an editor, or a delivery for a platform or broadcaster."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from studio.domain.model import Project
from studio.services.qt_handoff import DELIVERY_CHOICES, TIMELINE_CHOICES, HandoffRunner
from studio.ui.i18n import tr

CHOICE_LABELS = {
    ".otio": "Timeline: OpenTimelineIO (.otio)",
    ".otioz": "Timeline: OpenTimelineIO with media (.otioz)",
    ".xml": "Timeline: Premiere / Resolve / FCP 7 (.xml)",
    ".fcpxml": "Timeline: Final Cut Pro (.fcpxml)",
    ".edl": "Timeline: CMX 3600 EDL (.edl)",
    ".kdenlive": "Timeline: Kdenlive (.kdenlive)",
    "vertical": "Vertical short-form 1080×1920, −14 LUFS (H.264)",
    "youtube": "YouTube 1920×1080, −14 LUFS (H.265)",
    "ebu-r128": "Broadcast EBU R128, −23 LUFS (H.264)",
    "atsc-a85": "US broadcast ATSC A/85, −24 LKFS (H.264)",
    "av1": "AV1 (MP4)",
    "prores": "ProRes 422 HQ for editing (MOV)",
    "png": "PNG image sequence (a folder, no content credentials)",
}


def _suffix(choice: str) -> str:
    if choice in TIMELINE_CHOICES:
        return choice
    return next(c[3] for c in DELIVERY_CHOICES if c[0] == choice)


class HandoffDialog(QDialog):
    """Choose a timeline format or a delivery preset, a destination, and write it; or bring a re-cut back."""

    recut_ready = Signal(object)
    """The re-cut Project, for the window to apply as one undoable step."""

    def __init__(self, project: Project, bundle: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HandoffDialog")
        self.setWindowTitle(tr("Editors and platforms"))
        self.setMinimumWidth(520)
        self.project, self.bundle = project, Path(bundle)
        self.runner = HandoffRunner(self)
        self.written: Path | None = None
        self.format = QComboBox()
        self.format.setObjectName("HandoffFormat")
        for key in (*TIMELINE_CHOICES, *(c[0] for c in DELIVERY_CHOICES)):
            self.format.addItem(tr(CHOICE_LABELS[key]), key)
        self.destination = QLineEdit()
        self.destination.setObjectName("HandoffDestination")
        safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in project.title).strip() or "cut"
        self._base = self.bundle.parent / safe[:60]
        self.format.currentIndexChanged.connect(self._suggest)
        self._suggest()
        form = QFormLayout()
        form.addRow(tr("Format"), self.format)
        form.addRow(tr("Save to"), self.destination)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName("HandoffMessage")
        self.write_button = QPushButton(tr("Write"))
        self.write_button.setObjectName("Primary")
        self.recut_button = QPushButton(tr("Apply an editor's re-cut…"))
        self.recut_button.setObjectName("RecutButton")
        self.recut_button.clicked.connect(self._choose_recut)
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.recut_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.write_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        note = QLabel(tr("Timelines keep each shot's take, its stems as WAV files beside the timeline, and the dialogue as markers."))
        note.setWordWrap(True)
        note.setObjectName("Muted")
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.write_button.clicked.connect(self.start)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.runner.recut.connect(self._recut_done)
        self.recut_report = None

    def _suggest(self) -> None:
        suffix = _suffix(self.format.currentData())
        self.destination.setText(str(self._base.with_name(self._base.name + (suffix or "_frames"))))

    def start(self) -> None:
        dest = Path(self.destination.text()).expanduser()
        if not dest.parent.is_dir():
            self.message.setText(tr("The folder {p} does not exist. Choose another destination.", p=str(dest.parent)))
            return
        self.written = None
        self.write_button.setEnabled(False)
        self.message.setText(tr("Writing…"))
        self.runner.start(self.project, self.bundle, dest, self.format.currentData())

    def _finished(self, path) -> None:
        self.written = Path(path)
        self.write_button.setEnabled(True)
        self.message.setText(tr("Wrote {p}", p=str(path)))

    def _failed(self, message: str) -> None:
        self.write_button.setEnabled(True)
        self.message.setText(tr("Could not write it: {m}", m=message))

    def _choose_recut(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, tr("Apply an editor's re-cut…"), str(self.bundle.parent),
                                              tr("Timelines (*.otio *.otioz *.xml *.fcpxml *.edl *.kdenlive)"))
        if path:
            self.apply_recut(Path(path))

    def apply_recut(self, path: Path) -> None:
        """Read ``path`` as a re-cut of this project off the UI thread; `recut_ready` carries the result."""
        self.recut_report = None
        self.recut_button.setEnabled(False)
        self.message.setText(tr("Reading the re-cut…"))
        self.runner.start_recut(self.project, self.bundle, path)

    def _recut_done(self, report) -> None:
        self.recut_report = report
        self.recut_button.setEnabled(True)
        self.project = report.project
        text = tr("Re-cut: {m} moved, {r} retimed, {a} added, {k} not in the timeline (kept).",
                  m=len(report.moved), r=len(report.retimed), a=len(report.added), k=len(report.removed))
        if report.notes:  # missing media, removed shots, trims: the user reads them here, not in a log
            text += "\n" + tr("Notes:") + "\n" + "\n".join(f"• {n}" for n in report.notes[:12])
        self.message.setText(text)
        self.recut_ready.emit(report.project)
