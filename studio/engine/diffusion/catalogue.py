"""The model catalogue: what each supported model is and the rules it follows.

The facts live in ``catalogue.json`` beside this file (data, not if-chains);
this module turns them into typed, validated `ModelSpec` records and does the
arithmetic every family shares: snapping a size and a frame count to what the
model accepts, and the steps for a quality preset.

A model folder on disk (``--model PATH``) may carry a ``studio_model.json``
with the same keys; it overrides the catalogue entry it names (``"base"``) or,
without one, the first entry of the same pipeline class. That is how a
fine-tune, or the tiny test pipelines, state their own native size and steps.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

CATALOGUE_FILE = Path(__file__).with_name("catalogue.json")
LOCAL_CARD = "studio_model.json"
"""A model folder's own facts (optional), read by `spec_for_folder`."""

QUALITIES = ("draft", "standard", "high")
PROFILES = ("gpu", "fp8", "model_offload", "group_offload", "sequential_offload")
"""Memory profiles, fastest first: all on the GPU; fp8 layerwise casting; model CPU
offload; group offload (streamed); sequential offload with VAE tiling."""


class CatalogueError(ValueError):
    """The catalogue (or a model folder's studio_model.json) is malformed; the message names the field."""


@dataclass(frozen=True)
class FrameRule:
    """Frame counts the model accepts: ``step * k + offset`` frames, at most ``max``."""

    step: int = 1
    offset: int = 0
    max: int = 10_000

    def snap(self, wanted: int) -> int:
        """The smallest accepted count that is at least ``wanted`` (or the largest accepted one)."""
        wanted = max(1, int(wanted))
        k = max(0, math.ceil((wanted - self.offset) / self.step))
        n = self.step * k + self.offset
        while n < 1:
            n += self.step
        largest = self.offset + self.step * ((self.max - self.offset) // self.step)
        return min(n, largest)

    def accepts(self, n: int) -> bool:
        return max(1, self.offset) <= n <= self.max and (n - self.offset) % self.step == 0


@dataclass(frozen=True)
class ModelSpec:
    """One catalogue entry: a model, where it comes from and how to drive it."""

    id: str
    name: str
    kind: str
    """"video" or "audio"."""
    family: str
    """wan, ltx, ltx2, cogvideox, hunyuan15, skyreels, sana_video, kandinsky5 (video);
    stable_audio, audioldm2 (audio)."""
    repo: str
    pipeline: str | None
    """diffusers pipeline class for text-to-video (None: image-to-video only)."""
    image_pipeline: str | None
    """diffusers pipeline class that starts from an image (None: cannot)."""
    steps: dict[str, int]
    guidance: float
    dtype: str = "bfloat16"
    component_dtypes: dict[str, str] = field(default_factory=dict)
    """Per-component load dtype over ``dtype`` (Wan's VAE and CLIP image encoder run in float32)."""
    allow_patterns: tuple[str, ...] = ()
    native_size: tuple[int, int] = (0, 0)
    """(width, height)."""
    size_multiple: int = 16
    fixed_size: bool = False
    frames: FrameRule = field(default_factory=FrameRule)
    fps: int = 24
    flow_shift: float | None = None
    has_audio: bool = False
    can_start_from_image: bool = False
    needs_image: bool = False
    prompt_style: str = "prose"
    """prose (one or two plain sentences) or detailed (long, chronological, camera and light)."""
    download_gb: float = 0.0
    vram_gb: dict[str, float] = field(default_factory=dict)
    vram_source: str = "typed"
    """"configs": vram_gb is derived from the published configs' parameter counts (sizing.py,
    checked by test_diffusion_sizing); "typed": an estimate not yet derived."""
    max_seconds: float = 0.0
    """Audio models: the longest clip in one call."""
    max_sequence_length: int | None = None
    """Prompt tokens passed to the pipeline (None: the pipeline's default)."""
    call_defaults: dict[str, Any] = field(default_factory=dict)
    """The model's recipe: every call argument that changes the result and is not set per shot
    (guidance variants, timestep lists, decode timestep and noise...), passed explicitly so a
    diffusers upgrade cannot change a render through a new pipeline default."""
    image_call_defaults: dict[str, Any] = field(default_factory=dict)
    """Recipe arguments only the image-to-video pipeline takes (LTX-2's ``image_crf``)."""
    scheduler: dict[str, Any] = field(default_factory=dict)
    """Scheduler config overrides the recipe needs over the checkpoint's (a distilled sigma list
    wants ``use_dynamic_shifting: false``)."""
    guider: dict[str, Any] = field(default_factory=dict)
    """Guider config for pipelines that take guidance through a guider (HunyuanVideo 1.5)."""
    continuation: str = ""
    """How a long shot continues past one call ("diffusion_forcing" for SkyReels-V2 DF; empty:
    derived, windows.continuation)."""
    recipe_source: str = ""
    """Where the recipe comes from (the authors' config or diffusers' docs), shown by `studio models list --json`."""
    local: bool = False
    """True when the facts were read (partly) from a model folder's studio_model.json."""
    base: str = ""
    """For a model folder: the catalogue entry its facts start from (its speed presets too)."""

    def steps_for(self, quality: str) -> int:
        """Denoising steps for a quality preset (draft, standard, high)."""
        return int(self.steps.get(quality) or self.steps["standard"])

    def snap_size(self, width: int, height: int) -> tuple[int, int]:
        """The generation size for a canvas: the canvas's aspect at the model's native pixel
        count, each side a multiple of ``size_multiple`` (or the native size when fixed)."""
        nw, nh = self.native_size
        if self.fixed_size or width <= 0 or height <= 0:
            return nw, nh
        m = self.size_multiple
        area = nw * nh
        aspect = width / height
        w = math.sqrt(area * aspect)
        h = w / aspect
        return max(m, int(round(w / m)) * m), max(m, int(round(h / m)) * m)

    def vram_needed(self, profile: str) -> float | None:
        return self.vram_gb.get(profile)


def _spec_from_dict(d: dict[str, Any], where: str) -> ModelSpec:
    try:
        frames = d.get("frames") or {}
        steps = {str(k): int(v) for k, v in dict(d["steps"]).items()}
        if "standard" not in steps:
            raise CatalogueError(f"{where}: steps must have a 'standard' entry")
        spec = ModelSpec(
            id=str(d["id"]),
            name=str(d.get("name") or d["id"]),
            kind=str(d.get("kind", "video")),
            family=str(d["family"]),
            repo=str(d.get("repo", "")),
            pipeline=d.get("pipeline"),
            image_pipeline=d.get("image_pipeline"),
            steps=steps,
            guidance=float(d.get("guidance", 5.0)),
            dtype=str(d.get("dtype", "bfloat16")),
            component_dtypes={str(k): str(v) for k, v in dict(d.get("component_dtypes") or {}).items()},
            allow_patterns=tuple(d.get("allow_patterns") or ()),
            native_size=tuple(int(x) for x in d.get("native_size", (0, 0))),  # type: ignore[arg-type]
            size_multiple=int(d.get("size_multiple", 16)),
            fixed_size=bool(d.get("fixed_size", False)),
            frames=FrameRule(int(frames.get("step", 1)), int(frames.get("offset", 0)), int(frames.get("max", 10_000))),
            fps=int(d.get("fps", 24)),
            flow_shift=None if d.get("flow_shift") is None else float(d["flow_shift"]),
            has_audio=bool(d.get("has_audio", False)),
            can_start_from_image=bool(d.get("can_start_from_image", False)),
            needs_image=bool(d.get("needs_image", False)),
            prompt_style=str(d.get("prompt_style", "prose")),
            download_gb=float(d.get("download_gb", 0.0)),
            vram_gb={str(k): float(v) for k, v in dict(d.get("vram_gb") or {}).items()},
            vram_source=str(d.get("vram_source", "typed")),
            max_seconds=float(d.get("max_seconds", 0.0)),
            max_sequence_length=None if d.get("max_sequence_length") is None else int(d["max_sequence_length"]),
            call_defaults=dict(d.get("call_defaults") or {}),
            image_call_defaults=dict(d.get("image_call_defaults") or {}),
            scheduler=dict(d.get("scheduler") or {}),
            guider=dict(d.get("guider") or {}),
            continuation=str(d.get("continuation") or ""),
            recipe_source=str(d.get("recipe_source") or ""),
        )
    except KeyError as exc:
        raise CatalogueError(f"{where}: missing field {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, CatalogueError):
            raise
        raise CatalogueError(f"{where}: {exc}") from None
    if spec.kind not in ("video", "audio"):
        raise CatalogueError(f"{where}: kind must be 'video' or 'audio', not {spec.kind!r}")
    if spec.kind == "video":
        if not spec.pipeline and not spec.image_pipeline:
            raise CatalogueError(f"{where}: a video model needs 'pipeline' or 'image_pipeline'")
        if spec.native_size[0] % spec.size_multiple or spec.native_size[1] % spec.size_multiple:
            raise CatalogueError(f"{where}: native_size {spec.native_size} is not a multiple of {spec.size_multiple}")
        if not spec.frames.accepts(spec.frames.snap(1)):
            raise CatalogueError(f"{where}: the frame rule {spec.frames} accepts no count")
    unknown = set(spec.vram_gb) - set(PROFILES)
    if unknown:
        raise CatalogueError(f"{where}: unknown memory profile(s) {sorted(unknown)}; use {', '.join(PROFILES)}")
    return spec


@lru_cache(maxsize=1)
def load_catalogue(path: Path = CATALOGUE_FILE) -> tuple[ModelSpec, ...]:
    """Every model in the catalogue, in file order."""
    try:
        doc = json.loads(Path(path).read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read the model catalogue ({exc})") from None
    specs = tuple(_spec_from_dict(d, f"{path.name} models[{i}]") for i, d in enumerate(doc.get("models", [])))
    ids = [s.id for s in specs]
    if len(ids) != len(set(ids)):
        raise CatalogueError(f"{path}: two models share an id")
    return specs


def find_spec(model_id: str) -> ModelSpec | None:
    return next((s for s in load_catalogue() if s.id == model_id), None)


def video_models() -> tuple[ModelSpec, ...]:
    return tuple(s for s in load_catalogue() if s.kind == "video")


def audio_models() -> tuple[ModelSpec, ...]:
    return tuple(s for s in load_catalogue() if s.kind == "audio")


def spec_for_folder(folder: Path) -> ModelSpec:
    """The facts for a diffusers model folder: its studio_model.json over the matching catalogue entry.

    The match is the card's ``base`` id, else the first catalogue entry whose
    pipeline class is the folder's ``model_index.json`` ``_class_name``.
    """
    folder = Path(folder)
    index_file = folder / "model_index.json"
    try:
        index = json.loads(index_file.read_text("utf-8"))
        class_name = str(index["_class_name"])
    except FileNotFoundError:
        raise CatalogueError(f"{folder}: not a diffusers model folder (no model_index.json)") from None
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CatalogueError(f"{index_file}: unreadable model index ({exc})") from None
    card: dict[str, Any] = {}
    card_file = folder / LOCAL_CARD
    if card_file.is_file():
        try:
            card = json.loads(card_file.read_text("utf-8"))
            if not isinstance(card, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            raise CatalogueError(f"{card_file}: unreadable ({exc})") from None
    base = find_spec(card["base"]) if card.get("base") else None
    if base is None:
        base = next((s for s in load_catalogue() if class_name in (s.pipeline, s.image_pipeline)), None)
    if base is None:
        known = sorted({c for s in load_catalogue() for c in (s.pipeline, s.image_pipeline) if c})
        raise CatalogueError(f"{folder}: pipeline {class_name} is not one Studio drives (known: {', '.join(known)})")
    merged = _spec_to_dict(base)
    merged.update({k: v for k, v in card.items() if k != "base"})
    merged["id"] = str(card.get("id") or folder.name)
    merged["repo"] = str(folder)
    # The folder's own pipeline class is the truth for what it loads as.
    if class_name == base.image_pipeline and class_name != base.pipeline:
        merged.setdefault("image_pipeline", class_name)
    else:
        merged["pipeline"] = card.get("pipeline", class_name)
    return replace(_spec_from_dict(merged, str(card_file if card else index_file)), local=True, base=base.id)


def _spec_to_dict(spec: ModelSpec) -> dict[str, Any]:
    return {
        "id": spec.id, "name": spec.name, "kind": spec.kind, "family": spec.family, "repo": spec.repo,
        "pipeline": spec.pipeline, "image_pipeline": spec.image_pipeline, "steps": dict(spec.steps),
        "guidance": spec.guidance, "dtype": spec.dtype, "component_dtypes": dict(spec.component_dtypes),
        "allow_patterns": list(spec.allow_patterns),
        "native_size": list(spec.native_size), "size_multiple": spec.size_multiple, "fixed_size": spec.fixed_size,
        "frames": {"step": spec.frames.step, "offset": spec.frames.offset, "max": spec.frames.max},
        "fps": spec.fps, "flow_shift": spec.flow_shift, "has_audio": spec.has_audio,
        "can_start_from_image": spec.can_start_from_image, "needs_image": spec.needs_image,
        "prompt_style": spec.prompt_style, "download_gb": spec.download_gb, "vram_gb": dict(spec.vram_gb),
        "vram_source": spec.vram_source,
        "max_seconds": spec.max_seconds, "max_sequence_length": spec.max_sequence_length,
        "call_defaults": dict(spec.call_defaults), "image_call_defaults": dict(spec.image_call_defaults),
        "scheduler": dict(spec.scheduler), "guider": dict(spec.guider), "continuation": spec.continuation,
        "recipe_source": spec.recipe_source,
    }


def spec_as_dict(spec: ModelSpec) -> dict[str, Any]:
    """A JSON-ready dict of a spec (for `studio models list --json`)."""
    return _spec_to_dict(spec)
