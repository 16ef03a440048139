"""The Models window: which video and audio models exist, which are installed, and getting them.

A table of the catalogue (size, VRAM per memory profile, sound, image start)
with Install (a background download with progress and cancel; it resumes),
Remove and Verify, a local-folder button for models that are already on disk,
and the memory profile, saved in the app settings (every later job, and the
next session, uses it; the STUDIO_MEMORY_PROFILE environment variable overrides
it). Nothing downloads unless the user presses Install. The diffusers engine's
model choices in the shot panel come from here: every catalogue video model plus
the local folders added.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from studio.services.models import (
    MachineInfo,
    free_disk_bytes,
    hub_cache_dir,
    install_warnings,
    machine_info,
    profile_description,
)
from studio.services.settings import MEMORY_PROFILES, Settings, load_settings, save_settings
from studio.ui import i18n
from studio.ui.i18n import tr

log = logging.getLogger(__name__)

PROFILE_CHOICES = MEMORY_PROFILES
LOCAL_MODELS: list[str] = []
"""Local model folders added this session (offered in the shot panel's model list)."""


def register_diffusion_models() -> None:
    """Offer the catalogue's video models (and added folders) as the diffusers engine's models."""
    from studio.engine.diffusion.catalogue import video_models
    from studio.ui import prompt_editor

    prompt_editor.ENGINE_MODELS["diffusers"] = [s.id for s in video_models()] + list(LOCAL_MODELS)
    prompt_editor.ENGINE_LABELS.setdefault("diffusers", "Diffusers (video models)")


class ModelInstaller(QObject):
    """Runs one download on a background thread; reports through queued signals."""

    progress = Signal(str, object, object)
    """model id, bytes done, bytes total (Python ints: downloads pass 2 GiB)."""
    finished = Signal(str, str, str)
    """model id, error message ("" on success), hint."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, model_id: str) -> None:
        if self.busy():
            return
        self._cancel.clear()
        self._thread = threading.Thread(target=self._run, args=(model_id,), name="studio-model-download", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def _run(self, model_id: str) -> None:
        from studio.services.models import GATED_MESSAGE, DownloadCancelled, GatedModelError, ModelError, install_model

        try:
            install_model(model_id, progress=lambda d, t: self.progress.emit(model_id, d, t), cancel=self._cancel)
        except DownloadCancelled:
            self.finished.emit(model_id, "cancelled", "")
        except GatedModelError as exc:
            self.finished.emit(model_id, tr(GATED_MESSAGE, r=exc.repo), "")
        except ModelError as exc:
            self.finished.emit(model_id, exc.message, exc.hint)
        except Exception as exc:  # the window must survive a failed download
            log.exception("download of %s failed", model_id)
            self.finished.emit(model_id, str(exc), "see the log for details")
        else:
            self.finished.emit(model_id, "", "")


class ModelsDialog(QDialog):
    """Install, remove and verify models; pick the memory profile."""

    COLUMNS = ("Model", "Kind", "State", "Download", "VRAM (GB)", "Sound", "Starts from image")

    def __init__(self, parent=None, *, settings_source: Callable[[], Settings] | None = None,
                 store_settings: Callable[[Settings], None] | None = None) -> None:
        """``settings_source``/``store_settings``: the window's settings and how it saves them
        (so its own copy stays current); by default the settings file is read and written."""
        super().__init__(parent)
        self.setObjectName("ModelsDialog")
        self._settings_source = settings_source or load_settings
        self._store_settings = store_settings or save_settings
        self.resize(980, 520)
        # What this machine has: asked once, when the window opens (torch is imported here, not at start-up).
        self.machine: MachineInfo = machine_info()
        self.machine_label = QLabel()
        self.machine_label.setObjectName("MachineInfo")
        self.machine_label.setWordWrap(True)
        self.machine_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.disk_label = QLabel()
        self.disk_label.setObjectName("Muted")
        self.disk_label.setWordWrap(True)
        self.disk_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.cpu_note = QLabel()
        self.cpu_note.setObjectName("Note")
        self.cpu_note.setWordWrap(True)
        self.installer = ModelInstaller(self)
        self.installer.progress.connect(self._progress)
        self.installer.finished.connect(self._finished)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.install_button = QPushButton()
        self.cancel_button = QPushButton()
        self.remove_button = QPushButton()
        self.verify_button = QPushButton()
        self.folder_button = QPushButton()
        self.close_button = QPushButton()
        self.install_button.clicked.connect(self.install_selected)
        self.cancel_button.clicked.connect(self.installer.cancel)
        self.remove_button.clicked.connect(self.remove_selected)
        self.verify_button.clicked.connect(self.verify_selected)
        self.folder_button.clicked.connect(self._choose_folder)
        self.close_button.clicked.connect(self.close)
        self.profile_label = QLabel()
        self.profile_combo = QComboBox()
        for p in PROFILE_CHOICES:
            self.profile_combo.addItem(p, p)  # labelled in words by retranslate()
        current = self._settings_source().memory_profile
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(current)))
        self.profile_combo.currentIndexChanged.connect(self._profile_changed)
        self.profile_override = QLabel()
        self.profile_override.setObjectName("ProfileOverride")
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)

        buttons = QHBoxLayout()
        for b in (self.install_button, self.cancel_button, self.remove_button, self.verify_button, self.folder_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.profile_label)
        buttons.addWidget(self.profile_combo)
        buttons.addWidget(self.profile_override)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.machine_label)
        layout.addWidget(self.disk_label)
        layout.addWidget(self.cpu_note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        # A bound method (not a lambda): Qt disconnects it when the dialog is deleted.
        i18n.notifier.language_changed.connect(self.retranslate)
        self.retranslate()
        self.refresh()

    # ------------------------------------------------------------------ view
    def retranslate(self, *_language) -> None:
        self.setWindowTitle(tr("Models"))
        self.table.setHorizontalHeaderLabels([tr(c) for c in self.COLUMNS])
        self.install_button.setText(tr("Install"))
        self.cancel_button.setText(tr("Cancel download"))
        self.remove_button.setText(tr("Remove"))
        self.verify_button.setText(tr("Verify"))
        self.folder_button.setText(tr("Add local folder…"))
        self.close_button.setText(tr("Close"))
        self.profile_label.setText(tr("Memory profile"))
        for i in range(self.profile_combo.count()):
            label, explanation = profile_description(self.profile_combo.itemData(i))
            self.profile_combo.setItemText(i, tr(label))
            self.profile_combo.setItemData(i, tr(explanation), Qt.ToolTipRole)
        self._profile_tooltip()
        self._show_machine()
        override = os.environ.get("STUDIO_MEMORY_PROFILE", "")
        self.profile_override.setText(tr("(STUDIO_MEMORY_PROFILE={p} overrides it)", p=override) if override else "")
        self.profile_override.setVisible(bool(override))

    def refresh(self) -> None:
        """Read the catalogue and the cache again (state and size on disk)."""
        from studio.services.models import list_models

        selected = self.selected_model()
        self.statuses = list_models()
        folder = hub_cache_dir()  # read again: an install or a removal changes it, and HF_HOME may have moved
        self.machine = replace(self.machine, models_folder=folder, free_disk_bytes=free_disk_bytes(folder))
        self._show_machine()
        self.table.setRowCount(len(self.statuses))
        for row, s in enumerate(self.statuses):
            spec = s.spec
            state = tr("Installed") if s.installed else (tr("Partly downloaded") if s.partial else tr("Not installed"))
            values = sorted(spec.vram_gb.values())
            vram = (f"{values[0]:g}" if len(values) == 1 or values[0] == values[-1] else f"{values[0]:g}–{values[-1]:g}") if values else "—"
            vram_tip = "\n".join(tr("{p}: {g} GB", p=tr(profile_description(k)[0]), g=f"{v:g}") for k, v in spec.vram_gb.items())
            image = tr("Needs one") if spec.needs_image else (tr("Yes") if spec.can_start_from_image else tr("No"))
            cells = (spec.name, tr("Video") if spec.kind == "video" else tr("Audio"), state,
                     f"{spec.download_gb:.1f} GB", vram, tr("Yes") if spec.has_audio else tr("No"), image)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, spec.id)
                if col == 0:
                    item.setToolTip(spec.repo)
                elif col == 4 and vram_tip:
                    item.setToolTip(vram_tip)
                self.table.setItem(row, col, item)
            if spec.id == selected:
                self.table.selectRow(row)
        self._update_buttons()

    def _show_machine(self) -> None:
        m = self.machine
        if m.has_gpu:
            vram = f"{m.vram_bytes / 2**30:.0f}" if m.vram_bytes else "?"
            self.machine_label.setText(tr("This machine: {g} with {v} GB of GPU memory (VRAM).", g=m.gpu_name, v=vram))
        else:
            self.machine_label.setText(tr("No NVIDIA GPU found: the video models below cannot run on this machine."))
        if m.free_disk_bytes is None:
            self.disk_label.setText(tr("Free disk space where models are stored ({p}): unknown.", p=str(m.models_folder)))
        else:
            self.disk_label.setText(tr("{f} GB free where models are stored ({p}).", f=f"{m.free_disk_bytes / 1e9:.1f}",
                                       p=str(m.models_folder)))
        self.cpu_note.setText(tr("Without an NVIDIA GPU, the Sketch engine renders every shot, with sound, in seconds; "
                                 "the video models in this list need an NVIDIA GPU with the VRAM shown."))

    def _profile_tooltip(self) -> None:
        explanation = self.profile_combo.currentData(Qt.ToolTipRole) or ""
        self.profile_combo.setToolTip(explanation)

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def selected_model(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return item.data(Qt.UserRole) if item else None

    def select_model(self, model_id: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.UserRole) == model_id:
                self.table.selectRow(row)
                return

    def _status_of(self, model_id: str | None):
        return next((s for s in getattr(self, "statuses", []) if s.spec.id == model_id), None)

    def _update_buttons(self) -> None:
        s = self._status_of(self.selected_model())
        busy = self.installer.busy()
        self.install_button.setEnabled(s is not None and not s.installed and not busy)
        self.remove_button.setEnabled(s is not None and (s.installed or s.partial) and not busy)
        self.verify_button.setEnabled(s is not None)
        self.cancel_button.setVisible(busy)

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)

    # ------------------------------------------------------------------ actions
    def install_selected(self) -> None:
        model_id = self.selected_model()
        if not model_id:
            return
        status = self._status_of(model_id)
        warnings = install_warnings(status.spec, self.machine) if status is not None else []
        if warnings:
            text = "\n\n".join(tr(key, **fields) for key, fields in warnings) + "\n\n" + tr("Install it anyway?")
            if not self._confirm(tr("Install {m}?", m=status.spec.name), text):
                self.show_status(tr("{m} was not installed.", m=model_id))
                return
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.show_status(tr("Downloading {m}…", m=model_id))
        self.installer.start(model_id)
        self._update_buttons()

    def _progress(self, model_id: str, done, total) -> None:
        if total:
            self.progress_bar.setValue(int(1000 * done / total))
        self.show_status(tr("Downloading {m}: {d} of {t} GB", m=model_id, d=f"{done / 1e9:.2f}", t=f"{total / 1e9:.2f}"))

    def _finished(self, model_id: str, message: str, hint: str) -> None:
        self.progress_bar.hide()
        if message == "cancelled":
            self.show_status(tr("Download of {m} stopped; Install resumes it.", m=model_id))
        elif message:
            self.show_status(tr("Could not install {m}: {e}", m=model_id, e=message) + (f" — {hint}" if hint else ""), error=True)
        else:
            self.show_status(tr("Installed {m}.", m=model_id))
        self.refresh()

    def remove_selected(self) -> None:
        from studio.services.models import ModelError, remove_model

        model_id = self.selected_model()
        if not model_id:
            return
        try:
            freed = remove_model(model_id)
        except (ModelError, OSError) as exc:
            self.show_status(tr("Could not remove {m}: {e}", m=model_id, e=getattr(exc, "message", str(exc))), error=True)
            return
        self.show_status(tr("Removed {m} ({g} GB freed).", m=model_id, g=f"{freed / 1e9:.2f}"))
        self.refresh()

    def verify_selected(self) -> None:
        model_id = self.selected_model()
        if model_id:
            self.verify(model_id)

    def verify(self, ref: str) -> bool:
        """Check a catalogue model or a folder; the result is shown in the status line."""
        from studio.services.models import ModelError, verify_model

        try:
            status = verify_model(ref)
        except ModelError as exc:
            self.show_status(exc.message + (f" — {exc.hint}" if exc.hint else ""), error=True)
            return False
        if status.installed:
            self.show_status(tr("{m}: every file is present.", m=ref))
        elif status.path is None:
            self.show_status(tr("{m} is not installed.", m=ref), error=True)
        else:
            self.show_status(tr("{m} is incomplete: {p}", m=ref, p="; ".join(status.problems)), error=True)
        return status.installed

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Choose a diffusers model folder"))
        if folder:
            self.add_local_folder(folder)

    def add_local_folder(self, folder: str) -> bool:
        """Verify a model folder and offer it as a diffusers model in the shot panel."""
        path = str(Path(folder).expanduser().resolve())
        if not self.verify(path):
            return False
        if path not in LOCAL_MODELS:
            LOCAL_MODELS.append(path)
        register_diffusion_models()
        self.show_status(tr("{m} added: choose it as a shot's model.", m=path))
        return True

    def _profile_changed(self, index: int) -> None:
        """Save the choice; the engine bridge puts it into every request submitted from now on."""
        profile = self.profile_combo.itemData(index)
        self._profile_tooltip()
        settings = replace(self._settings_source(), memory_profile=profile)
        try:
            self._store_settings(settings)
        except OSError as exc:
            log.warning("memory profile not saved: %s", exc)
            self.show_status(tr("Could not save the memory profile: {e}", e=exc.strerror or str(exc)), error=True)
            return
        self.show_status(tr("Memory profile {p} saved; it applies to the next generation.",
                            p=f"“{tr(profile_description(profile)[0])}” ({profile})"))

    def closeEvent(self, event) -> None:  # noqa: N802
        self.installer.cancel()
        super().closeEvent(event)


# The window's "Models…" action lives in models_action.py (light: it imports this module only when clicked).
from studio.ui.models_action import _ActionLabeller, install_models_action  # noqa: E402,F401
