"""Procedural sound: ambience beds and foley hits, synthesised in numpy.

Nothing is downloaded or sampled: every sound is shaped noise, damped
resonances and sweeps. All output is float32, shape (S, 2), at
`studio.domain.timing.SAMPLE_RATE` (48 kHz).

Level plan (why the numbers below are what they are): ambience beds sit
around -36..-56 dBFS RMS and never contain sharp onsets (droplets, clinks and
chirps have soft attacks and stay well under 12 dB above their bed), while a
foley hit at strength 1 peaks at 0.7 (about -3 dBFS per channel before
panning). That keeps foley at least 20 dB above any ambience detail, so
`studio.sound.analysis.audio_onsets` finds foley and ignores beds.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import numpy as np
from scipy.signal import butter, lfilter, oaconvolve, sosfilt

from studio.domain.scene import AMBIENCE_BEDS
from studio.domain.timing import SAMPLE_RATE

SR = SAMPLE_RATE

FOLEY_KINDS = ("footstep", "impact", "bounce", "door", "whoosh", "splash", "thud", "clap", "glass", "clink", "paw",
               "door_open")
"""Foley kinds with a dedicated design; any other kind gets a generic hit."""

FOLEY_PEAK = 0.7
"""Peak sample value of a foley hit at strength 1 (before panning)."""

_FOLEY_ALIASES = {
    "footsteps": "footstep", "step": "footstep", "steps": "footstep", "walk": "footstep",
    "run": "footstep", "hit": "impact", "crash": "impact", "punch": "impact", "smash": "impact",
    "ball": "bounce", "slam": "door", "swoosh": "whoosh", "swish": "whoosh", "water": "splash",
    "fall": "thud", "drop": "thud", "land": "thud", "applause": "clap",
    "shatter": "glass", "break_glass": "glass", "creak": "door_open", "paws": "paw",
}

# --------------------------------------------------------------------------- helpers


def _salt(value: object) -> int:
    # Python's hash() of a str changes per process; crc32 keeps seeds stable across runs.
    return zlib.crc32(str(value).encode("utf-8")) & 0xFFFFFFFF


def _rng(seed: int, *salt: object) -> np.random.Generator:
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, *(_salt(s) for s in salt)])


@lru_cache(maxsize=256)
def _sos(order: int, cutoff: float | tuple[float, float], btype: str) -> np.ndarray:
    return butter(order, cutoff, btype=btype, fs=SR, output="sos")


def _filt(x: np.ndarray, order: int, cutoff, btype: str) -> np.ndarray:
    """Butterworth filter along time (axis 0); cutoff in Hz, clamped below Nyquist."""
    if isinstance(cutoff, (tuple, list)):
        lo, hi = cutoff
        hi = min(hi, 0.45 * SR)
        lo = max(10.0, min(lo, hi * 0.9))
        return sosfilt(_sos(order, (float(lo), float(hi)), "bandpass"), x, axis=0)
    c = float(min(max(cutoff, 10.0), 0.45 * SR))
    return sosfilt(_sos(order, c, btype), x, axis=0)


def _pink(rng: np.random.Generator, n: int, channels: int | None = None) -> np.ndarray:
    """Pink (1/f) noise via Paul Kellet's economy pinking filter, unit RMS."""
    shape = (n,) if channels is None else (n, channels)
    w = rng.standard_normal(shape)
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    p = lfilter(b, a, w, axis=0)
    return p / (np.sqrt(np.mean(p**2)) + 1e-12)


def _brown(rng: np.random.Generator, n: int, channels: int | None = None) -> np.ndarray:
    """Leaky-integrated (red) noise, unit RMS: rumble material."""
    shape = (n,) if channels is None else (n, channels)
    w = rng.standard_normal(shape)
    p = lfilter([1.0], [1.0, -0.995], w, axis=0)
    p = p - np.mean(p, axis=0)
    return p / (np.sqrt(np.mean(p**2)) + 1e-12)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


def _to_rms(x: np.ndarray, db: float) -> np.ndarray:
    return x * (10 ** (db / 20) / (_rms(x) + 1e-12))


def _smooth_random(rng: np.random.Generator, n: int, rate_hz: float, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """A slow random control curve: random points every 1/rate_hz s, cosine-interpolated."""
    spacing = SR / rate_hz
    m = int(n / spacing) + 3
    pts = rng.uniform(lo, hi, m)
    pos = np.arange(n) / spacing
    i0 = np.floor(pos).astype(np.int64)
    frac = pos - i0
    w = 0.5 - 0.5 * np.cos(np.pi * frac)
    return pts[i0] * (1 - w) + pts[i0 + 1] * w


def _stereo(common: np.ndarray, left: np.ndarray, right: np.ndarray, width: float) -> np.ndarray:
    """Mix a shared signal with per-side signals; width 0 is mono, 1 fully decorrelated."""
    c = np.sqrt(1 - width)
    s = np.sqrt(width)
    return np.stack([c * common + s * left, c * common + s * right], axis=1)


def pan_gains(pan: float) -> tuple[float, float]:
    """Equal-power pan law: -1 left, 0 centre (-3 dB each), 1 right."""
    theta = (float(np.clip(pan, -1.0, 1.0)) + 1.0) * np.pi / 4
    return float(np.cos(theta)), float(np.sin(theta))


def _add_at(out: np.ndarray, pos: int, sig: np.ndarray) -> None:
    """Add sig into out starting at pos, clipped to out's bounds."""
    n = out.shape[0]
    if pos >= n or pos + sig.shape[0] <= 0:
        return
    s0 = max(0, -pos)
    e = min(sig.shape[0], n - pos)
    out[pos + s0 : pos + e] += sig[s0:e]


def _soft_env(n: int, attack: int, decay_tau: float) -> np.ndarray:
    """Raised-cosine attack of ``attack`` samples, then exponential decay (tau in samples)."""
    t = np.arange(n, dtype=np.float64)
    env = np.exp(-np.maximum(t - attack, 0) / max(decay_tau, 1.0))
    if attack > 0:
        a = min(attack, n)
        # (k + 1): the very first sample is already non-zero, so the hit starts exactly at 0.
        env[:a] *= 0.5 - 0.5 * np.cos(np.pi * (np.arange(a) + 1) / attack)
    return env


def _sparse_hits(rng: np.random.Generator, n: int, rate_hz: float, kernels: list[np.ndarray],
                 amp_sigma: float = 0.6) -> np.ndarray:
    """Poisson-timed copies of mono kernels with log-normal amplitudes, via FFT convolution."""
    out = np.zeros(n)
    for k in kernels:
        count = rng.poisson(rate_hz * n / SR / len(kernels))
        if count == 0:
            continue
        train = np.zeros(n)
        pos = rng.integers(0, n, count)
        np.add.at(train, pos, rng.lognormal(0.0, amp_sigma, count))
        out += oaconvolve(train, k)[:n]
    return out


# --------------------------------------------------------------------------- ambience beds

_PREROLL = SR // 2  # discard filter start-up so beds are stationary from sample 0


def _bed_rain(rng: np.random.Generator, n: int) -> np.ndarray:
    m = n + _PREROLL
    w = rng.standard_normal((m, 3))
    hiss = _filt(_filt(w, 2, 350.0, "highpass"), 2, 9000.0, "lowpass")
    hiss = _stereo(hiss[:, 0], hiss[:, 1], hiss[:, 2], 0.7)
    body = _filt(_pink(rng, m, 2), 2, (150.0, 2500.0), "bandpass")
    bed = _to_rms(hiss, -31.0) + _to_rms(body, -37.0)
    # Droplet ticks: short resonant noise pings with a 1.5 ms soft attack, dense enough
    # to read as rain, each well under 12 dB above the hiss so no tick is an "onset".
    kernels = []
    for _ in range(6):
        L = int(SR * 0.03)
        f = rng.uniform(2200, 6500)
        k = _filt(rng.standard_normal(L), 2, (f * 0.8, f * 1.25), "bandpass")
        k *= _soft_env(L, int(SR * 0.0015), SR * rng.uniform(0.003, 0.008))
        kernels.append(k / (np.max(np.abs(k)) + 1e-12))
    ticks_l = _sparse_hits(rng, m, 90.0, kernels)
    ticks_r = _sparse_hits(rng, m, 90.0, kernels)
    ticks = np.stack([ticks_l, ticks_r], axis=1)
    bed += ticks * (10 ** (-36.0 / 20))
    # Slow, shallow intensity drift (±1.5 dB) so the rain breathes.
    drift = 10 ** (_smooth_random(rng, m, 0.15, -1.5, 1.5) / 20)
    return (bed * drift[:, None])[_PREROLL:]


def _bed_wind(rng: np.random.Generator, n: int) -> np.ndarray:
    m = n + _PREROLL
    w = rng.standard_normal((m, 2))
    low = _filt(w, 2, 180.0, "lowpass")
    mid = _filt(w, 2, 450.0, "lowpass")
    high = _filt(w, 2, 900.0, "lowpass")
    # Gusts: two slow random curves (0.12 Hz and 0.4 Hz); stronger gusts are also brighter.
    gust = 0.7 * _smooth_random(rng, m, 0.12) ** 1.5 + 0.3 * _smooth_random(rng, m, 0.45)
    gust = np.clip(gust, 0.0, 1.0)
    lo_w = _to_rms(low, 0.0)
    mid_w = _to_rms(mid, 0.0)
    hi_w = _to_rms(high, 0.0)
    g = gust[:, None]
    strength = (0.12 + 0.88 * g) ** 1.5  # lulls about 15 dB under the strongest gusts
    body = (lo_w * (1 - g) + mid_w * g * 0.8 + hi_w * g**2 * 0.5) * strength
    # A faint whistle: a narrow resonance heard only in strong gusts.
    whistle = _filt(rng.standard_normal((m, 2)), 2, (620.0, 700.0), "bandpass")
    whistle = _to_rms(whistle, 0.0) * (g**3) * 0.25
    # Faint broadband rustle riding the same gusts: it also keeps the level steady over
    # 5 ms windows in lulls (narrowband rumble alone flickers like an onset).
    rustle = _filt(_pink(rng, m, 2), 2, (350.0, 2500.0), "bandpass")
    rustle = _to_rms(rustle, 0.0) * strength * (0.3 * _rms(body) / (_rms(strength) + 1e-12))
    return _to_rms(body + whistle + rustle, -32.0)[_PREROLL:]


def _bed_city(rng: np.random.Generator, n: int) -> np.ndarray:
    m = n + _PREROLL
    rumble = _filt(_brown(rng, m, 3), 2, 160.0, "lowpass")
    rumble = _to_rms(_stereo(rumble[:, 0], rumble[:, 1], rumble[:, 2], 0.3), -34.0)
    # Traffic: band-limited noise under a slow sum of car passes (2-6 s bumps) that glide across.
    traffic = _filt(_pink(rng, m, 2), 2, (90.0, 2200.0), "bandpass")
    traffic = _to_rms(traffic, 0.0)
    env_l = np.full(m, 0.35)
    env_r = np.full(m, 0.35)
    t = np.arange(m) / SR
    cars = rng.poisson(0.35 * m / SR) + 1
    for _ in range(cars):
        c = rng.uniform(-2.0, m / SR + 2.0)
        width = rng.uniform(1.0, 2.5)
        amp = rng.uniform(0.4, 1.2)
        lo = max(0, int((c - 4 * width) * SR))
        hi = min(m, int((c + 4 * width) * SR))
        if hi <= lo:
            continue
        tt = t[lo:hi]
        bump = amp * np.exp(-0.5 * ((tt - c) / width) ** 2)
        direction = 1.0 if rng.random() < 0.5 else -1.0
        pan = np.clip(direction * (tt - c) / (2 * width), -1, 1)
        theta = (pan + 1) * np.pi / 4
        env_l[lo:hi] += bump * np.cos(theta) * np.sqrt(2)
        env_r[lo:hi] += bump * np.sin(theta) * np.sqrt(2)
    traffic[:, 0] *= env_l
    traffic[:, 1] *= env_r
    traffic = _to_rms(traffic, -34.0)
    # Distant horns: two detuned buzzy tones, low-passed by distance, slow attack.
    horns = np.zeros((m, 2))
    count = rng.poisson(m / SR / 9.0)
    for _ in range(count):
        dur = rng.uniform(0.25, 0.7)
        L = int(dur * SR)
        tt = np.arange(L) / SR
        f = rng.uniform(330, 480)
        tone = np.zeros(L)
        for f0 in (f, f * 1.26):
            for h in range(1, 6):
                tone += np.sin(2 * np.pi * f0 * h * tt) / h
        tone = _filt(tone, 2, 1500.0, "lowpass")
        env = np.minimum(1.0, np.minimum(tt / 0.06, (dur - tt) / 0.1))
        env = np.clip(env, 0, 1) ** 2
        tone *= env
        tone *= 10 ** (rng.uniform(-44, -39) / 20) / (np.max(np.abs(tone)) + 1e-12)
        gl, gr = pan_gains(rng.uniform(-0.8, 0.8))
        _add_at(horns, int(rng.integers(0, m)), np.stack([tone * gl, tone * gr], axis=1))
    hiss = _to_rms(_filt(_pink(rng, m, 2), 2, 4000.0, "lowpass"), -44.0)
    return (rumble + traffic + horns + hiss)[_PREROLL:]


def _syllabic_envelope(rng: np.random.Generator, n: int) -> np.ndarray:
    """Speech-like amplitude: 90-260 ms syllable bumps with occasional pauses."""
    total = 0
    durs: list[int] = []
    amps: list[float] = []
    while total < n:
        if rng.random() < 0.1:
            d = int(rng.uniform(0.15, 0.5) * SR)
            a = 0.0
        else:
            d = int(rng.uniform(0.09, 0.26) * SR)
            a = rng.uniform(0.5, 1.0)
        durs.append(d)
        amps.append(a)
        total += d
    starts = np.concatenate([[0], np.cumsum(durs)[:-1]])
    idx = np.repeat(np.arange(len(durs)), durs)[:n]
    phase = (np.arange(n) - starts[idx]) / np.asarray(durs)[idx]
    return np.asarray(amps)[idx] * np.sin(np.pi * phase) ** 2


def _bed_cafe(rng: np.random.Generator, n: int) -> np.ndarray:
    m = n + _PREROLL
    out = np.zeros((m, 2))
    # Murmur: twelve talkers of speech-shaped noise (broad 150 Hz-3.5 kHz with a first-formant
    # hump) under syllabic envelopes. Broad bands keep the 5 ms envelope steady, so the
    # murmur flutters like speech without ever producing a sharp onset.
    for i in range(12):
        src = _pink(rng, m)
        f1 = rng.uniform(350, 700)
        voiced = _filt(_filt(src, 2, 150.0, "highpass"), 2, 3500.0, "lowpass") + 0.7 * _filt(src, 2, (f1 * 0.7, f1 * 1.5), "bandpass")
        talker = _to_rms(voiced, rng.uniform(-3, 0)) * _syllabic_envelope(rng, m)
        gl, gr = pan_gains(rng.uniform(-0.7, 0.7))
        out[:, 0] += talker * gl
        out[:, 1] += talker * gr
    # Room reflections smear the talkers into a bed: short decaying-noise reverb.
    ir_len = int(0.35 * SR)
    ir = rng.standard_normal((ir_len, 2)) * np.exp(-np.arange(ir_len) / (0.08 * SR))[:, None]
    ir[0] = 0.0
    wet = np.stack([oaconvolve(out[:, c], ir[:, c])[:m] for c in range(2)], axis=1)
    murmur = _to_rms(out, 0.0) + 0.9 * _to_rms(wet, 0.0)
    murmur = _to_rms(_filt(murmur, 2, 120.0, "highpass"), -33.0)
    room = _to_rms(_filt(_pink(rng, m, 2), 2, 2500.0, "lowpass"), -45.0)
    bed = murmur + room
    # Cup and cutlery clinks: inharmonic partials, 3 ms soft attack, low level.
    clinks = np.zeros((m, 2))
    for _ in range(rng.poisson(m / SR / 2.5)):
        L = int(rng.uniform(0.15, 0.35) * SR)
        tt = np.arange(L) / SR
        f = rng.uniform(2300, 3800)
        tone = sum(a * np.sin(2 * np.pi * f * r * tt) * np.exp(-tt / (d * rng.uniform(0.7, 1.3)))
                   for r, a, d in ((1.0, 1.0, 0.09), (2.76, 0.5, 0.05), (5.4, 0.25, 0.025)))
        tone = tone * _soft_env(L, int(0.003 * SR), 1e12)
        tone *= 10 ** (rng.uniform(-42, -36) / 20) / (np.max(np.abs(tone)) + 1e-12)
        gl, gr = pan_gains(rng.uniform(-0.8, 0.8))
        _add_at(clinks, int(rng.integers(0, m)), np.stack([tone * gl, tone * gr], axis=1))
    return (bed + clinks)[_PREROLL:]


def _chirp(rng: np.random.Generator) -> np.ndarray:
    """One bird call: 1-6 frequency-swept syllables with soft (15 ms) attacks."""
    pieces = []
    base = rng.uniform(2500, 5500)
    syllables = int(rng.integers(1, 7))
    shape = rng.choice(["up", "down", "trill"])
    for _ in range(syllables):
        dur = rng.uniform(0.05, 0.13)
        L = int(dur * SR)
        tt = np.arange(L) / SR
        if shape == "up":
            f = base * (0.8 + 0.5 * tt / dur)
        elif shape == "down":
            f = base * (1.3 - 0.5 * tt / dur)
        else:
            f = base * (1.0 + 0.08 * np.sin(2 * np.pi * rng.uniform(25, 45) * tt))
        ph = 2 * np.pi * np.cumsum(f) / SR
        env = np.sin(np.pi * np.minimum(tt / 0.03, 1.0) / 2) ** 2 * np.clip((dur - tt) / (0.6 * dur), 0, 1) ** 1.5
        pieces.append(np.sin(ph) * env)
        pieces.append(np.zeros(int(rng.uniform(0.03, 0.09) * SR)))
    return np.concatenate(pieces)


def _bed_birds(rng: np.random.Generator, n: int) -> np.ndarray:
    m = n + _PREROLL
    air = _filt(_pink(rng, m, 3), 2, 3000.0, "lowpass")
    air = _to_rms(_stereo(air[:, 0], air[:, 1], air[:, 2], 0.8), -42.0)
    leaves = _filt(rng.standard_normal((m, 2)), 2, (1500.0, 6000.0), "bandpass")
    leaves = _to_rms(leaves, -50.0) * _smooth_random(rng, m, 0.3, 0.4, 1.0)[:, None]
    birds = np.zeros((m, 2))
    t = 0.0
    while t < m / SR:
        call = _chirp(rng) * 10 ** (rng.uniform(-40, -31) / 20)
        gl, gr = pan_gains(rng.uniform(-0.9, 0.9))
        _add_at(birds, int(t * SR), np.stack([call * gl, call * gr], axis=1))
        t += rng.uniform(0.4, 2.5)
    return (air + leaves + birds)[_PREROLL:]


def _bed_ocean(rng: np.random.Generator, n: int) -> np.ndarray:
    m = n + _PREROLL
    rumble = _filt(_brown(rng, m, 2), 2, 500.0, "lowpass")
    wash = _filt(_pink(rng, m, 2), 2, 700.0, "lowpass")
    foam = _filt(rng.standard_normal((m, 2)), 2, (1000.0, 5000.0), "bandpass")
    # Waves: slow asymmetric swells (1.5-3 s rise, 2-4 s fall) every 5-10 s, per side offset.
    env = np.zeros((m, 2)) + 0.25
    t = -rng.uniform(0, 6)
    while t < m / SR + 4:
        rise = rng.uniform(1.5, 3.0)
        fall = rng.uniform(2.0, 4.0)
        amp = rng.uniform(0.6, 1.0)
        L = int((rise + 4 * fall) * SR)
        tt = np.arange(L) / SR
        shape = np.where(tt < rise, (0.5 - 0.5 * np.cos(np.pi * tt / rise)) ** 2, np.exp(-(tt - rise) / fall))
        pan = rng.uniform(-0.5, 0.5)
        wave = amp * np.stack([shape * (1 - pan), shape * (1 + pan)], axis=1)
        _add_at(env, int(t * SR), wave)
        t += rng.uniform(5.0, 10.0)
    body = _to_rms(rumble, 0.0) * 0.7 + _to_rms(wash, 0.0)
    # Foam hiss peaks with each crash; a little of it always stays, so the band above
    # the wash never goes narrowband (which would flicker like onsets in 5 ms windows).
    surf = body * env + _to_rms(foam, 0.0) * (0.03 + 0.04 * env + 0.12 * env**2)
    return _to_rms(surf, -30.0)[_PREROLL:]


def _bed_room(rng: np.random.Generator, n: int) -> np.ndarray:
    m = n + _PREROLL
    tone = _filt(_pink(rng, m, 3), 2, 2500.0, "lowpass")
    tone = _to_rms(_stereo(tone[:, 0], tone[:, 1], tone[:, 2], 0.6), -52.0)
    hvac = _to_rms(_filt(_brown(rng, m, 2), 2, 120.0, "lowpass"), -54.0)
    return (tone + hvac)[_PREROLL:]


# Final RMS of each bed (dBFS). Chosen so a foley hit at strength 0.5 still stands
# 15 dB or more above the loudest bed in the onset analyser's 5 ms envelope, and
# beds sit 15-20 dB under dialogue (espeak lines are levelled to -20 dBFS RMS).
BED_LEVEL_DB = {"rain": -36.0, "wind": -38.0, "city": -37.0, "cafe": -38.0, "birds": -46.0, "ocean": -36.0, "room": -56.0}

_BEDS = {
    "rain": _bed_rain,
    "wind": _bed_wind,
    "city": _bed_city,
    "cafe": _bed_cafe,
    "birds": _bed_birds,
    "ocean": _bed_ocean,
    "room": _bed_room,
}
assert set(_BEDS) == set(AMBIENCE_BEDS)


def render_ambience(bed: str, n_samples: int, seed: int) -> np.ndarray:
    """Render ``n_samples`` of an ambience bed (one of `AMBIENCE_BEDS`) as (n, 2) float32.

    Beds are stationary (no sharp onsets), deterministic for a given seed, and
    sit at background level (`BED_LEVEL_DB`: -36 dBFS RMS for rain/ocean, -56 for room).
    Raises ValueError for an unknown bed.
    """
    if bed not in _BEDS:
        raise ValueError(f"unknown ambience bed {bed!r}; choose one of {', '.join(AMBIENCE_BEDS)}")
    n = int(n_samples)
    if n <= 0:
        return np.zeros((0, 2), np.float32)
    x = _to_rms(_BEDS[bed](_rng(seed, "ambience", bed), n), BED_LEVEL_DB[bed])
    return np.clip(x, -1.0, 1.0).astype(np.float32)


def ambience(bed: str, seconds: float, seed: int) -> np.ndarray:
    """Convenience wrapper: ``seconds`` of a bed, see `render_ambience`."""
    return render_ambience(bed, int(round(seconds * SR)), seed)


# --------------------------------------------------------------------------- foley

_HEAD = int(0.002 * SR)  # the peak of a sharp hit must fall within its first 2 ms


def _burst(rng: np.random.Generator, L: int, band, tau_s: float, attack_s: float = 0.00025) -> np.ndarray:
    """Filtered noise under a fast attack and exponential decay (filter first so the attack stays sharp)."""
    if isinstance(band, tuple):
        noise = _filt(rng.standard_normal(L + 256), 2, band, "bandpass")[256:]
    else:
        noise = _filt(rng.standard_normal(L + 256), 2, band, "lowpass")[256:]
    noise /= np.max(np.abs(noise[: max(1, int(SR * 0.003))])) + 1e-12
    return noise * _soft_env(L, int(attack_s * SR), tau_s * SR)


def _mode(L: int, freq: float, tau_s: float, drop: float = 0.0, drop_tau_s: float = 0.02,
          attack_s: float = 0.00025) -> np.ndarray:
    """A damped resonance in cosine phase (so it starts at its peak), optional pitch drop."""
    tt = np.arange(L) / SR
    f = freq * (1.0 + drop * np.exp(-tt / drop_tau_s))
    ph = 2 * np.pi * np.cumsum(f) / SR - 2 * np.pi * f[0] / SR
    return np.cos(ph) * _soft_env(L, int(attack_s * SR), tau_s * SR)


def _ensure_head_peak(x: np.ndarray) -> np.ndarray:
    """Keep the hit's largest sample within the first 2 ms: if the body outgrows the
    attack, turn everything after the attack's peak down (0.5 ms raised-cosine ramp)."""
    r = int(0.0005 * SR)
    for _ in range(4):
        mono = np.max(np.abs(x), axis=1)
        # The attack peak is looked for in the first 1.5 ms so the ramp ends inside 2 ms.
        p = int(np.argmax(mono[: _HEAD - r]))
        head = float(mono[p])
        tail = float(np.max(mono[p + 1 + r :])) if mono.shape[0] > p + 1 + r else 0.0
        if head <= 0 or tail <= 0.9 * head:
            break
        g = 0.9 * head / tail
        gain = np.full(mono.shape[0], g)
        gain[: p + 1] = 1.0
        gain[p + 1 : p + 1 + r] = 1 + (g - 1) * (0.5 - 0.5 * np.cos(np.pi * (np.arange(r) + 1) / r))
        x = x * gain[:, None]
    return x


def _foley_footstep(rng, p, d, b) -> np.ndarray:
    L = int(0.28 * SR)
    heel = _burst(rng, L, (300.0 * b, 3500.0 * b), 0.006 * d)
    thump = _mode(L, 110.0 * p, 0.025 * d, drop=0.3) * 0.5
    scuff = np.zeros(L)
    off = int(rng.uniform(0.035, 0.06) * SR)
    scuff[off:] = _burst(rng, L - off, (1800.0 * b, 5000.0 * b), 0.03 * d, attack_s=0.008) * 0.12
    return heel + thump + scuff


def _foley_impact(rng, p, d, b) -> np.ndarray:
    L = int(0.6 * SR)
    crack = _burst(rng, L, (200.0 * b, 8000.0 * b), 0.010 * d)
    body = sum(_mode(L, f * p, t * d) * a for f, t, a in ((127.0, 0.15, 0.4), (233.0, 0.1, 0.3), (389.0, 0.08, 0.2)))
    tail = _burst(rng, L, 1500.0 * b, 0.06 * d) * 0.3
    return crack + body + tail


def _foley_bounce(rng, p, d, b) -> np.ndarray:
    L = int(0.35 * SR)
    slap = _burst(rng, L, (1000.0 * b, 5000.0 * b), 0.002 * d) * 0.8
    body = _mode(L, 220.0 * p, 0.035 * d, drop=0.3, drop_tau_s=0.015) * 0.7
    ping = _mode(L, 220.0 * p * 2.3, 0.015 * d) * 0.2
    return slap + body + ping


def _foley_door(rng, p, d, b) -> np.ndarray:
    L = int(0.9 * SR)
    latch = _burst(rng, L, (2000.0 * b, 6000.0 * b), 0.003 * d) * 0.9
    knock = _burst(rng, L, 1200.0 * b, 0.025 * d) * 0.8
    body = sum(_mode(L, f * p, t * d, attack_s=0.003) * a for f, t, a in ((72.0, 0.25, 0.6), (113.0, 0.18, 0.4), (161.0, 0.12, 0.3)))
    rattle = np.zeros(L)
    # Frame rattle lands within 50 ms: one slam, one onset (the analyser's refractory is 60 ms).
    for _ in range(3):
        off = int(rng.uniform(0.012, 0.045) * SR)
        rattle[off:] += _burst(rng, L - off, (800.0 * b, 4000.0 * b), 0.008 * d) * rng.uniform(0.1, 0.25)
    return latch + knock + body + rattle


def _foley_whoosh(rng, p, d, b) -> np.ndarray:
    dur = rng.uniform(0.5, 0.85) * d
    L = int(dur * SR)
    tt = np.arange(L) / SR
    t_peak = 0.6 * dur
    x = np.zeros((L, 2))
    centres = np.geomspace(300.0 * b, 3000.0 * b, 6)
    # A sweep made of bands that each swell in turn: cheaper than a time-varying filter.
    for i, fc in enumerate(centres):
        band = _filt(rng.standard_normal((L, 2)), 2, (fc * 0.7, fc * 1.4), "bandpass")
        centre = t_peak * (0.5 + 0.6 * i / (len(centres) - 1))
        x += band * np.exp(-0.5 * ((tt - centre) / (0.22 * dur)) ** 2)[:, None]
    env = np.where(tt < t_peak, (tt / t_peak) ** 2, np.exp(-(tt - t_peak) / (0.08 * dur)))
    x *= env[:, None]
    pan = np.linspace(-0.4, 0.4, L) * (1 if rng.random() < 0.5 else -1)
    theta = (pan + 1) * np.pi / 4
    x[:, 0] *= np.cos(theta) * np.sqrt(2)
    x[:, 1] *= np.sin(theta) * np.sqrt(2)
    return x


def _foley_splash(rng, p, d, b) -> np.ndarray:
    L = int(1.0 * SR)
    slap = _burst(rng, L, (500.0 * b, 8000.0 * b), 0.008 * d)
    spray = _burst(rng, L, (1000.0 * b, 10000.0), 0.12 * d, attack_s=0.005) * 0.5
    mono = slap + spray
    x = np.stack([mono, mono], axis=1)
    # Bubbles ride under the spray's own envelope so none of them reads as a new hit.
    spray_tau = 0.12 * d
    for _ in range(int(rng.integers(10, 26))):
        bl = int(rng.uniform(0.008, 0.025) * SR)
        tt = np.arange(bl) / SR
        f0 = rng.uniform(400, 1200) * p
        f = f0 * (1 + 1.5 * tt / tt[-1])
        at = rng.uniform(0.02, 0.3)
        amp = rng.uniform(0.3, 0.8) * 0.5 * np.exp(-at / spray_tau)
        bub = np.sin(2 * np.pi * np.cumsum(f) / SR) * np.sin(np.pi * np.arange(bl) / bl) ** 2 * amp
        gl, gr = pan_gains(rng.uniform(-0.6, 0.6))
        _add_at(x, int(at * SR), np.stack([bub * gl, bub * gr], axis=1) * np.sqrt(2))
    return x


def _foley_thud(rng, p, d, b) -> np.ndarray:
    L = int(0.5 * SR)
    low = _mode(L, 68.0 * p, 0.09 * d, drop=0.4, drop_tau_s=0.03)
    mud = _burst(rng, L, 600.0 * b, 0.03 * d) * 0.7
    # The knock on top of the boom: without it a thud is all sub-150 Hz and hard to time.
    click = _burst(rng, L, (200.0 * b, 3000.0 * b), 0.004 * d) * 0.9
    return low + mud + click


def _foley_clap(rng, p, d, b) -> np.ndarray:
    L = int(0.4 * SR)
    band = (800.0 * b * p, 2800.0 * b * p)
    x = _burst(rng, L, band, 0.0015 * d)
    for _ in range(int(rng.integers(2, 4))):
        off = int(rng.uniform(0.003, 0.009) * SR)
        x[off:] += _burst(rng, L - off, band, 0.0015 * d) * rng.uniform(0.4, 0.65)
    x += _burst(rng, L, band, 0.06 * d, attack_s=0.004) * 0.25
    return x


def _foley_glass(rng, p, d, b) -> np.ndarray:
    """Glass breaking: a bright crack, then a shower of high, short, inharmonic tinkles."""
    L = int(0.7 * SR)
    crack = _burst(rng, L, (2500.0 * b, 12000.0), 0.006 * d)
    ring = sum(_mode(L, f * p, t * d) * a for f, t, a in ((3100.0, 0.05, 0.35), (4700.0, 0.04, 0.3), (6900.0, 0.03, 0.25)))
    x = crack + ring
    # Shards land over the next 300 ms, each quieter, all high (3-9 kHz): one onset, a glassy tail.
    for _ in range(int(rng.integers(14, 24))):
        off = int(rng.uniform(0.02, 0.3) * SR)
        f = rng.uniform(3000, 9000) * p
        amp = rng.uniform(0.08, 0.22) * np.exp(-off / SR / 0.15)
        x[off:] += _mode(L - off, f, rng.uniform(0.005, 0.02) * d) * amp
    return x


def _foley_clink(rng, p, d, b) -> np.ndarray:
    """A cup set down or knocked over: a short ceramic ring (2-4 kHz) over a small knock."""
    L = int(0.4 * SR)
    tick = _burst(rng, L, (1500.0 * b, 7000.0 * b), 0.002 * d)
    ring = sum(_mode(L, f * p, t * d) * a for f, t, a in ((2300.0, 0.06, 0.5), (3600.0, 0.04, 0.3)))
    return tick + ring


def _foley_paw(rng, p, d, b) -> np.ndarray:
    """A small animal landing: soft, low and short (pads, no click)."""
    L = int(0.25 * SR)
    pad = _burst(rng, L, (150.0 * b, 1200.0 * b), 0.012 * d)
    body = _mode(L, 140.0 * p, 0.03 * d, drop=0.2) * 0.6
    # Claws and the board under them: a short knock, so the landing is heard (and timed) on any bed.
    knock = _burst(rng, L, (400.0 * b, 4000.0 * b), 0.003 * d) * 0.9
    return pad + body + knock


def _foley_door_open(rng, p, d, b) -> np.ndarray:
    """A door or window opening: the latch's click, then a rising creak of the hinge."""
    L = int(0.8 * SR)
    latch = _burst(rng, L, (2000.0 * b, 6000.0 * b), 0.003 * d)
    tt = np.arange(L) / SR
    f = (380.0 + 260.0 * tt / tt[-1]) * p
    # The creak swells slowly (no second attack) under the latch.
    creak_env = np.clip((tt - 0.04) / 0.25, 0, 1) ** 2 * np.exp(-np.maximum(0, tt - 0.35) / 0.2)
    creak = np.sign(np.sin(2 * np.pi * np.cumsum(f) / SR)) * creak_env * 0.06
    creak = _filt(creak, 2, (300.0, 3000.0), "bandpass")
    return latch + creak


def _foley_generic(rng, p, d, b) -> np.ndarray:
    L = int(0.4 * SR)
    click = _burst(rng, L, (300.0 * b, 5000.0 * b), 0.004 * d)
    body = _mode(L, rng.uniform(150, 600) * p, 0.06 * d) * 0.5
    tail = _burst(rng, L, 2000.0 * b, 0.04 * d) * 0.3
    return click + body + tail


_FOLEY = {
    "footstep": _foley_footstep,
    "impact": _foley_impact,
    "bounce": _foley_bounce,
    "door": _foley_door,
    "whoosh": _foley_whoosh,
    "splash": _foley_splash,
    "thud": _foley_thud,
    "clap": _foley_clap,
    "glass": _foley_glass,
    "clink": _foley_clink,
    "paw": _foley_paw,
    "door_open": _foley_door_open,
}


def foley_kind(kind: str) -> str:
    """The foley design a kind maps to (aliases such as 'footsteps' -> 'footstep'); 'generic' if none."""
    k = kind.strip().lower()
    k = _FOLEY_ALIASES.get(k, k)
    return k if k in _FOLEY else "generic"


def render_foley(kind: str, seed: int, strength: float = 1.0) -> np.ndarray:
    """One foley hit as (n, 2) float32, its attack at sample 0.

    Every kind except ``whoosh`` has a sharp attack with its peak inside the
    first 2 ms; a whoosh swells (it is for fast camera moves). The seed varies
    pitch (about ±7 %), decay (±15 %) and colour so repeated hits differ.
    ``strength`` scales the level linearly (peak = 0.7 × strength, clamped to
    1.4 so a hit never clips) and, for strong hits, lengthens the decay a little.
    """
    design = foley_kind(kind)
    fn = _FOLEY.get(design, _foley_generic)
    rng = _rng(seed, "foley", design)
    strength = float(np.clip(strength, 0.0, 1.4))
    pitch = 2 ** (rng.normal(0, 0.1))
    decay = float(np.exp(rng.normal(0, 0.15))) * (0.85 + 0.15 * strength)
    bright = float(np.exp(rng.normal(0, 0.12)))
    x = fn(rng, pitch, decay, bright)
    if x.ndim == 1:
        x = np.stack([x, x], axis=1)
    x = np.asarray(x, dtype=np.float64)
    # Fade the last 10 ms so a truncated tail never clicks.
    fade = min(int(0.01 * SR), x.shape[0])
    x[-fade:] *= np.linspace(1.0, 0.0, fade)[:, None]
    if design != "whoosh":
        x = _ensure_head_peak(x)
    x *= FOLEY_PEAK * strength / (np.max(np.abs(x)) + 1e-12)
    return x.astype(np.float32)
