"""Loudness metering and mastering in plain numpy: BS.1770 loudness, true peak, a true-peak limiter.

No SciPy and no pyloudnorm: the export's mastering path would otherwise import
scipy.signal (about a second on a cold start) for two filters. Every filter
here is an FIR applied by block FFT convolution (bounded memory on long
programmes):

- K-weighting (ITU-R BS.1770-4's two biquads) as its impulse response, taken
  exactly from the biquads' frequency response and truncated where it has
  decayed below 1e-12 of its start;
- 4× oversampling for true peak (BS.1770-4 Annex 2) with a 192-tap Kaiser
  windowed-sinc polyphase interpolator.

`limit_true_peak` is a look-ahead limiter driven by that oversampled peak
estimate, and `master` gains a programme to a loudness target under a
true-peak ceiling, optionally checking the ceiling on the programme after a
lossy codec's round trip (AAC adds 0.3-0.8 dB of inter-sample overshoot).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable

import numpy as np

from studio.domain.timing import SAMPLE_RATE

OVERSAMPLE = 4
"""True-peak oversampling factor (BS.1770-4 asks for at least 4× at 48 kHz)."""

_TAPS_PER_PHASE = 48
_FFT = 1 << 15
_GATE_BLOCK_S = 0.4
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0


def _as_stereo64(x: np.ndarray) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = np.stack([a, a], axis=1)
    return a


class StreamFIR:
    """Causal FIR filter of a stream of ``(m, C)`` chunks by each column of ``taps`` (L×P), in ``dtype``.

    The input is re-cut into the filter's own FFT blocks (counted from the stream's first
    sample), so whatever chunks it is fed, the outputs are those of one call on the whole
    signal, bit for bit; the working memory is a few FFT blocks however long the stream is.
    ``push`` returns the outputs that are complete (S×C×P, or with ``peak`` only the largest
    |output| of each sample over channels and taps, (S,)); ``flush`` the rest.
    """

    def __init__(self, taps: np.ndarray, channels: int, *, peak: bool = False, dtype=np.float32) -> None:
        length, phases = taps.shape
        self.length, self.phases, self.channels, self.peak, self.dtype = length, phases, channels, peak, dtype
        self.nfft = max(_FFT, 1 << int(math.ceil(math.log2(4 * length))))
        self.block = self.nfft - length + 1
        self.spectrum = np.fft.rfft(taps.astype(dtype), self.nfft, axis=0)[:, None, :]  # F×1×P
        self.carry = np.zeros((length - 1, channels, phases), dtype)
        self._pending: list[np.ndarray] = []
        self._have = 0

    def _empty(self) -> np.ndarray:
        return np.zeros((0,) if self.peak else (0, self.channels, self.phases), self.dtype)

    def _run(self, chunk: np.ndarray) -> np.ndarray:
        length, nfft = self.length, self.nfft
        m = chunk.shape[0]
        y = np.fft.irfft(np.fft.rfft(chunk, nfft, axis=0)[:, :, None] * self.spectrum, nfft, axis=0)
        y[: length - 1] += self.carry
        if self.peak:
            # A chain of elementwise maxima: numpy's reduce over a short inner axis is several times slower.
            flat = np.abs(y[:m]).reshape(m, -1)
            out = flat[:, 0].copy()
            for j in range(1, flat.shape[1]):
                np.maximum(out, flat[:, j], out=out)
        else:
            out = y[:m].copy()
        carry = y[m : m + length - 1].copy() if m + length - 1 <= nfft else y[m:]
        if carry.shape[0] < length - 1:
            carry = np.concatenate([carry, np.zeros((length - 1 - carry.shape[0], self.channels, self.phases), self.dtype)])
        self.carry = carry
        return out

    def push(self, x: np.ndarray) -> np.ndarray:
        if x.shape[0]:
            self._pending.append(np.asarray(x).astype(self.dtype))
            self._have += x.shape[0]
        if self._have < self.block:
            return self._empty()
        data = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        outs = []
        start = 0
        while data.shape[0] - start >= self.block:
            outs.append(self._run(data[start : start + self.block]))
            start += self.block
        rest = data[start:]
        self._pending, self._have = ([rest] if rest.shape[0] else []), rest.shape[0]
        return np.concatenate(outs) if len(outs) > 1 else outs[0]

    def flush(self) -> np.ndarray:
        if not self._have:
            return self._empty()
        data = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending, self._have = [], 0
        return self._run(data)


def _fir(x: np.ndarray, taps: np.ndarray, *, peak: bool = False, dtype=np.float32) -> np.ndarray:
    """Causal FIR filter of every column of ``x`` (S×C) by each column of ``taps`` (L×P), in ``dtype``.

    Returns S×C×P (the first S outputs of the full convolution), or with
    ``peak`` only the largest |output| of each sample over channels and taps (S,); computed
    by overlap-add over blocks (`StreamFIR`), so the working memory is a few FFT blocks
    however long the programme is. float32 keeps 7 significant digits, far
    below what a loudness or peak reading shows (0.1 dB); the limiter's gain,
    which must stay exactly under its ceiling, is smoothed in float64.
    """
    fir = StreamFIR(taps, x.shape[1], peak=peak, dtype=dtype)
    head, tail = fir.push(x), fir.flush()
    return np.concatenate([head, tail]) if head.shape[0] and tail.shape[0] else (tail if not head.shape[0] else head)


# --------------------------------------------------------------------------- BS.1770 loudness


def _biquad_response(b: np.ndarray, a: np.ndarray, z: np.ndarray) -> np.ndarray:
    return (b[0] + b[1] / z + b[2] / z**2) / (a[0] + a[1] / z + a[2] / z**2)


def _k_weighting_coefficients(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two K-weighting biquads (high shelf +4 dB at 1.5 kHz, high pass at 38 Hz), RBJ form as in BS.1770."""
    out = []
    for kind, gain_db, q, fc in (("shelf", 4.0, 1 / math.sqrt(2), 1500.0), ("hp", 0.0, 0.5, 38.0)):
        big_a = 10 ** (gain_db / 40)
        w0 = 2 * math.pi * fc / rate
        alpha = math.sin(w0) / (2 * q)
        c = math.cos(w0)
        if kind == "shelf":
            s = 2 * math.sqrt(big_a) * alpha
            b = [big_a * ((big_a + 1) + (big_a - 1) * c + s), -2 * big_a * ((big_a - 1) + (big_a + 1) * c),
                 big_a * ((big_a + 1) + (big_a - 1) * c - s)]
            a = [(big_a + 1) - (big_a - 1) * c + s, 2 * ((big_a - 1) - (big_a + 1) * c), (big_a + 1) - (big_a - 1) * c - s]
        else:
            b = [(1 + c) / 2, -(1 + c), (1 + c) / 2]
            a = [1 + alpha, -2 * c, 1 - alpha]
        out.append((np.array(b) / a[0], np.array(a) / a[0]))
    return out


@lru_cache(maxsize=4)
def _k_weighting_taps(rate: int) -> np.ndarray:
    """K-weighting impulse response (L×1): the biquads' exact response sampled on a fine grid, truncated."""
    grid = 1 << 18
    z = np.exp(1j * np.pi * np.arange(grid // 2 + 1) / (grid // 2))
    response = np.ones_like(z)
    for b, a in _k_weighting_coefficients(rate):
        response = response * _biquad_response(b, a, z)
    impulse = np.fft.irfft(response, grid)
    tail = np.abs(impulse) > 1e-12 * np.abs(impulse).max()
    length = int(np.nonzero(tail)[0][-1]) + 1
    return impulse[:length, None]


def _gated(powers: np.ndarray) -> float:
    """BS.1770-4 gating of 400 ms block powers: the integrated loudness (LUFS), -inf if nothing passes."""
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(powers)
    above = powers[loud >= _ABSOLUTE_GATE]
    if above.size == 0:
        return -math.inf
    relative = -0.691 + 10 * math.log10(float(above.mean())) + _RELATIVE_GATE
    gated = powers[(loud > relative) & (loud >= _ABSOLUTE_GATE)]
    if gated.size == 0:
        return -math.inf
    return -0.691 + 10 * math.log10(float(gated.mean()))


class LoudnessMeter:
    """Integrated loudness of a stream of ``(m, 2)`` blocks (BS.1770-4), in bounded memory.

    Gating needs only the power of each 400 ms block (75 % overlap), and each of those is
    the sum of four 100 ms steps, so the meter keeps one float per 100 ms of programme
    (36 KB an hour) and the K-weighting filter's state. The same readings whatever the
    blocks (`integrated_loudness` is this meter fed one block).
    """

    def __init__(self, rate: int = SAMPLE_RATE) -> None:
        self.rate = rate
        self.size = int(_GATE_BLOCK_S * rate)
        self.step = self.size // 4
        self.need = int(math.ceil(_GATE_BLOCK_S * rate)) + 1
        self._fir = StreamFIR(_k_weighting_taps(rate), 2)
        self._steps: list[float] = []
        self._partial = 0.0
        self._partial_n = 0
        self.samples = 0
        self._sound = False
        self._head: list[np.ndarray] = []  # kept while shorter than one gating block (measured looped)

    def add(self, x: np.ndarray) -> None:
        a = _as_stereo64(x)
        if a.shape[0] == 0:
            return
        if self.samples < self.need:
            self._head.append(a[: self.need])
        self.samples += a.shape[0]
        self._sound = self._sound or bool(np.any(a))
        self._take(self._fir.push(a))

    def _take(self, weighted: np.ndarray) -> None:
        if weighted.shape[0] == 0:
            return
        w = weighted[:, :, 0].astype(np.float64)
        power = np.sum(w * w, axis=1)
        pos = 0
        while pos < power.shape[0]:
            room = self.step - self._partial_n
            part = power[pos : pos + room]
            self._partial += float(part.sum())
            self._partial_n += part.shape[0]
            pos += part.shape[0]
            if self._partial_n == self.step:
                self._steps.append(self._partial)
                self._partial, self._partial_n = 0.0, 0

    def block_powers(self) -> np.ndarray:
        """Mean-square K-weighted power of each 400 ms block, summed over channels (ends the stream)."""
        self._take(self._fir.flush())
        steps = self._steps + ([self._partial] if self._partial_n else [])
        self._steps, self._partial, self._partial_n = steps, 0.0, 0
        count = int(round((self.samples / self.rate - _GATE_BLOCK_S) / (_GATE_BLOCK_S / 4))) + 1
        q = np.concatenate([np.asarray(steps, np.float64), np.zeros(4)])
        return np.array([q[k : k + 4].sum() for k in range(max(0, count))], np.float64) / self.size

    def result(self) -> float:
        """The integrated loudness (LUFS) of everything added; -inf for silence (ends the stream)."""
        if self.samples == 0 or not self._sound:
            return -math.inf
        if self.samples < self.need:
            a = np.concatenate(self._head)
            looped = LoudnessMeter(self.rate)
            looped.add(np.tile(a, (int(math.ceil(self.need / a.shape[0])), 1)))
            return looped.result()
        return _gated(self.block_powers())


def _block_powers(x: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Mean-square K-weighted power of each 400 ms block (75% overlap), summed over channels."""
    meter = LoudnessMeter(rate)
    meter.add(x)
    return meter.block_powers()


def integrated_loudness(x: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    """Integrated loudness (LUFS, ITU-R BS.1770-4 gating); -inf for silence.

    Stereo or mono (a mono signal is measured as the same signal on two
    channels, as it plays). Clips shorter than one 400 ms gating block are
    measured looped to that length. One block of `LoudnessMeter`.
    """
    meter = LoudnessMeter(rate)
    meter.add(x)
    return meter.result()


# --------------------------------------------------------------------------- true peak


@lru_cache(maxsize=1)
def _interpolator() -> np.ndarray:
    """Polyphase 4× interpolator (taps per phase × OVERSAMPLE): Kaiser windowed sinc, unity gain per phase."""
    length = _TAPS_PER_PHASE * OVERSAMPLE
    t = (np.arange(length) - (length - 1) / 2) / OVERSAMPLE
    h = np.sinc(t * 0.9) * np.kaiser(length, 9.0)  # passband to 0.8 of Nyquist, stop by 1.0
    phases = h.reshape(_TAPS_PER_PHASE, OVERSAMPLE)
    return phases / phases.sum(axis=0, keepdims=True)


class PeakEnvelope:
    """`peak_envelope` of a stream of ``(m, 2)`` blocks: ``push`` returns the envelope of the samples
    now complete (the interpolator looks 24 samples ahead), ``flush`` the rest; ``peak`` is the largest
    value so far. Bit for bit the envelope of the whole signal, whatever the blocks."""

    def __init__(self) -> None:
        self._fir = StreamFIR(_interpolator(), 2, peak=True)
        self._delay = _TAPS_PER_PHASE // 2  # the filter's group delay, in input samples
        self._skip = self._delay
        self._up = np.zeros(0, np.float32)
        self._abs = np.zeros(0, np.float64)
        self.peak = 0.0

    def _match(self, up: np.ndarray) -> np.ndarray:
        if self._skip and up.shape[0]:
            cut = min(self._skip, up.shape[0])
            up, self._skip = up[cut:], self._skip - cut
        self._up = np.concatenate([self._up, up]) if self._up.shape[0] else up
        k = min(self._up.shape[0], self._abs.shape[0])
        env = np.maximum(self._up[:k], self._abs[:k])
        self._up, self._abs = self._up[k:], self._abs[k:]
        if k:
            self.peak = max(self.peak, float(env.max()))
        return env

    def push(self, x: np.ndarray) -> np.ndarray:
        a = _as_stereo64(x)
        if a.shape[0] == 0:
            return np.zeros(0)
        self._abs = np.concatenate([self._abs, np.abs(a).max(axis=1)])
        return self._match(self._fir.push(a))

    def flush(self) -> np.ndarray:
        tail = self._fir.push(np.zeros((self._delay, 2)))
        env = self._match(tail)
        return np.concatenate([env, self._match(self._fir.flush())])

    def true_peak_db(self) -> float:
        return 20 * math.log10(self.peak) if self.peak > 0 else -math.inf


def peak_envelope(x: np.ndarray) -> np.ndarray:
    """Per-sample true-peak estimate (S,): the largest |value| of the 4× oversampled signal around each
    sample, over both channels (never below the sample itself)."""
    a = _as_stereo64(x)
    if a.shape[0] == 0:
        return np.zeros(0)
    env = PeakEnvelope()
    return np.concatenate([env.push(a), env.flush()])


def true_peak(x: np.ndarray) -> float:
    """True peak in dBTP (4× oversampled); -inf for silence."""
    a = np.asarray(x)
    if a.size == 0:
        return -math.inf
    peak = float(peak_envelope(a).max())
    return 20 * math.log10(peak) if peak > 0 else -math.inf


# --------------------------------------------------------------------------- limiter


def _sliding_min(x: np.ndarray, before: int, after: int) -> np.ndarray:
    """out[i] = min(x[i - before : i + after + 1]) (clipped at the edges), by doubling: O(n log window)."""
    n = x.shape[0]
    width = before + after + 1
    big = np.concatenate([np.full(before, np.inf), x, np.full(after, np.inf)])
    m = big.copy()  # m[j] = min(big[j : j + span])
    span = 1
    while span * 2 <= width:
        m[: len(m) - span] = np.minimum(m[: len(m) - span], m[span:])
        span *= 2
    # Two overlapping spans cover the window big[j : j + width] = x[j - before .. j + after].
    return np.minimum(m[:n], m[width - span : width - span + n])


def limiter_gain(peak: np.ndarray, ceiling: float, *, lookahead_ms: float = 1.0, hold_ms: float = 1.0,
                 release_ms: float = 20.0, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Gain envelope (S,) that keeps ``peak * gain`` at or below ``ceiling`` (linear) at every sample.

    The gain each sample needs is spread by a sliding minimum over
    [i - lookahead - hold - release, i + lookahead], then smoothed by a window
    that rises over the look-ahead (attack) and falls over the release: each
    smoothed value averages values that all cover the peaks near it, so the
    ceiling still holds, while the gain never steps (no clicks) and recovers
    within ``hold_ms + release_ms`` of the last peak (dense material is not held down).
    """
    need = np.minimum(1.0, ceiling / np.maximum(peak, 1e-12))
    if need.min() >= 1.0:
        return np.ones_like(need)
    la = max(1, int(round(lookahead_ms / 1000 * rate)))
    hold = int(round(hold_ms / 1000 * rate))
    rel = max(1, int(round(release_ms / 1000 * rate)))
    # Smoothing kernel over offsets k in [-la, rel]: output i = sum_k w[k] g[i + k]... applied as a
    # correlation, so g[j] for j in [i - rel, i + la] contributes; each such g[j] must cover i:
    # g[j] = min(need[j - la .. j + rel + hold]) covers i for j in [i - rel - hold, i + la].
    g = _sliding_min(need, la, rel + hold)
    attack = np.hanning(2 * la + 3)[1 : la + 2]  # rising half, la + 1 values ending at 1
    release = np.hanning(2 * rel + 3)[rel + 2 : -1]  # falling half after the top, rel values
    kernel = np.concatenate([attack, release])  # offsets -la .. rel relative to the top at index la
    kernel /= kernel.sum()
    # out[i] = sum_{t} kernel[t] * g[i + la - t]: t=0 is offset +la (attack side, ahead), t=la+rel is -rel.
    padded = np.concatenate([np.full(rel, g[0]), g, np.full(la, g[-1])])
    return np.minimum(1.0, _fir(padded[:, None], kernel[:, None], dtype=np.float64)[la + rel :, 0, 0])


def limit_true_peak(x: np.ndarray, ceiling_db: float, **kwargs) -> np.ndarray:
    """``x`` (S×2 float64) limited so its 4× oversampled peak estimate is at most ``ceiling_db``."""
    a = _as_stereo64(x)
    return a * limiter_gain(peak_envelope(a), 10 ** (ceiling_db / 20), **kwargs)[:, None]


# --------------------------------------------------------------------------- mastering


CODEC_ALLOWANCE_DB = 0.3
"""First guess of a lossy codec's inter-sample overshoot (AAC at 192 kb/s: 0.1-0.6 dB); then measured."""

CODEC_NEVER_ADDS_DB = 3.0
"""A programme this far under the ceiling cannot cross it in AAC at the export's bit rate: no round trip needed."""

Codec = Callable[[np.ndarray], np.ndarray]
"""A lossy codec's round trip: float32 S×2 in, the decoded float32 S×2 out (same alignment)."""


def master(
    x: np.ndarray,
    target_lufs: float,
    true_peak_db: float,
    *,
    max_limiting_db: float,
    codec: Codec | None = None,
    codec_margin_db: float = 0.15,
) -> np.ndarray:
    """Gain ``x`` to ``target_lufs`` under a true-peak ceiling of ``true_peak_db`` (float32 S×2).

    Gain and limiting are iterated (secant steps) until the loudness is within
    0.1 LU and the true peak holds. The limiter takes at most
    ``max_limiting_db`` off the loudest peak (a sparse programme then stops
    short of the target rather than be crushed). With ``codec``, the ceiling
    is checked on the decoded programme (a codec adds inter-sample overshoot):
    the limiter starts `CODEC_ALLOWANCE_DB` under the ceiling, and where the
    decoded true peak still crosses it, the limiter's ceiling is lowered by
    the measured overshoot plus ``codec_margin_db`` and the programme limited
    again. A programme `CODEC_NEVER_ADDS_DB` under the ceiling skips the round trip.
    """
    src = _as_stereo64(x)
    lufs = integrated_loudness(src)
    if not math.isfinite(lufs):
        return np.asarray(x, dtype=np.float32) if np.asarray(x).ndim == 2 else src.astype(np.float32)
    peak = peak_envelope(src)  # oversampling is linear: scale it instead of redoing it
    peak_db = 20 * math.log10(max(float(peak.max()), 1e-12))

    def run(gain: float, ceiling: float) -> np.ndarray:
        return (src * (gain * limiter_gain(peak * gain, ceiling))[:, None]).astype(np.float32)

    def measure(gain: float, ceiling: float) -> tuple[float, float]:
        y = run(gain, ceiling)
        return integrated_loudness(y), true_peak(y)

    (gain, ceiling), _, _ = master_search(
        lufs, peak_db, target_lufs, true_peak_db, measure=measure, max_limiting_db=max_limiting_db,
        decoded_true_peak=None if codec is None else (lambda g, c: true_peak(codec(run(g, c)))),
        codec_margin_db=codec_margin_db)
    return run(gain, ceiling)


def master_search(
    lufs: float,
    peak_db: float,
    target_lufs: float,
    true_peak_db: float,
    *,
    measure: Callable[[float, float], tuple[float, float]],
    max_limiting_db: float,
    decoded_true_peak: Callable[[float, float], float] | None = None,
    codec_margin_db: float = 0.15,
) -> tuple[tuple[float, float], float, float]:
    """The gain and limiter ceiling (both linear) that master a programme, with its loudness and true peak.

    The programme's own loudness ``lufs`` and true peak ``peak_db`` start the search;
    ``measure(gain, ceiling)`` gives (LUFS, dBTP) of the programme so limited, and
    ``decoded_true_peak(gain, ceiling)`` the true peak after the lossy codec's round trip
    (None: no codec). The iteration `master` documents; shared by the whole-array and
    streamed masters (`studio.sound.stream.master_stream`), which differ only in how they
    hold the programme.
    """
    ceiling_db = true_peak_db - 0.1 - (CODEC_ALLOWANCE_DB if decoded_true_peak is not None else 0.0)
    best: tuple[float, float] = (1.0, math.inf)
    best_level, best_tp = lufs, peak_db
    gain_db = target_lufs - lufs
    for _codec_pass in range(4):
        prev: tuple[float, float] | None = None
        best_miss = math.inf  # |loudness - target| of the best result under the ceiling, this pass
        for _ in range(12):
            max_gain_db = ceiling_db - peak_db + max(0.0, max_limiting_db)
            capped = gain_db >= max_gain_db
            gain_db = min(gain_db, max_gain_db)
            g_lin, c_lin = 10 ** (gain_db / 20), 10 ** (ceiling_db / 20)
            level, tp = measure(g_lin, c_lin)
            tp_ok = tp <= true_peak_db
            if tp_ok and abs(level - target_lufs) < best_miss:
                best, best_level, best_tp, best_miss = (g_lin, c_lin), level, tp, abs(level - target_lufs)
            elif best_miss == math.inf:
                best, best_level, best_tp = (g_lin, c_lin), level, tp
            if tp_ok and (abs(level - target_lufs) <= 0.1 or (capped and level < target_lufs)):
                break
            if not tp_ok:
                ceiling_db -= (tp - true_peak_db) + 0.05
            if not math.isfinite(level):
                break
            # Loudness grows slower than gain once the limiter works: estimate the slope.
            slope = 1.0
            if prev is not None and abs(gain_db - prev[0]) > 1e-6:
                slope = (level - prev[1]) / (gain_db - prev[0])
                if slope <= 0.05 and tp_ok and level < target_lufs and gain_db > prev[0]:
                    # More gain made it no louder: flattened hits let quiet blocks through the
                    # BS.1770 relative gate. Louder is not to be had; keep the best so far.
                    break
                slope = float(np.clip(slope, 0.2, 1.0))
            prev = (gain_db, level)
            gain_db += (target_lufs - level) / slope
        if decoded_true_peak is None or best_tp <= true_peak_db - CODEC_NEVER_ADDS_DB:
            break
        decoded_tp = decoded_true_peak(*best)
        if decoded_tp <= true_peak_db - codec_margin_db / 3:
            break
        ceiling_db -= decoded_tp - (true_peak_db - codec_margin_db)
    return best, best_level, best_tp
