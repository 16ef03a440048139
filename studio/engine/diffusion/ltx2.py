"""LTX-2: joint video and sound (LTX2Pipeline, LTX2ImageToVideoPipeline).

One denoiser makes the picture and its sound together, so dialogue, foley
and ambience land on the frames that cause them. Video latents are packed
tokens like LTX-Video's; the sound comes back from the vocoder at its own
sample rate (``vocoder.config.output_sampling_rate``) and the engine
resamples it to 48 kHz stereo.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from studio.engine.diffusion.job import DiffusionJob
from studio.engine.diffusion.recipe import recipe_kwargs

PIPELINES = ("LTX2Pipeline", "LTX2ImageToVideoPipeline")

NOT_APPLICABLE = frozenset({
    # Inputs Studio never gives: it passes prompts as text and starts from noise.
    "latents", "prompt_embeds", "negative_prompt_embeds", "return_dict", "attention_kwargs",
    # Set by the engine on every call (previews and cancel).
    "callback_on_step_end", "callback_on_step_end_tensor_inputs",
    "prompt_attention_mask", "negative_prompt_attention_mask", "audio_latents",
    "min_seconds", "max_seconds",  # only read when num_frames is None; Studio always passes num_frames
    "system_prompt", "prompt_max_new_tokens", "prompt_enhancement_kwargs", "prompt_enhancement_seed",
    # prompt enhancement is off (enable_prompt_enhancement=False in the recipe)
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
        frame_rate=float(job.fps),
        num_inference_steps=job.steps,
        guidance_scale=job.guidance,
        generator=job.generator,
        num_videos_per_prompt=1,
        output_type="np",
    )
    kwargs.update(recipe_kwargs(job))
    return kwargs


def first_latent_frame(latents, pipe, job: DiffusionJob):
    if latents.ndim == 5:
        return latents[0, :, 0]
    spatial = int(pipe.vae_spatial_compression_ratio) * int(getattr(pipe, "transformer_spatial_patch_size", 1))
    h, w = job.height // spatial, job.width // spatial
    return latents[0, : h * w].reshape(h, w, -1).permute(2, 0, 1)


def preview_latents(latents, pipe, job: DiffusionJob):
    """Like LTX-Video's (same packing, same denormalisation, a non-causal decoder)."""
    from studio.engine.diffusion import ltx

    return ltx.preview_latents(latents, pipe, job)


def read_output(out, pipe):
    """(frames F×H×W×3 in 0..1, (samples S×C float32, sample rate))."""
    audio = out.audio[0]
    if hasattr(audio, "detach"):
        audio = audio.detach().float().cpu().numpy()
    audio = np.asarray(audio, np.float32)
    if audio.ndim == 1:
        audio = audio[None, :]
    rate = int(pipe.vocoder.config.output_sampling_rate)
    return out.frames[0], (audio.T.copy(), rate)
