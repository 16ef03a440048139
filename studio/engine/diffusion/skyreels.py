"""SkyReels-V2 diffusion forcing: SkyReelsV2DiffusionForcingPipeline (text) and
SkyReelsV2DiffusionForcingImageToVideoPipeline (image).

A Wan-architecture model sampled by diffusion forcing: each latent frame has its own
noise level, so the pipeline makes a clip longer than its context (``base_num_frames``)
by itself, window after window, each conditioned on the last ``overlap_history``
frames of the one before. The catalogue's frame rule therefore allows long clips in
one call; Studio's own windowed path is needed only past that. ``ar_step`` and
``causal_block_size`` choose synchronous (0, unset) or asynchronous sampling, and
``addnoise_condition`` the noise on the carried frames, as the SkyReels-V2 README
and diffusers' skyreels_v2 docs give them. The flow shift is set on the scheduler
(8.0 text, 5.0 image). Latents are Wan's ``[batch, channels, frames, height, width]``.
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion import wan
from studio.engine.diffusion.job import DiffusionJob
from studio.engine.diffusion.recipe import recipe_kwargs

PIPELINES = ("SkyReelsV2DiffusionForcingPipeline", "SkyReelsV2DiffusionForcingImageToVideoPipeline")

NOT_APPLICABLE = frozenset({
    # Inputs Studio never gives: it passes prompts as text and starts from noise.
    "latents", "prompt_embeds", "negative_prompt_embeds", "return_dict", "attention_kwargs",
    # Set by the engine on every call (previews and cancel).
    "callback_on_step_end", "callback_on_step_end_tensor_inputs",
    "image_embeds", "last_image",  # first-and-last-frame conditioning: not a Studio shot input
})
"""Call parameters of PIPELINES that no recipe sets (test_diffusion_recipes checks every other one is passed)."""

prepare = wan.prepare  # the same UniPC scheduler and flow_shift as Wan


def call_kwargs(job: DiffusionJob) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(
        prompt=job.prompt,
        negative_prompt=job.negative_prompt,
        height=job.height,
        width=job.width,
        num_frames=job.num_frames,
        fps=job.fps,
        num_inference_steps=job.steps,
        guidance_scale=job.guidance,
        generator=job.generator,
        num_videos_per_prompt=1,
        output_type="np",
    )
    kwargs.update(recipe_kwargs(job))
    return kwargs


first_latent_frame = wan.first_latent_frame
preview_latents = wan.preview_latents  # Wan's VAE: latents * std + mean, causal


def read_output(out, pipe):
    return out.frames[0], None
