"""Kandinsky 5.0 Video Lite (2 B): Kandinsky5T2VPipeline and Kandinsky5I2VPipeline.

Text from Qwen2.5-VL 7B and CLIP ViT-L; the HunyuanVideo VAE (4× time, 8× space,
causal). Latents are channels-last, ``[batch, frames, height, width, channels]``, with
the visual-conditioning channels appended after the latent ones. The 5 s checkpoints
make 121 frames at 24 fps; the distilled ones run 16 steps without guidance
(diffusers' kandinsky5_video docs).
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion.job import DiffusionJob
from studio.engine.diffusion.recipe import recipe_kwargs

PIPELINES = ("Kandinsky5T2VPipeline", "Kandinsky5I2VPipeline")

NOT_APPLICABLE = frozenset({
    # Inputs Studio never gives: it passes prompts as text and starts from noise.
    "latents", "return_dict",
    "prompt_embeds_qwen", "prompt_embeds_clip", "negative_prompt_embeds_qwen", "negative_prompt_embeds_clip",
    "prompt_cu_seqlens", "negative_prompt_cu_seqlens",
    # Set by the engine on every call (previews and cancel).
    "callback_on_step_end", "callback_on_step_end_tensor_inputs",
})
"""Call parameters of PIPELINES that no recipe sets (test_diffusion_recipes checks every other one is passed)."""


def prepare(pipe, job: DiffusionJob) -> None:
    """Nothing to adjust: the scheduler's shift is the checkpoint's own."""


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
    """``[channels, height, width]`` of the first latent frame (the latent channels only)."""
    channels = int(pipe.transformer.config.out_visual_dim)
    return latents[0, 0, :, :, :channels].permute(2, 0, 1)


def preview_latents(latents, pipe, job: DiffusionJob):
    """As the pipeline's decode: channels first, divided by the VAE's scaling factor; one
    latent frame (the VAE is causal)."""
    channels = int(pipe.transformer.config.out_visual_dim)
    z = latents[:1, :1, :, :, :channels].permute(0, 4, 1, 2, 3).float()
    return z / float(pipe.vae.config.scaling_factor), None


def read_output(out, pipe):
    return out.frames[0], None
