"""Captions (SRT, WebVTT) from the dialogue lines, timed to where each line is spoken in the mix.

Each line's time comes from the take's dialogue stem, not from the storyboard: the
line is spoken again by the same synthesiser (deterministic, cached) and found in the
stem by cross-correlation, which gives where its first and last sample landed. When
that fails (an imported clip's own sound, a voice we cannot reproduce) the speech is
found by its energy: voiced segments of the stem, grouped into as many runs as the
shot has lines. The dialogue stem is hard-cut at shot boundaries in the program mix
(`studio.sound.mix`), so a time in the stem plus the shot's start is a time in the mix.

Japanese lines wrap between words (pykakasi's segmentation) and follow the kinsoku
rules: no line starts with small kana, a long-vowel mark or closing punctuation, and
none ends with opening brackets.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from studio.domain.model import DialogueLine, Project, Shot
from studio.domain.timing import SAMPLE_RATE, frames_to_samples

FORMATS = ("srt", "vtt")
EN_LINE_CHARS = 42
JA_LINE_CHARS = 16
"""Common broadcast/platform limits: 42 Latin characters, 16 full-width characters per caption line."""
MIN_CUE_S = 0.7
"""A cue stays up at least this long so it can be read."""

# Kinsoku shori (JIS X 4051): characters that may not begin a line, and those that may not end one.
NO_LINE_START = set("ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿーｰ"
                    "、。，．・：；？！‼⁇⁈⁉ヽヾゝゞ々〻‐゠–〜～"
                    ")]｝〕〉》」』】〙〗〟’”｠»）］｝")
NO_LINE_END = set("([｛〔〈《「『【〘〖〝‘“｟«（［｛")


@dataclass(frozen=True)
class Cue:
    start: float
    """Seconds from the start of the program."""
    end: float
    text: str
    shot_id: str


def is_japanese(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def _width(text: str) -> int:
    """Display width in half-width cells (a kanji is 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()  # loading its dictionaries takes seconds: once per process


def _japanese_words(text: str) -> list[str]:
    """Unbreakable units: pykakasi's words, each followed by what may not start a line."""
    try:
        tokens = [t["orig"] for t in _kakasi().convert(text) if t["orig"]]
    except Exception:  # segmentation unavailable: characters, still kinsoku-correct
        tokens = list(text)
    if "".join(tokens) != text:
        tokens = list(text)
    units: list[str] = []
    for tok in tokens:
        # Particles and okurigana (hiragana-only tokens) belong to the word before them: break
        # between bunsetsu (今日は|大学に|行って), never inside 聞か|れた.
        if units and tok and all("\u3041" <= ch <= "\u309f" for ch in tok) and units[-1][-1] not in NO_LINE_END \
                and len(units[-1]) + len(tok) <= 10:
            units[-1] += tok
            continue
        # A token that starts with a no-start character joins the previous unit (kinsoku: oikomi).
        while tok and units and tok[0] in NO_LINE_START:
            units[-1] += tok[0]
            tok = tok[1:]
        if tok:
            if units and units[-1] and units[-1][-1] in NO_LINE_END:
                units[-1] += tok  # an opening bracket never ends a line: carry it with what follows
            else:
                units.append(tok)
    return units


def wrap_caption(text: str, max_cells: int | None = None) -> list[str]:
    """The caption's lines: words never split, Japanese per the kinsoku rules."""
    text = " ".join(text.split())
    if not text:
        return []
    if is_japanese(text):
        limit = max_cells or JA_LINE_CHARS * 2
        units = _japanese_words(text)
        joiner = ""
    else:
        limit = max_cells or EN_LINE_CHARS
        units = text.split(" ")
        joiner = " "
    lines: list[str] = []
    current = ""
    for unit in units:
        candidate = current + joiner + unit if current else unit
        if current and _width(candidate) > limit:
            lines.append(current)
            current = unit
        else:
            current = candidate
    if current:
        lines.append(current)
    return [piece for line in lines for piece in _break_long(line, limit)]


def _break_long(line: str, limit: int) -> list[str]:
    """A line with no word break that fits (a long kana run), broken where kinsoku allows."""
    out = []
    while _width(line) > limit and len(line) > 1:
        fit = 1
        while fit < len(line) and _width(line[: fit + 1]) <= limit:
            fit += 1
        cut = fit
        while cut > 1 and (line[cut] in NO_LINE_START or line[cut - 1] in NO_LINE_END):
            cut -= 1
        if cut <= 1:
            cut = fit
        out.append(line[:cut])
        line = line[cut:]
    return out + [line] if line else out


# --------------------------------------------------------------------------- finding speech


def _mono(x: np.ndarray) -> np.ndarray:
    a = np.asarray(x, np.float64)
    return a.mean(axis=1) if a.ndim == 2 else a


def _voiced_segments(mono: np.ndarray, sr: int, hop_s: float = 0.01, gap_s: float = 0.12) -> list[tuple[int, int]]:
    """(start, end) samples of stretches with speech energy (gaps shorter than ``gap_s`` bridged)."""
    hop = max(1, int(hop_s * sr))
    n = mono.shape[0] // hop
    if n == 0:
        return []
    rms = np.sqrt(np.mean(mono[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    peak = rms.max()
    if peak < 1e-4:
        return []
    on = rms > max(peak * 10 ** (-30 / 20), 10 ** (-55 / 20))
    segments: list[list[int]] = []
    for i, v in enumerate(on):
        if not v:
            continue
        if segments and i - segments[-1][1] <= int(gap_s / hop_s):
            segments[-1][1] = i + 1
        else:
            segments.append([i, i + 1])
    return [(s * hop, e * hop) for s, e in segments if (e - s) * hop_s >= 0.03]


def speech_onsets(audio: np.ndarray, sr: int = SAMPLE_RATE) -> list[float]:
    """Seconds where speech starts after at least 0.12 s of silence (for tests and checks)."""
    return [s / sr for s, _ in _voiced_segments(_mono(audio), sr)]


def _find_line(stem: np.ndarray, spoken: np.ndarray, after: int) -> tuple[int, float] | None:
    """Where ``spoken`` sits in ``stem`` at or after ``after``: (sample, normalised correlation)."""
    from scipy.signal import fftconvolve

    x = stem[after:]
    y = spoken
    if y.shape[0] == 0 or x.shape[0] < y.shape[0] // 2:
        return None
    corr = fftconvolve(x, y[::-1], mode="full")[y.shape[0] - 1:]
    # Energy of x under the sliding window of len(y), by a running sum (a direct convolution is O(N·M)).
    c = np.concatenate([[0.0], np.cumsum(x ** 2)])
    idx = np.arange(corr.shape[0])
    energy = np.sqrt(np.maximum(c[np.minimum(idx + y.shape[0], x.shape[0])] - c[idx], 0.0) + 1e-12)
    score = corr / (energy * np.sqrt(np.sum(y ** 2)) + 1e-12)
    best = int(np.argmax(score))
    return after + best, float(score[best])


def line_spans(lines: Sequence[DialogueLine], stem: np.ndarray, *, voices: dict | None = None,
               sr: int = SAMPLE_RATE) -> list[tuple[int, int] | None]:
    """(start, end) sample of each line in its shot's dialogue stem, or None where it is not heard."""
    from studio.sound.speech import synthesize_line, voice_for_character

    mono = _mono(stem)
    spans: list[tuple[int, int] | None] = []
    after = 0
    matched = True
    for line in lines:
        voice = (voices or {}).get(line.speaker_id or "") or (voice_for_character(line.speaker_id) if line.speaker_id else None)
        spoken = synthesize_line(line.text, voice, character_id=line.speaker_id)
        found = _find_line(mono, _mono(spoken), after) if spoken is not None else None
        if found is None or found[1] < 0.6:
            matched = False
            break
        start = found[0]
        end = min(mono.shape[0], start + spoken.shape[0])
        # Trim the synthesiser's own leading and trailing silence: the caption follows the voice.
        seg = _voiced_segments(mono[start:end], sr)
        if seg:
            start, end = start + seg[0][0], start + seg[-1][1]
        spans.append((start, end))
        after = end
    if matched:
        return spans
    return _spans_by_energy(len(lines), mono, sr)


def _spans_by_energy(count: int, mono: np.ndarray, sr: int) -> list[tuple[int, int] | None]:
    """Voiced segments grouped into ``count`` runs, splitting at the widest silences."""
    segs = _voiced_segments(mono, sr)
    if not segs or count == 0:
        return [None] * count
    if len(segs) < count:
        return [segs[i] if i < len(segs) else None for i in range(count)]
    gaps = sorted(range(len(segs) - 1), key=lambda i: segs[i + 1][0] - segs[i][1], reverse=True)[: count - 1]
    cuts = sorted(gaps)
    runs, begin = [], 0
    for c in cuts + [len(segs) - 1]:
        runs.append((segs[begin][0], segs[c][1]))
        begin = c + 1
    return runs  # type: ignore[return-value]


def caption_cues(project: Project, bundle: Path, shots: Sequence[Shot] | None = None) -> list[Cue]:
    """Cues for every dialogue line of the exported shots, timed from their takes' dialogue stems."""
    from studio.domain.model import resolve_shot
    from studio.media.audio_io import read_wav
    from studio.persistence.bundle import media_path

    shots = list(project.shots) if shots is None else list(shots)
    fps = project.fps
    cues: list[Cue] = []
    start_samples = 0
    for shot in shots:
        n = frames_to_samples(shot.duration_frames, fps)
        lines = resolve_shot(shot, project.bible).dialogue
        take = shot.selected_take
        name = take.stem_file("dialogue") if take is not None else None
        if lines and name:
            samples, _ = read_wav(media_path(bundle, name))
            stem = np.zeros((n, 2), np.float32)
            m = min(n, samples.shape[0])
            stem[:m] = samples[:m]
            for line, span in zip(lines, line_spans(lines, stem)):
                if span is None:
                    continue
                s, e = span
                t0 = (start_samples + s) / SAMPLE_RATE
                t1 = max((start_samples + e) / SAMPLE_RATE, t0 + MIN_CUE_S)
                cues.append(Cue(t0, t1, line.text, shot.id))
        start_samples += n
    # Never overlap: a cue ends where the next begins.
    for i in range(len(cues) - 1):
        if cues[i].end > cues[i + 1].start:
            cues[i] = Cue(cues[i].start, cues[i + 1].start, cues[i].text, cues[i].shot_id)
    return cues


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(cues: Sequence[Cue]) -> str:
    blocks = []
    for i, c in enumerate(cues, 1):
        blocks.append(f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n" + "\n".join(wrap_caption(c.text)) + "\n")
    return "\n".join(blocks)


def to_vtt(cues: Sequence[Cue]) -> str:
    out = ["WEBVTT", ""]
    for c in cues:
        out.append(f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}")
        out.extend(wrap_caption(c.text))
        out.append("")
    return "\n".join(out)


def parse_captions(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue in an SRT or WebVTT file (for checks and tests)."""
    import re

    stamp = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d{3})\s*-->\s*(\d+):(\d\d):(\d\d)[,.](\d{3})")
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            m = stamp.search(line)
            if m:
                g = [int(x) for x in m.groups()]
                t0 = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
                t1 = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
                cues.append((t0, t1, "\n".join(lines[i + 1:])))
                break
    return cues


def write_captions(cues: Sequence[Cue], path: Path) -> Path:
    """Write ``cues`` as SRT or WebVTT (by the file's suffix), atomically."""
    from studio.persistence.bundle import atomic_write_bytes

    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"{path}: captions are .srt or .vtt")
    text = to_srt(cues) if suffix == "srt" else to_vtt(cues)
    atomic_write_bytes(Path(path), text.encode("utf-8"))
    return Path(path)
