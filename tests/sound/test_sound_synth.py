"""Ambience beds and foley hits: level, spectrum, modulation, attack, variation."""

from __future__ import annotations

import numpy as np
import pytest

from studio.domain.scene import AMBIENCE_BEDS
from studio.domain.timing import SAMPLE_RATE
from studio.sound.analysis import audio_onsets
from studio.sound.synth import FOLEY_KINDS, FOLEY_PEAK, ambience, foley_kind, render_ambience, render_foley

SR = SAMPLE_RATE
SECONDS = 12


@pytest.fixture(scope="module")
def beds() -> dict[str, np.ndarray]:
    return {bed: render_ambience(bed, SR * SECONDS, seed=3) for bed in AMBIENCE_BEDS}


def _band_fraction(x: np.ndarray, lo: float, hi: float) -> float:
    spec = np.abs(np.fft.rfft(x.astype(np.float64).mean(axis=1))) ** 2
    f = np.fft.rfftfreq(x.shape[0], 1 / SR)
    return float(spec[(f >= lo) & (f < hi)].sum() / spec[f >= 20].sum())


def _band_burstiness(x: np.ndarray, lo: float = 2500, hi: float = 8000) -> float:
    """99th percentile minus median (dB) of the 20 ms level in a band."""
    m = x.astype(np.float64).mean(axis=1)
    spec = np.fft.rfft(m)
    f = np.fft.rfftfreq(m.shape[0], 1 / SR)
    spec[(f < lo) | (f > hi)] = 0
    band = np.fft.irfft(spec, n=m.shape[0])
    levels = _short_rms_db(np.stack([band, band], axis=1), 20)
    return float(np.percentile(levels, 99) - np.median(levels))


def _short_rms_db(x: np.ndarray, ms: float) -> np.ndarray:
    n = int(SR * ms / 1000)
    m = x.astype(np.float64).mean(axis=1)
    frames = m[: m.shape[0] // n * n].reshape(-1, n)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-20)


@pytest.mark.parametrize("bed", AMBIENCE_BEDS)
def test_bed_is_valid_audio(beds, bed):
    x = beds[bed]
    assert x.shape == (SR * SECONDS, 2) and x.dtype == np.float32
    assert np.all(np.isfinite(x)) and np.max(np.abs(x)) <= 1.0
    rms_db = 20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
    assert -60 < rms_db < -30, rms_db  # present but a background
    assert not np.array_equal(x[:, 0], x[:, 1]), "beds are stereo, not mono copies"


def test_beds_deterministic_and_seeded():
    a = render_ambience("rain", SR, 5)
    assert np.array_equal(a, render_ambience("rain", SR, 5))
    assert not np.array_equal(a, render_ambience("rain", SR, 6))
    assert ambience("wind", 0.5, 1).shape == (SR // 2, 2)
    assert render_ambience("room", 0, 1).shape == (0, 2)
    with pytest.raises(ValueError):
        render_ambience("lava", SR, 1)


def test_bed_spectra(beds):
    # Ocean and wind are low, rumbling; rain is a broadband hiss; city is low traffic.
    assert _band_fraction(beds["ocean"], 0, 1000) > 0.85
    assert _band_fraction(beds["wind"], 0, 1000) > 0.85
    assert _band_fraction(beds["rain"], 2000, 24000) > 0.4
    assert _band_fraction(beds["rain"], 0, 1000) < 0.4
    assert _band_fraction(beds["city"], 0, 1000) > 0.6
    # Cafe murmur lives in the speech band.
    assert _band_fraction(beds["cafe"], 150, 4000) > 0.85
    # Birds: chirps come and go in the 2.5-8 kHz band over quiet air; rain's hiss there is steady.
    assert _band_burstiness(beds["birds"]) > 10.0
    assert _band_burstiness(beds["rain"]) < 4.0
    # Room tone is much quieter than any other bed.
    room = np.mean(beds["room"].astype(np.float64) ** 2)
    assert all(room * 10 ** (8 / 10) < np.mean(beds[b].astype(np.float64) ** 2) for b in AMBIENCE_BEDS if b != "room")


def test_bed_modulation(beds):
    # Wind gusts and ocean swells move slowly; rain and room tone stay steady.
    spread = {b: float(np.std(_short_rms_db(beds[b], 100))) for b in AMBIENCE_BEDS}
    assert spread["wind"] > 1.0 and spread["ocean"] > 2.0, spread
    assert spread["rain"] < 1.0 and spread["room"] < 1.5, spread
    # Cafe murmur has syllabic flutter (more than rain's hiss).
    assert spread["cafe"] > spread["rain"], spread


@pytest.mark.parametrize("bed", AMBIENCE_BEDS)
def test_ambience_has_no_onsets(beds, bed):
    assert audio_onsets(beds[bed]).size == 0
    assert audio_onsets(render_ambience(bed, SR * 4, seed=11)).size == 0


def test_bed_details_stay_far_below_foley(beds):
    # Droplets, clinks, horns and chirps: short-term (5 ms) level at least 20 dB under a foley peak.
    limit = 20 * np.log10(FOLEY_PEAK) - 20
    for bed in ("rain", "cafe", "city", "birds", "room"):
        assert _short_rms_db(beds[bed], 5).max() < limit, bed
    for bed in AMBIENCE_BEDS:
        assert _short_rms_db(beds[bed], 5).max() < limit + 3, bed


@pytest.mark.parametrize("kind", [k for k in FOLEY_KINDS if k != "whoosh"] + ["glass shatter"])
def test_foley_attack_is_sharp(kind):
    for seed in range(5):
        x = render_foley(kind, seed)
        assert x.dtype == np.float32 and x.ndim == 2 and x.shape[1] == 2
        assert np.all(np.isfinite(x))
        env = np.max(np.abs(x), axis=1)
        assert int(np.argmax(env)) < int(0.002 * SR), (kind, seed, int(np.argmax(env)))
        assert env.max() == pytest.approx(FOLEY_PEAK, rel=1e-3)
        assert env[-1] < 1e-3, "tail fades out"


def test_foley_varies_with_seed_and_scales_with_strength():
    a, b = render_foley("footstep", 1), render_foley("footstep", 2)
    assert a.shape == b.shape and not np.allclose(a, b)
    assert np.array_equal(a, render_foley("footstep", 1))
    half = render_foley("impact", 4, strength=0.5)
    assert np.max(np.abs(half)) == pytest.approx(0.5 * FOLEY_PEAK, rel=1e-3)
    assert np.max(np.abs(render_foley("impact", 4, strength=5.0))) <= 1.0
    assert foley_kind("Footsteps") == "footstep" and foley_kind("zap") == "generic"


def test_whoosh_swells():
    for seed in range(3):
        x = render_foley("whoosh", seed)
        env = np.max(np.abs(x), axis=1)
        peak_at = int(np.argmax(env)) / SR
        assert 0.15 < peak_at < 0.8
        assert np.max(env[: int(0.02 * SR)]) < 0.1 * env.max()
