"""Wan (2.1 and 2.2): how Studio drives WanPipeline and WanImageToVideoPipeline.

Latents are ``[batch, channels, frames, height, width]``; the image-to-video
pipeline takes the start frame as ``image`` (Wan 2.2 TI2V puts it in the first
latent frame; Wan 2.1 I2V also reads it through its CLIP image encoder).
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion.job import DiffusionJob
from studio.engine.diffusion.recipe import recipe_kwargs

PIPELINES = ("WanPipeline", "WanImageToVideoPipeline")

NOT_APPLICABLE = frozenset({
    # Inputs Studio never gives: it passes prompts as text and starts from noise.
    "latents", "prompt_embeds", "negative_prompt_embeds", "return_dict", "attention_kwargs",
    # Set by the engine on every call (previews and cancel).
    "callback_on_step_end", "callback_on_step_end_tensor_inputs",
    "image_embeds",  # the pipeline computes them from ``image`` with its CLIP encoder (Wan 2.1 I2V)
    "last_image",  # first-and-last-frame conditioning: not a Studio shot input
})
"""Call parameters of PIPELINES that no recipe sets (test_diffusion_recipes checks every other one is passed)."""


def prepare(pipe, job: DiffusionJob) -> None:
    """Set the scheduler's flow shift from the catalogue (480p wants 3.0, 720p 5.0)."""
    shift = job.spec.flow_shift
    scheduler = pipe.scheduler
    if shift is not None and "flow_shift" in scheduler.config and scheduler.config.flow_shift != shift:
        pipe.scheduler = type(scheduler).from_config(scheduler.config, flow_shift=shift)


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
        num_videos_per_prompt=1,
        output_type="np",
    )
    kwargs.update(recipe_kwargs(job))
    return kwargs


def first_latent_frame(latents, pipe, job: DiffusionJob):
    """The first latent frame as ``[channels, height, width]``."""
    return latents[0, :, 0]


def preview_latents(latents, pipe, job: DiffusionJob):
    """(VAE-space latents of the first frame ``[1, C, 1, h, w]``, no decode timestep).

    The pipeline's own un-normalisation before its decode: ``latents * std + mean``
    from the VAE config. Wan's VAE is causal, so one latent frame decodes to
    exactly the first picture frame.
    """
    import torch

    z = latents[:1, :, :1].float()
    cfg = pipe.vae.config
    mean = torch.tensor(cfg.latents_mean, dtype=z.dtype, device=z.device).view(1, cfg.z_dim, 1, 1, 1)
    std = torch.tensor(cfg.latents_std, dtype=z.dtype, device=z.device).view(1, cfg.z_dim, 1, 1, 1)
    return z * std + mean, None


def read_output(out, pipe):
    """(frames as F×H×W×3 floats in 0..1, None: Wan makes no sound)."""
    return out.frames[0], None
