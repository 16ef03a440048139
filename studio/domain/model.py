"""The project model: plain, immutable values.

Every type here is a frozen dataclass; an edit makes a new value with
``dataclasses.replace`` (or the helpers below). That makes undo a matter of
keeping the previous value, lets a `GenerateRequest` hold a shot without
copying it, and means no thread can see a half-edited shot.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Iterable, Union

from studio.domain.prompt import camera_tag_span, parse_prompt
from studio.domain.timing import frames_to_seconds

Scalar = Union[str, int, float, bool, None]
Settings = tuple[tuple[str, Scalar], ...]


def new_id(prefix: str) -> str:
    """A stable random id such as ``shot_3f9c2a1b4d5e``; media files are named by these."""
    return f"{prefix}_{os.urandom(6).hex()}"  # 48 random bits, as uuid4().hex[:12] gave (uuid costs the window's start 3 ms)


def settings_from(mapping: dict[str, Scalar] | None) -> Settings:
    return tuple(sorted((mapping or {}).items()))


def stable_seed(text: str) -> int:
    """A deterministic 31-bit seed derived from text (e.g. a shot id)."""
    import hashlib  # here, not at the top: nothing on the way to the window's first frame needs it
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big") & 0x7FFFFFFF


# --------------------------------------------------------------------------- canvas


ASPECT_PRESETS: dict[str, tuple[int, int]] = {
    "16:9": (1280, 720),
    "9:16": (720, 1280),
    "1:1": (720, 720),
}


MAX_CANVAS_SIDE = 4096
MAX_CANVAS_PIXELS = 4096 * 2304
"""The largest canvas a project or recipe may set (its frames are held in memory while rendering)."""


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise ValueError(f"canvas {self.width}x{self.height}: sides must be even and at least 16")
        # An 8192x8192 canvas took over 4 GB (16384x16384 over 12 GB) before any check ran;
        # a project or a remixed recipe could set it. 4K (4096x2160, 2160x3840, 3072x3072) fits.
        if self.width > MAX_CANVAS_SIDE or self.height > MAX_CANVAS_SIDE or self.width * self.height > MAX_CANVAS_PIXELS:
            raise ValueError(f"canvas {self.width}x{self.height}: larger than Studio renders (at most "
                             f"{MAX_CANVAS_SIDE} pixels a side and {MAX_CANVAS_PIXELS // 1_000_000} megapixels, e.g. 4096x2160)")

    @classmethod
    def from_aspect(cls, aspect: str, short_side: int = 720) -> "Canvas":
        """The canvas for an aspect preset, scaled so its short side is ``short_side``."""
        if aspect not in ASPECT_PRESETS:
            raise ValueError(f"unknown aspect {aspect!r}; choose one of {', '.join(ASPECT_PRESETS)}")
        w, h = ASPECT_PRESETS[aspect]
        scale = short_side / min(w, h)
        return cls(int(round(w * scale / 2)) * 2, int(round(h * scale / 2)) * 2)

    @property
    def aspect(self) -> str:
        """The preset name this canvas matches, or ``W:H``."""
        for name, (w, h) in ASPECT_PRESETS.items():
            if w * self.height == h * self.width:
                return name
        return f"{self.width}:{self.height}"


# --------------------------------------------------------------------------- camera


class CameraMove(str, Enum):
    STATIC = "static"
    PAN_LEFT = "pan left"
    PAN_RIGHT = "pan right"
    TILT_UP = "tilt up"
    TILT_DOWN = "tilt down"
    DOLLY_IN = "dolly in"
    DOLLY_OUT = "dolly out"
    ZOOM_IN = "zoom in"
    ZOOM_OUT = "zoom out"
    ORBIT = "orbit"

    @property
    def label(self) -> str:
        return self.value


_CAMERA_WORDS: list[tuple[CameraMove, tuple[str, ...]]] = [
    (CameraMove.DOLLY_IN, ("dolly in", "push in", "dolly-in", "ドリーイン", "寄る", "近づく")),
    (CameraMove.DOLLY_OUT, ("dolly out", "pull out", "pull back", "dolly-out", "ドリーアウト", "引く")),
    (CameraMove.ZOOM_IN, ("zoom in", "ズームイン", "ズーム")),
    (CameraMove.ZOOM_OUT, ("zoom out", "ズームアウト")),
    (CameraMove.PAN_LEFT, ("pan left", "左にパン", "左パン")),
    (CameraMove.PAN_RIGHT, ("pan right", "pan", "右にパン", "右パン", "パン")),
    (CameraMove.TILT_UP, ("tilt up", "tilt", "上にティルト", "ティルトアップ", "ティルト")),
    (CameraMove.TILT_DOWN, ("tilt down", "下にティルト", "ティルトダウン")),
    (CameraMove.ORBIT, ("orbit", "arc", "回り込む", "オービット", "周回")),
    (CameraMove.STATIC, ("static", "still", "locked", "fixed", "固定", "静止")),
]


def parse_camera(phrase: str) -> CameraMove:
    """Read a camera directive in English or Japanese (``dolly in``, ``ズームイン``).

    Raises ValueError for a phrase that names no known move.
    """
    p = re.sub(r"\s+", " ", phrase.strip().lower().replace("_", " "))
    for move in CameraMove:
        if p == move.value:
            return move
    for move, words in _CAMERA_WORDS:
        if any(w in p for w in words):
            return move
    raise ValueError(f"unknown camera move {phrase!r}; try one of: {', '.join(m.value for m in CameraMove)}")


# --------------------------------------------------------------------------- story bible


@dataclass(frozen=True)
class Character:
    id: str
    name: str
    look: str = ""
    """Look description: build, hair, clothes (drives every engine's rendering)."""
    cameo_id: str | None = None


@dataclass(frozen=True)
class StoryBible:
    characters: tuple[Character, ...] = ()
    style: str = ""
    setting: str = ""

    def character(self, character_id: str) -> Character | None:
        return next((c for c in self.characters if c.id == character_id), None)

    def find_by_name(self, name: str) -> Character | None:
        folded = name.casefold()
        return next((c for c in self.characters if c.name.casefold() == folded), None)


# --------------------------------------------------------------------------- shots and takes


class SoundCueKind(str, Enum):
    SFX = "sfx"
    AMBIENCE = "ambience"
    MUSIC = "music"


@dataclass(frozen=True)
class SoundCue:
    kind: SoundCueKind
    description: str
    at_frame: int | None = None
    """For an sfx, the frame it lands on (None: the engine places it on a matching event)."""


@dataclass(frozen=True)
class DialogueLine:
    text: str
    speaker_id: str | None = None
    at_frame: int | None = None


@dataclass(frozen=True)
class SoundEvent:
    """Something visible that makes a sound, at an exact frame of its shot."""

    frame: int
    kind: str
    """footstep, impact, bounce, door, whoosh, splash..."""
    strength: float = 1.0
    pan: float = 0.0
    """-1 (left) .. 1 (right), from where it happens on screen."""
    source: str = ""
    """Who or what made it (a character id, 'camera', 'ball', ...)."""


@dataclass(frozen=True)
class TakeRecipe:
    """Everything that made a take, enough to make it again."""

    engine: str
    engine_version: str
    seed: int
    prompt: str
    composed_prompt: str
    width: int
    height: int
    fps: int
    frames: int
    camera: str
    model: str | None = None
    negative_prompt: str = ""
    settings: Settings = ()
    app_version: str = ""


@dataclass(frozen=True)
class Take:
    id: str
    created_at: str
    """ISO 8601 UTC."""
    video: str
    """File name under the bundle's media/ (named by the take id)."""
    stems: tuple[tuple[str, str], ...]
    """(stem name, file name under media/): ambience, foley, dialogue, music."""
    events: tuple[SoundEvent, ...]
    recipe: TakeRecipe
    frames: int
    source: str = "engine"
    """engine, or import for a video the user brought."""

    def stem_file(self, stem: str) -> str | None:
        return dict(self.stems).get(stem)


@dataclass(frozen=True)
class Shot:
    id: str
    prompt: str
    duration_frames: int
    title: str = ""
    camera: CameraMove = CameraMove.STATIC
    sound_cues: tuple[SoundCue, ...] = ()
    dialogue: tuple[DialogueLine, ...] = ()
    characters: tuple[str, ...] = ()
    """Ids of the story-bible characters on screen."""
    seed: int = 0
    engine: str = "sketch"
    engine_settings: Settings = ()
    takes: tuple[Take, ...] = ()
    selected_take_id: str | None = None
    reference_image: str | None = None
    """A media file (under media/) to start from, for image-to-video engines."""

    def __post_init__(self) -> None:
        if self.duration_frames < 1:
            raise ValueError(f"shot {self.id}: duration must be at least one frame")

    @property
    def selected_take(self) -> Take | None:
        return next((t for t in self.takes if t.id == self.selected_take_id), None)

    def with_take(self, take: Take, select: bool = True) -> "Shot":
        takes = tuple(t for t in self.takes if t.id != take.id) + (take,)
        return replace(self, takes=takes, selected_take_id=take.id if select else self.selected_take_id)

    def display_title(self, index: int | None = None) -> str:
        if self.title:
            return self.title
        text = parse_prompt(self.prompt).text
        short = text[:40] + ("…" if len(text) > 40 else "")
        return short or (f"Shot {index + 1}" if index is not None else self.id)


DEFAULT_FPS = 24


@dataclass(frozen=True)
class Project:
    title: str
    fps: int = DEFAULT_FPS
    canvas: Canvas = field(default_factory=lambda: Canvas.from_aspect("16:9"))
    bible: StoryBible = field(default_factory=StoryBible)
    shots: tuple[Shot, ...] = ()
    id: str = field(default_factory=lambda: new_id("project"))
    created_at: str = ""
    negative_prompt: str = ""
    quality: str = "standard"
    engine_settings: Settings = ()
    """Engine settings for every shot (a shot's own win); ``loras`` here is the project's LoRAs,
    applied under each shot's own."""

    def __post_init__(self) -> None:
        if not 1 <= self.fps <= 240:
            raise ValueError(f"frame rate {self.fps} is out of range 1..240")
        ids = [s.id for s in self.shots]
        if len(ids) != len(set(ids)):
            raise ValueError("two shots share an id")

    # -- queries (derived, never stored)
    @property
    def total_frames(self) -> int:
        return sum(s.duration_frames for s in self.shots)

    @property
    def duration_seconds(self) -> float:
        return frames_to_seconds(self.total_frames, self.fps)

    def shot(self, shot_id: str) -> Shot:
        for s in self.shots:
            if s.id == shot_id:
                return s
        raise KeyError(shot_id)

    def index_of(self, shot_id: str) -> int:
        return next(i for i, s in enumerate(self.shots) if s.id == shot_id)

    def start_frame(self, shot_id: str) -> int:
        start = 0
        for s in self.shots:
            if s.id == shot_id:
                return start
            start += s.duration_frames
        raise KeyError(shot_id)

    # -- edits (each returns a new Project)
    def with_shot(self, shot: Shot) -> "Project":
        if not any(s.id == shot.id for s in self.shots):
            raise KeyError(shot.id)
        return replace(self, shots=tuple(shot if s.id == shot.id else s for s in self.shots))

    def with_shots(self, shots: Iterable[Shot]) -> "Project":
        return replace(self, shots=tuple(shots))

    def insert_shot(self, shot: Shot, index: int | None = None) -> "Project":
        shots = list(self.shots)
        shots.insert(len(shots) if index is None else index, shot)
        return replace(self, shots=tuple(shots))

    def remove_shot(self, shot_id: str) -> "Project":
        return replace(self, shots=tuple(s for s in self.shots if s.id != shot_id))

    def move_shot(self, shot_id: str, new_index: int) -> "Project":
        shots = list(self.shots)
        shot = shots.pop(self.index_of(shot_id))
        shots.insert(max(0, min(new_index, len(shots))), shot)
        return replace(self, shots=tuple(shots))


# --------------------------------------------------------------------------- resolving a shot


@dataclass(frozen=True)
class ResolvedShot:
    """A shot with its prompt marks merged into its structured fields."""

    text: str
    camera: CameraMove
    characters: tuple[Character, ...]
    dialogue: tuple[DialogueLine, ...]
    sound_cues: tuple[SoundCue, ...]
    unknown_characters: tuple[str, ...]


def resolve_shot(shot: Shot, bible: StoryBible) -> ResolvedShot:
    """Merge what the prompt says (@names, [camera: …], quotes, {sfx: …}) with the fields.

    A camera mark in the prompt wins over the field; characters, dialogue and cues
    are the union, in order, without duplicates.
    """
    parsed = parse_prompt(shot.prompt, tuple(c.name for c in bible.characters))
    camera, _ = effective_camera(shot)
    chars: list[Character] = []
    unknown: list[str] = []
    for cid in shot.characters:
        c = bible.character(cid)
        if c and c not in chars:
            chars.append(c)
    for name in parsed.characters:
        c = bible.find_by_name(name)
        if c is None:
            unknown.append(name)
        elif c not in chars:
            chars.append(c)
    dialogue = list(shot.dialogue)
    for d in parsed.dialogue:
        speaker = bible.find_by_name(d.speaker) if d.speaker else None
        line = DialogueLine(d.text, speaker.id if speaker else (chars[0].id if chars else None))
        if all(x.text != line.text for x in dialogue):
            dialogue.append(line)
    cues = list(shot.sound_cues)
    for kind, desc in parsed.sound_cues:
        cue = SoundCue(SoundCueKind(kind) if kind in SoundCueKind._value2member_map_ else SoundCueKind.SFX, desc)
        if cue not in cues:
            cues.append(cue)
    return ResolvedShot(parsed.text, camera, tuple(chars), tuple(dialogue), tuple(cues), tuple(unknown))


# --------------------------------------------------------------------------- one camera per shot
def effective_camera(shot: Shot) -> tuple[CameraMove, str]:
    """The camera move a render uses, and where it comes from: "prompt" or "field".

    The rule (one source of truth): a valid ``[camera: …]`` mark in the prompt sets the
    shot's camera; the Camera field holds it only when the prompt has no mark. Render,
    staleness, the Camera field and the Feed's recipe all read this value.
    """
    parsed = parse_prompt(shot.prompt)
    if parsed.camera:
        try:
            return parse_camera(parsed.camera), "prompt"
        except ValueError:
            pass
    return shot.camera, "field"


def with_camera(shot: Shot, move: CameraMove) -> Shot:
    """The shot with ``move`` as its camera, keeping prompt and field in agreement.

    When the prompt carries a camera mark, the mark is rewritten (so it keeps winning
    with the value the user chose); the field is set either way.
    """
    _, source = effective_camera(shot)
    prompt = shot.prompt
    if source == "prompt":
        span = camera_tag_span(prompt)
        if span is not None:
            start, end = span
            prompt = prompt[:start] + move.value + prompt[end:]
    return replace(shot, camera=move, prompt=prompt)
