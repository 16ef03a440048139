"""The programme's sound in blocks: join shots' stems, then master it, in bounded memory.

`join_shots` and `normalize_loudness` hold whole-length arrays (a ten-minute
programme's stems are gigabytes in float64). Here the same mix and the same
mastering run block by block, reading the stems forward from wherever they are
stored (a take's WAVs, read by offset):

- `ProgramMix` is `join_shots` for samples ``[a, b)``: each stem read for the
  block, the crossfades at cuts made from the few thousand samples around each
  cut, the music ducked under the programme's dialogue by `SidechainStream`.
- `master_stream` is `loudness.master`: a first pass spools the mix and its
  true-peak envelope to temporary files (read back by offset, so never resident)
  and meters its loudness (`LoudnessMeter` keeps one power per 100 ms); each
  gain/limiter iteration is then one pass over those files, the limiter's gain
  computed per block with enough margin for its look-ahead, hold and release
  that it is the whole-array gain; the result yields its blocks for the encoder.

The result equals the whole-array path to float rounding (the limiter's
smoothing FFT sees other block edges: |difference| < 1e-6 of full scale; the
loudness sums 100 ms steps in float64).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping, Protocol, Sequence

import numpy as np

from studio.domain.timing import SAMPLE_RATE
from studio.sound import loudness
from studio.sound.dynamics import EDGE_FADE_MS, SidechainStream

BLOCK = 1 << 17
"""Samples per block (2.7 s at 48 kHz): a few MB of working memory in the mix and the master."""


class StemReader(Protocol):
    """A stem read by offset: ``read(a, b)`` is samples ``[a, b)`` as float32 ``(b - a, 2)`` (zeros past its end)."""

    def read(self, a: int, b: int) -> np.ndarray: ...


class ArrayStem:
    """A stem already in memory (tests, short clips) as a `StemReader`."""

    def __init__(self, samples: np.ndarray) -> None:
        a = np.asarray(samples, dtype=np.float32)
        self.samples = np.stack([a, a], axis=1) if a.ndim == 1 else a
        self.frames = int(self.samples.shape[0])

    def read(self, a: int, b: int) -> np.ndarray:
        out = np.zeros((max(0, b - a), 2), np.float32)
        got = self.samples[a:b]
        out[: got.shape[0]] = got
        return out


def _db_to_gain(db: float) -> float:
    return 0.0 if db == -math.inf else 10 ** (db / 20)


class ProgramMix:
    """`mix.join_shots` of stems given as readers, produced in blocks (``blocks()``) of float32 ``(m, 2)``.

    ``lengths[i]`` is shot i's length in samples (its stems are cut or padded to it).
    Arguments as `join_shots`; the joined samples are the same to float rounding.
    """

    def __init__(
        self,
        shot_stems: Sequence[Mapping[str, StemReader]],
        lengths: Sequence[int],
        gains: Mapping[str, float] | None = None,
        crossfade_ms: float = 200.0,
        *,
        shot_gains: Sequence[Mapping[str, float]] | None = None,
        music_duck_db: float | None = None,
    ) -> None:
        from studio.sound.mix import CROSSFADE_STEMS, MUSIC_DUCK_DB

        self.stems = list(shot_stems)
        self.lengths = [int(n) for n in lengths]
        if len(self.lengths) != len(self.stems):
            raise ValueError(f"{len(self.lengths)} lengths for {len(self.stems)} shots")
        per_shot = list(shot_gains) if shot_gains is not None else [{} for _ in self.stems]
        if len(per_shot) != len(self.stems):
            raise ValueError(f"shot_gains has {len(per_shot)} entries for {len(self.stems)} shots")
        self.shot_gains = per_shot
        self.gains = dict(gains or {})
        self.names: list[str] = []
        for stems in self.stems:
            for name in stems:
                if name not in self.names:
                    self.names.append(name)
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)
        self.n = int(self.offsets[-1])
        self.half = int(round(crossfade_ms / 1000 * SAMPLE_RATE / 2))
        self.edge = int(round(EDGE_FADE_MS / 1000 * SAMPLE_RATE))
        self.crossfade = {name for name in self.names if name in CROSSFADE_STEMS and self.half > 0 and len(self.stems) > 1}
        self.duck_db = MUSIC_DUCK_DB if music_duck_db is None else music_duck_db

    def _piece(self, i: int, name: str, a: int, b: int) -> np.ndarray:
        """Shot i's ``name`` stem, its own gain applied, samples [a, b) of the shot (float64)."""
        reader = self.stems[i].get(name)
        a, b = max(0, a), min(self.lengths[i], b)
        if reader is None or b <= a:
            return np.zeros((max(0, b - a), 2))
        return np.asarray(reader.read(a, b), dtype=np.float64) * _db_to_gain(self.shot_gains[i].get(name, 0.0))

    def _cut(self, k: int, name: str) -> tuple[int, np.ndarray] | None:
        """(first sample, samples) of the crossfade across the cut after shot k, as `mix._crossfaded` makes it."""
        la, lb = self.lengths[k], self.lengths[k + 1]
        cut = int(self.offsets[k + 1])
        f = min(self.edge, la // 4, lb // 4)
        h = min(self.half, (la - 2 * f) // 2, (lb - 2 * f) // 2)
        if h <= 0:
            return None
        ia = np.arange(la - h, la + h)
        ma = la - f
        src_a = np.where(ia < ma, ia, 2 * ma - 1 - ia)
        ib = np.arange(-h, h)
        src_b = np.where(ib >= f, ib, 2 * f - 1 - ib)
        a0, b0 = int(src_a.min()), int(src_b.min())
        a_part = self._piece(k, name, a0, int(src_a.max()) + 1)
        b_part = self._piece(k + 1, name, b0, int(src_b.max()) + 1)
        t = (np.arange(2 * h) + 0.5) / (2 * h)
        wa = np.cos(0.5 * np.pi * t)[:, None]
        wb = np.sin(0.5 * np.pi * t)[:, None]
        return cut - h, wa * a_part[src_a - a0] + wb * b_part[src_b - b0]

    def track(self, name: str, a: int, b: int) -> np.ndarray:
        """Stem ``name`` of the joined programme, samples [a, b), with its gains (float64 (b - a, 2))."""
        a, b = max(0, a), min(self.n, b)
        out = np.zeros((max(0, b - a), 2))
        if b <= a:
            return out
        first = int(np.searchsorted(self.offsets, a, side="right")) - 1
        for i in range(first, len(self.lengths)):
            off = int(self.offsets[i])
            if off >= b:
                break
            lo, hi = max(a, off), min(b, off + self.lengths[i])
            if hi > lo:
                out[lo - a : hi - a] = self._piece(i, name, lo - off, hi - off)
        if name in self.crossfade:
            for k in range(len(self.lengths) - 1):
                cut = int(self.offsets[k + 1])
                if cut + self.half <= a or cut - self.half >= b:
                    continue
                made = self._cut(k, name)
                if made is None:
                    continue
                start, samples = made
                lo, hi = max(a, start), min(b, start + samples.shape[0])
                if hi > lo:
                    out[lo - a : hi - a] = samples[lo - start : hi - start]
        return out * _db_to_gain(self.gains.get(name, 0.0))

    def blocks(self, size: int = BLOCK) -> Iterator[np.ndarray]:
        """The joined programme, float32 ``(m, 2)`` blocks in order (``self.n`` samples in all)."""
        duck = None
        if self.duck_db < 0 and "music" in self.names and "dialogue" in self.names:
            duck = SidechainStream(lambda lo, hi: self.track("dialogue", lo, hi), self.n, self.duck_db)
        for a in range(0, self.n, size):
            b = min(self.n, a + size)
            out = np.zeros((b - a, 2))
            for name in self.names:
                part = self.track(name, a, b)
                if name == "music" and duck is not None:
                    part = part * duck.gain(a, b)[:, None]
                out += part
            yield out.astype(np.float32)


# --------------------------------------------------------------------------- mastering

BlockCodec = Callable[[Iterable[np.ndarray], int], Iterable[np.ndarray]]
"""A lossy codec's round trip on a stream: float32 blocks of an ``n``-sample programme in, the decoded
float32 blocks out (the same ``n`` samples, aligned)."""


class _Spool:
    """A float32 array of ``shape[0]`` rows written forward to an anonymous temporary file and read back by
    offset: the page cache holds it, not the process (a memory map would count in its resident set)."""

    def __init__(self, row: tuple[int, ...]) -> None:
        self.row = row
        self.width = int(np.prod(row)) if row else 1
        self.file = tempfile.TemporaryFile(prefix="studio-sound-")
        self.rows = 0

    def write(self, block: np.ndarray) -> None:
        self.file.write(np.ascontiguousarray(block, dtype=np.float32).tobytes())
        self.rows += block.shape[0]

    def read(self, a: int, b: int) -> np.ndarray:
        a, b = max(0, a), min(self.rows, b)
        self.file.seek(a * self.width * 4)
        data = np.fromfile(self.file, dtype=np.float32, count=max(0, b - a) * self.width)
        return data.reshape((-1, *self.row))

    def close(self) -> None:
        self.file.close()


@dataclass
class Mastered:
    """A mastered programme held as its spooled mix and the gain and limiter ceiling that master it.

    ``blocks()`` yields the mastered float32 ``(m, 2)`` blocks (as many times as asked);
    ``lufs`` and ``true_peak_db`` are what `mix.measure_loudness` reads on them. Close it
    (or use it as a context manager) to drop its temporary files.
    """

    samples: int
    lufs: float
    true_peak_db: float
    gain: float = 1.0
    ceiling: float | None = None
    """Linear true-peak ceiling of the limiter; None: no limiter (a silent programme, returned as it is)."""
    _mix: _Spool | None = field(default=None, repr=False)
    _peak: _Spool | None = field(default=None, repr=False)
    block: int = BLOCK
    round_tripped: bool = False
    """The codec's last round trip was of exactly these blocks: what an encoding codec wrote (e.g.
    `studio.media.audio_codec.decoded_track`'s file) is the delivered track, with no need to encode again."""

    def blocks(self) -> Iterator[np.ndarray]:
        yield from _limited(self._mix, self._peak, self.samples, self.gain, self.ceiling, self.block)  # type: ignore[arg-type]

    def array(self) -> np.ndarray:
        """Every sample at once (short programmes, tests)."""
        parts = list(self.blocks())
        return np.concatenate(parts) if parts else np.zeros((0, 2), np.float32)

    def close(self) -> None:
        for spool in (self._mix, self._peak):
            if spool is not None:
                spool.close()

    def __enter__(self) -> "Mastered":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _limiter_reach(rate: int = SAMPLE_RATE) -> int:
    """How far (samples) `loudness.limiter_gain` at its defaults looks either side of a sample."""
    la = max(1, int(round(1.0 / 1000 * rate)))
    hold = int(round(1.0 / 1000 * rate))
    rel = max(1, int(round(20.0 / 1000 * rate)))
    return la + rel + hold + 16


def _limited(mix: _Spool, peak: _Spool, n: int, gain: float, ceiling: float | None, size: int) -> Iterator[np.ndarray]:
    """The spooled mix times ``gain`` under the limiter at ``ceiling``, float32 blocks in order."""
    reach = _limiter_reach()
    for a in range(0, n, size):
        b = min(n, a + size)
        src = mix.read(a, b).astype(np.float64)
        if ceiling is None:
            yield src.astype(np.float32)
            continue
        lo, hi = max(0, a - reach), min(n, b + reach)
        env = peak.read(lo, hi).astype(np.float64)
        lim = loudness.limiter_gain(env * gain, ceiling)[a - lo : b - lo]
        yield (src * (gain * lim)[:, None]).astype(np.float32)


def _measure(blocks: Iterable[np.ndarray]) -> tuple[float, float]:
    meter, env = loudness.LoudnessMeter(), loudness.PeakEnvelope()
    for block in blocks:
        meter.add(block)
        env.push(block)
    env.flush()
    return meter.result(), env.true_peak_db()


def master_stream(
    blocks: Iterable[np.ndarray],
    target_lufs: float,
    true_peak_db: float,
    *,
    max_limiting_db: float = 16.0,
    codec: BlockCodec | None = None,
    codec_margin_db: float = 0.15,
    block: int = BLOCK,
) -> Mastered:
    """`loudness.master` (the same `loudness.master_search`, same arguments) on a programme given as float32 ``(m, 2)`` blocks.

    One pass spools the blocks and their true-peak envelope and meters them; each
    iteration is a pass over the spool; nothing whole-length is held in memory.
    """
    mix, peak = _Spool((2,)), _Spool(())
    meter, env = loudness.LoudnessMeter(), loudness.PeakEnvelope()
    for part in blocks:
        part = np.asarray(part, dtype=np.float32)
        if part.ndim == 1:
            part = np.stack([part, part], axis=1)
        mix.write(part)
        meter.add(part)
        peak.write(env.push(part))
    peak.write(env.flush())
    n = mix.rows
    lufs = meter.result()
    if not math.isfinite(lufs):
        return Mastered(n, lufs, env.true_peak_db(), _mix=mix, _peak=peak, block=block)
    peak_db = 20 * math.log10(max(env.peak, 1e-12))

    def run(gain: float, ceiling: float) -> Iterator[np.ndarray]:
        return _limited(mix, peak, n, gain, ceiling, block)

    coded: list[tuple[float, float]] = []  # the setting the codec last went through, to the end

    def decoded_true_peak(gain: float, ceiling: float) -> float:
        coded.clear()
        decoded = loudness.PeakEnvelope()
        for part in codec(run(gain, ceiling), n):  # type: ignore[misc]
            decoded.push(part)
        decoded.flush()
        coded.append((gain, ceiling))
        return decoded.true_peak_db()

    best, best_level, best_tp = loudness.master_search(
        lufs, peak_db, target_lufs, true_peak_db, measure=lambda g, c: _measure(run(g, c)),
        max_limiting_db=max_limiting_db, decoded_true_peak=decoded_true_peak if codec is not None else None,
        codec_margin_db=codec_margin_db)
    return Mastered(n, best_level, best_tp, gain=best[0], ceiling=best[1], _mix=mix, _peak=peak, block=block,
                    round_tripped=coded == [best])
