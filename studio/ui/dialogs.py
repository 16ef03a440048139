"""Dialogs: export (aspect, quality, destination, progress, reveal) and settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.domain.model import Project
from studio.services.qt_export import ExportRunner
from studio.services.settings import Settings
from studio.ui import theme
from studio.ui.i18n import LANGUAGES, tr

QUALITY_LABELS = {"draft": "Draft (fast, smaller)", "standard": "Standard", "high": "High (slow, larger)"}
from studio.ui.aspects import ASPECT_LABELS  # noqa: E402 (the start page reads it without this module)


def reveal_in_folder(path: Path) -> bool:
    """Open the folder holding ``path`` in the file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))


class ExportDialog(QDialog):
    """Choose how to export, watch it happen, then open the folder."""

    exported = Signal(object)
    """The ExportReport, once the file is written."""
    recut_ready = Signal(object)
    """A re-cut Project from the hand-off dialog (the window applies it, undoably)."""

    def __init__(self, project: Project, bundle: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ExportDialog")
        self.setWindowTitle(tr("Export video"))
        self.setMinimumWidth(480)
        self.project, self.bundle = project, bundle
        self.runner = ExportRunner(self)
        self.report = None
        self.aspect = QComboBox()
        self.aspect.setObjectName("AspectCombo")
        for key, label in ASPECT_LABELS.items():
            self.aspect.addItem(tr(label), key)
        self.aspect.setCurrentIndex(max(0, self.aspect.findData(project.canvas.aspect)))
        self.quality = QComboBox()
        self.quality.setObjectName("QualityCombo")
        for key, label in QUALITY_LABELS.items():
            self.quality.addItem(tr(label), key)
        self.quality.setCurrentIndex(self.quality.findData("standard"))
        self.destination = QLineEdit()
        self.destination.setObjectName("Destination")
        safe = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in project.title).strip() or "export"
        self.destination.setText(str(Path(bundle).parent / f"{safe[:60]}.mp4"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        dest_row = QHBoxLayout()
        dest_row.addWidget(self.destination, 1)
        dest_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(tr("Aspect"), self.aspect)
        form.addRow(tr("Quality"), self.quality)
        form.addRow(tr("Save to"), dest_row)
        self.summary = QLabel(tr("{n} shots · {s} s · watermarked, with its recipe inside",
                                 n=len(project.shots), s=f"{project.duration_seconds:.1f}"))
        self.summary.setObjectName("Muted")
        self.stage = QLabel("")
        self.stage.setObjectName("Muted")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.export_button = QPushButton(tr("Export"))
        self.export_button.setObjectName("Primary")
        self.export_button.setIcon(theme.icon("export"))
        self.cancel_button = QPushButton(tr("Cancel"))
        self.reveal_button = QPushButton(tr("Show in folder"))
        self.reveal_button.setIcon(theme.icon("folder"))
        self.reveal_button.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reveal_button)
        # Timelines for editors and delivery presets live in their own dialog (studio/ui/handoff_dialog.py).
        self.handoff_button = QPushButton(tr("Editors and platforms…"))
        self.handoff_button.setObjectName("HandoffButton")
        self.handoff_button.clicked.connect(self.show_handoff)
        buttons.addWidget(self.handoff_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addSpacing(6)
        layout.addWidget(self.stage)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        self.reveal_button.clicked.connect(lambda: self.report and reveal_in_folder(self.report.path))
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.runner.cancelled.connect(self._cancelled)

    def show_handoff(self):
        """Open the timeline / delivery dialog for the same project."""
        from studio.ui.handoff_dialog import HandoffDialog

        self._handoff = HandoffDialog(self.project, self.bundle, self)
        self._handoff.recut_ready.connect(self.recut_ready)
        self._handoff.show()
        return self._handoff

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("Export video"), self.destination.text(), tr("MP4 video (*.mp4)"))
        if path:
            self.destination.setText(path if path.lower().endswith(".mp4") else path + ".mp4")

    def _set_running(self, running: bool) -> None:
        for w in (self.aspect, self.quality, self.destination, self.export_button):
            w.setEnabled(not running)
        self.cancel_button.setText(tr("Cancel export") if running else tr("Close"))
        self.progress.setVisible(running or self.progress.value() > 0)

    def start(self) -> None:
        dest = Path(self.destination.text()).expanduser()
        if dest.suffix.lower() != ".mp4":
            dest = dest.with_suffix(".mp4")
        if not dest.parent.is_dir():
            self._show_message(tr("The folder {p} does not exist. Choose another destination.", p=str(dest.parent)), error=True)
            return
        self.report = None
        self.reveal_button.setVisible(False)
        self.progress.setValue(0)
        self._show_message("")
        self._set_running(True)
        from studio.services.settings import load_settings

        self.runner.start(self.project, self.bundle, dest, aspect=self.aspect.currentData(), quality=self.quality.currentData(),
                          farm=load_settings().render_farm or None)

    def _cancel_or_close(self) -> None:
        if self.runner.running():
            self.runner.cancel()
            self.stage.setText(tr("Cancelling…"))
        else:
            self.reject()

    def _progress(self, stage: str, done: int, total: int) -> None:
        if stage == "encode":
            self.stage.setText(tr("Encoding {d} / {t} frames", d=done, t=total))
        else:
            title = stage[len("render "):] if stage.startswith("render ") else stage  # "TITLE on NODE" on the farm
            self.stage.setText(tr("Rendering {t}… {d} / {n}", t=title, d=done, n=total))
        self.progress.setValue(int(1000 * done / total) if total else 0)

    def _finished(self, report) -> None:
        self.report = report
        self._set_running(False)
        self.progress.setValue(1000)
        self.stage.setText("")
        self._show_message(tr("Exported {name}: {s} s, {w}×{h}, {l} LUFS.", name=Path(report.path).name,
                              s=f"{report.seconds:.1f}", w=report.canvas.width, h=report.canvas.height,
                              l=f"{report.loudness_lufs:.1f}"))
        self.reveal_button.setVisible(True)
        self.exported.emit(report)

    def _failed(self, message: str, hint: str) -> None:
        self._set_running(False)
        self.stage.setText("")
        self._show_message(tr("Export failed: {m}", m=message) + (f"\n→ {hint}" if hint else ""), error=True)

    def _cancelled(self) -> None:
        self._set_running(False)
        self.stage.setText("")
        self.progress.setValue(0)
        self._show_message(tr("Export cancelled; nothing was written."))

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message.setObjectName("Error" if error else "Muted")
        self.message.setStyleSheet(f"color: {theme.ERROR if error else theme.MUTED};")
        self.message.setText(text)
        # Grow for a long message (an error with its hint) instead of clipping it.
        self.message.setWordWrap(True)
        self.adjustSize()
        self.resize(max(self.width(), self.sizeHint().width()), max(self.height(), self.sizeHint().height()))

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.runner.running():
            self.runner.cancel()
            self.runner.wait(10)
        super().closeEvent(event)

    def reject(self) -> None:
        if self.runner.running():
            self.runner.cancel()
            self.runner.wait(10)
        super().reject()


class SettingsDialog(QDialog):
    """Language, autosave interval, default aspect and volume."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsDialog")
        self.setWindowTitle(tr("Settings"))
        self.setMinimumWidth(420)
        self.language = QComboBox()
        self.language.setObjectName("LanguageCombo")
        self.language.addItem(tr("Follow the system"), "system")
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.language.setToolTip(tr(Settings.help("language")))
        self.autosave = QSpinBox()
        self.autosave.setRange(5, 600)
        self.autosave.setSuffix(" s")
        self.autosave.setValue(settings.autosave_seconds)
        self.autosave.setToolTip(tr(Settings.help("autosave_seconds")))
        self.aspect = QComboBox()
        for key, label in ASPECT_LABELS.items():
            self.aspect.addItem(tr(label), key)
        self.aspect.setCurrentIndex(max(0, self.aspect.findData(settings.default_aspect)))
        self.volume = QSlider(Qt.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(int(settings.volume * 100))
        form = QFormLayout()
        form.addRow(tr("Language"), self.language)
        form.addRow(tr("Autosave every"), self.autosave)
        form.addRow(tr("New projects"), self.aspect)
        form.addRow(tr("Preview volume"), self.volume)
        # Render farm (studio.farm): in this process, a local Ray farm, or a cluster address.
        self.farm = QComboBox()
        self.farm.setObjectName("RenderFarmCombo")
        self.farm.addItem(tr("In this process"), "")
        self.farm.addItem(tr("Local farm (every GPU)"), "local")
        self.farm.addItem(tr("Ray cluster at an address"), "address")
        self.farm.setToolTip(tr(Settings.help("render_farm")))
        self.farm_address = QLineEdit()
        self.farm_address.setObjectName("RenderFarmAddress")
        self.farm_address.setPlaceholderText("host:6379, ray://host:10001")
        choice = settings.render_farm
        self.farm.setCurrentIndex(0 if not choice else 1 if choice == "local" else 2)
        self.farm_address.setText(choice if choice not in ("", "local") else "")
        self.farm_address.setEnabled(self.farm.currentData() == "address")
        self.farm.currentIndexChanged.connect(lambda _: self.farm_address.setEnabled(self.farm.currentData() == "address"))
        form.addRow(tr("Render on"), self.farm)
        form.addRow(tr("Cluster address"), self.farm_address)
        ok = QPushButton(tr("OK"))
        ok.setObjectName("Primary")
        cancel = QPushButton(tr("Cancel"))
        ok.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self._settings = settings

    def result_settings(self) -> Settings:
        from dataclasses import replace

        return replace(self._settings, language=self.language.currentData(), autosave_seconds=self.autosave.value(),
                       default_aspect=self.aspect.currentData(), volume=self.volume.value() / 100,
                       render_farm=self._farm_choice())

    def _farm_choice(self) -> str:
        kind = self.farm.currentData()
        if kind == "address":
            return self.farm_address.text().strip()  # empty: back to this process
        return kind
