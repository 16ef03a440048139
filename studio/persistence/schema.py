"""project.json <-> Project, with a schema version, migrations and strict validation.

Reading is strict: every field is type-checked and a bad one raises
`SchemaError` naming the field path (``shots[2].duration_frames``) so the user
knows where their file is wrong. The same reader validates recipes read from
untrusted MP4s.
"""

from __future__ import annotations

import math

from typing import Any, Callable

from studio.domain.model import (
    MAX_CANVAS_PIXELS,
    MAX_CANVAS_SIDE,
    CameraMove,
    Canvas,
    Character,
    DialogueLine,
    Project,
    Shot,
    SoundCue,
    SoundCueKind,
    SoundEvent,
    StoryBible,
    Take,
    TakeRecipe,
)

SCHEMA_VERSION = 2
FORMAT_NAME = "studio-project"

MAX_SHOTS = 2000
MAX_TEXT = 20_000
MAX_LIST = 10_000


class SchemaError(ValueError):
    """A field of a project document is missing or wrong."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


# --------------------------------------------------------------------------- writing


def _settings_to_json(settings: tuple) -> dict[str, Any]:
    return {k: v for k, v in settings}


def recipe_to_dict(r: TakeRecipe) -> dict[str, Any]:
    return {
        "engine": r.engine,
        "engine_version": r.engine_version,
        "model": r.model,
        "seed": r.seed,
        "prompt": r.prompt,
        "composed_prompt": r.composed_prompt,
        "negative_prompt": r.negative_prompt,
        "width": r.width,
        "height": r.height,
        "fps": r.fps,
        "frames": r.frames,
        "camera": r.camera,
        "settings": _settings_to_json(r.settings),
        "app_version": r.app_version,
    }


def take_to_dict(t: Take) -> dict[str, Any]:
    return {
        "id": t.id,
        "created_at": t.created_at,
        "source": t.source,
        "frames": t.frames,
        "video": t.video,
        "stems": {name: f for name, f in t.stems},
        "events": [
            {"frame": e.frame, "kind": e.kind, "strength": e.strength, "pan": e.pan, "source": e.source}
            for e in t.events
        ],
        "recipe": recipe_to_dict(t.recipe),
    }


def shot_to_dict(s: Shot, *, with_takes: bool = True) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "prompt": s.prompt,
        "duration_frames": s.duration_frames,
        "camera": s.camera.value,
        "sound_cues": [{"kind": c.kind.value, "description": c.description, "at_frame": c.at_frame} for c in s.sound_cues],
        "dialogue": [{"text": d.text, "speaker_id": d.speaker_id, "at_frame": d.at_frame} for d in s.dialogue],
        "characters": list(s.characters),
        "seed": s.seed,
        "engine": s.engine,
        "engine_settings": _settings_to_json(s.engine_settings),
        "reference_image": s.reference_image,
        "takes": [take_to_dict(t) for t in s.takes] if with_takes else [],
        "selected_take_id": s.selected_take_id if with_takes else None,
    }


def bible_to_dict(b: StoryBible, *, with_cameos: bool = True) -> dict[str, Any]:
    return {
        "style": b.style,
        "setting": b.setting,
        "characters": [
            {"id": c.id, "name": c.name, "look": c.look, "cameo_id": c.cameo_id if with_cameos else None}
            for c in b.characters
        ],
    }


def project_to_dict(p: Project, *, with_takes: bool = True, with_cameos: bool = True) -> dict[str, Any]:
    """The current-version document for a project."""
    return {
        "format": FORMAT_NAME,
        "schema_version": SCHEMA_VERSION,
        "id": p.id,
        "title": p.title,
        "created_at": p.created_at,
        "fps": p.fps,
        "canvas": {"width": p.canvas.width, "height": p.canvas.height},
        "negative_prompt": p.negative_prompt,
        "quality": p.quality,
        **({"engine_settings": _settings_to_json(p.engine_settings)} if p.engine_settings else {}),
        "bible": bible_to_dict(p.bible, with_cameos=with_cameos),
        "shots": [shot_to_dict(s, with_takes=with_takes) for s in p.shots],
    }


# --------------------------------------------------------------------------- reading


class _Reader:
    """Typed access to a JSON object that reports the path of a bad field."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise SchemaError(path or "document", f"expected an object, found {type(data).__name__}")
        self.data = data
        self.path = path

    def _p(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., *, optional: bool = False) -> Any:
        if key not in self.data or (optional and self.data[key] is None):
            if default is ...:
                if optional:
                    return None
                raise SchemaError(self._p(key), "is missing")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int in Python; a JSON true is never a valid count.
        if isinstance(value, bool) and bool not in kinds:
            raise SchemaError(self._p(key), f"expected {_names(kinds)}, found a boolean")
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kinds):
            raise SchemaError(self._p(key), f"expected {_names(kinds)}, found {_json_type(value)}")
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise SchemaError(self._p(key), f"text longer than {MAX_TEXT} characters")
            _check_text(value, self._p(key))
        if isinstance(value, float) and not math.isfinite(value):
            raise SchemaError(self._p(key), f"{value} is not a finite number")
        return value

    def int_in(self, key: str, lo: int, hi: int, default: Any = ...) -> int:
        v = self.get(key, int, default)
        if not lo <= v <= hi:
            raise SchemaError(self._p(key), f"{v} is out of range {lo}..{hi}")
        return v

    def list(self, key: str, default: Any = ...) -> list[Any]:
        v = self.get(key, list, [] if default is ... else default)
        if len(v) > MAX_LIST:
            raise SchemaError(self._p(key), f"more than {MAX_LIST} entries")
        return v

    def obj(self, key: str) -> "_Reader":
        return _Reader(self.get(key, dict), self._p(key))

    def settings(self, key: str) -> tuple:
        raw = self.get(key, dict, {})
        out = []
        for k, v in raw.items():
            _check_text(str(k), f"{self._p(key)} (a key)")
            if not isinstance(v, (str, int, float, bool)) and v is not None:
                raise SchemaError(f"{self._p(key)}.{k}", "settings values must be text, numbers or booleans")
            if isinstance(v, str):
                _check_text(v, f"{self._p(key)}.{k}")
            if isinstance(v, float) and not math.isfinite(v):
                raise SchemaError(f"{self._p(key)}.{k}", f"{v} is not a finite number")
            out.append((str(k), v))
        return tuple(sorted(out))


def _check_text(value: str, field: str) -> None:
    """Refuse text that cannot be written back as UTF-8 (a lone surrogate such as \\ud800 from JSON)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SchemaError(field, f"contains an invalid character (U+{ord(value[exc.start]):04X}, a lone surrogate) "
                                 f"at position {exc.start}") from None


def _names(kinds: tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true/false", list: "a list", dict: "an object"}
    return " or ".join(names.get(k, k.__name__) for k in kinds if k is not type(None))


def _json_type(v: Any) -> str:
    return {str: "text", int: "a whole number", float: "a number", list: "a list", dict: "an object", type(None): "null"}.get(
        type(v), type(v).__name__
    )


def _safe_media_name(value: str | None, field: str) -> str | None:
    """Media names are plain file names inside media/: no folders, no traversal."""
    if value is None:
        return None
    if not value or "/" in value or "\\" in value or value.startswith(".") or "\x00" in value or len(value) > 200:
        raise SchemaError(field, f"{value!r} is not a plain media file name")
    return value


def _recipe(r: _Reader) -> TakeRecipe:
    return TakeRecipe(
        engine=r.get("engine", str),
        engine_version=r.get("engine_version", str, ""),
        model=r.get("model", str, optional=True),
        seed=r.int_in("seed", 0, 2**63 - 1),
        prompt=r.get("prompt", str, ""),
        composed_prompt=r.get("composed_prompt", str, ""),
        negative_prompt=r.get("negative_prompt", str, ""),
        width=r.int_in("width", 16, 16384),
        height=r.int_in("height", 16, 16384),
        fps=r.int_in("fps", 1, 240),
        frames=r.int_in("frames", 1, 10_000_000),
        camera=r.get("camera", str, "static"),
        settings=r.settings("settings"),
        app_version=r.get("app_version", str, ""),
    )


def _take(r: _Reader) -> Take:
    stems_raw = r.get("stems", dict, {})
    stems = []
    for name, f in stems_raw.items():
        if not isinstance(f, str):
            raise SchemaError(f"{r.path}.stems.{name}", "expected a file name")
        stems.append((str(name), _safe_media_name(f, f"{r.path}.stems.{name}")))
    events = []
    for i, e in enumerate(r.list("events")):
        er = _Reader(e, f"{r.path}.events[{i}]")
        events.append(
            SoundEvent(
                frame=er.int_in("frame", 0, 10_000_000),
                kind=er.get("kind", str),
                strength=er.get("strength", float, 1.0),
                pan=max(-1.0, min(1.0, er.get("pan", float, 0.0))),
                source=er.get("source", str, ""),
            )
        )
    return Take(
        id=r.get("id", str),
        created_at=r.get("created_at", str, ""),
        video=_safe_media_name(r.get("video", str), f"{r.path}.video") or "",
        stems=tuple(stems),
        events=tuple(events),
        recipe=_recipe(r.obj("recipe")),
        frames=r.int_in("frames", 1, 10_000_000),
        source=r.get("source", str, "engine"),
    )


def _enum(r: _Reader, key: str, enum: type, default: Any) -> Any:
    raw = r.get(key, str, default.value)
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise SchemaError(r._p(key), f"{raw!r} is not one of: {allowed}") from None


def _shot(r: _Reader) -> Shot:
    cues = []
    for i, c in enumerate(r.list("sound_cues")):
        cr = _Reader(c, f"{r.path}.sound_cues[{i}]")
        at = cr.get("at_frame", int, optional=True)
        cues.append(SoundCue(_enum(cr, "kind", SoundCueKind, SoundCueKind.SFX), cr.get("description", str), at))
    dialogue = []
    for i, d in enumerate(r.list("dialogue")):
        dr = _Reader(d, f"{r.path}.dialogue[{i}]")
        dialogue.append(DialogueLine(dr.get("text", str), dr.get("speaker_id", str, optional=True), dr.get("at_frame", int, optional=True)))
    characters = []
    for i, c in enumerate(r.list("characters")):
        if not isinstance(c, str):
            raise SchemaError(f"{r.path}.characters[{i}]", "expected a character id")
        characters.append(c)
    takes = [_take(_Reader(t, f"{r.path}.takes[{i}]")) for i, t in enumerate(r.list("takes"))]
    selected = r.get("selected_take_id", str, optional=True)
    if selected is not None and not any(t.id == selected for t in takes):
        raise SchemaError(f"{r.path}.selected_take_id", f"no take with id {selected!r}")
    return Shot(
        id=r.get("id", str),
        title=r.get("title", str, ""),
        prompt=r.get("prompt", str, ""),
        duration_frames=r.int_in("duration_frames", 1, 10_000_000),
        camera=_enum(r, "camera", CameraMove, CameraMove.STATIC),
        sound_cues=tuple(cues),
        dialogue=tuple(dialogue),
        characters=tuple(characters),
        seed=r.int_in("seed", 0, 2**63 - 1, 0),
        engine=r.get("engine", str, "sketch"),
        engine_settings=r.settings("engine_settings"),
        takes=tuple(takes),
        selected_take_id=selected,
        reference_image=_safe_media_name(r.get("reference_image", str, optional=True), f"{r.path}.reference_image"),
    )


def project_from_dict(data: Any) -> Project:
    """Validate a current-version document and build the Project (raises SchemaError)."""
    r = _Reader(data, "")
    canvas_r = r.obj("canvas")
    w = canvas_r.int_in("width", 16, MAX_CANVAS_SIDE)
    h = canvas_r.int_in("height", 16, MAX_CANVAS_SIDE)
    if w % 2 or h % 2:
        raise SchemaError("canvas", f"{w}x{h}: width and height must be even")
    if w * h > MAX_CANVAS_PIXELS:
        raise SchemaError("canvas", f"{w}x{h} is more than {MAX_CANVAS_PIXELS // 1_000_000} megapixels, larger than Studio renders")
    bible_r = r.obj("bible")
    characters = []
    for i, c in enumerate(bible_r.list("characters")):
        cr = _Reader(c, f"bible.characters[{i}]")
        characters.append(Character(cr.get("id", str), cr.get("name", str), cr.get("look", str, ""), cr.get("cameo_id", str, optional=True)))
    bible = StoryBible(tuple(characters), bible_r.get("style", str, ""), bible_r.get("setting", str, ""))
    shots_raw = r.list("shots")
    if len(shots_raw) > MAX_SHOTS:
        raise SchemaError("shots", f"more than {MAX_SHOTS} shots")
    shots = [_shot(_Reader(s, f"shots[{i}]")) for i, s in enumerate(shots_raw)]
    seen: set[str] = set()
    for i, s in enumerate(shots):
        if s.id in seen:
            raise SchemaError(f"shots[{i}].id", f"duplicate shot id {s.id!r}")
        seen.add(s.id)
    quality = r.get("quality", str, "standard")
    if quality not in ("draft", "standard", "high"):
        raise SchemaError("quality", f"{quality!r} is not one of: draft, standard, high")
    fields = dict(
        id=r.get("id", str),
        title=r.get("title", str),
        created_at=r.get("created_at", str, ""),
        fps=r.int_in("fps", 1, 240),
        negative_prompt=r.get("negative_prompt", str, ""),
        # Optional (added with project LoRAs): older files have none, so no migration is needed.
        engine_settings=r.settings("engine_settings"),
    )
    try:
        return Project(canvas=Canvas(w, h), quality=quality, bible=bible, shots=tuple(shots), **fields)
    except ValueError as exc:  # a rule the model enforces that the reader missed
        raise SchemaError("", str(exc)) from None


# --------------------------------------------------------------------------- migrations


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """v1 stored shot durations in seconds and the canvas as "WxH" text."""
    doc = dict(doc)
    fps = doc.get("fps", 24)
    if not isinstance(fps, int) or isinstance(fps, bool) or not 1 <= fps <= 240:
        raise SchemaError("fps", f"expected a whole number of frames per second 1..240, found {_json_type(fps)} "
                                 f"{str(fps)[:20]}")
    if isinstance(doc.get("canvas"), str) and "x" in doc["canvas"]:
        w, _, h = doc["canvas"].partition("x")
        try:
            doc["canvas"] = {"width": int(w), "height": int(h)}
        except ValueError:
            raise SchemaError("canvas", f"{doc['canvas']!r} is not WIDTHxHEIGHT") from None
    shots = []
    for i, s in enumerate(doc.get("shots", [])):
        if isinstance(s, dict) and "duration_seconds" in s and "duration_frames" not in s:
            s = dict(s)
            secs = s.pop("duration_seconds")
            if not isinstance(secs, (int, float)) or isinstance(secs, bool):
                raise SchemaError(f"shots[{i}].duration_seconds", f"expected a number, found {_json_type(secs)}")
            if not (0 < secs <= 3600):  # also false for NaN; Infinity and 1e308 made int() overflow
                raise SchemaError(f"shots[{i}].duration_seconds", f"{str(secs)[:20]} is not a shot length (0..3600 s)")
            s["duration_frames"] = max(1, int(round(secs * fps)))
        shots.append(s)
    doc["shots"] = shots
    doc["schema_version"] = 2
    return doc


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(doc: Any) -> dict[str, Any]:
    """Bring a document of any known version up to SCHEMA_VERSION."""
    if not isinstance(doc, dict):
        raise SchemaError("document", f"expected an object, found {_json_type(doc)}")
    if doc.get("format", FORMAT_NAME) != FORMAT_NAME:
        raise SchemaError("format", f"{doc.get('format')!r} is not a Studio project")
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SchemaError("schema_version", "is missing or not a whole number")
    if version > SCHEMA_VERSION:
        raise SchemaError(
            "schema_version",
            f"version {version} was written by a newer Studio (this one reads up to {SCHEMA_VERSION}); update Studio",
        )
    if version < 1:
        raise SchemaError("schema_version", f"unknown version {version}")
    while version < SCHEMA_VERSION:
        doc = MIGRATIONS[version](doc)
        version = doc["schema_version"]
    return doc
