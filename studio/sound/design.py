"""Sound design for one shot: ambience beds, foley on its events, and dialogue.

`design_sound` turns what a shot shows (its scene description and the sound
events an engine reports at exact frames) into three stems, each exactly as
long as the shot's picture. Everything is seeded, so the same shot gives the
same sound to the bit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np

from studio.domain.model import DialogueLine, SoundCue, SoundCueKind, SoundEvent, stable_seed
from studio.domain.scene import AMBIENCE_BEDS, SceneDescription, describe_scene, with_plan_weather
from studio.domain.scene_plan import ScenePlan, event_sound
from studio.domain.timing import SAMPLE_RATE, frame_to_sample
# The fade and the ducker live with the mixer's dynamics (numpy only); re-exported here.
from studio.sound.dynamics import DUCK_DB, DUCK_RAMP_MS, EDGE_FADE_MS, sidechain_gain
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


def _foley_stem(hits: Sequence[_Hit], n: int, fps: int, seed: int) -> np.ndarray:
    out = np.zeros((n, 2), np.float64)
    for hit in hits:
        pos = frame_to_sample(hit.frame, fps)
        if pos >= n:
            continue
        # Seeded per hit (shot seed, position in the list, frame, kind) so repeats differ.
        hit_seed = stable_seed(f"{seed}:{hit.key}:{hit.frame}:{hit.kind}")
        sig = render_foley(hit.kind, hit_seed, hit.strength).astype(np.float64)
        gl, gr = pan_gains(hit.pan)
        end = min(n, pos + sig.shape[0])
        out[pos:end, 0] += sig[: end - pos, 0] * gl
        out[pos:end, 1] += sig[: end - pos, 1] * gr
    _end_fade(out)
    return out


def _dialogue_stem(
    lines: Sequence[DialogueLine], frames: int, fps: int, n: int, voices: Mapping[str, str] | None
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    out = np.zeros((n, 2), np.float64)
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
            # Spread unplaced lines over the shot (first at 10 %), never overlapping each other.
            slot = int(round(frames * (0.1 + 0.8 * auto_index / max(1, len(auto)))))
            start = max(frame_to_sample(slot, fps), prev_end + gap if auto_index else 0)
            auto_index += 1
        if start >= n:
            log.warning("dialogue line %r starts after the shot ends; it was left out", line.text[:40])
            continue
        end = min(n, start + audio.shape[0])
        out[start:end] += audio[: end - start]
        if line.at_frame is None:
            prev_end = end
        spans.append((start, end))
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
