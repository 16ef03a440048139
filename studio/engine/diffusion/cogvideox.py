"""CogVideoX: CogVideoXPipeline (2B, text-to-video) and CogVideoXImageToVideoPipeline (5B I2V).

Latents are ``[batch, frames, channels, height, width]`` (frames before
channels, unlike Wan). The 2B model was trained at 720×480 and 49 frames
at 8 fps, so the catalogue fixes its size; the engine resamples to the
project's frame rate.
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion.job import DiffusionJob

PIPELINES = ("CogVideoXPipeline", "CogVideoXImageToVideoPipeline")


def prepare(pipe, job: DiffusionJob) -> None:
    """Nothing to adjust."""


def call_kwargs(job: DiffusionJob) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(
        prompt=job.prompt,
        negative_prompt=job.negative_prompt,
        height=job.height,
        width=job.width,
        num_frames=job.num_frames,
        num_inference_steps=job.steps,
        guidance_scale=job.guidance,
        generator=job.generator,
        output_type="np",
    )
    if job.max_sequence_length:
        kwargs["max_sequence_length"] = job.max_sequence_length
    if job.image is not None:
        kwargs["image"] = job.image
    return kwargs


def first_latent_frame(latents, pipe, job: DiffusionJob):
    return latents[0, 0]


def read_output(out, pipe):
    return out.frames[0], None
