"""The generation queue: every job with its stage, progress, elapsed and remaining time, and Cancel."""

from __future__ import annotations

import re
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.services.jobs import JobInfo, JobQueue, JobState
from studio.ui import theme
from studio.ui.i18n import tr

STAGE_LABELS = {"render": "Rendering", "sound": "Sound", "decode": "Decoding", "load": "Loading model",
                "store": "Saving take", "": "Waiting"}
STATE_LABELS = {JobState.QUEUED: "Queued", JobState.DONE: "Done", JobState.FAILED: "Failed",
                JobState.CANCELLED: "Cancelled"}


_WINDOW = re.compile(r"^(?P<stage>\w*) · window (?P<k>\d+) of (?P<n>\d+)$")


def stage_text(stage: str) -> str:
    """A job's stage for the queue: "Rendering · window 2 of 3" for a long shot's windows."""
    m = _WINDOW.match(stage or "")
    if m:
        return f"{tr(STAGE_LABELS.get(m['stage'], m['stage']))} · " + tr("window {k} of {n}", k=m["k"], n=m["n"])
    return tr(STAGE_LABELS.get(stage, stage))


def progress_text(info: JobInfo, stage: str) -> str:
    """"Rendering · 16/96": frames while rendering (an engine's extra sound step is not a frame)."""
    if info.total <= 1:
        return stage
    if info.stage.startswith("render") and info.frames:
        return f"{stage} · {min(info.step, info.frames)}/{info.frames}"
    return f"{stage} · {info.step}/{info.total}" if info.stage not in ("sound", "store") else stage


def format_seconds(s: float | None) -> str:
    if s is None:
        return "–"
    s = int(round(s))
    return f"{s // 60}:{s % 60:02d}"


class JobRowWidget(QFrame):
    cancel_clicked = Signal(str)

    def __init__(self, job_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job_id = job_id
        self.setObjectName("JobRow")
        self.setStyleSheet(f"QFrame#JobRow {{ background: {theme.RAISED}; border: 1px solid {theme.BORDER}; border-radius: 8px; }}")
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.stage = QLabel()
        self.stage.setObjectName("Muted")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(6)
        self.times = QLabel()
        self.times.setObjectName("Muted")
        self.node = QLabel()
        self.node.setObjectName("FarmNode")  # the farm node rendering the job (Settings → Render on)
        self.node.setVisible(False)
        self.message = QLabel()
        self.message.setObjectName("Error")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setObjectName("CancelJob")
        self.cancel_button.setIcon(theme.icon("cancel"))
        self.cancel_button.clicked.connect(lambda: self.cancel_clicked.emit(self.job_id))
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 8, 8)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.stage)
        layout.addWidget(self.bar)
        layout.addWidget(self.times)
        layout.addWidget(self.node)
        layout.addWidget(self.message)

    def show_info(self, info: JobInfo, now: float) -> None:
        self.title.setText(info.title or info.shot_id)
        self.cancel_button.setToolTip(tr("Cancel this job"))
        if info.state is JobState.RUNNING:
            stage = stage_text(info.stage)
            self.stage.setText(progress_text(info, stage))
        else:
            self.stage.setText(tr(STATE_LABELS.get(info.state, info.state.value)))
        colour = {JobState.FAILED: theme.ERROR, JobState.CANCELLED: theme.MUTED, JobState.DONE: theme.OK}.get(info.state, theme.ACCENT)
        if colour != getattr(self, "_bar_colour", None):  # a style sheet re-polishes the bar: only when it changes
            self._bar_colour = colour
            self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; border-radius: 3px; }}")
        self.bar.setValue(1000 if info.state is JobState.DONE else int(info.fraction * 1000))
        if info.state is JobState.RUNNING:
            self.times.setText(tr("{e} elapsed · about {r} left", e=format_seconds(info.elapsed(now)), r=format_seconds(info.remaining(now))))
        elif info.started_at is not None:
            self.times.setText(tr("{e} elapsed", e=format_seconds(info.elapsed(now))))
        else:
            self.times.setText(info.engine)
        self.node.setText(tr("on {node}", node=info.node) if info.node else "")
        self.node.setVisible(bool(info.node))
        self.cancel_button.setVisible(not info.state.finished)
        if info.state is JobState.FAILED:
            self.message.setText(info.message + (f"\n→ {info.hint}" if info.hint else ""))
            self.message.setVisible(True)
        else:
            self.message.setVisible(False)


class QueuePanel(QFrame):
    cancel_requested = Signal(str)

    def __init__(self, jobs: JobQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self.jobs = jobs
        self.rows: dict[str, JobRowWidget] = {}
        self.title = QLabel()
        self.title.setObjectName("PanelTitle")
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("ClearFinished")
        self.empty = QLabel()
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.setSpacing(6)
        self.list_layout.addWidget(self.empty)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.list_widget)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(head)
        layout.addWidget(scroll, 1)
        self.clear_button.clicked.connect(jobs.clear_finished)
        jobs.jobs_changed.connect(self._rebuild)
        jobs.job_changed.connect(self._refresh_one)
        self._tick = QTimer(self)
        self._tick.setInterval(500)
        self._tick.timeout.connect(self._refresh_running)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("Queue"))
        self.clear_button.setText(tr("Clear finished"))
        self.empty.setText(tr("Nothing is generating. Select a shot and press Generate."))
        self._refresh_all()

    def row(self, job_id: str) -> JobRowWidget | None:
        return self.rows.get(job_id)

    def _rebuild(self) -> None:
        current = {j.job_id for j in self.jobs.jobs()}
        for job_id in list(self.rows):
            if job_id not in current:
                w = self.rows.pop(job_id)
                w.setParent(None)
                w.deleteLater()
        for info in self.jobs.jobs():
            if info.job_id not in self.rows:
                w = JobRowWidget(info.job_id)
                w.cancel_clicked.connect(self.cancel_requested)
                self.rows[info.job_id] = w
                self.list_layout.insertWidget(self.list_layout.count() - 1, w)
        self.empty.setVisible(not self.rows)
        self._refresh_all()

    def _refresh_one(self, job_id: str) -> None:
        info, w = self.jobs.get(job_id), self.rows.get(job_id)
        if info is not None and w is not None:
            w.show_info(info, time.monotonic())
        if self.jobs.active():
            if not self._tick.isActive():
                self._tick.start()
        else:
            self._tick.stop()

    def _refresh_running(self) -> None:
        now = time.monotonic()
        for info in self.jobs.active():
            w = self.rows.get(info.job_id)
            if w is not None:
                w.show_info(info, now)
        if not self.jobs.active():
            self._tick.stop()

    def _refresh_all(self) -> None:
        now = time.monotonic()
        for info in self.jobs.jobs():
            w = self.rows.get(info.job_id)
            if w is not None:
                w.show_info(info, now)
