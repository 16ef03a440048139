"""The numpy loudness meter, true-peak meter and limiter against independent references, and the AAC ceiling."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from studio.domain.timing import SAMPLE_RATE
from studio.media.audio_codec import aac_round_trip
from studio.sound import loudness
from studio.sound.synth import render_foley

SR = SAMPLE_RATE


def _transient_program(seconds: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    prog = rng.standard_normal((SR * seconds, 2)) * 0.01
    for i, pos in enumerate(range(SR // 4, SR * seconds - SR, SR // 3)):
        hit = render_foley(["impact", "clap", "door", "thud"][i % 4], i, 1.4).astype(np.float64)
        end = min(prog.shape[0], pos + hit.shape[0])
        prog[pos:end] += hit[: end - pos]
    return prog.astype(np.float32)


def test_integrated_loudness_matches_pyloudnorm():
    # pyloudnorm (SciPy's IIR filters, its own gating code) is the independent reference.
    import pyloudnorm

    meter = pyloudnorm.Meter(SR)
    rng = np.random.default_rng(3)
    quiet_then_loud = np.concatenate([rng.standard_normal((SR * 3, 2)) * 0.001, rng.standard_normal((SR * 2, 2)) * 0.2])
    for signal in (_transient_program(), quiet_then_loud, rng.standard_normal((SR // 2 + 1000, 2)) * 0.05):
        ours = loudness.integrated_loudness(signal)
        ref = meter.integrated_loudness(signal.astype(np.float64))
        assert ours == pytest.approx(ref, abs=0.01)
    assert loudness.integrated_loudness(np.zeros((SR, 2))) == -math.inf


def test_true_peak_matches_sixteen_times_oversampling():
    from scipy.signal import resample_poly

    rng = np.random.default_rng(4)
    # Band-limited material (below 0.8 of Nyquist, as programme sound is) plus the foley program.
    spectrum = np.fft.rfft(rng.standard_normal((SR, 2)), axis=0)
    spectrum[int(0.4 * SR * 0.8) :] = 0
    noise = np.fft.irfft(spectrum, SR, axis=0) * 3
    for signal in (noise, _transient_program().astype(np.float64)):
        ref = 20 * math.log10(np.abs(resample_poly(signal, 16, 1, axis=0)).max())
        assert loudness.true_peak(signal) == pytest.approx(ref, abs=0.15)
    # An fs/4 sine at 45°: every sample is 3 dB under the waveform's peak.
    n = np.arange(SR)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4) * 0.9
    assert loudness.true_peak(np.stack([x, x], axis=1)) == pytest.approx(20 * math.log10(0.9), abs=0.05)


def test_limiter_keeps_its_ceiling_smoothly_and_recovers():
    peak = np.full(SR, 0.5)
    peak[20_000] = 4.0
    peak[30_000:30_480] = 2.0  # 10 ms of dense loud material
    ceiling = 10 ** (-1 / 20)
    g = loudness.limiter_gain(peak, ceiling)
    assert np.all(peak * g <= ceiling + 1e-9)
    assert g[0] == pytest.approx(1.0) and g[-1] == pytest.approx(1.0)
    assert np.max(np.abs(np.diff(g))) < 0.05  # no steps
    # Down before the peak (look-ahead), back up within the hold and release.
    assert g[20_000 - 10] < 0.5 and g[20_000 + int(0.03 * SR)] == pytest.approx(1.0)


def test_limited_signal_meets_true_peak_ceiling():
    prog = _transient_program().astype(np.float64) * 4
    limited = loudness.limit_true_peak(prog, -1.0)
    assert loudness.true_peak(limited) <= -1.0 + 0.1


@pytest.mark.parametrize("target,ceiling", [(-14.0, -1.0), (-23.0, -1.0), (-24.0, -2.0)])
def test_master_holds_the_ceiling_after_aac(target, ceiling):
    prog = _transient_program(seconds=4, seed=1)
    plain = loudness.master(prog, target, ceiling, max_limiting_db=14.0)
    coded = loudness.master(prog, target, ceiling, max_limiting_db=14.0, codec=aac_round_trip)
    decoded = aac_round_trip(coded)
    assert loudness.true_peak(decoded) <= ceiling
    assert loudness.integrated_loudness(decoded) == pytest.approx(target, abs=0.5)
    assert loudness.true_peak(plain) <= ceiling
    if target == -14.0:
        # Limited right up to the ceiling, the PCM alone breaks the promise once AAC-coded (what exports did).
        assert loudness.true_peak(aac_round_trip(plain)) > ceiling


def test_aac_round_trip_is_aligned_and_faithful():
    rng = np.random.default_rng(5)
    t = np.arange(SR * 2) / SR
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)
    stereo = np.stack([tone, tone], axis=1)
    decoded = aac_round_trip(stereo)
    assert decoded.shape == stereo.shape and decoded.dtype == np.float32
    lags = [float(np.dot(stereo[SR // 2 : SR, 0], decoded[SR // 2 + k : SR + k, 0])) for k in range(-4, 5)]
    assert int(np.argmax(lags)) == 4  # no offset
    error = decoded[1000:-2000] - stereo[1000:-2000]
    assert 10 * math.log10(np.mean(error**2) / np.mean(stereo**2)) < -25


def test_mastering_path_imports_no_scipy():
    code = (
        "import sys, numpy as np\n"
        "from studio.sound.mix import join_shots, normalize_loudness, measure_loudness\n"
        "x = (np.random.default_rng(0).standard_normal((48000, 2)) * 0.1).astype(np.float32)\n"
        "y = normalize_loudness(join_shots([{'foley': x, 'dialogue': x * 0.5, 'music': x}]), -14.0, -1.0)\n"
        "measure_loudness(y)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'pyloudnorm'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
