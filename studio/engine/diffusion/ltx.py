"""LTX-Video: LTXPipeline, LTXImageToVideoPipeline and LTXConditionPipeline (the distilled 0.9.7).

LTX packs its latents into tokens, ``[batch, frames*height*width, channels]``
with a 1×1×1 patch, so a preview unpacks the first latent frame from the
token sequence. Every LTX pipeline takes the frame rate (it conditions the
motion) and the start frame as ``image``.
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion.job import DiffusionJob
from studio.engine.diffusion.recipe import recipe_kwargs

PIPELINES = ("LTXPipeline", "LTXImageToVideoPipeline", "LTXConditionPipeline")

NOT_APPLICABLE = frozenset({
    # Inputs Studio never gives: it passes prompts as text and starts from noise.
    "latents", "prompt_embeds", "negative_prompt_embeds", "return_dict", "attention_kwargs",
    # Set by the engine on every call (previews and cancel).
    "callback_on_step_end", "callback_on_step_end_tensor_inputs",
    "prompt_attention_mask", "negative_prompt_attention_mask",
    "conditions", "video", "frame_index",  # LTXConditionPipeline: Studio conditions on ``image`` at frame 0
})
"""Call parameters of PIPELINES that no recipe sets (test_diffusion_recipes checks every other one is passed)."""


def prepare(pipe, job: DiffusionJob) -> None:
    """Nothing to adjust: the scheduler's shift follows the sequence length by itself."""


def call_kwargs(job: DiffusionJob) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(
        prompt=job.prompt,
        negative_prompt=job.negative_prompt,
        height=job.height,
        width=job.width,
        num_frames=job.num_frames,
        frame_rate=job.fps,
        num_inference_steps=job.steps,
        guidance_scale=job.guidance,
        generator=job.generator,
        num_videos_per_prompt=1,
        output_type="np",
    )
    kwargs.update(recipe_kwargs(job))
    return kwargs


def first_latent_frame(latents, pipe, job: DiffusionJob):
    """Unpack the first latent frame, ``[channels, height, width]``, from the token sequence."""
    if latents.ndim == 5:  # already unpacked [B, C, F, H, W]
        return latents[0, :, 0]
    spatial = int(pipe.vae_spatial_compression_ratio) * int(getattr(pipe, "transformer_spatial_patch_size", 1))
    h, w = job.height // spatial, job.width // spatial
    tokens = latents[0, : h * w]  # the first frame's tokens come first
    return tokens.reshape(h, w, -1).permute(2, 0, 1)


def preview_latent_frames(vae, latent_frames: int) -> int:
    """How many leading latent frames the first picture frame depends on.

    LTX decoders are not causal: each temporal convolution with kernel k also looks
    (k - 1) / 2 frames ahead, so the first picture frame sees that far into the
    latents, summed over the decoder's convolutions. Counting every one at the
    latent frame rate over-counts the layers after a temporal upsampling (they
    look less far in latent terms): the preview decodes enough, never too little.
    A causal decoder needs one frame.
    """
    default_causal = bool(getattr(vae.config, "decoder_causal", getattr(vae.config, "is_causal", False)))
    reach = 0
    for module in vae.decoder.modules():
        kernel = getattr(module, "kernel_size", None)
        if not isinstance(kernel, tuple) or len(kernel) != 3 or not hasattr(module, "conv"):
            continue
        if getattr(module, "is_causal", default_causal):
            continue
        reach += (int(kernel[0]) - 1) // 2
    return max(1, min(latent_frames, 1 + reach))


def preview_latents(latents, pipe, job: DiffusionJob):
    """(VAE-space latents of the first frames ``[1, C, k, h, w]``, the decode timestep or None).

    The pipeline's own steps before its decode: unpack the token sequence with the
    transformer's patch sizes, keep the leading frames the first picture frame depends
    on (`preview_latent_frames`), then denormalise with the VAE's ``latents_mean``,
    ``latents_std`` and scaling factor. A VAE with timestep conditioning decodes at
    the job's ``decode_timestep`` (0 unless the catalogue sets one), without the
    decode noise (it is random and would only blur the preview).
    """
    temporal = int(pipe.vae_temporal_compression_ratio)
    spatial = int(pipe.vae_spatial_compression_ratio)
    p = int(getattr(pipe, "transformer_spatial_patch_size", 1))
    pt = int(getattr(pipe, "transformer_temporal_patch_size", 1))
    z = latents[:1].float()
    if z.ndim == 3:
        frames = (job.num_frames - 1) // temporal + 1
        z = type(pipe)._unpack_latents(z, frames, job.height // spatial, job.width // spatial, p, pt)
    vae = pipe.vae
    z = z[:, :, :preview_latent_frames(vae, z.shape[2])]
    z = type(pipe)._denormalize_latents(z, vae.latents_mean, vae.latents_std, vae.config.scaling_factor)
    timestep = None
    if getattr(vae.config, "timestep_conditioning", False):
        timestep = float(job.spec.call_defaults.get("decode_timestep", 0.0) or 0.0)
    return z, timestep


def read_output(out, pipe):
    return out.frames[0], None
