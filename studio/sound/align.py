"""Aligning generated audio to the picture: shift, then stretch within limits.

A text-to-audio model hears "footsteps on gravel, 4 seconds" and makes
footsteps, but not on the frames where the feet land. `align_to_picture`
moves (and if needed gently stretches) its output so its attacks meet the
video's motion onsets. Pure numpy/scipy on arrays; the model runner lives in
the engine layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np
from scipy.ndimage import map_coordinates
from scipy.signal import resample_poly

from studio.domain.timing import SAMPLE_RATE, frame_to_sample
from studio.sound.analysis import audio_onsets
from studio.sound.sync import estimate_offset

if TYPE_CHECKING:
    from studio.sound.motion import MotionAnalysis

MAX_SHIFT_MS = 250.0
"""Most a generated sound is moved: further than that it is a different sound, not a late one."""
RATE_DEADBAND = 0.002
MAX_STRETCH = 0.08
"""Most a generated sound is sped up or slowed down (±8 %): more changes its pitch audibly."""


@dataclass(frozen=True)
class Alignment:
    """What `align_to_picture` did: output time t plays input time ``rate * t + shift_s``."""

    shift_s: float
    rate: float
    """1.0: no stretch; 1.05 plays the input 5 % faster."""
    matched: int
    """Picture onsets with a sound within ``tolerance_frames`` after alignment."""
    onsets: int
    """Picture onsets given."""
    residual_ms: float
    """Median distance from each matched picture onset to its sound after alignment (ms)."""


def _warp(audio: np.ndarray, rate: float, shift_s: float, length: int, sr: int) -> np.ndarray:
    src = np.arange(length, dtype=np.float64) * rate + shift_s * sr
    out = np.zeros((length, audio.shape[1]), np.float32)
    inside = (src >= 0) & (src <= audio.shape[0] - 1)
    if not np.any(inside):
        return out
    if rate == 1.0 and float(shift_s * sr).is_integer():
        # A whole-sample shift is a copy: no interpolation, bit-exact.
        s = int(shift_s * sr)
        idx = np.flatnonzero(inside)
        out[idx] = audio[idx + s]
        return out
    for c in range(audio.shape[1]):
        out[inside, c] = map_coordinates(audio[:, c].astype(np.float64), [src[inside]], order=3, mode="nearest")
    return out


def align_to_picture(
    audio: np.ndarray,
    onset_frames: Sequence[int],
    fps: int,
    *,
    sample_rate: int = SAMPLE_RATE,
    length: int | None = None,
    max_shift_ms: float = MAX_SHIFT_MS,
    max_stretch: float = MAX_STRETCH,
    tolerance_frames: float = 1.0,
) -> tuple[np.ndarray, Alignment]:
    """Move ``audio`` ((S,) or (S, C)) so its attacks land on ``onset_frames``; returns (aligned, Alignment).

    Steps: the offset that best pairs attacks with picture onsets (as in
    `studio.sound.sync.estimate_offset`, searched within ``max_shift_ms``);
    then, with three or more pairs, a least-squares line through them gives a
    rate (clamped to 1 ± ``max_stretch``) and a refined shift (clamped to
    ``max_shift_ms``). Stretching resamples (cubic), so pitch moves with the
    rate, as a tape would; within ±8 % that is hard to hear on effects.
    Output has ``length`` samples (default: the input's) with silence where
    the input has none. With no attacks or no onsets the audio is returned
    unchanged (trimmed or padded).
    """
    x = np.asarray(audio, dtype=np.float32)
    mono_input = x.ndim == 1
    if mono_input:
        x = x[:, None]
    n_out = int(length) if length is not None else x.shape[0]
    frames = np.asarray(onset_frames, dtype=np.float64)
    attacks = audio_onsets(x, sample_rate) if x.shape[0] else np.zeros(0)
    max_shift = max_shift_ms / 1000
    rate, shift = 1.0, 0.0
    if frames.size and attacks.size:
        est = estimate_offset(frames.astype(int), attacks, fps, max_offset_ms=max_shift_ms)
        shift = float(np.clip(est.offset_ms / 1000, -max_shift, max_shift))
        v = frames / fps
        pairs = []
        for t in v:
            j = int(np.argmin(np.abs(attacks - (t + shift))))
            if abs(attacks[j] - (t + shift)) <= 2.0 / fps:
                pairs.append((t, attacks[j]))
        if len(pairs) >= 3:
            pv, pa = np.asarray(pairs).T
            slope, intercept = np.polyfit(pv, pa, 1)
            # Under 0.2 % (20 ms over 10 s) a stretch is measurement noise: shift only, sample-exact.
            rate = 1.0 if abs(slope - 1.0) < RATE_DEADBAND else float(np.clip(slope, 1 - max_stretch, 1 + max_stretch))
            shift = float(np.clip(np.median(pa - rate * pv), -max_shift, max_shift))
        if rate == 1.0:
            shift = round(shift * sample_rate) / sample_rate
    y = _warp(x, rate, shift, n_out, sample_rate)
    # Report how well it worked, measured on the output itself.
    after = audio_onsets(y, sample_rate) if n_out else np.zeros(0)
    dists = [float(np.min(np.abs(after - f / fps))) for f in frames] if after.size else []
    good = [d for d in dists if d <= tolerance_frames / fps]
    report = Alignment(shift_s=shift, rate=rate, matched=len(good), onsets=int(frames.size),
                       residual_ms=float(np.median(good) * 1000) if good else float("nan"))
    return (y[:, 0] if mono_input else y), report


def align_generated_audio(
    audio: np.ndarray,
    rate: int,
    frames: np.ndarray | Iterable[np.ndarray] | None,
    fps: int,
    frame_count: int,
    *,
    motion: "MotionAnalysis | None" = None,
) -> tuple[np.ndarray, Alignment]:
    """A text-to-audio model's output made into a shot's stem: 48 kHz stereo, exactly ``frame_count``
    frames long, its attacks moved onto the picture's impacts (`align_to_picture`).

    ``audio`` is (S,), (S, C) or (C, S) float at ``rate`` Hz (channels-first
    arrays, as diffusers' audio pipelines return, are recognised by shape).
    ``frames`` (or a ready ``motion`` analysis) is the shot's picture.
    """
    from studio.sound.motion import analyse_motion

    a = np.asarray(audio, dtype=np.float64)
    if a.ndim == 2 and a.shape[0] <= 8 < a.shape[1]:
        a = a.T  # (channels, samples) -> (samples, channels)
    if a.ndim == 1:
        a = a[:, None]
    if a.shape[1] == 1:
        a = np.repeat(a, 2, axis=1)
    elif a.shape[1] > 2:
        a = a[:, :2]
    if int(rate) != SAMPLE_RATE:
        g = gcd(SAMPLE_RATE, int(rate))
        a = resample_poly(a, SAMPLE_RATE // g, int(rate) // g, axis=0)
    a = np.nan_to_num(np.clip(a, -1.0, 1.0)).astype(np.float32)
    analysis = motion if motion is not None else analyse_motion(frames if frames is not None else [], fps)
    return align_to_picture(a, analysis.impact_frames(), fps, length=frame_to_sample(frame_count, fps))
