"""Aligning generated audio to the picture's onsets: shift and stretch within limits."""

from __future__ import annotations

import numpy as np

from studio.domain.timing import SAMPLE_RATE
from studio.sound.align import align_to_picture
from studio.sound.analysis import audio_onsets
from studio.sound.synth import render_ambience, render_foley

SR = SAMPLE_RATE
FPS = 24
FRAMES = [10, 25, 37, 52, 70, 88]


def _generated(rate: float, shift_s: float, seconds: float = 4.5) -> np.ndarray:
    """What a text-to-audio model might return: the right sounds at the wrong times."""
    n = int(seconds * SR)
    x = render_ambience("rain", n, 2).astype(np.float64)
    for i, f in enumerate(FRAMES):
        p = int(round((rate * f / FPS + shift_s) * SR))
        h = render_foley("footstep", i)
        x[p : p + h.shape[0]] += h[: n - p]
    return x.astype(np.float32)


def test_shift_and_stretch_bring_attacks_onto_the_frames():
    y, report = align_to_picture(_generated(1.05, 0.12), FRAMES, FPS, length=4 * SR)
    assert y.shape == (4 * SR, 2)
    assert abs(report.rate - 1.05) < 0.005 and abs(report.shift_s - 0.12) < 0.005
    heard = audio_onsets(y) * FPS
    for f in FRAMES:
        assert np.min(np.abs(heard - f)) <= 0.25  # a quarter frame: ~10 ms
    assert report.matched == len(FRAMES)


def test_pure_shift_is_sample_exact_copy():
    x = _generated(1.0, -0.0625)  # 3000 samples early
    y, report = align_to_picture(x, FRAMES, FPS)
    shift = round(report.shift_s * SR)
    assert report.rate == 1.0 and abs(shift + 3000) <= 24  # attack timing is good to 0.5 ms
    # A shift is a copy of the samples, no resampling.
    np.testing.assert_array_equal(y[-shift:], x[: shift])
    assert not np.any(y[:-shift])


def test_limits_hold():
    y, report = align_to_picture(_generated(1.3, 0.0, seconds=6.0), FRAMES, FPS, max_stretch=0.08, max_shift_ms=250)
    assert 0.92 <= report.rate <= 1.08 and abs(report.shift_s) <= 0.25


def test_nothing_to_align_leaves_audio_alone():
    bed = render_ambience("room", SR * 2, 1)
    y, report = align_to_picture(bed, FRAMES, FPS)
    np.testing.assert_array_equal(y, bed)
    assert report.rate == 1.0 and report.shift_s == 0.0 and report.matched == 0
    mono, _ = align_to_picture(bed[:, 0], [], FPS, length=SR)
    assert mono.shape == (SR,)


def test_generated_audio_becomes_an_aligned_shot_stem():
    from studio.sound.align import align_generated_audio
    from tests.sound.clips import bouncing_ball_clip

    impacts = [12, 29, 47, 66]
    clip = bouncing_ball_clip(impacts, 80)
    # A model's output: mono, channels first, at 16 kHz, every hit 90 ms late, 3 s long.
    n16 = 16_000 * 3
    x = np.zeros(n16)
    for i, f in enumerate(impacts):
        p = int(round((f / FPS + 0.09) * 16_000))
        hit = render_foley("bounce", i)[::3, 0]
        x[p : p + hit.shape[0]] += hit[: n16 - p]
    stem, report = align_generated_audio(x[None, :], 16_000, clip, FPS, 80)
    assert stem.shape == (80 * SR // FPS, 2) and stem.dtype == np.float32
    assert abs(report.shift_s - 0.09) < 0.004 and report.matched == len(impacts)
    heard = audio_onsets(stem) * FPS
    for f in impacts:
        assert np.min(np.abs(heard - f)) <= 0.25
