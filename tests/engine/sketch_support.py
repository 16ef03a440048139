"""Small builders for the Sketch engine tests: requests and frame measurements."""

from __future__ import annotations

import hashlib

import numpy as np

from studio.domain.model import CameraMove, Canvas, Character, Shot, StoryBible
from studio.engine.protocol import GenerateRequest
from studio.engine.sketch.render import ShotRenderer, ShotSpec, plan_shot

HANA = Character("char_hana", "Hana", "purple coat, long black hair, red backpack")
KEN = Character("char_ken", "Ken", "green hoodie, grey trousers, short brown hair, glasses")


def request(prompt: str, *, size=(320, 180), frames: int = 24, fps: int = 24, seed: int = 1,
            camera: CameraMove = CameraMove.STATIC, cast: tuple[Character, ...] = (), style: str = "",
            setting: str = "", job_id: str = "job") -> GenerateRequest:
    shot = Shot(id="shot_test", prompt=prompt, duration_frames=frames, camera=camera,
                characters=tuple(c.id for c in cast), seed=seed)
    bible = StoryBible(characters=cast, style=style, setting=setting)
    return GenerateRequest(shot=shot, bible=bible, canvas=Canvas(*size), fps=fps, seed=seed, engine="sketch", job_id=job_id)


def spec(prompt: str, **kw) -> ShotSpec:
    return ShotSpec.from_request(request(prompt, **kw))


def render(prompt: str, **kw):
    """(plan, frames) for a prompt, through the same spec the engine builds."""
    plan = plan_shot(spec(prompt, **kw))
    return plan, ShotRenderer(plan).render()


def digest(frames: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(frames).tobytes()).hexdigest()


def motion(frames: np.ndarray) -> np.ndarray:
    """Mean absolute difference of each frame from the one before (0 for the first)."""
    f = frames.astype(np.int16)
    d = np.abs(np.diff(f, axis=0)).mean(axis=(1, 2, 3))
    return np.concatenate([[0.0], d])


def luminance(frames: np.ndarray) -> float:
    f = frames.astype(np.float32)
    return float((0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]).mean())
