"""Mixing: join shots into one program, measure and normalise loudness.

Beds (ambience, music) crossfade across cuts; foley and dialogue cut hard so
their sync with the picture never moves. Loudness follows ITU-R BS.1770
and a look-ahead true-peak limiter keeps inter-sample peaks under the ceiling
that streaming services ask for (`studio.sound.loudness`: numpy only, so the
export path never imports SciPy for them).
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

from studio.domain.timing import SAMPLE_RATE
from studio.sound import loudness
from studio.sound.dynamics import EDGE_FADE_MS, sidechain_gain
# Per-shot stem settings are plain data on the shot (the domain owns them); re-exported here.
from studio.domain.stems import (
    STEM_GAIN_KEY,
    STEM_GAIN_RANGE_DB,
    STEM_MUTE_KEY,
    STEM_NAMES,
    shot_stem_gains,
    with_stem_gain,
)

LOUDNESS_PRESETS = {"streaming": -14.0, "podcast": -16.0, "broadcast": -23.0}
"""Integrated loudness targets (LUFS)."""

MUSIC_DUCK_DB = -10.0
"""Music gain under dialogue in the program mix."""

CROSSFADE_STEMS = ("ambience", "music")
"""Stems that crossfade across a cut; every other stem is hard-cut."""



def _as_stereo64(x: np.ndarray) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = np.stack([a, a], axis=1)
    return a


# --------------------------------------------------------------------------- joining shots


def _shot_length(stems: Mapping[str, np.ndarray]) -> int:
    return max((int(np.asarray(s).shape[0]) for s in stems.values()), default=0)


def _fit(x: np.ndarray | None, n: int) -> np.ndarray:
    out = np.zeros((n, 2), np.float64)
    if x is not None:
        a = _as_stereo64(x)[:n]
        out[: a.shape[0]] = a
    return out


def _crossfaded(pieces: list[np.ndarray], half: int, edge: int) -> np.ndarray:
    """Concatenate pieces with an equal-power crossfade of 2*half samples centred on each cut.

    Each side is extended past the cut by mirroring its own material about the
    point where its ``edge``-sample edge fade begins, so the fades `design_sound`
    puts on beds never meet in the middle (no dip), the waveform stays continuous
    at the mirror point (no click) and the total length is unchanged.
    """
    track = np.concatenate(pieces, axis=0) if pieces else np.zeros((0, 2))
    start = 0
    for a, b in zip(pieces[:-1], pieces[1:]):
        la, lb = a.shape[0], b.shape[0]
        cut = start + la
        start = cut
        f = min(edge, la // 4, lb // 4)
        h = min(half, (la - 2 * f) // 2, (lb - 2 * f) // 2)
        if h <= 0:
            continue  # shots too short to crossfade: a hard cut (their edge fades still avoid a click)
        ia = np.arange(la - h, la + h)
        ma = la - f
        src_a = np.where(ia < ma, ia, 2 * ma - 1 - ia)
        ib = np.arange(-h, h)
        src_b = np.where(ib >= f, ib, 2 * f - 1 - ib)
        t = (np.arange(2 * h) + 0.5) / (2 * h)
        wa = np.cos(0.5 * np.pi * t)[:, None]
        wb = np.sin(0.5 * np.pi * t)[:, None]
        track[cut - h : cut + h] = wa * a[src_a] + wb * b[src_b]
    return track


def _db_to_gain(db: float) -> float:
    return 0.0 if db == -math.inf else 10 ** (db / 20)


def join_shots(
    shot_stems: Sequence[Mapping[str, np.ndarray]],
    gains: Mapping[str, float] | None = None,
    crossfade_ms: float = 200.0,
    *,
    shot_gains: Sequence[Mapping[str, float]] | None = None,
    music_duck_db: float = MUSIC_DUCK_DB,
) -> np.ndarray:
    """Join shots' stems into one stereo program (float32, S×2), total length = sum of shots.

    Ambience and music crossfade (equal power, ``crossfade_ms`` centred on each
    cut, extended by mirroring so nothing moves); foley, dialogue and any other
    stem are hard-cut so their timing is exact. ``gains`` are per-stem dB for
    the whole program (default 0); ``shot_gains[i]`` are shot i's own per-stem
    dB (-inf mutes; see `shot_stem_gains`), applied before the crossfades so a
    rebalanced bed still fades smoothly into the next shot. Music is ducked by
    ``music_duck_db`` under the program's dialogue (`dynamics.sidechain_gain`:
    across cuts, since music runs across them; ambience was ducked per shot
    when it was designed). A shot's stems must be equally long; a missing stem is silence.
    """
    gains = dict(gains or {})
    per_shot = list(shot_gains) if shot_gains is not None else [{} for _ in shot_stems]
    if len(per_shot) != len(shot_stems):
        raise ValueError(f"shot_gains has {len(per_shot)} entries for {len(shot_stems)} shots")
    lengths = [_shot_length(s) for s in shot_stems]
    names: list[str] = []
    for stems in shot_stems:
        for name in stems:
            if name not in names:
                names.append(name)
    total = sum(lengths)
    out = np.zeros((total, 2), np.float64)
    half = int(round(crossfade_ms / 1000 * SAMPLE_RATE / 2))
    edge = int(round(EDGE_FADE_MS / 1000 * SAMPLE_RATE))
    tracks: dict[str, np.ndarray] = {}
    for name in names:
        pieces = [_fit(stems.get(name), n) * _db_to_gain(sg.get(name, 0.0))
                  for stems, n, sg in zip(shot_stems, lengths, per_shot)]
        if name in CROSSFADE_STEMS and half > 0 and len(pieces) > 1:
            track = _crossfaded(pieces, half, edge)
        else:
            track = np.concatenate(pieces, axis=0) if pieces else np.zeros((0, 2))
        tracks[name] = track * _db_to_gain(gains.get(name, 0.0))
    if music_duck_db < 0 and "music" in tracks and "dialogue" in tracks and np.any(tracks["dialogue"]):
        tracks["music"] = tracks["music"] * sidechain_gain(tracks["dialogue"], music_duck_db)[:, None]
    for track in tracks.values():
        out += track
    return out.astype(np.float32)


def mixdown(stems: Mapping[str, np.ndarray], gains: Mapping[str, float] | None = None) -> np.ndarray:
    """One shot's stems summed with per-stem dB gains (float32, S×2)."""
    return join_shots([stems], gains)


# --------------------------------------------------------------------------- loudness


def measure_true_peak(x: np.ndarray) -> float:
    """True peak in dBTP: the largest |value| after 4× oversampling (-inf for silence)."""
    return loudness.true_peak(x)


def integrated_loudness(x: np.ndarray) -> float:
    """Integrated loudness (LUFS, ITU-R BS.1770-4); -inf for silence.

    Clips shorter than one 400 ms gating block are measured looped to that length.
    """
    return loudness.integrated_loudness(x)


def measure_loudness(x: np.ndarray) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP with 4× oversampling); (-inf, -inf) for silence."""
    return integrated_loudness(x), measure_true_peak(x)


MAX_LIMITING_DB = 16.0
"""Most peak reduction `normalize_loudness` applies by default (see there)."""


def normalize_loudness(
    x: np.ndarray,
    target_lufs: float = -14.0,
    true_peak_db: float = -1.0,
    *,
    max_limiting_db: float = MAX_LIMITING_DB,
    codec: loudness.Codec | None = None,
) -> np.ndarray:
    """Gain ``x`` to ``target_lufs`` and limit so its true peak is at most ``true_peak_db``.

    Limiting lowers loudness a little, so gain and limiter are iterated until
    both hold (±0.1 LU; `loudness.master`). The limiter never takes more than
    ``max_limiting_db`` off the loudest peak: a sparse, very dynamic programme
    (a few hits over near-silence) would need 20-30 dB of limiting to reach
    -14 LUFS, which crushes every hit into its bed (and makes them undetectable
    for sync checks), so such a programme stops short of the target instead;
    check the result with `measure_loudness`. The true-peak ceiling always
    holds, and with ``codec`` (a lossy codec's round trip, e.g. AAC's) it holds
    on the decoded programme too. Silent input is returned unchanged. Output
    is float32 (S×2, or 1-D if given 1-D).
    """
    a = np.asarray(x)
    if not math.isfinite(integrated_loudness(a)):
        return x
    out = loudness.master(a, target_lufs, true_peak_db, max_limiting_db=max_limiting_db, codec=codec)
    return out[:, 0] if a.ndim == 1 else out
