"""Waveform peaks of take stems, computed off the UI thread and cached per stem file.

A take's files never change (they are named by the take id), so a stem's peaks are
cached by its path. ``peaks`` is plain numpy; `WaveformCache` runs it on one
background thread and says when a path's peaks are ready (queued to the UI thread).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

BINS_PER_SECOND = 100
"""Peak resolution: one value per 10 ms, enough for any zoom the timeline allows at a card's height."""
SILENCE = 10 ** (-60 / 20)
"""Peaks under −60 dBFS are drawn flat."""


def peaks(samples: np.ndarray, sample_rate: int, bins_per_second: int = BINS_PER_SECOND) -> np.ndarray:
    """Max |sample| over both channels per bin (float32, 0..1); silence is exactly 0."""
    x = np.asarray(samples, np.float32)
    if x.ndim == 2:
        x = np.abs(x).max(axis=1)
    else:
        x = np.abs(x)
    hop = max(1, sample_rate // bins_per_second)
    n = -(-x.shape[0] // hop)
    if n == 0:
        return np.zeros(0, np.float32)
    padded = np.zeros(n * hop, np.float32)
    padded[: x.shape[0]] = x
    out = np.minimum(padded.reshape(n, hop).max(axis=1), 1.0)
    out[out < SILENCE] = 0.0
    return out


def file_peaks(path: Path) -> np.ndarray:
    from studio.media.audio_io import read_wav

    samples, rate = read_wav(path)
    return peaks(samples, rate)


def voiced_spans(p: np.ndarray, bins_per_second: int = BINS_PER_SECOND, threshold: float = 0.02,
                 bridge_s: float = 0.25, min_s: float = 0.08) -> list[tuple[float, float]]:
    """(start, end) seconds of the regions louder than ``threshold``; gaps under ``bridge_s`` are bridged."""
    loud = np.flatnonzero(p > threshold)
    if loud.size == 0:
        return []
    spans: list[list[int]] = [[int(loud[0]), int(loud[0]) + 1]]
    bridge = int(bridge_s * bins_per_second)
    for i in loud[1:]:
        if i - spans[-1][1] <= bridge:
            spans[-1][1] = int(i) + 1
        else:
            spans.append([int(i), int(i) + 1])
    return [(a / bins_per_second, b / bins_per_second) for a, b in spans if (b - a) / bins_per_second >= min_s]


class WaveformCache(QObject):
    """``request(path)`` returns cached peaks or None, and computes them on a background thread."""

    ready = Signal(str)
    """The stem path whose peaks are now cached (delivered on the cache's thread)."""
    _computed = Signal(str, object)

    def __init__(self, parent: QObject | None = None, capacity: int = 512) -> None:
        super().__init__(parent)
        self._cache: "OrderedDict[str, np.ndarray]" = OrderedDict()
        self._capacity = capacity
        self._pending: set[str] = set()
        self._queue: "queue.Queue[str | None]" = queue.Queue()
        self._thread: threading.Thread | None = None
        self._computed.connect(self._store)

    def get(self, path: Path | str) -> np.ndarray | None:
        return self._cache.get(str(path))

    def request(self, path: Path | str) -> np.ndarray | None:
        key = str(path)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        if key not in self._pending:
            self._pending.add(key)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="studio-waveforms", daemon=True)
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

    def _run(self) -> None:  # the waveform thread
        while True:
            key = self._queue.get()
            if key is None:
                return
            try:
                result = file_peaks(Path(key))
            except Exception as exc:  # a missing or unreadable stem draws as an empty lane
                log.info("waveform of %s failed: %s", key, exc)
                result = np.zeros(0, np.float32)
            self._computed.emit(key, result)

    def _store(self, key: str, result: np.ndarray) -> None:
        self._pending.discard(key)
        self._cache[key] = result
        self._cache.move_to_end(key)
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        self.ready.emit(key)
