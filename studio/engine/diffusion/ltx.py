"""LTX-Video: LTXPipeline, LTXImageToVideoPipeline and LTXConditionPipeline (the distilled 0.9.7).

LTX packs its latents into tokens, ``[batch, frames*height*width, channels]``
with a 1×1×1 patch, so a preview unpacks the first latent frame from the
token sequence. Every LTX pipeline takes the frame rate (it conditions the
motion) and the start frame as ``image``.
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion.job import DiffusionJob

PIPELINES = ("LTXPipeline", "LTXImageToVideoPipeline", "LTXConditionPipeline")


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
        output_type="np",
    )
    if job.max_sequence_length:
        kwargs["max_sequence_length"] = job.max_sequence_length
    if job.image is not None:
        kwargs["image"] = job.image
    return kwargs


def first_latent_frame(latents, pipe, job: DiffusionJob):
    """Unpack the first latent frame, ``[channels, height, width]``, from the token sequence."""
    if latents.ndim == 5:  # already unpacked [B, C, F, H, W]
        return latents[0, :, 0]
    spatial = int(pipe.vae_spatial_compression_ratio) * int(getattr(pipe, "transformer_spatial_patch_size", 1))
    h, w = job.height // spatial, job.width // spatial
    tokens = latents[0, : h * w]  # the first frame's tokens come first
    return tokens.reshape(h, w, -1).permute(2, 0, 1)


def read_output(out, pipe):
    return out.frames[0], None
