"""Motion analysis for any video: dense optical flow, motion energy, cuts and onsets in frames.

Made for clips with no engine event list (imported files, diffusion output).
Each frame pair gets a dense optical flow (OpenCV DIS, on a small grey copy).
The flow's median is the camera's motion; what is left is the objects'.

Impacts and steps are sudden changes of an object's *velocity* (a ball that
stops falling, a foot that lands), so they are found on the acceleration of
the material itself: a pixel at p in frame k-1 moves to p + F_k(p) in frame k
and then moves on by F_{k+1}(p + F_k(p)); the difference of those two flows
is its acceleration, which belongs to frame k, the frame where the change
happens. Constant motion and a moving camera give none. A fast camera move
(its speed rising past a fraction of the frame width per second) becomes a
"whoosh" onset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import cv2
import numpy as np

ANALYSIS_WIDTH = 256
"""Frames are analysed at this width: flow on a 256-px copy is fast and still sees a footfall."""
FAST_CAMERA = 0.45
"""Camera speed (frame widths per second) above which a camera move gets a whoosh."""
LOCAL_PEAK_S = 1 / 12
"""An impact is the largest acceleration within this many seconds either side (not within the whole
±fps/3 window its background is measured over: a larger event nearby must not hide it)."""


@dataclass(frozen=True)
class MotionOnset:
    """A visible event that should make a sound, at an exact frame."""

    frame: int
    kind: str
    """'impact' (a sudden change of an object's velocity) or 'whoosh' (a fast camera move)."""
    strength: float
    """0..1, relative to the strongest onset of its kind in the clip."""
    pan: float
    """-1 (left) .. 1 (right): where on screen it happens."""


@dataclass(frozen=True)
class MotionAnalysis:
    """Per-frame motion measures of a clip (element k describes frame k; element 0 has no previous frame)."""

    fps: int
    frame_count: int
    energy: np.ndarray
    """Object motion: mean flow magnitude after removing the camera, in pixels per frame at ANALYSIS_WIDTH."""
    acceleration: np.ndarray
    """Mean material acceleration of the objects at frame k (pixels/frame², ANALYSIS_WIDTH scale)."""
    camera: np.ndarray
    """(N, 2) camera motion (dx, dy) from frame k-1 to k, in frame widths per second."""
    cuts: np.ndarray
    """Frames where a new shot starts."""
    onsets: tuple[MotionOnset, ...] = field(default=())

    @property
    def camera_speed(self) -> np.ndarray:
        """Camera speed per frame, in frame widths per second."""
        return np.hypot(self.camera[:, 0], self.camera[:, 1])

    def impact_frames(self) -> np.ndarray:
        """Frames of the impact onsets (what foley and sync checks use)."""
        return np.asarray([o.frame for o in self.onsets if o.kind == "impact"], dtype=np.int64)


def _grey(frame: np.ndarray, width: int) -> np.ndarray:
    f = np.asarray(frame)
    if f.dtype != np.uint8:
        f = np.clip(f, 0, 255).astype(np.uint8)
    if f.ndim == 3 and f.shape[2] == 3:
        g = cv2.cvtColor(f, cv2.COLOR_RGB2GRAY)
    elif f.ndim == 3:
        g = f[:, :, 0]
    else:
        g = f
    h, w = g.shape[:2]
    if w != width:
        g = cv2.resize(g, (width, max(8, int(round(h * width / w)))), interpolation=cv2.INTER_AREA)
    return g


def colour_histogram(frame: np.ndarray) -> np.ndarray:
    """A normalised 16×4×4 HSV histogram of a 96-px-wide copy of an RGB frame (for cut detection)."""
    f = np.asarray(frame)
    if f.ndim == 2:
        f = np.repeat(f[:, :, None], 3, axis=2)
    small = cv2.resize(f.astype(np.uint8), (96, max(1, int(round(f.shape[0] * 96 / f.shape[1])))), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    h = cv2.calcHist([hsv], [0, 1, 2], None, [16, 4, 4], [0, 180, 0, 256, 0, 256])
    return cv2.normalize(h, h).flatten()


def cuts_from_distances(d: np.ndarray, *, threshold: float = 0.35, ratio: float = 3.0, neighbourhood: int = 6) -> np.ndarray:
    """Frames k whose histogram distance from k-1 marks a hard cut: at least ``threshold`` and ``ratio`` times the median of its ±``neighbourhood`` frames."""
    n = d.shape[0]
    cuts: list[int] = []
    for k in range(1, n):
        neigh = np.concatenate([d[max(1, k - neighbourhood) : k], d[k + 1 : k + neighbourhood + 1]])
        med = float(np.median(neigh)) if neigh.size else 0.0
        if d[k] >= threshold and d[k] >= ratio * max(med, 1e-3):
            cuts.append(k)
    return np.asarray(cuts, dtype=np.int64)


def _peaks(x: np.ndarray, *, floor: float, mad_factor: float, neighbourhood: int, refractory: int,
           exclude: set[int], local: int | None = None) -> list[int]:
    """Local maxima of x (within ±``local`` frames) that stand out from their ±``neighbourhood`` (median + mad_factor·MAD).

    The two windows differ on purpose: the background statistics need a wide window, but
    a peak only has to beat its close neighbours. Asking it to be the largest of the wide
    window lets a bigger event nearby mask it: a ball falling into the picture makes a
    large flow glitch a few frames before its first contact, and that contact vanished.
    """
    n = x.shape[0]
    local = neighbourhood if local is None else max(1, min(local, neighbourhood))
    found: list[int] = []
    for k in range(1, n):
        if k in exclude or x[k] < floor:
            continue
        if x[k] < x[max(0, k - local) : min(n, k + local + 1)].max():
            continue
        lo, hi = max(0, k - neighbourhood), min(n, k + neighbourhood + 1)
        neigh = np.concatenate([x[lo:k], x[k + 1 : hi]])
        med = float(np.median(neigh)) if neigh.size else 0.0
        mad = float(np.median(np.abs(neigh - med))) if neigh.size else 0.0
        if x[k] <= med + mad_factor * max(mad, 1e-6) or x[k] < 2.0 * med:
            continue
        if found and k - found[-1] <= refractory:
            if x[k] > x[found[-1]]:
                found[-1] = k
            continue
        found.append(k)
    return found


class _FlowField:
    """One dense flow computer (DIS) reused over a clip; OpenCV keeps its buffers."""

    def __init__(self) -> None:
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)

    def __call__(self, prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
        return self._dis.calc(prev, cur, None)


def analyse_motion(
    frames: np.ndarray | Iterable[np.ndarray],
    fps: int,
    *,
    width: int = ANALYSIS_WIDTH,
    impact_floor: float = 0.02,
    mad_factor: float = 3.0,
    relative_floor: float = 0.15,
    refractory_frames: int = 2,
    fast_camera: float = FAST_CAMERA,
) -> MotionAnalysis:
    """Analyse a clip: flow, object energy and acceleration, camera motion, cuts and onsets.

    ``frames`` are H×W×3 uint8 RGB (an array or any iterable, e.g. a decoder's
    generator; they are consumed once). Impact onsets are peaks of the object
    acceleration (the largest within ±``LOCAL_PEAK_S``) that stand ``mad_factor``·MAD
    above their ±``fps``/3 neighbours, reach ``impact_floor`` px/frame² averaged over the frame and
    ``relative_floor`` of the clip's largest acceleration (flow noise around a
    fast object must not pass for a hit);
    frames next to a cut are never onsets (a cut is a jump of the whole picture,
    not an event). A whoosh onset starts where the camera speed rises past
    ``fast_camera`` frame widths per second.
    """
    if fps < 1:
        raise ValueError(f"fps must be positive, got {fps}")
    # One pass, constant memory: only the previous frame and the previous residual flow are kept
    # (a ten-minute clip is 14,400 frames; its flows would be gigabytes).
    flow_of = _FlowField()
    dist: list[float] = [0.0]
    energy_l: list[float] = [0.0]
    camera_l: list[tuple[float, float]] = [(0.0, 0.0)]
    accel_l: list[float] = [0.0]
    accel_x_l: list[float] = [0.0]
    prev: np.ndarray | None = None
    prev_hist: np.ndarray | None = None
    prev_residual: np.ndarray | None = None
    grid: tuple[np.ndarray, np.ndarray] | None = None
    n = 0
    for frame in frames:
        g = _grey(frame, width)
        hist = colour_histogram(frame)
        n += 1
        if prev is None:
            prev, prev_hist = g, hist
            continue
        dist.append(float(cv2.compareHist(prev_hist, hist, cv2.HISTCMP_BHATTACHARYYA)))
        if prev.shape != g.shape:  # a clip whose size changes mid-way: treat it as a cut
            dist[-1] = 1.0
            residual = None
            camera_l.append((0.0, 0.0))
            energy_l.append(0.0)
        else:
            f = flow_of(prev, g)
            h, w = g.shape
            med = np.median(f.reshape(-1, 2), axis=0)
            camera_l.append((float(med[0]) * fps / w, float(med[1]) * fps / w))
            residual = f - med[None, None, :].astype(np.float32)
            energy_l.append(float(np.mean(np.hypot(residual[..., 0], residual[..., 1]))))
        # Material acceleration at the previous frame: this flow sampled where the previous
        # frame's pixels came to rest, minus the flow that brought them there.
        a_val, a_x = 0.0, 0.0
        if prev_residual is not None and residual is not None and prev_residual.shape == residual.shape:
            h, w = residual.shape[:2]
            if grid is None or grid[0].shape != (h, w):
                grid = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            map_x = grid[0] + prev_residual[..., 0]
            map_y = grid[1] + prev_residual[..., 1]
            onward = cv2.remap(residual, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            mag = np.hypot(onward[..., 0] - prev_residual[..., 0], onward[..., 1] - prev_residual[..., 1])
            # Small residues of flow noise everywhere must not add up to an event.
            mag = np.where(mag > 0.5, mag, 0.0)
            total = float(mag.sum())
            a_val = total / (h * w)
            if total > 0:
                a_x = float((mag * map_x).sum() / total)
        accel_l[-1] = a_val
        accel_x_l[-1] = a_x
        accel_l.append(0.0)
        accel_x_l.append(0.0)
        prev, prev_hist, prev_residual = g, hist, residual
    if n == 0:
        raise ValueError("the clip has no frames")
    cuts = cuts_from_distances(np.asarray(dist))
    cut_set = {int(c) for c in cuts}
    energy = np.asarray(energy_l)
    camera = np.asarray(camera_l, dtype=np.float64).reshape(n, 2)
    accel = np.asarray(accel_l)
    accel_x = np.asarray(accel_x_l)
    w = prev.shape[1] if prev is not None else width
    # Across a cut the "flow" is between two different pictures: no motion, no acceleration.
    for c in cut_set:
        energy[c] = 0.0
        camera[c] = 0.0
        accel[max(0, c - 1) : c + 1] = 0.0

    exclude = set()
    for c in cut_set:
        exclude.update({c - 1, c, c + 1})
    neighbourhood = max(3, fps // 3)
    floor = max(impact_floor, relative_floor * float(accel.max()))
    impacts = _peaks(accel, floor=floor, mad_factor=mad_factor, neighbourhood=neighbourhood,
                     refractory=refractory_frames, exclude=exclude, local=max(2, int(round(fps * LOCAL_PEAK_S))))
    onsets: list[MotionOnset] = []
    top = max((accel[k] for k in impacts), default=1.0)
    for k in impacts:
        pan = float(np.clip(2.0 * accel_x[k] / max(1, w - 1) - 1.0, -1.0, 1.0))
        onsets.append(MotionOnset(int(k), "impact", float(np.clip(accel[k] / top, 0.05, 1.0)), pan))

    speed = np.hypot(camera[:, 0], camera[:, 1])
    fast = speed >= fast_camera
    k = 1
    while k < n:
        if fast[k] and not fast[k - 1] and k not in exclude:
            end = k
            while end + 1 < n and fast[end + 1]:
                end += 1
            peak = k + int(np.argmax(speed[k : end + 1]))
            direction = camera[peak, 0]
            onsets.append(MotionOnset(int(k), "whoosh", float(np.clip(speed[peak] / (3 * fast_camera), 0.3, 1.0)),
                                      float(np.clip(-direction / max(speed[peak], 1e-6), -1.0, 1.0))))
            k = end + 1
        else:
            k += 1
    onsets.sort(key=lambda o: (o.frame, o.kind))
    return MotionAnalysis(fps=int(fps), frame_count=n, energy=energy, acceleration=accel, camera=camera,
                          cuts=cuts, onsets=tuple(onsets))
