"""Card thumbnails, decoded off the UI thread and cached by media file (a `BackgroundCache`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QPixmap

from studio.services.background_cache import BackgroundCache
from studio.ui.player import to_qimage

THUMB_SIDE = 320
LIVE_KEEP = 16
CAPACITY = 256
"""Pixmaps kept (≤ 320×320, ~0.3 MB each): a storyboard's cards, and the previews of running jobs."""
VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v"}


def _first_frame(key: str):
    """The thumbnail-sized first frame of a video or image file (RGB array), on the cache's thread."""
    from studio.media.frames import load_image, thumbnail

    path = Path(key)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        from studio.media.decode import read_frames

        frame = next(iter(read_frames(path, max_frames=1)), None)
    else:
        frame = load_image(path)
    return None if frame is None else thumbnail(frame, THUMB_SIDE)


def _to_pixmap(frame) -> QPixmap:
    image = to_qimage(frame)
    if max(image.width(), image.height()) > THUMB_SIDE:  # a card never shows more; painting a full frame scaled costs ms
        image = image.scaled(THUMB_SIDE, THUMB_SIDE, Qt.KeepAspectRatio, Qt.SmoothTransformation)
    return QPixmap.fromImage(image)


class ThumbnailCache(BackgroundCache):
    """``request(path)`` returns a cached pixmap or None, and loads it in the background."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_first_frame, name="studio-thumbnails", capacity=CAPACITY,
                         convert=lambda _key, frame: _to_pixmap(frame), parent=parent)
        self._live: list[str] = []

    def get(self, path: Path | str) -> QPixmap | None:
        return super().get(str(path))

    def request(self, path: Path | str) -> QPixmap | None:
        return super().request(str(path))

    def put_frame(self, key: str, frame) -> QPixmap:
        """Cache ``frame`` (RGB array) as a pixmap at most THUMB_SIDE on its long side.

        Live previews (keys ``live:<job>``) are kept for the last LIVE_KEEP jobs only: each
        job leaves one, and a working session runs hundreds of jobs.
        """
        pm = self.put(key, _to_pixmap(frame))
        if key.startswith("live:"):
            self._live = [k for k in self._live if k != key] + [key]
            while len(self._live) > LIVE_KEEP:
                self.discard(self._live.pop(0))
        return pm

    def keep_only_under(self, folder: Path | str) -> int:
        """Forget the thumbnails of files outside ``folder`` (another project's media) and every live preview."""
        prefix = str(folder).rstrip("/") + "/"
        self._live = []
        return self.discard_where(lambda k: not k.startswith(prefix))
