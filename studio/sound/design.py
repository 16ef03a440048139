"""Sound design for one shot: ambience beds, foley on its events, and dialogue.

`design_sound` turns what a shot shows (its scene description and the sound
events an engine reports at exact frames) into three stems, each exactly as
long as the shot's picture. Everything is seeded, so the same shot gives the
same sound to the bit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import struct
import tempfile
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence

import numpy as np

from studio.domain.model import DialogueLine, SoundCue, SoundCueKind, SoundEvent, stable_seed
from studio.domain.scene import AMBIENCE_BEDS, SceneDescription, describe_scene, with_plan_weather
from studio.domain.scene_plan import ScenePlan, event_sound
from studio.domain.timing import SAMPLE_RATE, frame_to_sample
from studio.heap import trim_now
# The fade and the ducker live with the mixer's dynamics (numpy only); re-exported here.
from studio.sound.dynamics import DUCK_DB, DUCK_RAMP_MS, EDGE_FADE_MS, SidechainStream, sidechain_gain
from studio.sound.speech import synthesize_line, voice_for_character
from studio.sound.synth import pan_gains, foley_kind, render_ambience, render_foley

if TYPE_CHECKING:
    from studio.sound.motion import MotionAnalysis

log = logging.getLogger(__name__)

DESIGN_STEMS = ("ambience", "foley", "dialogue")

SECONDARY_BED_DB = -8.0
"""Level of every bed after the first, relative to the main bed."""
DIALOGUE_GAP_S = 0.15
"""Least silence between two automatically placed lines."""
_END_FADE_MS = 5.0  # foley/dialogue cut at a shot's end: fade so a truncated tail never clicks

# Words in an sfx cue's description -> foley design (English and Japanese).
_CUE_WORDS: dict[str, tuple[str, ...]] = {
    "door": ("door", "slam", "knock", "latch", "ドア", "扉", "ノック"),
    "footstep": ("footstep", "footsteps", "step", "steps", "walk", "heels", "足音", "歩"),
    "impact": ("impact", "crash", "hit", "punch", "smash", "collide", "break", "衝突", "衝撃", "パンチ", "割れ"),
    "bounce": ("bounce", "ball", "dribble", "ボール", "弾"),
    "whoosh": ("whoosh", "swoosh", "swish", "swipe", "rush", "ヒュー", "シュッ"),
    "splash": ("splash", "water", "puddle", "drip", "水", "しぶき", "バシャ"),
    "thud": ("thud", "fall", "falls", "drop", "land", "lands", "ドスン", "落ち", "倒れ"),
    "clap": ("clap", "claps", "applause", "拍手", "手を叩"),
    "glass": ("glass", "shatter", "ガラス", "グラス", "割れる音"),
}


def cue_foley_kind(description: str) -> str:
    """The foley kind an sfx cue's description asks for ("door slam" -> door); 'generic' if none."""
    text = description.lower()
    best: tuple[int, str] | None = None
    for kind, words in _CUE_WORDS.items():
        for w in words:
            if w.isascii():
                m = re.search(r"(?<![a-z])" + re.escape(w) + r"(?![a-z])", text)
                pos = m.start() if m else -1
            else:
                pos = text.find(w)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, kind)
    return best[1] if best else foley_kind(description)


@dataclass(frozen=True)
class _Hit:
    frame: int
    kind: str
    strength: float
    pan: float
    key: str


def _edge_fades(x: np.ndarray, fade: int) -> None:
    fade = min(fade, x.shape[0] // 2)
    if fade <= 0:
        return
    ramp = (0.5 - 0.5 * np.cos(np.pi * (np.arange(fade) + 0.5) / fade))[:, None]
    x[:fade] *= ramp
    x[-fade:] *= ramp[::-1]


def _end_fade(x: np.ndarray) -> None:
    fade = min(int(_END_FADE_MS / 1000 * SAMPLE_RATE), x.shape[0])
    if fade > 0:
        x[-fade:] *= np.linspace(1.0, 0.0, fade)[:, None]


def _ambience_stem(beds: Sequence[str], n: int, seed: int) -> np.ndarray:
    out = _bed_segment(beds, n, seed)
    _edge_fades(out, int(EDGE_FADE_MS / 1000 * SAMPLE_RATE))
    return out


def _plan_hits(events: Sequence[SoundEvent], cues: Sequence[SoundCue], frames: int) -> list[_Hit]:
    """Events become hits; an sfx cue lands on its frame, or claims the first matching event."""
    evs = [e for e in events if 0 <= e.frame < frames]
    kinds = [foley_kind(e.kind) for e in evs]
    claimed: dict[int, str] = {}
    extra: list[_Hit] = []
    for ci, cue in enumerate(cues):
        if cue.kind not in (SoundCueKind.SFX, SoundCueKind.SFX.value):
            continue
        kind = cue_foley_kind(cue.description)
        if cue.at_frame is not None:
            frame = min(max(int(cue.at_frame), 0), frames - 1)
            extra.append(_Hit(frame, kind, 1.0, 0.0, f"cue{ci}"))
            continue
        match = next((i for i, k in enumerate(kinds) if k == kind and i not in claimed), None)
        if match is not None:
            # The cue *is* that event's sound: one hit, not two stacked on the same frame.
            claimed[match] = kind
        else:
            extra.append(_Hit(frames // 4, kind, 1.0, 0.0, f"cue{ci}"))
    hits = [
        _Hit(e.frame, claimed.get(i, e.kind), float(e.strength), float(e.pan), f"ev{i}")
        for i, e in enumerate(evs)
    ]
    return hits + extra


def _hit_sound(hit: _Hit, seed: int) -> np.ndarray:
    """One foley hit's panned stereo signal (float64 S×2), seeded per hit (shot seed, position in
    the list, frame, kind) so repeats differ."""
    sig = render_foley(hit.kind, stable_seed(f"{seed}:{hit.key}:{hit.frame}:{hit.kind}"), hit.strength).astype(np.float64)
    gl, gr = pan_gains(hit.pan)
    return np.stack([sig[:, 0] * gl, sig[:, 1] * gr], axis=1)


def _foley_stem(hits: Sequence[_Hit], n: int, fps: int, seed: int) -> np.ndarray:
    out = np.zeros((n, 2), np.float64)
    for hit in hits:
        pos = frame_to_sample(hit.frame, fps)
        if pos >= n:
            continue
        sig = _hit_sound(hit, seed)
        end = min(n, pos + sig.shape[0])
        out[pos:end] += sig[: end - pos]
    _end_fade(out)
    return out


def _dialogue_stem(
    lines: Sequence[DialogueLine], frames: int, fps: int, n: int, voices: Mapping[str, str] | None
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    out = np.zeros((n, 2), np.float64)
    placed, spans = _place_dialogue(lines, frames, fps, n, voices)
    for start, audio in placed:
        out[start : start + audio.shape[0]] += audio
    _end_fade(out)
    return out, spans


def duck_envelope(n: int, spans: Sequence[tuple[int, int]], depth_db: float = DUCK_DB,
                  ramp_ms: float = DUCK_RAMP_MS) -> np.ndarray:
    """Gain curve (n,) that is ``depth_db`` during each (start, end) span, with raised-cosine
    ramps of ``ramp_ms`` finishing at the start and beginning at the end of each span."""
    amount = np.zeros(n)
    r = max(1, int(ramp_ms / 1000 * SAMPLE_RATE))
    up = 0.5 - 0.5 * np.cos(np.pi * np.arange(r) / r)
    for s, e in spans:
        s, e = max(0, s), min(n, e)
        if e <= s:
            continue
        seg = np.zeros(e - s + 2 * r)
        seg[:r] = up
        seg[r : r + e - s] = 1.0
        seg[r + e - s :] = up[::-1]
        lo = s - r
        a, b = max(0, lo), min(n, lo + seg.shape[0])
        amount[a:b] = np.maximum(amount[a:b], seg[a - lo : b - lo])
    return 10 ** (depth_db * amount / 20)




def design_sound(
    scene: SceneDescription,
    events: Sequence[SoundEvent],
    frames: int,
    fps: int,
    seed: int,
    *,
    dialogue: Sequence[DialogueLine] = (),
    sfx_cues: Sequence[SoundCue] = (),
    voices: Mapping[str, str] | None = None,
    music_cues: Sequence[str] = (),
    check: Callable[[], None] | None = None,
) -> dict[str, np.ndarray]:
    """Stems "ambience", "foley", "dialogue" (and "music" when there are ``music_cues``) for a shot.

    Each stem is float32 (S, 2), S = ``frame_to_sample(frames, fps)``, silent
    where nothing happens. Ambience: the scene's beds (first main, others
    -8 dB), 30 ms edge fades, ducked -8 dB under the dialogue by
    `sidechain_gain` (80 ms attack with look-ahead, 250 ms release).
    Foley: each event's attack starts exactly at ``frame_to_sample(event.frame,
    fps)``, equal-power panned by ``event.pan``, scaled by ``event.strength``.
    An sfx cue lands on its ``at_frame``; without one it claims the first event
    of its kind (so "door slam" sounds once, on the door event) or falls at 25 %
    of the shot. Dialogue: espeak-ng lines (``voices`` maps speaker id -> espeak
    voice, else `voice_for_character`); lines without ``at_frame`` are spread
    over the shot starting at 10 %. Music: `studio.sound.music.compose_music` for the
    cues' words (the mixer ducks it under dialogue across the programme). Same inputs
    give bit-identical stems.
    """
    frames = int(frames)
    if frames < 1:
        raise ValueError(f"a shot needs at least one frame, got {frames}")
    n = frame_to_sample(frames, fps)
    if n > SPOOL_OVER_S * SAMPLE_RATE:
        # A long shot: made a block at a time and spooled to files (see `design_sound_blocks`).
        return _spooled_design(scene, events, frames, fps, seed, dialogue=dialogue, sfx_cues=sfx_cues,
                               voices=voices, music_cues=music_cues, check=check)
    amb = _ambience_stem(scene.ambience, n, seed)
    foley = _foley_stem(_plan_hits(events, sfx_cues, frames), n, fps, seed)
    speech, spans = _dialogue_stem(dialogue, frames, fps, n, voices)
    if spans:
        amb *= sidechain_gain(speech)[:, None]
    stems = {
        "ambience": amb.astype(np.float32),
        "foley": np.clip(foley, -1.0, 1.0).astype(np.float32),
        "dialogue": np.clip(speech, -1.0, 1.0).astype(np.float32),
    }
    if music_cues:
        from studio.sound.music import compose_music

        stems["music"] = compose_music("; ".join(music_cues), n, seed)
    return stems


# --------------------------------------------------------------------------- in blocks

SPOOL_OVER_S = 30.0
"""`design_sound` makes a shot longer than this a block at a time, its stems spooled to WAV files."""
SEGMENT_S = 30.0
"""Ambience beds are rendered this long at a time (their synthesis holds several whole-length arrays)."""
BED_CROSSFADE_S = 1.0
"""Consecutive bed segments overlap by this, crossfaded at equal power (uncorrelated noise keeps its level)."""
DESIGN_BLOCK = 1 << 17
"""Samples per block of `design_sound_blocks`."""


def _bed_segment(beds: Sequence[str], n: int, seed: int) -> np.ndarray:
    """The beds summed (float64, the first at full level, the others at SECONDARY_BED_DB; no edge fades), ``n`` samples."""
    chosen: list[str] = []
    for bed in beds:
        if bed in AMBIENCE_BEDS and bed not in chosen:
            chosen.append(bed)
        elif bed not in AMBIENCE_BEDS:
            log.warning("unknown ambience bed %r skipped (known: %s)", bed, ", ".join(AMBIENCE_BEDS))
    if not chosen:
        chosen = ["room"]
    out = np.zeros((n, 2), np.float64)
    for i, bed in enumerate(chosen):
        gain = 1.0 if i == 0 else 10 ** (SECONDARY_BED_DB / 20)
        out += gain * render_ambience(bed, n, seed)
    return out


def _bed_blocks(beds: Sequence[str], n: int, seed: int, block: int, segment: int, overlap: int):
    """The shot's bed (before edge fades) in blocks of ``block`` samples: one segment of ``segment``
    samples at a time, each its own seed (the first the shot's), crossfaded over ``overlap``.
    A shot of at most ``segment`` samples is `_ambience_stem`'s bed exactly."""
    if n <= segment:
        bed = _bed_segment(beds, n, seed)
        for a in range(0, n, block):
            yield bed[a : a + block]
        return
    pending = np.zeros((0, 2))  # made, not yet handed out
    tail = None  # the previous segment's last `overlap` samples, to crossfade into
    t = (np.arange(overlap) + 0.5) / overlap
    fade_out, fade_in = np.cos(0.5 * np.pi * t)[:, None], np.sin(0.5 * np.pi * t)[:, None]
    for k, start in enumerate(range(0, n, segment)):
        last = start + segment >= n
        length = (n - start) if last else segment + overlap
        seg_seed = seed if k == 0 else stable_seed(f"{seed}:bed:{k}")
        if k:
            # The previous segment's buffers are free now: handed back, so that this one's are not
            # made beside what glibc kept of them (a 600 s shot's design peaked ~45 MiB higher).
            trim_now()
        seg = _bed_segment(beds, length, seg_seed)
        if tail is not None:
            m = min(overlap, seg.shape[0])
            seg[:m] = fade_out[:m] * tail[:m] + fade_in[:m] * seg[:m]
        body = seg if last else seg[:segment]
        tail = None if last else seg[segment:].copy()
        pending = np.concatenate([pending, body]) if pending.shape[0] else body
        del seg, body  # `pending` holds what is left of it: the next segment is made beside one segment, not two
        while pending.shape[0] >= block or (last and pending.shape[0]):
            yield pending[:block]
            pending = pending[block:]
        # Less than a block is left: a copy of it, so that the segment it is a view of is freed before the next one is made.
        pending = pending.copy()


class _Placed:
    """Foley hits placed at sample positions, each rendered when a block first reaches it and dropped
    once passed; added in placing order, as `_foley_stem` adds them."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.items: list[tuple[int, Callable[[], np.ndarray]]] = []
        self._made: dict[int, np.ndarray] = {}
        self._passed: set[int] = set()

    def place(self, pos: int, make: Callable[[], np.ndarray]) -> None:
        self.items.append((pos, make))

    def block(self, a: int, b: int) -> np.ndarray:
        """Samples [a, b) (blocks asked for in order)."""
        out = np.zeros((b - a, 2), np.float64)
        for i, (pos, make) in enumerate(self.items):
            if pos >= b or i in self._passed:
                continue
            sig = self._made.get(i)
            if sig is None:
                sig = self._made[i] = make()
            end = min(self.n, pos + sig.shape[0])
            lo, hi = max(a, pos), min(b, end)
            if hi > lo:
                out[lo - a : hi - a] += sig[lo - pos : hi - pos]
            if end <= b:
                self._made.pop(i, None)
                self._passed.add(i)
        return out


def _end_fade_block(x: np.ndarray, a: int, n: int) -> None:
    """`_end_fade` of an n-sample stem, on its block starting at sample ``a``."""
    fade = min(int(_END_FADE_MS / 1000 * SAMPLE_RATE), n)
    lo = max(a, n - fade)
    if fade > 0 and lo < a + x.shape[0]:
        ramp = np.linspace(1.0, 0.0, fade)
        x[lo - a :] *= ramp[lo - (n - fade) : a + x.shape[0] - (n - fade)][:, None]


def _edge_fades_block(x: np.ndarray, a: int, n: int, fade: int) -> None:
    """`_edge_fades` of an n-sample stem, on its block starting at sample ``a``."""
    fade = min(fade, n // 2)
    if fade <= 0:
        return
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(fade) + 0.5) / fade)
    b = a + x.shape[0]
    if a < fade:
        x[: min(b, fade) - a] *= ramp[a : min(b, fade)][:, None]
    if b > n - fade:
        lo = max(a, n - fade)
        x[lo - a :] *= ramp[::-1][lo - (n - fade) : b - (n - fade)][:, None]


def design_sound_blocks(
    scene: SceneDescription,
    events: Sequence[SoundEvent],
    frames: int,
    fps: int,
    seed: int,
    *,
    dialogue: Sequence[DialogueLine] = (),
    sfx_cues: Sequence[SoundCue] = (),
    voices: Mapping[str, str] | None = None,
    block: int = DESIGN_BLOCK,
    segment_s: float = SEGMENT_S,
):
    """`design_sound`'s "ambience", "foley" and "dialogue" stems a block at a time: yields
    ``{stem: float32 (m, 2)}`` for consecutive blocks of ``block`` samples.

    Foley hits and dialogue lines are placed exactly as `design_sound` places them and each is
    rendered when a block first reaches it; the ambience ducks under the dialogue by
    `SidechainStream` (the whole-array curve); fades are applied at the shot's own edges.
    So the stems are `design_sound`'s, sample for sample, for a shot of up to ``segment_s``.
    A longer shot's beds are rendered one ``segment_s`` segment at a time (bed synthesis holds
    several whole-length arrays), each segment its own seed, crossfaded at equal power over
    `BED_CROSSFADE_S`: the same beds at the same level, not the same noise. Memory is a segment.
    """
    frames = int(frames)
    if frames < 1:
        raise ValueError(f"a shot needs at least one frame, got {frames}")
    n = frame_to_sample(frames, fps)
    foley = _Placed(n)
    for hit in _plan_hits(events, sfx_cues, frames):
        pos = frame_to_sample(hit.frame, fps)
        if pos >= n:
            continue
        foley.place(pos, lambda hit=hit: _hit_sound(hit, seed))
    # Lines are kept as `synthesize_line` made them (a few seconds each): the ducker reads around each block.
    lines, spans = _place_dialogue(dialogue, frames, fps, n, voices)

    def dialogue_at(a: int, b: int) -> np.ndarray:
        a, b = max(0, a), min(n, b)
        out = np.zeros((max(0, b - a), 2), np.float64)
        for pos, audio in lines:
            end = min(n, pos + audio.shape[0])
            lo, hi = max(a, pos), min(b, end)
            if hi > lo:
                out[lo - a : hi - a] += audio[lo - pos : hi - pos]
        _end_fade_block(out, a, n)
        return out

    duck = SidechainStream(dialogue_at, n) if spans else None
    segment = max(block, int(round(segment_s * SAMPLE_RATE)))
    overlap = int(round(BED_CROSSFADE_S * SAMPLE_RATE))
    edge = int(EDGE_FADE_MS / 1000 * SAMPLE_RATE)
    a = 0
    for bed in _bed_blocks(scene.ambience, n, seed, block, segment, overlap):
        b = a + bed.shape[0]
        amb = np.array(bed, dtype=np.float64)
        _edge_fades_block(amb, a, n, edge)
        if duck is not None:
            amb *= duck.gain(a, b)[:, None]
        fol = foley.block(a, b)
        _end_fade_block(fol, a, n)
        words = dialogue_at(a, b)
        del bed  # a view of the bed segment: not kept alive while the next segment is made
        yield {
            "ambience": amb.astype(np.float32),
            "foley": np.clip(fol, -1.0, 1.0).astype(np.float32),
            "dialogue": np.clip(words, -1.0, 1.0).astype(np.float32),
        }
        a = b


def _place_dialogue(lines: Sequence[DialogueLine], frames: int, fps: int, n: int,
                    voices: Mapping[str, str] | None) -> tuple[list[tuple[int, np.ndarray]], list[tuple[int, int]]]:
    """Where each line is spoken: (start, audio cut at the shot's end) of each, and the spans (for ducking).

    Unplaced lines are spread over the shot (first at 10 %), never overlapping each other."""
    placed: list[tuple[int, np.ndarray]] = []
    spans: list[tuple[int, int]] = []
    auto = [ln for ln in lines if ln.at_frame is None]
    gap = int(DIALOGUE_GAP_S * SAMPLE_RATE)
    auto_index = 0
    prev_end = 0
    for line in lines:
        voice = None
        if line.speaker_id:
            voice = (voices or {}).get(line.speaker_id) or voice_for_character(line.speaker_id)
        audio = synthesize_line(line.text, voice, character_id=line.speaker_id)
        if audio is None:
            continue
        if line.at_frame is not None:
            start = frame_to_sample(min(max(int(line.at_frame), 0), frames), fps)
        else:
            slot = int(round(frames * (0.1 + 0.8 * auto_index / max(1, len(auto)))))
            start = max(frame_to_sample(slot, fps), prev_end + gap if auto_index else 0)
            auto_index += 1
        if start >= n:
            log.warning("dialogue line %r starts after the shot ends; it was left out", line.text[:40])
            continue
        end = min(n, start + audio.shape[0])
        placed.append((start, np.asarray(audio[: end - start])))
        if line.at_frame is None:
            prev_end = end
        spans.append((start, end))
    return placed, spans


def _wav_header(frames: int, channels: int = 2, rate: int = SAMPLE_RATE) -> bytes:
    """A 32-bit float WAV's header for ``frames`` samples (RIFF/WAVE, fmt, data)."""
    size = frames * channels * 4
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * channels * 4, channels * 4, 32)
    return b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + size) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) \
        + fmt + b"data" + struct.pack("<I", size)


def _spooled_design(scene, events, frames, fps, seed, *, dialogue, sfx_cues, voices, music_cues,
                    check=None) -> dict[str, np.ndarray]:
    """`design_sound_blocks` written block by block to temporary 32-bit float WAVs, returned as read-only
    memory maps of them (nothing of them resident until read; a take's store copies the files).
    Each file is removed when its array is collected. ``check()`` runs before each block (a
    cancelled render raises from there, and the files made so far are removed)."""
    n = frame_to_sample(frames, fps)
    files: dict[str, tuple[str, object]] = {}
    try:
        for name in DESIGN_STEMS:
            fd, path = tempfile.mkstemp(prefix=f"studio-stem-{name}-", suffix=".wav")
            f = os.fdopen(fd, "wb")
            f.write(_wav_header(n))
            files[name] = (path, f)
        for blocks in design_sound_blocks(scene, events, frames, fps, seed, dialogue=dialogue, sfx_cues=sfx_cues,
                                          voices=voices):
            if check is not None:
                check()
            for name, part in blocks.items():
                files[name][1].write(part.astype("<f4").tobytes())  # type: ignore[attr-defined]
        for _, f in files.values():
            f.close()  # type: ignore[attr-defined]
        stems: dict[str, np.ndarray] = {}
        for name, (path, _) in files.items():
            stems[name] = _mapped_stem(path, n)
        if music_cues:
            from studio.sound.music import compose_music

            stems["music"] = compose_music("; ".join(music_cues), n, seed)
        return stems
    except BaseException:
        for path, f in files.values():
            with contextlib.suppress(OSError):
                f.close()  # type: ignore[attr-defined]
                os.unlink(path)
        raise


def _mapped_stem(path: str, n: int) -> np.ndarray:
    header = len(_wav_header(0))
    stem = np.memmap(path, dtype=np.float32, mode="r", offset=header, shape=(n, 2))
    weakref.finalize(stem, _remove, path)
    return stem


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


# --------------------------------------------------------------------------- any video

# What an impact in the picture most likely sounds like, from the prompt's actions
# (first match wins: a ball in a park bounces rather than steps).
_ACTION_FOLEY = (("ball", "bounce"), ("door", "door"), ("fall", "thud"), ("jump", "thud"),
                 ("run", "footstep"), ("walk", "footstep"), ("dance", "footstep"))
WHOOSH_LEAD_S = 0.3
"""A whoosh starts this long before the fast camera move it covers, so its swell peaks in the move."""


def impact_foley_kind(scene: SceneDescription, sfx_cues: Sequence[SoundCue] = (), plan: ScenePlan | None = None) -> str:
    """The foley design for a video's impacts: an sfx cue's kind, else what the plan's objects and animals
    do (a glass that breaks sounds like glass), else the prompt's action, else 'impact'."""
    for cue in sfx_cues:
        if cue.kind in (SoundCueKind.SFX, SoundCueKind.SFX.value) and cue.at_frame is None:
            kind = cue_foley_kind(cue.description)
            if kind not in ("generic", "whoosh"):
                return kind
    if plan is not None:
        for actor in plan.actors:
            if actor.kind in ("object", "animal"):
                # The last thing it does is the loudest: a glass falls *and breaks*.
                for act in reversed(actor.actions):
                    kind = event_sound(act.verb, actor.noun)
                    if kind:
                        return kind
    for action, kind in _ACTION_FOLEY:
        if action in scene.actions:
            return kind
    return "impact"


@dataclass(frozen=True)
class VideoSoundtrack:
    """A soundtrack made for a video from its picture: the stems and what they were placed on."""

    stems: dict[str, np.ndarray]
    events: tuple[SoundEvent, ...]
    """The foley events placed (frame, kind, strength, pan), source 'motion'."""
    scene: SceneDescription


def design_sound_for_video(
    frames: np.ndarray | Iterable[np.ndarray],
    fps: int,
    *,
    prompt: str = "",
    setting: str = "",
    seed: int = 0,
    dialogue: Sequence[DialogueLine] = (),
    sfx_cues: Sequence[SoundCue] = (),
    ambience_cues: Sequence[str] = (),
    voices: Mapping[str, str] | None = None,
    motion: "MotionAnalysis | None" = None,
    music_cues: Sequence[str] = (),
) -> VideoSoundtrack:
    """Stems for any video (imported, or from a model that made no sound) from its motion and its prompt.

    The picture is analysed (`studio.sound.motion.analyse_motion`, unless
    ``motion`` is given): each impact onset gets a foley hit whose attack
    starts on that frame, its kind read from the sfx cues or the prompt's
    action (a ball bounces, feet step, a door slams), its level from the
    impact's strength, its pan from where it happens, each hit varied by its
    own seed; each fast camera move gets a whoosh. The ambience bed comes from
    the prompt and the story's ``setting`` (ambience cues first). Dialogue and
    ducking are as in `design_sound`. Stems are as long as the clip.
    """
    from studio.sound.motion import analyse_motion

    analysis = motion if motion is not None else analyse_motion(frames, fps)
    from studio.domain.model import StoryBible
    from studio.understanding import plan_scene

    scene = describe_scene(prompt, setting, tuple(ambience_cues))
    plan = plan_scene(prompt, StoryBible(setting=setting)) if prompt.strip() else None
    if plan is not None:
        scene = with_plan_weather(scene, plan.weather, plan.time_of_day)
    impact_kind = impact_foley_kind(scene, sfx_cues, plan)
    events: list[SoundEvent] = []
    lead = int(round(WHOOSH_LEAD_S * fps))
    for onset in analysis.onsets:
        if onset.kind == "whoosh":
            events.append(SoundEvent(max(0, onset.frame - lead), "whoosh", 0.5 + 0.5 * onset.strength, onset.pan, "camera"))
        else:
            # Quiet hits stay audible: a faint impact in the picture is still a sound.
            events.append(SoundEvent(onset.frame, impact_kind, 0.45 + 0.55 * onset.strength, onset.pan, "motion"))
    # Cues placed at a frame keep their place; unplaced ones became the impact kind above.
    placed = [c for c in sfx_cues if c.at_frame is not None]
    stems = design_sound(scene, events, analysis.frame_count, fps, seed, dialogue=dialogue, sfx_cues=placed, voices=voices,
                         music_cues=music_cues)
    return VideoSoundtrack(stems=stems, events=tuple(events), scene=scene)
