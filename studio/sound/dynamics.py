"""Gain dynamics shared by sound design and the mixer: edge fades and the dialogue ducker (numpy only).

Kept apart from `studio.sound.design` so the mixer (export's path) can use them
without importing sound synthesis and SciPy.
"""

from __future__ import annotations

import numpy as np

from studio.domain.timing import SAMPLE_RATE

EDGE_FADE_MS = 30.0
"""Ambience fades in and out over this at a shot's edges; `mix.join_shots` skips it when crossfading."""
DUCK_DB = -8.0
"""Ambience gain under dialogue."""
DUCK_RAMP_MS = 80.0


def sidechain_gain(
    key: np.ndarray,
    depth_db: float = DUCK_DB,
    *,
    threshold_db: float = -45.0,
    attack_ms: float = DUCK_RAMP_MS,
    release_ms: float = 250.0,
    hold_ms: float = 200.0,
    lookahead_ms: float = DUCK_RAMP_MS,
    sample_rate: int = SAMPLE_RATE,
) -> np.ndarray:
    """Gain curve (n,) that ducks a bed by ``depth_db`` wherever ``key`` (the dialogue) is speaking.

    A sidechain compressor with a gate's decision: the key's 10 ms RMS above
    ``threshold_db`` dBFS means "speaking"; pauses shorter than ``hold_ms``
    between words stay ducked. The duck amount then moves at most 1/attack per
    sample going down and 1/release coming back up (linear in dB: full depth
    exactly ``attack_ms`` after it starts), and the whole curve is moved
    ``lookahead_ms`` earlier, which offline rendering allows, so the first
    syllable is already over a ducked bed.
    """
    k = np.asarray(key, dtype=np.float64)
    if k.ndim == 2:
        k = np.max(np.abs(k), axis=1)
    n = k.shape[0]
    if n == 0:
        return np.ones(0)
    win = max(1, int(0.01 * sample_rate))
    power = np.convolve(k * k, np.ones(win) / win, mode="same")
    speaking = power > 10 ** (threshold_db / 10)
    if not np.any(speaking):
        return np.ones(n)
    # Hold: the gate stays open hold_ms after the key falls (so pauses between words stay ducked).
    hold = int(hold_ms / 1000 * sample_rate)
    idx = np.flatnonzero(speaking)
    for g in np.flatnonzero(np.diff(idx) > 1):
        a, b = idx[g], idx[g + 1]
        speaking[a : min(b, a + hold)] = True
    speaking[idx[-1] : min(n, idx[-1] + hold)] = True
    look = min(n, int(lookahead_ms / 1000 * sample_rate))  # a shot shorter than the look-ahead (one frame of dialogue)
    target = np.zeros(n)
    target[: n - look] = speaking[look:]
    if look:
        target[n - look :] = speaking[-1]
    up = 1.0 / max(1, int(attack_ms / 1000 * sample_rate))
    down = 1.0 / max(1, int(release_ms / 1000 * sample_rate))
    amount = np.empty(n)
    # A slew limiter: segments between target changes are straight ramps, so compute them in blocks.
    level = 0.0
    edges = np.concatenate([[0], np.flatnonzero(np.diff(target)) + 1, [n]])
    for s, e in zip(edges[:-1], edges[1:]):
        t = target[s]
        steps = np.arange(1, e - s + 1)
        if t > level:
            seg = np.minimum(t, level + up * steps)
        else:
            seg = np.maximum(t, level - down * steps)
        amount[s:e] = seg
        level = float(seg[-1])
    return 10 ** (depth_db * amount / 20)


class SidechainStream:
    """`sidechain_gain` in blocks: ``gain(a, b)`` is the curve for samples ``[a, b)`` of an ``n``-sample
    programme whose key (the dialogue) ``read_key(lo, hi)`` gives as ``(hi - lo, 2)`` samples.

    Blocks are asked for in order (the slew limiter carries its level from one to the next);
    each reads only the key around it (10 ms RMS window, hold and look-ahead), so memory is
    a block however long the programme. The same curve as `sidechain_gain` on the whole key
    to within rounding (the ramps are summed from each block's start: |error| < 1e-12).
    """

    def __init__(self, read_key, n: int, depth_db: float = DUCK_DB, *, threshold_db: float = -45.0,
                 attack_ms: float = DUCK_RAMP_MS, release_ms: float = 250.0, hold_ms: float = 200.0,
                 lookahead_ms: float = DUCK_RAMP_MS, sample_rate: int = SAMPLE_RATE) -> None:
        self.read_key, self.n, self.depth_db = read_key, int(n), depth_db
        self.threshold = 10 ** (threshold_db / 10)
        self.win = max(1, int(0.01 * sample_rate))
        self.hold = int(hold_ms / 1000 * sample_rate)
        self.look = min(self.n, int(lookahead_ms / 1000 * sample_rate))
        self.up = 1.0 / max(1, int(attack_ms / 1000 * sample_rate))
        self.down = 1.0 / max(1, int(release_ms / 1000 * sample_rate))
        self.level = 0.0
        self.next = 0

    def gain(self, a: int, b: int) -> np.ndarray:
        n, win, hold, look = self.n, self.win, self.hold, self.look
        if a != self.next:
            raise ValueError(f"sidechain blocks go in order: asked for {a}, expected {self.next}")
        b = min(b, n)
        if b <= a:
            return np.ones(0)
        self.next = b
        h_lo, h_hi = min(a + look, n - 1), min(b + look, n)  # the held gate needed
        s_lo, s_hi = max(0, h_lo - hold + 1), h_hi  # the gate needed for that
        k_lo, k_hi = max(0, s_lo - win), min(n, s_hi + win)  # the key needed for that (RMS window)
        k = np.asarray(self.read_key(k_lo, k_hi), dtype=np.float64)
        if k.ndim == 2:
            k = np.max(np.abs(k), axis=1)
        full = np.convolve(k * k, np.ones(win) / win)  # "same" is this, from (win - 1) // 2
        c = (win - 1) // 2
        power = full[c : c + k.shape[0]]
        speaking = power[s_lo - k_lo : s_hi - k_lo] > self.threshold
        cs = np.concatenate([[0], np.cumsum(speaking)])
        h = np.arange(h_lo, h_hi)
        held = (cs[h - s_lo + 1] - cs[np.maximum(0, h - hold + 1) - s_lo]) > 0
        target = held[np.minimum(np.arange(a, b) + look, n - 1) - h_lo].astype(np.float64)
        amount = np.empty(b - a)
        level = self.level
        edges = np.concatenate([[0], np.flatnonzero(np.diff(target)) + 1, [b - a]])
        for s, e in zip(edges[:-1], edges[1:]):
            t = target[s]
            steps = np.arange(1, e - s + 1)
            seg = np.minimum(t, level + self.up * steps) if t > level else np.maximum(t, level - self.down * steps)
            amount[s:e] = seg
            level = float(seg[-1])
        self.level = level
        return 10 ** (self.depth_db * amount / 20)
