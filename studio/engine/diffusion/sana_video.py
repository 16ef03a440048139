"""SANA-Video 2B (NVIDIA, block linear attention): SanaVideoPipeline and SanaImageToVideoPipeline.

A small, fast model: linear attention keeps a 480p × 81-frame clip cheap. Its call
names the frame count ``frames`` (not ``num_frames``) and takes the Gemma-2
"complex human instruction" the authors prepend to prompts; resolution binning is
off because the engine already snapped the size (multiples of 32). The flow shift
(8.0 in diffusers' sana_video docs) is set on the FlowMatchEuler scheduler.
Latents are ``[batch, channels, frames, height, width]``; the 480p checkpoint decodes
with Wan 2.1's VAE (``latents / (1/std) + mean``).
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion import wan
from studio.engine.diffusion.job import DiffusionJob
from studio.engine.diffusion.recipe import recipe_kwargs

PIPELINES = ("SanaVideoPipeline", "SanaImageToVideoPipeline")

NOT_APPLICABLE = frozenset({
    # Inputs Studio never gives: it passes prompts as text and starts from noise.
    "latents", "prompt_embeds", "negative_prompt_embeds", "return_dict", "attention_kwargs",
    "prompt_attention_mask", "negative_prompt_attention_mask",
    # Set by the engine on every call (previews and cancel).
    "callback_on_step_end", "callback_on_step_end_tensor_inputs",
})
"""Call parameters of PIPELINES that no recipe sets (test_diffusion_recipes checks every other one is passed)."""


def prepare(pipe, job: DiffusionJob) -> None:
    """The recipe's flow shift on the scheduler (FlowMatchEuler's ``shift``, or UniPC's ``flow_shift``)."""
    shift = job.spec.flow_shift
    scheduler = pipe.scheduler
    if shift is None:
        return
    for key in ("flow_shift", "shift"):
        if key in scheduler.config:
            if scheduler.config[key] != shift:
                pipe.scheduler = type(scheduler).from_config(scheduler.config, **{key: shift})
            return


def call_kwargs(job: DiffusionJob) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(
        prompt=job.prompt,
        negative_prompt=job.negative_prompt,
        height=job.height,
        width=job.width,
        frames=job.num_frames,
        num_inference_steps=job.steps,
        guidance_scale=job.guidance,
        generator=job.generator,
        num_videos_per_prompt=1,
        output_type="np",
    )
    kwargs.update(recipe_kwargs(job))
    return kwargs


def first_latent_frame(latents, pipe, job: DiffusionJob):
    return latents[0, :, 0]


def preview_latents(latents, pipe, job: DiffusionJob):
    """Wan's un-normalisation when the VAE is Wan's; otherwise the pipeline's plain decode input."""
    if hasattr(pipe.vae.config, "latents_mean") and hasattr(pipe.vae.config, "z_dim"):
        return wan.preview_latents(latents, pipe, job)
    return latents[:1, :, :1].float(), None


def read_output(out, pipe):
    return out.frames[0], None
