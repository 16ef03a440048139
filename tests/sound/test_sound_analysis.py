"""Onset analysis: audio attacks on beds, visual motion spikes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.domain.scene import AMBIENCE_BEDS
from studio.domain.timing import SAMPLE_RATE
from studio.sound.analysis import audio_onsets, motion_energy, visual_onsets
from studio.sound.synth import FOLEY_KINDS, pan_gains, render_ambience, render_foley

SR = SAMPLE_RATE
TOLERANCE = int(0.002 * SR)
SHARP_KINDS = [k for k in FOLEY_KINDS if k != "whoosh"] + ["generic"]


def _mix_hits(bed: np.ndarray, positions, rng: np.random.Generator) -> np.ndarray:
    x = bed.astype(np.float64).copy()
    for j, pos in enumerate(positions):
        hit = render_foley(SHARP_KINDS[j % len(SHARP_KINDS)], seed=j, strength=rng.uniform(0.5, 1.0))
        gl, gr = pan_gains(rng.uniform(-1, 1))
        end = min(x.shape[0], pos + hit.shape[0])
        x[pos:end] += hit[: end - pos] * np.array([gl, gr])
    return x


@pytest.mark.parametrize("bed", AMBIENCE_BEDS)
def test_onsets_of_foley_on_ambience_within_2ms(bed):
    rng = np.random.default_rng(AMBIENCE_BEDS.index(bed))
    x = render_ambience(bed, SR * 6, seed=21)
    # Hits at irregular, sample-exact positions 0.3-0.6 s apart.
    positions = list(np.cumsum(rng.integers(int(0.3 * SR), int(0.6 * SR), 12)) + int(0.25 * SR))
    positions = [int(p) for p in positions if p < SR * 6 - SR // 2]
    found = np.round(audio_onsets(_mix_hits(x, positions, rng)) * SR).astype(int)
    assert len(found) == len(positions), (found, positions)
    assert np.max(np.abs(found - np.asarray(positions))) <= TOLERANCE


def test_onset_reports_attack_start_not_peak():
    x = np.zeros((SR, 2))
    pos = 30_000
    # A hit whose peak comes 1.5 ms after it starts (a 1.5 ms linear attack).
    hit = render_foley("impact", 2).astype(np.float64)
    hit[:72] *= np.linspace(0, 1, 72)[:, None]
    x[pos : pos + hit.shape[0]] += hit[: SR - pos]
    (t,) = audio_onsets(x)
    assert abs(t * SR - pos) <= 24  # within 0.5 ms of the start, not at the peak


def test_onsets_at_clip_start_and_in_silence():
    x = np.zeros((SR, 2), np.float32)
    x[: 9600] += render_foley("clap", 1)[:9600]
    x[24_000 : 24_000 + 9600] += render_foley("footstep", 2)[:9600]
    found = np.round(audio_onsets(x) * SR).astype(int)
    assert len(found) == 2 and abs(found[0]) <= TOLERANCE and abs(found[1] - 24_000) <= TOLERANCE
    assert audio_onsets(np.zeros((SR, 2))).size == 0
    assert audio_onsets(np.zeros((100, 2))).size == 0


def test_slow_swell_is_not_an_onset():
    x = render_ambience("room", SR * 3, seed=1).astype(np.float64)
    whoosh = render_foley("whoosh", 3).astype(np.float64)
    x[SR : SR + whoosh.shape[0]] += whoosh * 0.5
    assert audio_onsets(x).size == 0


def _texture(h: int = 180, w: int = 320) -> np.ndarray:
    rng = np.random.default_rng(0)
    img = cv2.GaussianBlur(rng.uniform(0, 255, (h, w)).astype(np.float32), (0, 0), 4)
    img = (img - img.min()) / (img.max() - img.min()) * 255
    return np.repeat(img[:, :, None], 3, axis=2)


def _clip(events, n=60, drift=0.15) -> np.ndarray:
    base = _texture()
    frames = []
    for k in range(n):
        dx = drift * k + 8.0 * sum(1 for e in events if k >= e)
        m = np.float32([[1, 0, dx], [0, 1, 0.5 * drift * k]])
        f = cv2.warpAffine(base, m, (base.shape[1], base.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        frames.append(np.clip(f, 0, 255).astype(np.uint8))
    return np.stack(frames)


def test_visual_onsets_find_sudden_shifts_exactly():
    events = [9, 23, 41, 52]
    clip = _clip(events)
    assert list(visual_onsets(clip, fps=24)) == events
    # Iterables (a decoder's generator) work the same.
    assert list(visual_onsets((f for f in clip), fps=24)) == events


def test_visual_onsets_ignore_drift_and_stillness():
    assert visual_onsets(_clip([]), fps=24).size == 0
    still = np.repeat(_texture().astype(np.uint8)[None], 20, axis=0)
    assert visual_onsets(still, fps=24).size == 0
    e = motion_energy(still)
    assert e.shape == (20,) and np.all(e == 0)


def test_motion_energy_grows_with_motion():
    e = motion_energy(_clip([10], n=20))
    assert e[0] == 0
    assert e[10] > 5 * np.median(e[1:])
