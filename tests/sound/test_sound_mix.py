"""join_shots, loudness measurement and normalisation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from studio.domain.model import SoundEvent
from studio.domain.scene import SceneDescription
from studio.domain.timing import SAMPLE_RATE
from studio.sound.design import design_sound
from studio.sound.mix import (
    LOUDNESS_PRESETS,
    join_shots,
    measure_loudness,
    mixdown,
    normalize_loudness,
)
from studio.sound.loudness import limiter_gain
from studio.sound.synth import render_foley

SR = SAMPLE_RATE


def _scene(bed: str) -> SceneDescription:
    return SceneDescription(None, False, "day", "clear", (), (bed,))


@pytest.fixture(scope="module")
def shots():
    # Three shots of different beds, each with a hit near both edges.
    out = []
    for i, (bed, frames) in enumerate([("rain", 48), ("city", 36), ("ocean", 60)]):
        evs = [SoundEvent(1, "impact", 0.9), SoundEvent(frames - 2, "footstep", 0.8)]
        out.append(design_sound(_scene(bed), evs, frames, 24, seed=i))
    return out


def _win_rms_db(x: np.ndarray, centre: int, half: int) -> float:
    seg = x[centre - half : centre + half].astype(np.float64)
    return 10 * np.log10(np.mean(seg**2))


def test_join_keeps_length_and_hard_cuts_foley(shots):
    prog = join_shots(shots)
    total = sum(s["foley"].shape[0] for s in shots)
    assert prog.shape == (total, 2) and prog.dtype == np.float32
    # Foley alone (ambience muted) is the plain concatenation: not a sample moved.
    foley_only = join_shots(shots, gains={"ambience": -math.inf, "dialogue": 0.0})
    assert np.array_equal(foley_only, np.concatenate([s["foley"] + s["dialogue"] for s in shots]))


def test_crossfade_has_no_dip_or_click(shots):
    amb = join_shots(shots, gains={"foley": -math.inf, "dialogue": -math.inf})
    half = int(0.05 * SR)
    cut = shots[0]["ambience"].shape[0]
    at_cut = _win_rms_db(amb, cut, half)
    before = _win_rms_db(amb, cut - 6 * half, half)
    after = _win_rms_db(amb, cut + 6 * half, half)
    assert min(before, after) - 3.0 < at_cut < max(before, after) + 3.0
    # No click: the biggest sample step across the crossfade is like the steps around it.
    steps = np.abs(np.diff(amb.astype(np.float64), axis=0)).max(axis=1)
    near = steps[cut - half : cut + half].max()
    ref = max(steps[cut - 8 * half : cut - 2 * half].max(), steps[cut + 2 * half : cut + 8 * half].max())
    assert near < 1.5 * ref
    # Without the crossfade the edge fades meet at the cut: a clear dip (what the crossfade avoids).
    hard = join_shots(shots, gains={"foley": -math.inf, "dialogue": -math.inf}, crossfade_ms=0)
    assert _win_rms_db(hard, cut, int(0.01 * SR)) < _win_rms_db(amb, cut, int(0.01 * SR)) - 3


def test_crossfade_of_same_bed_is_level():
    a = design_sound(_scene("rain"), [], 48, 24, seed=1)
    b = design_sound(_scene("rain"), [], 48, 24, seed=2)
    prog = join_shots([a, b]).astype(np.float64)
    cut = a["ambience"].shape[0]
    levels = [_win_rms_db(prog, c, int(0.02 * SR)) for c in range(cut - 4800 * 3, cut + 4800 * 4, 2400)]
    assert max(levels) - min(levels) < 3.0


def test_join_gains_and_short_shots():
    a = {"ambience": np.full((1000, 2), 0.1, np.float32), "foley": np.zeros((1000, 2), np.float32)}
    b = {"ambience": np.full((500, 2), 0.1, np.float32), "music": np.full((500, 2), 0.2, np.float32)}
    prog = join_shots([a, b], gains={"music": -6.0})
    assert prog.shape == (1500, 2)
    assert prog[-1, 0] == pytest.approx(0.1 + 0.2 * 10 ** (-6 / 20), rel=1e-5)
    assert mixdown(a).shape == (1000, 2)
    assert join_shots([]).shape == (0, 2)


def test_measure_loudness_edge_cases():
    assert measure_loudness(np.zeros((SR, 2))) == (-math.inf, -math.inf)
    assert measure_loudness(np.zeros((0, 2))) == (-math.inf, -math.inf)
    short = render_foley("clap", 1)[:2400]  # 50 ms, under one gating block
    lufs, tp = measure_loudness(short)
    assert math.isfinite(lufs) and math.isfinite(tp)
    # BS.1770 calibration: a 997 Hz sine of amplitude A in both channels reads 20·log10(A) LUFS.
    t = np.arange(SR * 2) / SR
    sine = np.sin(2 * np.pi * 997 * t) * 0.5
    lufs, tp = measure_loudness(np.stack([sine, sine], axis=1))
    assert lufs == pytest.approx(-6.02, abs=0.1)
    assert tp == pytest.approx(-6.02, abs=0.05)


def test_true_peak_sees_intersample_peaks():
    # fs/4 sine at 45° phase: samples are at ±0.707 of the true peak.
    n = np.arange(SR)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4) * 0.9
    lufs, tp = measure_loudness(np.stack([x, x], axis=1))
    assert 20 * np.log10(np.max(np.abs(x))) < -3.5
    assert tp == pytest.approx(20 * np.log10(0.9), abs=0.3)


def _transient_program(seconds: int = 10) -> np.ndarray:
    rng = np.random.default_rng(0)
    prog = (rng.standard_normal((SR * seconds, 2)) * 0.01).astype(np.float64)
    for i, pos in enumerate(range(SR // 4, SR * seconds - SR, SR // 3)):
        hit = render_foley(["impact", "clap", "door", "thud"][i % 4], i, 1.4).astype(np.float64)
        end = min(prog.shape[0], pos + hit.shape[0])
        prog[pos:end] += hit[: end - pos]
    return prog.astype(np.float32)


@pytest.mark.parametrize("preset", ["streaming", "broadcast"])
def test_normalize_loudness_hits_target_and_ceiling(preset):
    prog = _transient_program()
    target = LOUDNESS_PRESETS[preset]
    out = normalize_loudness(prog, target_lufs=target, true_peak_db=-1.0)
    lufs, tp = measure_loudness(out)
    assert out.shape == prog.shape and out.dtype == np.float32
    assert lufs == pytest.approx(target, abs=0.5)
    assert tp <= -1.0


def test_normalize_silence_and_quiet():
    silent = np.zeros((SR, 2), np.float32)
    assert normalize_loudness(silent) is silent
    quiet = (np.random.default_rng(1).standard_normal((SR * 2, 2)) * 0.001).astype(np.float32)
    lufs, tp = measure_loudness(normalize_loudness(quiet, -16.0))
    assert lufs == pytest.approx(-16.0, abs=0.5) and tp <= -1.0


def test_limiter_gain_is_smooth_and_sufficient():
    peak = np.full(SR, 0.5)
    peak[20_000] = 4.0  # one loud inter-sample peak
    ceiling = 10 ** (-1 / 20)
    g = limiter_gain(peak, ceiling)
    assert g[20_000] * 4.0 <= ceiling + 1e-9
    assert g[0] == pytest.approx(1.0) and g[-1] == pytest.approx(1.0)
    # No steps: the gain moves by well under 1 % per sample.
    assert np.max(np.abs(np.diff(g))) < 0.01
    # Gain already down before the peak (look-ahead), back up soon after.
    assert g[20_000 - 10] < 0.3 and g[20_000 + int(0.05 * SR)] == pytest.approx(1.0)


def test_per_shot_stem_gains_and_mutes(shots):
    from studio.sound.mix import shot_stem_gains, with_stem_gain

    plain = join_shots(shots[:2], crossfade_ms=0)
    settings = with_stem_gain((("model", "x"),), "foley", gain_db=-6.0)
    settings = with_stem_gain(settings, "ambience", muted=True)
    gains = shot_stem_gains(settings)
    assert gains == {"foley": -6.0, "ambience": -math.inf}
    mixed = join_shots(shots[:2], crossfade_ms=0, shot_gains=[gains, {}])
    n0 = shots[0]["foley"].shape[0]
    expected0 = shots[0]["foley"].astype(np.float64) * 10 ** (-6 / 20) + shots[0]["dialogue"]
    np.testing.assert_allclose(mixed[:n0], expected0, atol=1e-6)
    np.testing.assert_array_equal(mixed[n0:], plain[n0:])  # the other shot is untouched
    # Settings round trip: other keys kept, 0 dB / unmuted stored as absent, values clamped.
    assert dict(settings)["model"] == "x"
    back = with_stem_gain(with_stem_gain(settings, "foley", gain_db=0.0), "ambience", muted=False)
    assert back == (("model", "x"),)
    assert shot_stem_gains(with_stem_gain((), "music", gain_db=99)) == {"music": 12.0}
    assert shot_stem_gains((("stem_gain_db.foley", "loud"), ("stem_mute.foley", "yes"))) == {}
    with pytest.raises(ValueError, match="shot_gains"):
        join_shots(shots[:2], shot_gains=[{}])


def test_per_shot_gain_still_crossfades_smoothly(shots):
    beds = [{"ambience": s["ambience"]} for s in shots[:2]]
    mixed = join_shots(beds, shot_gains=[{"ambience": -20.0}, {}]).astype(np.float64)
    plain = join_shots(beds).astype(np.float64)
    n0 = beds[0]["ambience"].shape[0]
    # No step at the cut: sample-to-sample jumps stay like the unbalanced crossfade's own.
    window = slice(n0 - 4800, n0 + 4800)
    assert np.max(np.abs(np.diff(mixed[window, 0]))) <= 1.05 * np.max(np.abs(np.diff(plain[window, 0])))
    # Well before the cut the first shot's bed is 20 dB down; after the fade the second is as it was.
    early = slice(SR // 4, n0 - 9600)
    ratio = np.sqrt(np.mean(mixed[early] ** 2) / np.mean(plain[early] ** 2))
    assert 20 * np.log10(ratio) == pytest.approx(-20.0, abs=0.1)
    np.testing.assert_array_equal(mixed[n0 + 4800 :], plain[n0 + 4800 :])


def test_music_ducks_under_dialogue_across_shots():
    n = SR
    t = np.arange(n) / SR
    tone = np.stack([0.1 * np.sin(2 * np.pi * 220 * t)] * 2, axis=1).astype(np.float32)
    talk = np.zeros((n, 2), np.float32)
    talk[SR // 2 :] = np.random.default_rng(1).normal(0, 0.1, (n - SR // 2, 2))
    shots = [{"music": tone, "dialogue": np.zeros((n, 2), np.float32)}, {"music": tone, "dialogue": talk}]
    mixed = join_shots(shots, crossfade_ms=0).astype(np.float64)
    music_only = join_shots(shots, crossfade_ms=0, music_duck_db=0.0).astype(np.float64) - join_shots(
        [{"dialogue": s["dialogue"]} for s in shots], crossfade_ms=0)
    quiet = slice(SR // 4, SR // 2)  # first shot: no dialogue anywhere near
    np.testing.assert_allclose(mixed[quiet], music_only[quiet], atol=1e-6)
    ducked = mixed[SR + SR // 2 + 9600 : 2 * SR - 9600] - join_shots(
        [{"dialogue": s["dialogue"]} for s in shots], crossfade_ms=0)[SR + SR // 2 + 9600 : 2 * SR - 9600]
    level = 20 * np.log10(np.sqrt(np.mean(ducked**2)) / np.sqrt(np.mean(music_only[quiet] ** 2)))
    assert level == pytest.approx(-10.0, abs=0.1)
