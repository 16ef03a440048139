"""The storyboard timeline: a time ruler, a card per shot, a playhead.

Cards show the selected take's thumbnail (or a drawn placeholder), the title
and the duration. Drag a card to reorder (the drag carries shot ids as
``application/x-studio-shots``), drag a card's right edge to change its length
(snapping to whole frames, and to whole seconds when near one; hold Shift for
frames only), drop image or video files to make shots. The widget only emits
what the user asked for; the main window turns that into undoable edits.

Under the shot track, one audio lane per stem (dialogue, foley, ambience, music)
draws each selected take's waveform (peaks computed off the UI thread by
`studio.services.waveforms.WaveformCache`, cached per stem file); the dialogue lane
also shows each line as a labelled clip at its time. The lane headers' mute and
solo buttons drive the player's monitoring mix (`PlayerEngine.set_stem_muted` /
`set_stem_solo`): the player holds that state, the buttons only show it.
A thumbnail on a card longer than the picture's aspect is tiled at the source
aspect, never stretched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDrag,
    QFont,
    QFontMetrics,
    QKeySequence,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPolygon,
)
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QSizePolicy, QToolButton, QToolTip, QWidget

from studio.domain.model import Project, Shot, resolve_shot
from studio.domain.stems import STEM_NAMES
from studio.domain.timing import timecode
from studio.ui import theme
from studio.ui.i18n import tr

SHOTS_MIME = "application/x-studio-shots"
RULER_H = 26
CARD_TOP = RULER_H + 10
CARD_H = 128
LEFT = 16
EDGE_PX = 7
SNAP_PX = 8
MIN_PPS, MAX_PPS = 12.0, 480.0
LANES_TOP = CARD_TOP + CARD_H + 4
LANE_H = 18
LANE_GAP = 2
LANES = STEM_NAMES
"""dialogue, foley, ambience, music: one lane each, in the stem mixer's order."""
LANE_LABELS = {"dialogue": "Dialogue", "foley": "Foley", "ambience": "Ambience", "music": "Music"}
LANE_COLOURS = {"dialogue": "#e2b35a", "foley": "#5cc8a4", "ambience": "#6f9be3", "music": "#c07fe0"}
HEADER_W = 150
CONTENT_H = LANES_TOP + len(LANES) * (LANE_H + LANE_GAP) + 6
CHARS_PER_SECOND = 14.0
"""Speaking rate used to size a dialogue clip when the take has no dialogue stem to measure."""


def lane_rect_y(stem: str) -> tuple[int, int]:
    """Top and height of ``stem``'s lane."""
    i = LANES.index(stem)
    return LANES_TOP + i * (LANE_H + LANE_GAP), LANE_H


def tile_rects(target: QRectF, source_w: int, source_h: int) -> list[QRectF]:
    """Where to draw a thumbnail in ``target`` at the source's aspect: one centred copy when it fits
    the card's aspect closely, else copies side by side at the card's height (the last one cut by the card)."""
    if source_w <= 0 or source_h <= 0 or target.width() <= 0 or target.height() <= 0:
        return []
    aspect = source_w / source_h
    h = target.height()
    w = h * aspect
    if target.width() <= w * 1.15:  # close to the picture's own shape: cover (a little crop at most)
        scale = max(target.width() / source_w, target.height() / source_h)
        cw, ch = source_w * scale, source_h * scale
        return [QRectF(target.center().x() - cw / 2, target.center().y() - ch / 2, cw, ch)]
    n = int(-(-target.width() // w))
    return [QRectF(target.left() + i * w, target.top(), w, h) for i in range(n)]


@dataclass
class CardState:
    """What a card shows besides the shot itself (set by the window)."""

    thumbnail: QPixmap | None = None
    progress: float | None = None
    """0..1 while a job for this shot runs."""
    stale: bool = False
    """The selected take no longer matches the shot (it will render again on export)."""
    failed: bool = False
    withdrawn: str | None = None
    """The selected take shows a cameo that may not be exported now: "revoked", or another reason."""


def snap_duration(raw_frames: float, fps: int, pps: float, fine: bool = False) -> int:
    """Whole frames always; whole seconds when the edge is within SNAP_PX of one (unless ``fine``)."""
    frames = max(1, int(round(raw_frames)))
    if fine:
        return frames
    seconds = round(raw_frames / fps)
    if seconds >= 1 and abs(raw_frames / fps - seconds) * pps <= SNAP_PX:
        return seconds * fps
    return frames


class TimelineWidget(QWidget):
    """Paints and edits the storyboard. Lives inside a `TimelinePanel` scroll area."""

    selection_changed = Signal(list)
    """The selected shot ids, in storyboard order."""
    shots_moved = Signal(list, int)
    """Shot ids to move, the gap index (in the old order) to put them at."""
    duration_changed = Signal(str, int)
    """shot id, new duration in frames."""
    files_dropped = Signal(list, int)
    """Paths of dropped files, the gap index to insert the new shots at."""
    seek_requested = Signal(int)
    """A program frame the user clicked on the ruler."""
    shot_activated = Signal(str)
    """Double click: edit this shot's prompt."""
    context_menu_requested = Signal(QPoint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Timeline")
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Expanding)
        self._project: Project | None = None
        self._selected: list[str] = []
        self._anchor: str | None = None
        self._pps = 60.0
        self._playhead = 0
        self._states: dict[str, CardState] = {}
        self._press_pos: QPoint | None = None
        self._press_shot: str | None = None
        self._press_modifiers = Qt.NoModifier
        self._resizing: str | None = None
        self._resize_frames: int | None = None
        self._scrubbing = False
        self._drop_index: int | None = None
        self._media_dir = None
        self._wave_cache: dict = {}
        self._thumb_cache: dict = {}
        self._placeholder_cache: dict = {}
        self._card_cache: dict = {}
        self._clips_cache: dict = {}
        self._waveforms = None
        self._mix = None
        self._update_size()

    # -- data in
    def set_audio_sources(self, media_dir, waveforms, mix=None) -> None:
        """``media_dir()``: the open bundle's media folder (or None); ``waveforms``: a WaveformCache;
        ``mix``: the PlayerEngine whose mute/solo the lanes show."""
        self._media_dir = media_dir
        self._waveforms = waveforms
        self._mix = mix
        if waveforms is not None:
            waveforms.ready.connect(lambda _path: self.update())
        if mix is not None:
            mix.mix_changed.connect(self.update)
        self.update()

    def stem_path(self, shot: Shot, stem: str):
        """The file of ``stem`` in ``shot``'s selected take, or None."""
        take = shot.selected_take
        folder = self._media_dir() if self._media_dir is not None else None
        if take is None or folder is None:
            return None
        name = take.stem_file(stem)
        return Path(folder) / name if name else None

    def lane_peaks(self, shot_id: str, stem: str):
        """The cached peaks of a shot's stem (requesting them when not computed yet); None while pending or absent."""
        if self._project is None or self._waveforms is None:
            return None
        path = self.stem_path(self._project.shot(shot_id), stem)
        return self._waveforms.request(path) if path is not None else None

    def dialogue_clips(self, shot_id: str) -> list[tuple[float, float, str]]:
        """(start s, end s, text) of each dialogue line of a shot, inside the shot.

        Times are measured on the take's dialogue stem (its voiced regions, in line order)
        when there is one per line; otherwise a line sits at its frame, or where the sound
        design spreads unplaced lines (first at 10 %), sized by its length in characters.
        """
        if self._project is None:
            return []
        p = self._project
        shot = p.shot(shot_id)
        peaks = self.lane_peaks(shot_id, "dialogue")
        # Every repaint of a card asks: answered again only when the shot, the bible or the stem's peaks change.
        key = (shot, p.bible, p.fps, id(peaks) if peaks is not None else None)
        hit = self._clips_cache.get(shot_id)
        if hit is not None and hit[0] == key:
            return hit[1]
        out = self._dialogue_clips(p, shot, peaks)
        self._clips_cache[shot_id] = (key, out)
        return out

    def _dialogue_clips(self, p: Project, shot: Shot, peaks) -> list[tuple[float, float, str]]:
        from studio.services.waveforms import BINS_PER_SECOND, voiced_spans

        lines = resolve_shot(shot, p.bible).dialogue
        if not lines:
            return []
        seconds = shot.duration_frames / p.fps
        if peaks is not None and peaks.size:
            spans = [(a, min(b, seconds)) for a, b in voiced_spans(peaks, BINS_PER_SECOND) if a < seconds]
            if len(spans) == len(lines):
                return [(a, b, ln.text) for (a, b), ln in zip(spans, lines)]
        out = []
        auto = [ln for ln in lines if ln.at_frame is None]
        k = 0
        prev_end = 0.0
        for ln in lines:
            length = max(0.6, len(ln.text) / CHARS_PER_SECOND)
            if ln.at_frame is not None:
                start = min(max(ln.at_frame, 0), shot.duration_frames) / p.fps
            else:
                start = max(shot.duration_frames * (0.1 + 0.8 * k / max(1, len(auto))) / p.fps, prev_end + 0.15 if k else 0.0)
                k += 1
            if start >= seconds:
                continue
            end = min(seconds, start + length)
            if ln.at_frame is None:
                prev_end = end
            out.append((start, end, ln.text))
        return out

    def thumbnail_rects(self, shot_id: str) -> list[QRectF]:
        """Where a card's thumbnail is drawn (one rect per tile), at the source's aspect."""
        state = self._states.get(shot_id)
        if state is None or state.thumbnail is None or state.thumbnail.isNull():
            return []
        return tile_rects(self._thumb_rect(self.card_rect(shot_id)), state.thumbnail.width(), state.thumbnail.height())

    @staticmethod
    def _thumb_rect(rect: QRectF) -> QRectF:
        return QRectF(rect.left() + 1, rect.top() + 1, rect.width() - 2, rect.height() - 44)
    def set_project(self, project: Project | None) -> None:
        self._project = project
        ids = {s.id for s in project.shots} if project else set()
        for cache in (self._card_cache, self._clips_cache):
            for shot_id in [i for i in cache if i not in ids]:
                del cache[shot_id]
        kept = [i for i in self._selected if i in ids]
        if kept != self._selected:
            self._selected = kept
            self.selection_changed.emit(list(kept))
        self._update_size()
        self.update()

    def forget_other_projects(self) -> None:
        """Drop what was drawn for an earlier project: card states of shots not in this one
        (with their thumbnails) and the scaled tiles, waveforms and placeholders (redrawn on demand)."""
        ids = {s.id for s in self._project.shots} if self._project else set()
        for shot_id in [i for i in self._states if i not in ids]:
            del self._states[shot_id]
        self._wave_cache.clear()
        self._thumb_cache.clear()
        self._placeholder_cache.clear()
        self._card_cache.clear()
        self._clips_cache.clear()
        self.update()

    def set_card_state(self, shot_id: str, state: CardState) -> None:
        self._states[shot_id] = state
        # Only that card's column (card and lanes): progress and previews arrive many times a second,
        # and any synchronous repaint (a progress bar's) flushes the whole dirty region.
        rect = next((r for s, r in self.card_rects() if s.id == shot_id), None)
        if rect is None:
            self.update()
        else:
            self.update(QRect(int(rect.left()) - 3, 0, int(rect.width()) + 7, self.height()))

    def card_state(self, shot_id: str) -> CardState:
        return self._states.setdefault(shot_id, CardState())

    def set_playhead(self, frame: int) -> None:
        if frame != self._playhead:
            old_x = self.frame_to_x(self._playhead)
            self._playhead = frame
            new_x = self.frame_to_x(frame)
            self.update(QRect(int(min(old_x, new_x)) - 8, 0, int(abs(new_x - old_x)) + 17, self.height()))

    @property
    def playhead(self) -> int:
        return self._playhead

    def pixels_per_second(self) -> float:
        return self._pps

    def set_pixels_per_second(self, pps: float) -> None:
        self._pps = max(MIN_PPS, min(MAX_PPS, pps))
        self._update_size()
        self.update()

    def zoom(self, factor: float) -> None:
        self.set_pixels_per_second(self._pps * factor)

    # -- selection
    def selected_ids(self) -> list[str]:
        if not self._project:
            return []
        order = [s.id for s in self._project.shots]
        return sorted(self._selected, key=order.index)

    def select(self, shot_ids: list[str]) -> None:
        ids = [i for i in shot_ids if self._project and any(s.id == i for s in self._project.shots)]
        if ids != self._selected:
            self._selected = ids
            self._anchor = ids[-1] if ids else None
            self.selection_changed.emit(self.selected_ids())
            self.update()

    def select_all(self) -> None:
        if self._project:
            self.select([s.id for s in self._project.shots])

    def select_step(self, delta: int, extend: bool = False) -> None:
        if not self._project or not self._project.shots:
            return
        ids = [s.id for s in self._project.shots]
        current = ids.index(self._selected[-1]) if self._selected else (-1 if delta > 0 else len(ids))
        target = ids[max(0, min(len(ids) - 1, current + delta))]
        if extend:
            self.select([i for i in self._selected if i != target] + [target])
        else:
            self.select([target])

    # -- geometry
    def frame_to_x(self, frame: float) -> float:
        fps = self._project.fps if self._project else 24
        return LEFT + frame / fps * self._pps

    def x_to_frame(self, x: float) -> float:
        fps = self._project.fps if self._project else 24
        return (x - LEFT) / self._pps * fps

    def _duration(self, shot: Shot) -> int:
        if self._resizing == shot.id and self._resize_frames is not None:
            return self._resize_frames
        return shot.duration_frames

    def card_rects(self) -> list[tuple[Shot, QRectF]]:
        if not self._project:
            return []
        out = []
        start = 0
        for shot in self._project.shots:
            d = self._duration(shot)
            x0, x1 = self.frame_to_x(start), self.frame_to_x(start + d)
            out.append((shot, QRectF(x0 + 2, CARD_TOP, max(6.0, x1 - x0 - 4), CARD_H)))
            start += d
        return out

    def card_rect(self, shot_id: str) -> QRectF:
        return next(r for s, r in self.card_rects() if s.id == shot_id)

    def shot_at(self, pos: QPoint) -> str | None:
        for shot, rect in self.card_rects():
            if rect.adjusted(-2, 0, 2, 0).contains(pos.toPointF() if hasattr(pos, "toPointF") else pos):
                return shot.id
        return None

    def edge_at(self, pos: QPoint) -> str | None:
        """The shot whose right edge is under ``pos`` (for resizing)."""
        for shot, rect in self.card_rects():
            if CARD_TOP <= pos.y() <= CARD_TOP + CARD_H and abs(pos.x() - rect.right()) <= EDGE_PX:
                return shot.id
        return None

    def gap_index_at(self, x: float) -> int:
        """The gap (0..len) nearest to ``x``: where a drop lands."""
        index = 0
        for _, rect in self.card_rects():
            if x > rect.center().x():
                index += 1
        return index

    def _gap_x(self, index: int) -> float:
        rects = self.card_rects()
        if not rects:
            return LEFT
        if index >= len(rects):
            return rects[-1][1].right() + 2
        return rects[index][1].left() - 2

    def _update_size(self) -> None:
        total = self._project.total_frames if self._project else 0
        width = int(self.frame_to_x(total)) + 240
        self.setMinimumWidth(width)
        viewport = self.parentWidget()
        self.resize(max(width, viewport.width() if viewport else 0), self.height())

    def sizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), CONTENT_H)

    # -- painting
    def paintEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), QColor(theme.BG))
        self._paint_ruler(p)
        if not self._project or not self._project.shots:
            p.setPen(QColor(theme.MUTED))
            p.drawText(QRectF(LEFT, CARD_TOP, max(400, self.width() - 2 * LEFT), CARD_H), Qt.AlignVCenter | Qt.AlignLeft,
                       tr("No shots yet. Drop images or videos here, or write a story on the start page."))
        self._paint_lane_backgrounds(p)
        for index, (shot, rect) in enumerate(self.card_rects()):
            if rect.right() < event.rect().left() - 4 or rect.left() > event.rect().right() + 4:
                continue
            self._paint_card(p, index, shot, rect)
            self._paint_lanes(p, shot, rect)
        if self._drop_index is not None:
            x = self._gap_x(self._drop_index)
            p.setPen(QPen(QColor(theme.ACCENT_2), 3))
            p.drawLine(int(x), CARD_TOP - 6, int(x), CARD_TOP + CARD_H + 6)
        self._paint_playhead(p)
        p.end()

    def _paint_ruler(self, p: QPainter) -> None:
        p.fillRect(QRect(0, 0, self.width(), RULER_H), QColor(theme.PANEL))
        p.setPen(QColor(theme.BORDER))
        p.drawLine(0, RULER_H, self.width(), RULER_H)
        fps = self._project.fps if self._project else 24
        # Label every n seconds so labels never collide.
        step = next((s for s in (1, 2, 5, 10, 15, 30, 60, 120) if s * self._pps >= 70), 300)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1.5))
        p.setFont(small)
        seconds = int(self.x_to_frame(self.width()) / fps) + 1
        for s in range(0, seconds + 1):
            x = int(self.frame_to_x(s * fps))
            major = s % step == 0
            p.setPen(QColor("#4a5166") if major else QColor(theme.BORDER))
            p.drawLine(x, RULER_H - (10 if major else 5), x, RULER_H)
            if major:
                p.setPen(QColor(theme.MUTED))
                p.drawText(x + 4, RULER_H - 9, timecode(s * fps, fps)[3:8])
        if self._pps / fps >= 6:  # frame ticks once they are far enough apart
            p.setPen(QColor("#262a35"))
            for f in range(0, int(self.x_to_frame(self.width())) + 1):
                if f % fps:
                    x = int(self.frame_to_x(f))
                    p.drawLine(x, RULER_H - 3, x, RULER_H)

    def _paint_card(self, p: QPainter, index: int, shot: Shot, rect: QRectF) -> None:
        """A card: its body drawn once into a pixmap and reused until what it shows changes (progress
        and previews repaint a running card many times a second), its progress bar on top."""
        import math

        from studio.ui import i18n

        state = self._states.get(shot.id, CardState())
        thumb = state.thumbnail.cacheKey() if state.thumbnail is not None and not state.thumbnail.isNull() else None
        x0, y0 = math.floor(rect.left()), math.floor(rect.top())
        dx, dy = rect.left() - x0, rect.top() - y0
        key = (shot, index, shot.id in self._selected, thumb, state.stale, state.failed, state.withdrawn, self._resizing == shot.id,
               self._duration(shot), self._project.fps if self._project else 24, round(rect.width(), 2),
               round(rect.height(), 2), round(dx, 2), round(dy, 2), i18n.language(), self.devicePixelRatioF())
        hit = self._card_cache.get(shot.id)
        if hit is None or hit[0] != key:
            ratio = self.devicePixelRatioF()
            pm = QPixmap(max(1, math.ceil((rect.width() + dx + 1) * ratio)), max(1, math.ceil((rect.height() + dy + 1) * ratio)))
            pm.setDevicePixelRatio(ratio)
            pm.fill(Qt.transparent)
            q = QPainter(pm)
            q.setRenderHint(QPainter.Antialiasing)
            q.setFont(self.font())
            self._draw_card(q, index, shot, QRectF(dx, dy, rect.width(), rect.height()), state)
            q.end()
            hit = self._card_cache[shot.id] = (key, pm)
        p.drawPixmap(x0, y0, hit[1])
        if state.progress is not None:
            thumb_rect = self._thumb_rect(rect)
            p.fillRect(QRectF(thumb_rect.left(), thumb_rect.bottom() - 4, thumb_rect.width(), 4), QColor(0, 0, 0, 160))
            p.fillRect(QRectF(thumb_rect.left(), thumb_rect.bottom() - 4, thumb_rect.width() * state.progress, 4), QColor(theme.ACCENT))

    def _draw_card(self, p: QPainter, index: int, shot: Shot, rect: QRectF, state: CardState) -> None:
        selected = shot.id in self._selected
        path = QPainterPath()
        path.addRoundedRect(rect, 8, 8)
        p.fillPath(path, QColor(theme.RAISED if selected else theme.PANEL))
        thumb_rect = self._thumb_rect(rect)
        p.save()
        p.setClipRect(thumb_rect)  # a rectangle: an antialiased rounded clip path made every pixmap draw ~4 ms
        if state.thumbnail is not None and not state.thumbnail.isNull():
            pm = state.thumbnail
            p.fillRect(thumb_rect, QColor("#0b0c10"))
            tiles = tile_rects(thumb_rect, pm.width(), pm.height())
            for k, target in enumerate(tiles):
                scaled = self._scaled_thumbnail(pm, target)
                p.drawPixmap(target.topLeft(), scaled)
                if k:  # a thin seam between tiles, as film strips show frames
                    p.fillRect(QRectF(target.left(), target.top(), 1, target.height()), QColor(0, 0, 0, 140))
        else:
            self._paint_placeholder(p, thumb_rect, index, shot)
        p.restore()
        # number badge
        badge = QRectF(rect.left() + 6, rect.top() + 6, 22, 18)
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(badge, 4, 4)
        p.setPen(QColor("#ffffff"))
        p.drawText(badge, Qt.AlignCenter, str(index + 1))
        if state.stale or state.failed or state.withdrawn or len(shot.takes) > 1 or shot.reference_image:
            marks = []
            if state.withdrawn:  # first, so a narrow card still shows it
                marks.append((tr("cameo revoked") if state.withdrawn == "revoked" else tr("cameo unavailable"),
                              QColor(theme.ERROR)))
            if len(shot.takes) > 1:
                marks.append((tr("{n} takes", n=len(shot.takes)), QColor(0, 0, 0, 150)))
            if state.stale:
                marks.append((tr("changed"), QColor(theme.WARN)))
            if state.failed:
                marks.append((tr("failed"), QColor(theme.ERROR)))
            x = rect.right() - 6
            fm = QFontMetrics(p.font())
            for text, colour in marks:
                w = fm.horizontalAdvance(text) + 10
                if x - w < badge.right() + 4:
                    break
                r = QRectF(x - w, rect.top() + 6, w, 18)
                p.setPen(Qt.NoPen)
                p.setBrush(colour)
                p.drawRoundedRect(r, 4, 4)
                p.setPen(QColor("#14161c") if colour.alpha() == 255 else QColor("#ffffff"))
                p.drawText(r, Qt.AlignCenter, text)
                x -= w + 4
        # text
        text_rect = QRectF(rect.left() + 8, thumb_rect.bottom() + 4, rect.width() - 16, 18)
        title_font = QFont(self.font())
        title_font.setWeight(QFont.DemiBold)
        p.setFont(title_font)
        p.setPen(QColor(theme.TEXT))
        fm = QFontMetrics(title_font)
        p.drawText(text_rect, Qt.AlignLeft | Qt.AlignVCenter, fm.elidedText(shot.display_title(index), Qt.ElideRight, int(text_rect.width())))
        p.setFont(self.font())
        fps = self._project.fps if self._project else 24
        d = self._duration(shot)
        p.setPen(QColor(theme.MUTED))
        info = tr("{s} s · {f} f", s=f"{d / fps:.2f}".rstrip("0").rstrip("."), f=d)
        info_rect = text_rect.translated(0, 18)
        p.drawText(info_rect, Qt.AlignLeft | Qt.AlignVCenter, QFontMetrics(self.font()).elidedText(info, Qt.ElideRight, int(info_rect.width())))
        # outline and the edge grip
        p.setBrush(Qt.NoBrush)
        p.setPen(QPen(QColor(theme.ACCENT), 2) if selected else QPen(QColor(theme.BORDER), 1))
        p.drawRoundedRect(rect, 8, 8)
        grip = QColor(theme.ACCENT_2 if self._resizing == shot.id else ("#5a6172" if selected else "#3a4050"))
        p.setPen(QPen(grip, 3, Qt.SolidLine, Qt.RoundCap))
        p.drawLine(int(rect.right() - 4), int(rect.center().y() - 12), int(rect.right() - 4), int(rect.center().y() + 12))

    def _lane_gain(self, stem: str) -> float:
        return self._mix.stem_gains().get(stem, 1.0) if self._mix is not None else 1.0

    def _paint_lane_backgrounds(self, p: QPainter) -> None:
        for stem in LANES:
            top, h = lane_rect_y(stem)
            p.fillRect(QRect(0, top, self.width(), h), QColor("#171a22"))
            p.setPen(QColor("#20242e"))
            p.drawLine(0, top + h // 2, self.width(), top + h // 2)

    def _paint_lanes(self, p: QPainter, shot: Shot, rect: QRectF) -> None:
        fps = self._project.fps if self._project else 24
        for stem in LANES:
            top, h = lane_rect_y(stem)
            lane = QRectF(rect.left(), top, rect.width(), h)
            colour = QColor(LANE_COLOURS[stem])
            audible = self._lane_gain(stem) > 0
            if not audible:
                colour.setAlpha(70)
            path = self.stem_path(shot, stem)
            if path is None:
                continue
            peaks = self._waveforms.request(path) if self._waveforms is not None else None
            body = QColor(colour)
            body.setAlpha(38 if audible else 16)
            p.fillRect(lane.adjusted(0, 1, 0, -1), body)
            mid = top + h / 2
            p.setPen(QPen(colour, 1))
            if peaks is None:
                continue  # being computed; the lane repaints when it is ready
            from studio.services.waveforms import BINS_PER_SECOND

            seconds = self._duration(shot) / fps
            n = min(peaks.size, int(seconds * BINS_PER_SECOND))
            if n == 0 or not peaks[:n].any():
                p.drawLine(int(lane.left()), int(mid), int(lane.right()), int(mid))  # silence: flat
                continue
            p.drawPixmap(int(lane.left()), top, self._wave_pixmap(str(path), peaks[:n], seconds, int(lane.width()), h, colour))
        clips = self.dialogue_clips(shot.id)
        if clips:
            top, h = lane_rect_y("dialogue")
            x0 = rect.left()
            small = QFont(self.font())
            small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1.5))
            p.setFont(small)
            fm = QFontMetrics(small)
            for a, b, text in clips:
                r = QRectF(x0 + a * self._pps, top + 2, max(8.0, (b - a) * self._pps), h - 4).intersected(
                    QRectF(rect.left(), top, rect.width(), h))
                if r.width() < 4:
                    continue
                p.setPen(QPen(QColor(LANE_COLOURS["dialogue"]), 1))
                p.setBrush(QColor(40, 34, 20, 200))
                p.drawRoundedRect(r, 3, 3)
                p.setPen(QColor("#f4e3c0"))
                p.drawText(r.adjusted(4, 0, -2, 0), Qt.AlignVCenter | Qt.AlignLeft,
                           fm.elidedText(f"“{text}”", Qt.ElideRight, int(r.width() - 6)))
            p.setFont(self.font())

    def _scaled_thumbnail(self, pm: QPixmap, target: QRectF) -> QPixmap:
        """``pm`` at the tile's size, scaled once (smoothly) and reused until the pixmap or the size changes."""
        key = (pm.cacheKey(), int(round(target.width())), int(round(target.height())))
        hit = self._thumb_cache.get(key)
        if hit is None:
            hit = pm.scaled(key[1], key[2], Qt.IgnoreAspectRatio, Qt.SmoothTransformation)  # the tile already has pm's aspect
            if len(self._thumb_cache) > 256:
                self._thumb_cache.clear()
            self._thumb_cache[key] = hit
        return hit

    def _wave_pixmap(self, key: str, peaks, seconds: float, width: int, h: int, colour: QColor) -> QPixmap:
        """A lane's waveform for one card, drawn once per (stem, width, colour) and reused by every repaint."""
        from studio.services.waveforms import BINS_PER_SECOND
        import numpy as np

        cache_key = (key, width, h, colour.name(QColor.HexArgb), round(self._pps, 3))
        pm = self._wave_cache.get(cache_key)
        if pm is not None:
            return pm
        width = max(1, width)
        span_px = seconds * self._pps
        edges = (np.arange(width + 1) / span_px * seconds * BINS_PER_SECOND).astype(int)
        edges = np.minimum(edges, peaks.size)
        heights = np.zeros(width)
        for x in np.flatnonzero(edges[:-1] < peaks.size):
            heights[x] = peaks[edges[x]:max(edges[x] + 1, edges[x + 1])].max()
        pm = QPixmap(width, h)
        pm.fill(Qt.transparent)
        q = QPainter(pm)
        mid = h / 2
        # Drawn on a dB scale (−54 dBFS at the centre line, 0 dBFS at the lane's edge), so a quiet bed is visible too.
        level = np.clip(1 + 20 * np.log10(np.maximum(heights, 1e-6)) / 54, 0, 1)
        for x, v in enumerate(level):
            half = max(0.5, float(v) * (h / 2 - 2))
            q.fillRect(QRectF(x, mid - half, 1, 2 * half), colour)
        q.end()
        if len(self._wave_cache) > 512:
            self._wave_cache.clear()
        self._wave_cache[cache_key] = pm
        return pm

    def _paint_placeholder(self, p: QPainter, r: QRectF, index: int, shot: Shot) -> None:
        """A gradient and an icon, drawn once per (index, size, kind) and reused."""
        key = (index, int(r.width()), int(r.height()), bool(shot.reference_image))
        pm = self._placeholder_cache.get(key)
        if pm is None:
            pm = QPixmap(max(1, key[1]), max(1, key[2]))
            q = QPainter(pm)
            self._draw_placeholder(q, QRectF(0, 0, key[1], key[2]), index, shot)
            q.end()
            if len(self._placeholder_cache) > 128:
                self._placeholder_cache.clear()
            self._placeholder_cache[key] = pm
        p.drawPixmap(int(r.left()), int(r.top()), pm)

    def _draw_placeholder(self, p: QPainter, r: QRectF, index: int, shot: Shot) -> None:
        hue = (index * 47 + 250) % 360
        g = QLinearGradient(r.topLeft(), r.bottomRight())
        g.setColorAt(0, QColor.fromHsv(hue, 90, 70))
        g.setColorAt(1, QColor.fromHsv((hue + 40) % 360, 110, 40))
        p.fillRect(r, g)
        size = min(28.0, r.height() * 0.45, r.width() * 0.45)
        if size >= 10:
            ic = theme.icon("image" if shot.reference_image else "film").pixmap(int(size), int(size))
            p.setOpacity(0.55)
            p.drawPixmap(int(r.center().x() - size / 2), int(r.center().y() - size / 2), ic)
            p.setOpacity(1.0)

    def _paint_playhead(self, p: QPainter) -> None:
        x = int(self.frame_to_x(self._playhead))
        p.setPen(QPen(QColor(theme.ACCENT_2), 2))
        p.drawLine(x, 4, x, self.height())
        p.setBrush(QColor(theme.ACCENT_2))
        p.setPen(Qt.NoPen)
        p.drawPolygon(QPolygon([QPoint(x - 6, 2), QPoint(x + 6, 2), QPoint(x, 10)]))

    # -- mouse: select, scrub, resize, start a drag
    def mousePressEvent(self, event) -> None:  # noqa: N802
        pos = event.position().toPoint()
        self.setFocus(Qt.MouseFocusReason)
        if event.button() != Qt.LeftButton:
            if event.button() == Qt.RightButton:
                shot = self.shot_at(pos)
                if shot and shot not in self._selected:
                    self.select([shot])
                self.context_menu_requested.emit(event.globalPosition().toPoint())
            return
        if pos.y() < RULER_H:
            self._scrubbing = True
            self._seek_to_x(pos.x())
            return
        edge = self.edge_at(pos)
        if edge is not None:
            self._resizing = edge
            self._resize_frames = self._project.shot(edge).duration_frames if self._project else None
            self.setCursor(Qt.SizeHorCursor)
            return
        shot = self.shot_at(pos)
        self._press_pos, self._press_shot, self._press_modifiers = pos, shot, event.modifiers()
        if shot is None:
            if not event.modifiers() & (Qt.ControlModifier | Qt.ShiftModifier):
                self.select([])
            return
        mods = event.modifiers()
        if mods & Qt.ControlModifier:
            self.select([i for i in self._selected if i != shot] if shot in self._selected else self._selected + [shot])
        elif mods & Qt.ShiftModifier and self._anchor and self._project:
            ids = [s.id for s in self._project.shots]
            a, b = sorted((ids.index(self._anchor), ids.index(shot)))
            anchor = self._anchor
            self.select(ids[a : b + 1])
            self._anchor = anchor
        elif shot not in self._selected:
            self.select([shot])

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        pos = event.position().toPoint()
        if self._scrubbing:
            self._seek_to_x(pos.x())
            return
        if self._resizing and self._project:
            start = self._project.start_frame(self._resizing)
            raw = self.x_to_frame(pos.x() + 2) - start
            fine = bool(event.modifiers() & Qt.ShiftModifier)
            frames = snap_duration(raw, self._project.fps, self._pps, fine)
            if frames != self._resize_frames:
                self._resize_frames = frames
                self._update_size()
                self.update()
            fps = self._project.fps
            QToolTip.showText(event.globalPosition().toPoint(), tr("{s} s · {f} f", s=f"{frames / fps:.2f}", f=frames), self)
            return
        if self._press_pos is not None and self._press_shot and event.buttons() & Qt.LeftButton:
            if (pos - self._press_pos).manhattanLength() >= QApplication.startDragDistance():
                self._start_drag()
            return
        self.setCursor(Qt.SizeHorCursor if self.edge_at(pos) else Qt.ArrowCursor)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._scrubbing:
            self._scrubbing = False
            return
        if self._resizing:
            shot_id, frames = self._resizing, self._resize_frames
            self._resizing, self._resize_frames = None, None
            self.unsetCursor()
            self._update_size()
            self.update()
            if self._project and frames is not None and frames != self._project.shot(shot_id).duration_frames:
                self.duration_changed.emit(shot_id, frames)
            return
        if self._press_shot and not self._press_modifiers & (Qt.ControlModifier | Qt.ShiftModifier):
            self.select([self._press_shot])  # a plain click on one of several selected cards
        self._press_pos = self._press_shot = None

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        shot = self.shot_at(event.position().toPoint())
        if shot:
            self.shot_activated.emit(shot)

    def wheelEvent(self, event) -> None:  # noqa: N802
        if event.modifiers() & Qt.ControlModifier:
            self.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            event.ignore()

    def _seek_to_x(self, x: float) -> None:
        total = self._project.total_frames if self._project else 0
        frame = max(0, min(int(self.x_to_frame(x)), max(0, total - 1)))
        self.seek_requested.emit(frame)

    def mime_for(self, shot_ids: list[str]) -> QMimeData:
        mime = QMimeData()
        mime.setData(SHOTS_MIME, json.dumps(shot_ids).encode("utf-8"))
        return mime

    def _start_drag(self) -> None:
        ids = self.selected_ids() or ([self._press_shot] if self._press_shot else [])
        self._press_pos = self._press_shot = None
        if not ids:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mime_for(ids))
        rect = self.card_rect(ids[0]).toRect()
        drag.setPixmap(self.grab(rect).scaledToHeight(72, Qt.SmoothTransformation))
        drag.exec(Qt.MoveAction)

    # -- drops: our cards (reorder) and files from the file manager
    @staticmethod
    def _dropped_files(mime: QMimeData) -> list[Path]:
        from studio.services.qt_import import importable

        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile() and importable(u.toLocalFile())]

    def _accepts(self, mime: QMimeData) -> bool:
        return mime.hasFormat(SHOTS_MIME) or bool(self._dropped_files(mime))

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if self._project is not None and self._accepts(event.mimeData()):
            event.setDropAction(Qt.MoveAction if event.mimeData().hasFormat(SHOTS_MIME) else Qt.CopyAction)
            event.accept()
            self._drop_index = self.gap_index_at(event.position().x())
            self.update()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if self._project is not None and self._accepts(event.mimeData()):
            event.setDropAction(Qt.MoveAction if event.mimeData().hasFormat(SHOTS_MIME) else Qt.CopyAction)
            event.accept()
            index = self.gap_index_at(event.position().x())
            if index != self._drop_index:
                self._drop_index = index
                self.update()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._drop_index = None
        self.update()

    def dropEvent(self, event) -> None:  # noqa: N802
        mime = event.mimeData()
        index = self.gap_index_at(event.position().x())
        self._drop_index = None
        self.update()
        if mime.hasFormat(SHOTS_MIME):
            try:
                ids = [str(i) for i in json.loads(bytes(mime.data(SHOTS_MIME)).decode("utf-8"))]
            except ValueError:
                event.ignore()
                return
            event.setDropAction(Qt.MoveAction)
            event.accept()
            self.shots_moved.emit(ids, index)
            return
        files = self._dropped_files(mime)
        if files:
            event.setDropAction(Qt.CopyAction)
            event.accept()
            self.files_dropped.emit([str(f) for f in files], index)
        else:
            event.ignore()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        extend = bool(event.modifiers() & Qt.ShiftModifier)
        if event.key() == Qt.Key_Left and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.select_step(-1, extend)
        elif event.key() == Qt.Key_Right and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.select_step(1, extend)
        elif event.matches(QKeySequence.SelectAll):
            self.select_all()
        else:
            super().keyPressEvent(event)


class LaneHeaders(QWidget):
    """The fixed column left of the timeline: a title per track, and mute/solo per audio lane."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LaneHeaders")
        self.inner = QWidget(self)
        self.shots_label = QLabel(self.inner)
        self.shots_label.setObjectName("Muted")
        self.shots_label.setGeometry(8, CARD_TOP, HEADER_W - 12, 20)
        self.labels: dict[str, QLabel] = {}
        self.mutes: dict[str, QToolButton] = {}
        self.solos: dict[str, QToolButton] = {}
        self._mix = None
        for stem in LANES:
            top, h = lane_rect_y(stem)
            label = QLabel(self.inner)
            label.setGeometry(8, top, HEADER_W - 64, h)
            label.setStyleSheet(f"color: {LANE_COLOURS[stem]}; background: transparent;")
            mute, solo = QToolButton(self.inner), QToolButton(self.inner)
            for k, (button, kind) in enumerate(((mute, "Mute"), (solo, "Solo"))):
                button.setObjectName(f"Lane{kind}_{stem}")
                button.setCheckable(True)
                # An 18 px lane: a smaller face and no vertical padding, or 消音 / ソロ are cut off.
                button.setStyleSheet("QToolButton { padding: 0px 3px; font-size: 11px; }")
                button.setGeometry(HEADER_W - 52 + k * 24, top + 1, 22, h - 2)
            mute.toggled.connect(lambda on, s=stem: self._mix and self._mix.set_stem_muted(s, on))
            solo.toggled.connect(lambda on, s=stem: self._mix and self._mix.set_stem_solo(s, on))
            self.labels[stem], self.mutes[stem], self.solos[stem] = label, mute, solo
        self.inner.resize(HEADER_W, CONTENT_H)
        self.retranslate()

    def bind(self, mix) -> None:
        self._mix = mix
        mix.mix_changed.connect(self.sync)
        self.sync()

    def sync(self) -> None:
        """Show the player's mute/solo (the one place that state lives)."""
        if self._mix is None:
            return
        for stem in LANES:
            for button, on in ((self.mutes[stem], self._mix.is_muted(stem)), (self.solos[stem], self._mix.is_solo(stem))):
                if button.isChecked() != on:
                    button.blockSignals(True)
                    button.setChecked(on)
                    button.blockSignals(False)

    def language_changed(self, _language: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        self.shots_label.setText(tr("Shots"))
        for stem in LANES:
            name = tr(LANE_LABELS[stem])
            self.labels[stem].setText(name)
            self.mutes[stem].setText(tr("M"))  # M / S as mixing desks label them; 消音 / ソロ in Japanese
            self.solos[stem].setText(tr("S"))
            self.mutes[stem].setToolTip(tr("Mute the {stem} lane in the preview", stem=name))
            self.solos[stem].setToolTip(tr("Hear only the soloed lanes in the preview ({stem})", stem=name))
        self._layout_buttons()

    def _layout_buttons(self) -> None:
        buttons = (*self.mutes.values(), *self.solos.values())
        # The buttons' own size hints (their stylesheet's font and padding), not the panel's font.
        bw = max(22, max(b.sizeHint().width() for b in buttons))
        for stem in LANES:
            top, h = lane_rect_y(stem)
            self.solos[stem].setGeometry(HEADER_W - 4 - bw, top + 1, bw, h - 2)
            self.mutes[stem].setGeometry(HEADER_W - 6 - 2 * bw, top + 1, bw, h - 2)
            self.labels[stem].setGeometry(8, top, max(20, HEADER_W - 14 - 2 * bw), h)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(theme.PANEL))
        p.setPen(QColor(theme.BORDER))
        p.drawLine(self.width() - 1, 0, self.width() - 1, self.height())
        p.end()


class TimelinePanel(QScrollArea):
    """The timeline in a scroll area that keeps the playhead in view while playing, with lane headers on its left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline = TimelineWidget()
        self.setWidget(self.timeline)
        self.setWidgetResizable(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.setMinimumHeight(CARD_TOP + CARD_H + 28)
        self.setAcceptDrops(True)
        self.headers = LaneHeaders(self)
        self.setViewportMargins(HEADER_W, 0, 0, 0)
        self.verticalScrollBar().valueChanged.connect(lambda v: self.headers.inner.move(0, -v))
        from studio.services.waveforms import WaveformCache

        self.waveforms = WaveformCache(self)

    def bind(self, player, document) -> None:
        """Lanes read the open bundle's takes and show/drive ``player``'s mute and solo."""
        from studio.persistence.bundle import media_dir

        self.timeline.set_audio_sources(lambda: media_dir(document.bundle) if document.bundle is not None else None,
                                        self.waveforms, player)
        self.headers.bind(player)
        from studio.ui import i18n

        i18n.notifier.language_changed.connect(self.headers.language_changed)  # a method: disconnected when the headers go

    def shutdown(self) -> None:
        self.waveforms.shutdown()

    def sizeHint(self) -> QSize:  # noqa: N802
        """Tall enough for the cards and every lane; a smaller window scrolls the lanes (minimumHeight: the cards)."""
        extra = 2 * self.frameWidth() + self.horizontalScrollBar().sizeHint().height()
        return QSize(super().sizeHint().width(), CONTENT_H + extra)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        vp = self.viewport()
        self.headers.setGeometry(self.frameWidth(), self.frameWidth(), HEADER_W, vp.height())
        self.timeline.resize(max(self.timeline.minimumWidth(), vp.width()), max(CONTENT_H, vp.height()))

    def follow_playhead(self) -> None:
        x = int(self.timeline.frame_to_x(self.timeline.playhead))
        bar = self.horizontalScrollBar()
        if not bar.value() <= x <= bar.value() + self.viewport().width() - 40:
            bar.setValue(max(0, x - 80))
