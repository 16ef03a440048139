"""Card thumbnails, decoded off the UI thread and cached by media file."""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap

from studio.ui.player import to_qimage

log = logging.getLogger(__name__)
THUMB_SIDE = 320
LIVE_KEEP = 16


class ThumbnailCache(QObject):
    """``request(path)`` returns a cached pixmap or None, and loads it in the background."""

    ready = Signal(str)
    """The media path whose thumbnail is now cached."""
    _loaded = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache: dict[str, QPixmap] = {}
        self._pending: set[str] = set()
        self._queue: "queue.Queue[str | None]" = queue.Queue()
        self._thread: threading.Thread | None = None
        self._loaded.connect(self._store)

    def get(self, path: Path) -> QPixmap | None:
        return self._cache.get(str(path))

    def put_frame(self, key: str, frame) -> QPixmap:
        """Cache ``frame`` (RGB array) as a pixmap at most THUMB_SIDE on its long side.

        Live previews (keys ``live:<job>``) are kept for the last LIVE_KEEP jobs only: each
        job leaves one, and a working session runs hundreds of jobs.
        """
        image = to_qimage(frame)
        if max(image.width(), image.height()) > THUMB_SIDE:  # a card never shows more; painting a full frame scaled costs ms
            image = image.scaled(THUMB_SIDE, THUMB_SIDE, Qt.KeepAspectRatio, Qt.SmoothTransformation)
        pm = QPixmap.fromImage(image)
        self._cache[key] = pm
        if key.startswith("live:"):
            self._live = [k for k in getattr(self, "_live", []) if k != key] + [key]
            while len(self._live) > LIVE_KEEP:
                self._cache.pop(self._live.pop(0), None)
        return pm

    def request(self, path: Path) -> QPixmap | None:
        key = str(path)
        if key in self._cache:
            return self._cache[key]
        if key not in self._pending:
            self._pending.add(key)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="studio-thumbnails", daemon=True)
                self._thread.start()
            self._queue.put(key)
        return None

    def pending(self) -> int:
        return len(self._pending)

    def shutdown(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(2.0)
            self._thread = None

    def _run(self) -> None:
        from studio.media.frames import load_image, thumbnail

        while True:
            key = self._queue.get()
            if key is None:
                return
            frame = None
            try:
                path = Path(key)
                if path.suffix.lower() in {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v"}:
                    from studio.media.decode import read_frames

                    frame = next(iter(read_frames(path, max_frames=1)), None)
                else:
                    frame = load_image(path)
                if frame is not None:
                    frame = thumbnail(frame, THUMB_SIDE)
            except Exception as exc:
                log.info("no thumbnail for %s: %s", key, exc)
            self._loaded.emit(key, frame)

    def _store(self, key: str, frame) -> None:
        self._pending.discard(key)
        if frame is not None:
            self.put_frame(key, frame)
            self.ready.emit(key)
