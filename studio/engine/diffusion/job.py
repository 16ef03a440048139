"""One generation as a diffusion pipeline sees it: the snapped size, frame
count, steps and prompt for a `GenerateRequest` on a given model.

`plan_job` does the arithmetic (and nothing else), so the snapped values can
be shown before anything loads and recorded in the take afterwards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from studio.engine.diffusion.catalogue import ModelSpec
from studio.engine.protocol import EngineError, GenerateRequest

SEED_POLICY = "shot-seed-cpu-generator"
"""Recorded in every take: the noise comes from a CPU torch.Generator seeded with the
shot's seed (or the --seed override), so one seed gives the same noise on any device."""


@dataclass(frozen=True)
class SizePlan:
    """What will be generated, in the model's terms, for a shot."""

    width: int
    height: int
    num_frames: int
    fps: int
    steps: int
    guidance: float
    requested_frames: int
    """The model frames the shot's length asked for before snapping."""
    stretched: bool
    """True when the shot is longer than the model's longest clip (played slower)."""


def plan_size(spec: ModelSpec, request: GenerateRequest) -> SizePlan:
    """Snap the request's canvas and length to what ``spec`` accepts.

    The canvas keeps its aspect at the model's native pixel count (a ``short_side``
    setting scales it); the length becomes ``seconds × model fps`` frames, rounded up to
    the model's rule (``4k+1``, ``8k+1``) and capped at its longest clip.
    """
    width, height = spec.snap_size(request.canvas.width, request.canvas.height)
    short = request.setting("short_side")
    if short and not spec.fixed_size:
        m = spec.size_multiple
        scale = int(short) / min(width, height)
        width = max(m, int(round(width * scale / m)) * m)
        height = max(m, int(round(height * scale / m)) * m)
    seconds = request.frames / request.fps
    wanted = max(1, math.ceil(seconds * spec.fps - 1e-9))
    frames = spec.frames.snap(wanted)
    steps_setting = request.setting("steps")
    steps = int(steps_setting) if steps_setting else spec.steps_for(request.quality)
    if steps < 1:
        raise EngineError(f"steps must be at least 1, got {steps}", "fix the shot's 'steps' engine setting")
    guidance_setting = request.setting("guidance")
    guidance = float(guidance_setting) if guidance_setting is not None else spec.guidance
    return SizePlan(width, height, frames, spec.fps, steps, guidance, wanted, frames < wanted)


@dataclass
class DiffusionJob:
    """Everything a family module needs for one pipeline call."""

    spec: ModelSpec
    prompt: str
    negative_prompt: str
    width: int
    height: int
    num_frames: int
    fps: int
    steps: int
    guidance: float
    generator: Any
    image: Any = None
    """A PIL image to start from (image-to-video), or None."""
    max_sequence_length: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
