"""The feed: your renders as a vertical, full-height scrolling feed, like a short-video app.

Each video fills the height of the page; the wheel, the arrow keys or dragging
the scroll bar move to the next one and the feed snaps to it. The video in
view plays (looping, with sound where there is a sound device) on the feed's
own `PlayerEngine`, so the editor's player keeps its place. Beside it: like,
comment, its recipe, and remix in one click. "With my cameo" shows the videos
in which one of your cameos appears (recorded from each video's cameo list).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from PySide6.QtCore import QEasingCurve, QPropertyAnimation, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QLinearGradient, QPainter
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.services.feed_store import FeedError, FeedStore, FeedVideo, feed_audio_path
from studio.services.player_engine import PlaybackProgram, PlayerEngine, ProgramClip
from studio.ui import i18n, theme
from studio.ui.i18n import tr
from studio.ui.player import VideoView, to_qimage

log = logging.getLogger(__name__)

POSTER_HEIGHT = 640  # posters are shrunk to this height; the live frames come at display size
WHEEL_STEP = 120  # one notch of a mouse wheel
MARGIN_X, MARGIN_Y = 12, 10  # the card's margins
GAP = 16  # between the picture and the actions column
ACTION_SPACING = 14


class _InfoOverlay(QWidget):
    """Title, details and the cameo badge, painted over the bottom of the picture on a dark gradient."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.title = ""
        self.details = ""
        self.badge = ""

    def set_text(self, title: str, details: str, badge: str) -> None:
        self.title, self.details, self.badge = title, details, badge
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        g = QLinearGradient(0, 0, 0, self.height())
        g.setColorAt(0.0, QColor(0, 0, 0, 0))
        g.setColorAt(1.0, QColor(0, 0, 0, 190))
        p.fillRect(self.rect(), g)
        x, y = 14, self.height() - 14
        f = QFont(self.font())
        f.setPointSizeF(f.pointSizeF() * 0.92)
        p.setFont(f)
        p.setPen(QColor(225, 229, 238))
        p.drawText(QRectF(x, y - 20, self.width() - 2 * x, 20), Qt.AlignLeft | Qt.AlignVCenter,
                   p.fontMetrics().elidedText(self.details, Qt.ElideRight, self.width() - 2 * x))
        y -= 22
        bold = QFont(self.font())
        bold.setWeight(QFont.Bold)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        p.setFont(bold)
        p.setPen(QColor("white"))
        p.drawText(QRectF(x, y - 24, self.width() - 2 * x, 24), Qt.AlignLeft | Qt.AlignVCenter,
                   p.fontMetrics().elidedText(self.title, Qt.ElideRight, self.width() - 2 * x))
        y -= 30
        if self.badge:
            p.setFont(f)
            w = p.fontMetrics().horizontalAdvance(self.badge) + 20
            r = QRectF(x, y - 22, w, 22)
            p.setPen(Qt.NoPen)
            p.setBrush(QColor(theme.ACCENT_2))
            p.drawRoundedRect(r, 11, 11)
            p.setPen(QColor("white"))
            p.drawText(r, Qt.AlignCenter, self.badge)
        p.end()


class _FeedScrollArea(QScrollArea):
    """The feed's scroll area: a wheel notch asks for one whole video, and it says when it is resized.

    (Overrides rather than an event filter on the viewport: a Python filter can be called
    while the page is being destroyed, which crashes PySide at exit.)
    """

    step_requested = Signal(int)
    """+1: next video, -1: previous."""
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._wheel = 0

    def wheelEvent(self, event) -> None:  # noqa: N802
        self._wheel += event.angleDelta().y()
        if abs(self._wheel) >= WHEEL_STEP:
            step = -1 if self._wheel > 0 else 1
            self._wheel = 0
            self.step_requested.emit(step)
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.resized.emit()


class FeedItemWidget(QFrame):
    """One video of the feed, as tall as the page: the picture and its actions column."""

    like_clicked = Signal(int)
    comments_clicked = Signal(int)
    recipe_clicked = Signal(int)
    remix_clicked = Signal(int)

    def __init__(self, video: FeedVideo, mine: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FeedItem")
        self.video = video
        self.mine = mine
        self.poster = None
        self.view = VideoView()
        self.view.setMinimumSize(QSize(1, 1))
        self.view.set_aspect(video.width or 9, video.height or 16)
        self.view.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.overlay = _InfoOverlay(self.view)
        self.like_button = self._action_button("heart")
        self.comment_button = self._action_button("comment")
        self.recipe_button = self._action_button("recipe")
        self.remix_button = self._action_button("remix")
        self.like_button.clicked.connect(lambda: self.like_clicked.emit(self.video.id))
        self.comment_button.clicked.connect(lambda: self.comments_clicked.emit(self.video.id))
        self.recipe_button.clicked.connect(lambda: self.recipe_clicked.emit(self.video.id))
        self.remix_button.clicked.connect(lambda: self.remix_clicked.emit(self.video.id))

        # No layout: resizeEvent places the picture and the actions column by hand, so the
        # actions can never be pushed out of the card (a layout grew the card past the feed's
        # width for a wide video, cropping it and hiding the buttons).
        for b in self.action_buttons:
            b.setParent(self)
        self.view.setParent(self)
        self.retranslate()

    @property
    def action_buttons(self) -> tuple[QToolButton, ...]:
        return (self.like_button, self.comment_button, self.recipe_button, self.remix_button)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, 640)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._column_width() + 2 * MARGIN_X + GAP + 40, 2 * MARGIN_Y + 40)

    def _column_width(self) -> int:
        return max(78, *(b.sizeHint().width() for b in self.action_buttons))

    def _action_button(self, icon: str) -> QToolButton:
        b = QToolButton()
        b.setObjectName("FeedAction")
        b.setIcon(theme.icon(icon))
        b.setIconSize(QSize(30, 30))
        b.setToolButtonStyle(Qt.ToolButtonTextUnderIcon)
        b.setMinimumWidth(78)
        b.setCursor(Qt.PointingHandCursor)
        return b

    def set_video(self, video: FeedVideo) -> None:
        self.video = video
        self.retranslate()

    def retranslate(self) -> None:
        v = self.video
        self.like_button.setIcon(theme.icon("heart_filled" if v.liked else "heart"))
        self.like_button.setText(tr("Liked") if v.liked else tr("Like"))
        self.like_button.setToolTip(tr("Like this video (L)"))
        self.comment_button.setText(str(v.comment_count) if v.comment_count else tr("Comment"))
        self.comment_button.setToolTip(tr("Comments"))
        self.recipe_button.setText(tr("Recipe"))
        self.recipe_button.setToolTip(tr("See how this video was made"))
        self.remix_button.setText(tr("Remix"))
        self.remix_button.setToolTip(tr("Open this video's recipe as a new project"))
        details = [tr("{s} s", s=f"{v.seconds:.1f}"), f"{v.width}×{v.height}"]
        if v.engines:
            details.append(", ".join(v.engines))
        details.append(v.created_at[:16].replace("T", " "))
        if v.source == "imported":
            details.append(tr("imported"))
        self.overlay.set_text(v.title or v.path.stem, " · ".join(details), tr("Your cameo") if self.mine else "")
        self._place()  # the labels' widths may have changed

    def ensure_poster(self) -> None:
        """Decode the first frame once, to show while the video is not the one playing."""
        if self.poster is not None or self.view.has_image():
            return
        from studio.media.decode import read_frames

        try:
            frame = next(iter(read_frames(self.video.path, max_frames=1)))
        except Exception as exc:
            log.info("no poster for %s: %s", self.video.path, exc)
            self.poster = False
            self.view.set_image(None, tr("This video cannot be played."))
            return
        h, w = frame.shape[:2]
        if h > POSTER_HEIGHT:
            import cv2

            frame = cv2.resize(frame, (max(1, w * POSTER_HEIGHT // h), POSTER_HEIGHT), interpolation=cv2.INTER_AREA)
        self.poster = np.ascontiguousarray(frame)
        self.view.set_image(to_qimage(self.poster))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        """Fit the picture (any aspect, letterboxed) beside a fixed actions column, both inside the card.

        The column keeps its width whatever the video; the picture gets the rest, scaled to fit
        with its aspect kept, and the pair is centred, so the actions sit right beside the video
        as on a phone. The column's bottom lines up with the picture's bottom where it fits.
        """
        col_w = self._column_width()
        left, top = MARGIN_X, MARGIN_Y
        room_w = max(1, self.width() - 2 * MARGIN_X - GAP - col_w)
        room_h = max(1, self.height() - 2 * MARGIN_Y)
        aspect = (self.video.width or 9) / (self.video.height or 16)
        pic_w = max(1, min(room_w, int(room_h * aspect)))
        pic_h = max(1, min(room_h, int(round(pic_w / aspect))))
        x = left + (room_w - pic_w) // 2
        # The video area spans the card's height; the picture is letterboxed inside it (bars above
        # and below a wide video).
        self.view.setGeometry(x, top, pic_w, room_h)
        heights = [b.sizeHint().height() for b in self.action_buttons]
        spacing = ACTION_SPACING
        need = sum(heights) + spacing * (len(heights) - 1)
        if need > room_h:  # a very short card: close the gaps, then shrink the buttons evenly
            spacing = max(0, (room_h - sum(heights)) // max(1, len(heights) - 1))
            need = sum(heights) + spacing * (len(heights) - 1)
        scale = min(1.0, room_h / max(1, need))
        pic_bottom = top + (room_h + pic_h) // 2
        y = max(top, min(pic_bottom, top + room_h) - int(need * scale))
        cx = x + pic_w + GAP
        for b, h in zip(self.action_buttons, heights):
            bh = max(1, int(h * scale))
            b.setGeometry(cx, y, col_w, bh)
            y += bh + int(spacing * scale)
        self._place_overlay()

    def _place_overlay(self) -> None:
        r = self.view.picture_rect()
        h = min(r.height(), 130.0)
        self.overlay.setGeometry(int(r.left()), int(r.bottom() - h), int(r.width()), int(h))


class FeedPageWidget(QWidget):
    """The feed page: the scrolling videos, and a side panel with comments and the recipe."""

    remix_requested = Signal(str)
    """The path of the video whose recipe should open as a new project."""
    back_requested = Signal()
    current_changed = Signal(int)
    """The index of the video now in view (-1: none)."""

    def __init__(
        self,
        store_factory: Callable[[], FeedStore] = FeedStore,
        player: PlayerEngine | None = None,
        my_cameo_ids: Callable[[], Iterable[str]] = lambda: (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("FeedPage")
        self.setFocusPolicy(Qt.StrongFocus)
        self._store_factory = store_factory
        self._store: FeedStore | None = None
        self._player = player
        self._owns_player = player is None
        self._my_cameo_ids = my_cameo_ids
        self.items: list[FeedItemWidget] = []
        self.current_index = -1
        self._playing_id: int | None = None
        self._active = False

        # -- top bar
        self.title = QLabel()
        self.title.setObjectName("PanelTitle")
        self.all_button = QToolButton()
        self.mine_button = QToolButton()
        self.filter_group = QButtonGroup(self)
        for b in (self.all_button, self.mine_button):
            b.setCheckable(True)
            self.filter_group.addButton(b)
        self.all_button.setChecked(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        self.back_button = QPushButton()
        self.back_button.clicked.connect(self.back_requested.emit)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.all_button)
        top.addWidget(self.mine_button)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addSpacing(12)
        top.addWidget(self.back_button)

        # -- the feed
        self.scroll = _FeedScrollArea()
        self.scroll.setObjectName("FeedScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.container = QWidget()
        self.container.setObjectName("FeedContainer")
        self.column = QVBoxLayout(self.container)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(0)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("Muted")
        self.empty_label.setAlignment(Qt.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.column.addWidget(self.empty_label)
        self.scroll.setWidget(self.container)
        self.scroll.step_requested.connect(lambda step: self.go(self.current_index + step))
        self.scroll.resized.connect(self._scroll_resized)
        self._animation = QPropertyAnimation(self.scroll.verticalScrollBar(), b"value", self)
        self._animation.setDuration(260)
        self._animation.setEasingCurve(QEasingCurve.OutCubic)
        self._snap_timer = QTimer(self)
        self._snap_timer.setSingleShot(True)
        self._snap_timer.setInterval(180)
        self._snap_timer.timeout.connect(self._snap)
        self.scroll.verticalScrollBar().valueChanged.connect(self._scrolled)

        # -- side panel: comments and recipe of the video in view
        self.side = QTabWidget()
        self.side.setObjectName("FeedSide")
        self.side.setMinimumWidth(320)
        self.side.setMaximumWidth(420)
        comments = QWidget()
        cl = QVBoxLayout(comments)
        self.comment_list = QListWidget()
        self.comment_list.setWordWrap(True)
        self.comment_input = QLineEdit()
        self.comment_input.returnPressed.connect(self.post_comment)
        self.post_button = QPushButton()
        self.post_button.setObjectName("Primary")
        self.post_button.clicked.connect(self.post_comment)
        self.comment_error = QLabel()
        self.comment_error.setObjectName("Error")
        self.comment_error.setWordWrap(True)
        self.comment_error.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.comment_input, 1)
        row.addWidget(self.post_button)
        cl.addWidget(self.comment_list, 1)
        cl.addWidget(self.comment_error)
        cl.addLayout(row)
        recipe = QWidget()
        rl = QVBoxLayout(recipe)
        self.recipe_view = QTextBrowser()
        self.recipe_view.setOpenLinks(False)
        self.remix_button = QPushButton()
        self.remix_button.setObjectName("Primary")
        self.remix_button.setIcon(theme.icon("remix"))
        self.remix_button.clicked.connect(self.remix_current)
        rl.addWidget(self.recipe_view, 1)
        rl.addWidget(self.remix_button)
        self.side.addTab(comments, "")
        self.side.addTab(recipe, "")

        body = QHBoxLayout()
        body.setSpacing(10)
        body.addWidget(self.scroll, 1)
        body.addWidget(self.side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(top)
        layout.addLayout(body, 1)

        self.all_button.toggled.connect(lambda on: on and self.reload())
        self.mine_button.toggled.connect(lambda on: on and self.reload())
        i18n.notifier.language_changed.connect(self._language_changed)
        self.retranslate()

    # ------------------------------------------------------------------ data
    @property
    def store(self) -> FeedStore:
        if self._store is None:
            self._store = self._store_factory()
        return self._store

    @property
    def player(self) -> PlayerEngine:
        if self._player is None:
            self._player = PlayerEngine(self)
            self._player.set_loop(True)
            self._player.frame_ready.connect(self._show_frame)
        return self._player

    @property
    def showing_mine(self) -> bool:
        return self.mine_button.isChecked()

    def show_mine(self, mine: bool) -> None:
        (self.mine_button if mine else self.all_button).setChecked(True)

    @property
    def current_video(self) -> FeedVideo | None:
        return self.items[self.current_index].video if 0 <= self.current_index < len(self.items) else None

    def reload(self) -> None:
        """Read the feed again (keeping the video in view when it is still there)."""
        keep = self.current_video.id if self.current_video else None
        mine = set(self._my_cameo_ids())
        self._update_empty_text()
        try:
            videos = self.store.videos_with_cameos(mine) if self.showing_mine else self.store.videos()
        except FeedError as exc:
            self.empty_label.setText(str(exc))
            videos = []
        for item in self.items:
            self.column.removeWidget(item)
            item.deleteLater()
        self.items = []
        for v in videos:
            item = FeedItemWidget(v, bool(mine & set(v.cameos)))
            item.like_clicked.connect(lambda vid: self.toggle_like(vid))
            item.comments_clicked.connect(lambda vid: self._focus_side(vid, 0))
            item.recipe_clicked.connect(lambda vid: self._focus_side(vid, 1))
            item.remix_clicked.connect(lambda vid: self.remix(vid))
            self.column.addWidget(item)
            self.items.append(item)
        self.empty_label.setVisible(not self.items)
        self._size_items()
        self.count_label.setText(tr("1 video") if len(self.items) == 1 else tr("{n} videos", n=len(self.items)))
        self.current_index = -1
        index = next((i for i, it in enumerate(self.items) if it.video.id == keep), 0) if self.items else -1
        self.go(index, animate=False)

    # ------------------------------------------------------------------ moving through the feed
    def go(self, index: int, *, animate: bool = True) -> None:
        """Bring video ``index`` into view and play it."""
        if not self.items:
            self._set_current(-1)
            return
        index = max(0, min(index, len(self.items) - 1))
        target = index * self._item_height()
        bar = self.scroll.verticalScrollBar()
        self._animation.stop()
        if animate and self.isVisible():
            self._animation.setStartValue(bar.value())
            self._animation.setEndValue(target)
            self._animation.start()
        else:
            bar.setValue(target)
        self._set_current(index)

    def next(self) -> None:
        self.go(self.current_index + 1)

    def previous(self) -> None:
        self.go(self.current_index - 1)

    def _item_height(self) -> int:
        return max(1, self.scroll.viewport().height())

    def _size_items(self) -> None:
        h = self._item_height()
        for item in self.items:
            item.setFixedHeight(h)
        self.empty_label.setMinimumHeight(h if not self.items else 0)

    def _scrolled(self, value: int) -> None:
        if self._animation.state() == QPropertyAnimation.Running:
            return
        self._snap_timer.start()  # the user drags the bar: settle on the nearest video when they stop

    def _snap(self) -> None:
        if self.items:
            self.go(round(self.scroll.verticalScrollBar().value() / self._item_height()))

    def _set_current(self, index: int) -> None:
        changed = index != self.current_index
        self.current_index = index
        for i, item in enumerate(self.items):
            if abs(i - index) <= 1:
                item.ensure_poster()
        if changed:
            self._play_current()
            self._fill_side()
            self.current_changed.emit(index)

    # ------------------------------------------------------------------ playback
    def _play_current(self) -> None:
        video = self.current_video
        if video is None or not self._active:
            if self._player is not None:
                self._player.pause()
            self._playing_id = None
            return
        if self._playing_id == video.id:
            self.player.play()
            return
        # The previous video goes back to its poster.
        for item in self.items:
            if item.video.id == self._playing_id and item.poster is not None and item.poster is not False:
                item.view.set_image(to_qimage(item.poster))
        fps = 24
        frames = max(1, round(video.seconds * fps))
        try:
            from studio.media.decode import probe

            info = probe(video.path)
            fps = max(1, round(float(info.fps)))
            frames = max(1, info.frame_count or round(info.duration_seconds * fps))
        except Exception as exc:
            log.info("feed probe of %s failed: %s", video.path, exc)
        audio = feed_audio_path(video)
        clip = ProgramClip(f"feed_{video.id}", 0, frames, video.path, (audio,) if audio else (), video.title)
        self._playing_id = video.id
        player = self.player
        self._update_display_size()
        player.set_program(PlaybackProgram((clip,), fps), 0)
        player.play()

    def _show_frame(self, frame: int, image) -> None:
        if image is None or not (0 <= self.current_index < len(self.items)):
            return
        item = self.items[self.current_index]
        if item.video.id == self._playing_id:
            item.view.set_image(to_qimage(image))

    def _update_display_size(self) -> None:
        if self._player is not None and 0 <= self.current_index < len(self.items):
            r = self.items[self.current_index].view.picture_rect()
            ratio = self.devicePixelRatioF()
            self._player.set_display_size(int(r.width() * ratio), int(r.height() * ratio))

    def activate(self) -> None:
        """The page came into view: read the feed and play the video in view."""
        self._active = True
        self.reload()
        self._play_current()
        self.setFocus()

    def deactivate(self) -> None:
        """The page left the view: stop the sound."""
        self._active = False
        if self._player is not None:
            self._player.pause()

    @property
    def is_playing(self) -> bool:
        return self._player is not None and self._player.playing and self._playing_id is not None

    def shutdown(self) -> None:
        self._active = False
        if self._player is not None and self._owns_player:
            self._player.shutdown()
        if self._store is not None:
            self._store.close()
            self._store = None

    # ------------------------------------------------------------------ like, comment, recipe, remix
    def toggle_like(self, video_id: int | None = None) -> bool | None:
        video_id = video_id if video_id is not None else (self.current_video.id if self.current_video else None)
        if video_id is None:
            return None
        liked = self.store.toggle_like(video_id)
        self._refresh_item(video_id)
        return liked

    def post_comment(self) -> bool:
        video = self.current_video
        if video is None:
            return False
        try:
            self.store.add_comment(video.id, self.comment_input.text())
        except FeedError as exc:
            self.comment_error.setText(tr("Comment not posted: {m}", m=tr(str(exc))))
            self.comment_error.setVisible(True)
            return False
        self.comment_error.setVisible(False)
        self.comment_input.clear()
        self._refresh_item(video.id)
        self._fill_side()
        return True

    def remix(self, video_id: int) -> None:
        item = next((it for it in self.items if it.video.id == video_id), None)
        if item is not None:
            self.remix_requested.emit(str(item.video.path))

    def remix_current(self) -> None:
        if self.current_video is not None:
            self.remix(self.current_video.id)

    def _focus_side(self, video_id: int, tab: int) -> None:
        index = next((i for i, it in enumerate(self.items) if it.video.id == video_id), None)
        if index is not None and index != self.current_index:
            self.go(index)
        self.side.setCurrentIndex(tab)
        if tab == 0:
            self.comment_input.setFocus()

    def _refresh_item(self, video_id: int) -> None:
        for item in self.items:
            if item.video.id == video_id:
                item.set_video(self.store.video(video_id))

    def _fill_side(self) -> None:
        video = self.current_video
        self.comment_list.clear()
        self.comment_error.setVisible(False)
        enabled = video is not None
        for w in (self.comment_input, self.post_button, self.remix_button):
            w.setEnabled(enabled)
        if video is None:
            self.recipe_view.setHtml("")
            return
        for c in self.store.comments(video.id):
            it = QListWidgetItem(f"{c.text}\n{c.created_at[:16].replace('T', ' ')}")
            self.comment_list.addItem(it)
        self.recipe_view.setHtml(recipe_html(video))
        self.remix_button.setEnabled(bool(video.recipe))

    # ------------------------------------------------------------------ events
    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("Feed"))
        self.all_button.setText(tr("All videos"))
        self.mine_button.setText(tr("With my cameo"))
        self.mine_button.setToolTip(tr("Videos in which one of your cameos appears"))
        self.back_button.setText(tr("Back to the studio"))
        self.side.setTabText(0, tr("Comments"))
        self.side.setTabText(1, tr("Recipe"))
        self.comment_input.setPlaceholderText(tr("Add a comment…"))
        self.post_button.setText(tr("Post"))
        self.remix_button.setText(tr("Remix into a new project"))
        self._update_empty_text()
        self.count_label.setText(tr("1 video") if len(self.items) == 1 else tr("{n} videos", n=len(self.items)))
        for item in self.items:
            item.retranslate()
        self._fill_side()

    def _update_empty_text(self) -> None:
        self.empty_label.setText(tr("No videos with your cameo yet.") if self.showing_mine else
                                 tr("No videos yet. Export a project and it appears here; drop a Studio MP4 on the window to remix it."))

    def _scroll_resized(self) -> None:
        self._size_items()
        if self.items:
            QTimer.singleShot(0, self._realign)
        self._update_display_size()

    def _realign(self) -> None:
        if self.items:
            self.go(self.current_index, animate=False)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key_Down, Qt.Key_PageDown, Qt.Key_J):
            self.next()
        elif key in (Qt.Key_Up, Qt.Key_PageUp, Qt.Key_K):
            self.previous()
        elif key == Qt.Key_Space and self._player is not None and self.current_video is not None:
            self._player.toggle()
        elif key == Qt.Key_L:
            self.toggle_like()
        else:
            super().keyPressEvent(event)


def recipe_html(video: FeedVideo) -> str:
    """The recipe of ``video`` as a short, readable page (or why there is none)."""
    from studio.provenance.recipe import RecipeError, parse_recipe

    e = html.escape
    if not video.recipe:
        return f"<p>{e(tr('This video carries no Studio recipe.'))}</p>"
    try:
        recipe = parse_recipe(video.recipe)
    except RecipeError as exc:
        return f"<p>{e(tr('The recipe cannot be read: {m}', m=str(exc)))}</p>"
    p = recipe.project
    parts = [f"<h3>{e(p.title)}</h3>",
             f"<p>{e(tr('1 shot') if len(p.shots) == 1 else tr('{n} shots', n=len(p.shots)))} · {p.canvas.width}×{p.canvas.height} · {p.fps} fps · "
             f"{e(', '.join(recipe.engines))}</p>"]
    if p.bible.characters:
        cast = ", ".join(f"{c.name} ({c.look})" if c.look else c.name for c in p.bible.characters)
        parts.append(f"<p><b>{e(tr('Cast'))}:</b> {e(cast)}</p>")
    if p.bible.style or p.bible.setting:
        parts.append(f"<p><b>{e(tr('Style'))}:</b> {e(p.bible.style)} {e(p.bible.setting)}</p>")
    made = {s.shot_id: s.recipe for s in recipe.shots}
    parts.append("<ol>")
    for shot in p.shots:
        r = made.get(shot.id)
        how = f"{r.engine} · {tr('seed')} {r.seed}" + (f" · {r.model}" if r and r.model else "") if r else shot.engine
        parts.append(f"<li><b>{e(shot.prompt)}</b><br><span style='color:{theme.MUTED}'>{e(how)} · "
                     f"{e(_camera_label(shot))} · {e(tr('{s} s', s=f'{shot.duration_frames / p.fps:.1f}'))}</span></li>")
    parts.append("</ol>")
    if video.cameos:
        parts.append(f"<p><b>{e(tr('Cameos'))}:</b> {e(', '.join(video.cameos))}</p>")
    parts.append(f"<p style='color:{theme.MUTED}'>{e(tr('Made with {app}', app=(recipe.app + ' ' + recipe.app_version).strip()))}</p>")
    return "".join(parts)


def _camera_label(shot) -> str:
    """The camera move the render used (a prompt mark wins over the field), in the interface language."""
    from studio.domain.model import effective_camera
    from studio.ui.prompt_editor import CAMERA_LABELS

    return tr(CAMERA_LABELS[effective_camera(shot)[0]])
