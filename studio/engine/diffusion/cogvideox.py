"""CogVideoX: CogVideoXPipeline (2B, text-to-video) and CogVideoXImageToVideoPipeline (5B I2V).

Latents are ``[batch, frames, channels, height, width]`` (frames before
channels, unlike Wan). The 2B model was trained at 720×480 and 49 frames
at 8 fps, so the catalogue fixes its size; the engine resamples to the
project's frame rate.
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion.job import DiffusionJob
from studio.engine.diffusion.recipe import recipe_kwargs

PIPELINES = ("CogVideoXPipeline", "CogVideoXImageToVideoPipeline")

NOT_APPLICABLE = frozenset({
    # Inputs Studio never gives: it passes prompts as text and starts from noise.
    "latents", "prompt_embeds", "negative_prompt_embeds", "return_dict", "attention_kwargs",
    # Set by the engine on every call (previews and cancel).
    "callback_on_step_end", "callback_on_step_end_tensor_inputs",
})
"""Call parameters of PIPELINES that no recipe sets (test_diffusion_recipes checks every other one is passed)."""


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
        num_videos_per_prompt=1,
        output_type="np",
    )
    kwargs.update(recipe_kwargs(job))
    return kwargs


def first_latent_frame(latents, pipe, job: DiffusionJob):
    return latents[0, 0]


def preview_latents(latents, pipe, job: DiffusionJob):
    """(VAE-space latents of the first decode slice ``[1, C, k, h, w]``, no decode timestep).

    As ``decode_latents`` does: skip the padding frames CogVideoX 1.5 puts in
    front (its transformer's temporal patch), frames after channels, divide by
    the VAE's scaling factor. Only the VAE's first decode slice is decoded
    (three of CogVideoX 2B's thirteen latent frames).
    """
    patch_t = getattr(pipe.transformer.config, "patch_size_t", None)
    padding = 0
    if patch_t:
        latent_frames = (job.num_frames - 1) // int(pipe.vae_scale_factor_temporal) + 1
        if latent_frames % patch_t:
            padding = patch_t - latent_frames % patch_t
    # The VAE decodes in slices of latent frames whose group norms span the slice, so the
    # first picture frame depends on the whole first slice (the batch size plus the remainder).
    total = latents.shape[1] - padding
    batch = int(getattr(pipe.vae, "num_latent_frames_batch_size", 1) or 1)
    first_slice = min(total, batch + total % batch) if total >= batch else total
    z = latents[:1, padding:padding + first_slice].permute(0, 2, 1, 3, 4).float()
    return z / float(pipe.vae_scaling_factor_image), None


def read_output(out, pipe):
    return out.frames[0], None
