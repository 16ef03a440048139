"""The preview player: the picture, the transport, time in frames and timecode.

Decoding, timing and sound happen in `studio.services.player_engine`; this
widget only paints the frames it is handed and sends the user's commands.
While a job runs for the shot on screen, its live preview frames show here.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.domain.timing import timecode
from studio.services.player_engine import NO_SOUND_NOTE, PlayerEngine
from studio.ui import theme
from studio.ui.i18n import tr


def to_qimage(frame: np.ndarray) -> QImage:
    """An RGB uint8 array as a QImage that owns its pixels."""
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format_RGB888).copy()


class VideoView(QWidget):
    """Paints the current frame letterboxed, or a calm placeholder."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VideoView")
        self.setMinimumSize(QSize(320, 180))
        self._image: QImage | None = None
        self._placeholder = ""
        self._badge = ""
        self._aspect = 16 / 9
        self.frames_painted = 0

    def set_aspect(self, width: int, height: int) -> None:
        self._aspect = width / height if height else 16 / 9
        self.update()

    def set_image(self, image: QImage | None, placeholder: str = "") -> None:
        self._image = image
        self._placeholder = placeholder
        self.update()

    def set_badge(self, text: str) -> None:
        if text != self._badge:
            self._badge = text
            self.update()

    def has_image(self) -> bool:
        return self._image is not None

    def picture_rect(self) -> QRectF:
        w, h = self.width(), self.height()
        if w / max(1, h) > self._aspect:
            pw, ph = h * self._aspect, float(h)
        else:
            pw, ph = float(w), w / self._aspect
        return QRectF((w - pw) / 2, (h - ph) / 2, pw, ph)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.SmoothPixmapTransform)
        p.fillRect(self.rect(), QColor("#0b0c10"))
        r = self.picture_rect()
        if self._image is not None:
            p.drawImage(r, self._image)
            self.frames_painted += 1
        else:
            p.fillRect(r, QColor("#101218"))
            p.setPen(QColor(theme.MUTED))
            p.drawText(r.adjusted(20, 20, -20, -20), Qt.AlignCenter | Qt.TextWordWrap, self._placeholder)
        if self._badge:
            f = QFont(self.font())
            f.setWeight(QFont.DemiBold)
            p.setFont(f)
            w = p.fontMetrics().horizontalAdvance(self._badge) + 20
            b = QRectF(r.left() + 10, r.top() + 10, w, 24)
            p.setPen(Qt.NoPen)
            p.setBrush(QColor(124, 92, 255, 220))
            p.drawRoundedRect(b, 12, 12)
            p.setPen(QColor("white"))
            p.drawText(b, Qt.AlignCenter, self._badge)
        p.end()


class PlayerPanel(QFrame):
    """Picture + transport. ``mode`` is "shot" (the selected take) or "storyboard" (everything)."""

    mode_changed = Signal(str)
    volume_changed = Signal(float)
    loop_changed = Signal(bool)

    def __init__(self, engine: PlayerEngine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self.engine = engine
        self._fps = 24
        self._total = 0
        self._offset = 0
        self._live_job: str | None = None
        self._scrubbing = False

        self.view = VideoView()
        self.shot_mode = QToolButton()
        self.shot_mode.setCheckable(True)
        self.board_mode = QToolButton()
        self.board_mode.setCheckable(True)
        self.board_mode.setChecked(True)
        self.mode_group = QButtonGroup(self)
        self.mode_group.setExclusive(True)
        self.mode_group.addButton(self.shot_mode)
        self.mode_group.addButton(self.board_mode)
        for b in (self.shot_mode, self.board_mode):
            b.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.to_start = self._button("to_start")
        self.back = self._button("step_back")
        self.play_button = self._button("play")
        self.play_button.setObjectName("PlayButton")
        self.play_button.setIconSize(QSize(22, 22))
        self.forward = self._button("step_forward")
        self.loop_button = self._button("loop")
        self.loop_button.setCheckable(True)
        self.scrubber = QSlider(Qt.Horizontal)
        self.scrubber.setObjectName("Scrubber")
        self.scrubber.setRange(0, 0)
        self.time_label = QLabel()
        self.time_label.setObjectName("Timecode")
        self.frame_label = QLabel()
        self.frame_label.setObjectName("Muted")
        self.volume_icon = QLabel()
        self.volume_icon.setPixmap(theme.icon("volume").pixmap(18, 18))
        self.volume = QSlider(Qt.Horizontal)
        self.volume.setObjectName("Volume")
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(90)
        self.note = QLabel()
        self.note.setObjectName("Note")
        self.note.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(self.shot_mode)
        top.addWidget(self.board_mode)
        top.addStretch(1)
        top.addWidget(self.note)
        transport = QHBoxLayout()
        transport.setSpacing(2)
        for w in (self.to_start, self.back, self.play_button, self.forward, self.loop_button):
            transport.addWidget(w)
        transport.addSpacing(8)
        transport.addWidget(self.time_label)
        transport.addSpacing(6)
        transport.addWidget(self.frame_label)
        transport.addStretch(1)
        transport.addWidget(self.volume_icon)
        transport.addWidget(self.volume)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.scrubber)
        layout.addLayout(transport)

        self.play_button.clicked.connect(self.engine.toggle)
        self.to_start.clicked.connect(lambda: self.engine.seek(0))
        self.back.clicked.connect(lambda: self.engine.step(-1))
        self.forward.clicked.connect(lambda: self.engine.step(1))
        self.loop_button.toggled.connect(self._loop_toggled)
        self.scrubber.sliderPressed.connect(self._scrub_start)
        self.scrubber.sliderReleased.connect(self._scrub_end)
        self.scrubber.valueChanged.connect(self._scrub_moved)
        self.volume.valueChanged.connect(self._volume_moved)
        self.shot_mode.toggled.connect(lambda on: on and self.mode_changed.emit("shot"))
        self.board_mode.toggled.connect(lambda on: on and self.mode_changed.emit("storyboard"))
        engine.frame_ready.connect(self._show_frame)
        engine.state_changed.connect(self._state_changed)
        engine.audio_note.connect(self._audio_note)
        self.retranslate()
        self._update_time(0)

    def _button(self, icon_name: str) -> QToolButton:
        b = QToolButton()
        b.setIcon(theme.icon(icon_name))
        b.setIconSize(QSize(18, 18))
        b.setAutoRaise(True)
        return b

    def retranslate(self) -> None:
        self.shot_mode.setText(tr("Shot"))
        self.shot_mode.setToolTip(tr("Play the selected shot's take"))
        self.board_mode.setText(tr("Storyboard"))
        self.board_mode.setToolTip(tr("Play the whole storyboard"))
        self.to_start.setToolTip(tr("Go to start (Home)"))
        self.back.setToolTip(tr("Previous frame (,)"))
        self.play_button.setToolTip(tr("Play / pause (Space)"))
        self.forward.setToolTip(tr("Next frame (.)"))
        self.loop_button.setToolTip(tr("Loop"))
        self.volume.setToolTip(tr("Volume"))
        self._audio_note(self.engine.note())
        self._update_time(self.engine.position)
        if not self.view.has_image():
            self.view.set_image(None, tr("No take yet. Press Generate to make one."))

    @property
    def mode(self) -> str:
        return "shot" if self.shot_mode.isChecked() else "storyboard"

    def set_mode(self, mode: str) -> None:
        (self.shot_mode if mode == "shot" else self.board_mode).setChecked(True)

    def set_timing(self, fps: int, total: int, offset: int = 0) -> None:
        """Frame rate, length of what plays, and the timeline frame where it starts."""
        self._fps, self._total, self._offset = fps, total, offset
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, max(0, total - 1))
        self.scrubber.blockSignals(False)
        self._update_time(self.engine.position)

    def set_canvas(self, width: int, height: int) -> None:
        self.view.set_aspect(width, height)

    def set_volume(self, volume: float) -> None:
        self.volume.setValue(int(round(volume * 100)))
        self.engine.set_volume(volume)

    def set_loop(self, loop: bool) -> None:
        self.loop_button.setChecked(loop)
        self.engine.set_loop(loop)

    # -- live preview of a running job
    def show_live(self, job_id: str, frame: np.ndarray, label: str) -> None:
        self._live_job = job_id
        self.view.set_image(to_qimage(frame))
        self.view.set_badge(label)

    def end_live(self, job_id: str | None = None) -> None:
        if self._live_job is not None and (job_id is None or job_id == self._live_job):
            self._live_job = None
            self.view.set_badge("")
            self.engine.seek(self.engine.position)  # repaint the real frame

    @property
    def live_job(self) -> str | None:
        return self._live_job

    # -- engine -> widgets
    def _show_frame(self, frame: int, image) -> None:
        if self._live_job is None:
            if image is None:
                self.view.set_image(None, tr("No take yet. Press Generate to make one."))
            else:
                self.view.set_image(to_qimage(image))
        if not self._scrubbing:
            self.scrubber.blockSignals(True)
            self.scrubber.setValue(frame)
            self.scrubber.blockSignals(False)
        self._update_time(frame)

    def _state_changed(self, playing: bool) -> None:
        self.play_button.setIcon(theme.icon("pause" if playing else "play"))

    def _audio_note(self, note: str) -> None:
        text = tr(NO_SOUND_NOTE) if note == NO_SOUND_NOTE else (tr(note) if note else "")
        self._note_text = "⚠ " + text if text else ""
        self.note.setToolTip(self._note_text)
        self.note.setVisible(bool(text))
        self._fit_controls()

    def _fit_controls(self) -> None:
        """Keep what the panel shows whole at any width (from a 1024 px window up): the note is elided
        with its full text in the tooltip; when the transport row is short of room the frame count
        goes (the timecode stays) and the volume slider narrows."""
        note = getattr(self, "_note_text", "")
        room = max(40, self.width() - self.shot_mode.sizeHint().width() - self.board_mode.sizeHint().width() - 48)
        self.note.setText(self.note.fontMetrics().elidedText(note, Qt.ElideRight, room) if note else "")
        self.time_label.setMinimumWidth(self.time_label.fontMetrics().horizontalAdvance("00:00:00:00") + 4)
        buttons = sum(b.sizeHint().width() + 2 for b in (self.to_start, self.back, self.play_button, self.forward,
                                                         self.loop_button))
        fixed = buttons + 8 + self.time_label.minimumWidth() + 6 + self.volume_icon.sizeHint().width() + 24
        free = self.width() - fixed - 90
        self.volume.setFixedWidth(90 if free >= 0 else 60)
        total = max(1, getattr(self, "_total", 0))
        widest = self.frame_label.fontMetrics().horizontalAdvance(tr("frame {f} / {n}", f=total, n=total)) + 6
        self.frame_label.setVisible(free + (30 if free < 0 else 0) >= widest)

    def _update_time(self, frame: int) -> None:
        fps = self._fps or 24
        self.time_label.setText(timecode(self._offset + frame, fps))
        self.frame_label.setText(tr("frame {f} / {n}", f=frame + 1 if self._total else 0, n=self._total))

    # -- widgets -> engine
    def _scrub_start(self) -> None:
        self._scrubbing = True
        if self.engine.playing:
            self.engine.pause()

    def _scrub_end(self) -> None:
        self._scrubbing = False

    def _scrub_moved(self, value: int) -> None:
        self.engine.seek(value)
        self._update_time(value)

    def _volume_moved(self, value: int) -> None:
        self.engine.set_volume(value / 100)
        self.volume_icon.setPixmap(theme.icon("mute" if value == 0 else "volume").pixmap(18, 18))
        self.volume_changed.emit(value / 100)

    def _loop_toggled(self, on: bool) -> None:
        self.engine.set_loop(on)
        self.loop_changed.emit(on)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_controls()
        r = self.view.picture_rect()
        ratio = self.devicePixelRatioF()
        self.engine.set_display_size(int(r.width() * ratio), int(r.height() * ratio))


__all__ = ["PlayerPanel", "VideoView", "to_qimage", "QPixmap"]
