"""Waveform peaks of take stems, computed off the UI thread and cached per stem file.

A take's files never change (they are named by the take id), so a stem's peaks are
cached by its path. ``peaks`` is plain numpy; `WaveformCache` (a `BackgroundCache`) runs it on
one background thread and says when a path's peaks are ready (queued to the UI thread).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject

from studio.services.background_cache import BackgroundCache

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


def _peaks_or_empty(key: str) -> np.ndarray:
    try:
        return file_peaks(Path(key))
    except Exception as exc:  # a missing or unreadable stem draws as an empty lane
        log.info("waveform of %s failed: %s", key, exc)
        return np.zeros(0, np.float32)


class WaveformCache(BackgroundCache):
    """``request(path)`` returns cached peaks or None, and computes them on a background thread."""

    def __init__(self, parent: QObject | None = None, capacity: int = 512) -> None:
        super().__init__(_peaks_or_empty, name="studio-waveforms", capacity=capacity, parent=parent)

    def get(self, path: Path | str) -> np.ndarray | None:
        return super().get(str(path))

    def request(self, path: Path | str) -> np.ndarray | None:
        return super().request(str(path))
