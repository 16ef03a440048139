"""Builders for synthetic test media (all tiny, so the suite stays fast).

A uniquely named plain module rather than conftest.py, so `from ... import` cannot
pick up another folder's conftest.
"""

from __future__ import annotations

import numpy as np


def smooth_frame(index: int, width: int, height: int) -> np.ndarray:
    """A smooth, moving colour pattern that H.264 reproduces well."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 128 + 100 * np.sin((xx + 3 * index) / (width / 3))
    g = 40 + 180 * yy / height
    b = 128 + 90 * np.cos((xx + yy - 2 * index) / (height / 2))
    return np.stack([r, g, b], axis=-1).clip(0, 255).astype(np.uint8)


def smooth_frames(count: int, width: int, height: int):
    for i in range(count):
        yield smooth_frame(i, width, height)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)

