"""Test media with known events: a ball bouncing on a textured floor, and its soundtrack.

The ball touches the floor exactly at the given impact frames (its height is a
parabola between impacts, so its velocity reverses there), which is what a
foley hit or a sync check must find.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.domain.timing import SAMPLE_RATE, frame_to_sample
from studio.sound.synth import render_ambience, render_foley


def _background(h: int, w: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = cv2.GaussianBlur(rng.uniform(0, 255, (h, w, 3)).astype(np.float32), (0, 0), max(2.0, w / 80))
    img = (img - img.min()) / (img.max() - img.min() + 1e-6) * 120 + 60
    img[int(h * 0.8) :] *= 0.6  # the floor
    return img.astype(np.uint8)


def ball_heights(impacts, n: int) -> np.ndarray:
    """Height above the floor (0..1) per frame: 0 exactly at each impact frame."""
    y = np.zeros(n)
    marks = list(impacts)
    for t in range(n):
        if t <= marks[0]:
            a = marks[0]
            y[t] = 1.0 - (t / a) ** 2 if a else 0.0
            continue
        nxt = next((m for m in marks if m >= t), None)
        prv = max(m for m in marks if m < t)
        if nxt is None:
            span = max(8, marks[-1] - marks[-2] if len(marks) > 1 else 12)
            nxt = prv + span
        y[t] = 4.0 * (t - prv) * (nxt - t) / (nxt - prv) ** 2 * min(1.0, (nxt - prv) / 16)
    return y


def bouncing_ball_clip(impacts, n: int, *, size=(320, 180), seed: int = 0, pan_camera: float = 0.0) -> np.ndarray:
    """N×H×W×3 uint8 frames of a ball that lands on the floor at each of ``impacts``."""
    w, h = size
    bg = _background(h, w + int(abs(pan_camera) * n) + 2, seed)
    y = ball_heights(impacts, n)
    radius = max(4, h // 8)
    floor = int(h * 0.8) - radius
    frames = []
    for t in range(n):
        x0 = int(round(abs(pan_camera) * t))
        frame = bg[:, x0 : x0 + w].copy()
        cx = w * 0.25 + (w * 0.5) * t / max(1, n - 1)
        cy = floor - y[t] * h * 0.4
        cv2.circle(frame, (int(round(cx * 16)), int(round(cy * 16))), radius * 16, (235, 90, 40), -1, cv2.LINE_AA, 4)
        frames.append(frame)
    return np.stack(frames)


def impact_soundtrack(impacts, n: int, fps: int, *, offset_ms: float = 0.0, bed: str | None = "room",
                      kind: str = "bounce", seed: int = 1) -> np.ndarray:
    """(S, 2) float32: a hit at each impact frame's first sample, moved by ``offset_ms`` (positive: late)."""
    total = frame_to_sample(n, fps)
    out = np.zeros((total, 2), np.float64)
    if bed:
        out += render_ambience(bed, total, seed)
    shift = int(round(offset_ms / 1000 * SAMPLE_RATE))
    for i, f in enumerate(impacts):
        pos = frame_to_sample(f, fps) + shift
        hit = render_foley(kind, seed * 100 + i, 0.8)
        lo, hi = max(0, pos), min(total, pos + hit.shape[0])
        if hi > lo:
            out[lo:hi] += hit[lo - pos : hi - pos]
    return out.astype(np.float32)
