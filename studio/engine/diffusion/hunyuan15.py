"""HunyuanVideo 1.5 (8.3 B): HunyuanVideo15Pipeline (text) and HunyuanVideo15ImageToVideoPipeline (image).

Guidance is not a call argument here: the pipeline runs a diffusers guider
(``ClassifierFreeGuidance``) whose scale is its config, so `prepare` puts the
catalogue's guidance (and any ``guider`` recipe entries) on ``pipe.guider``. The
flow shift is the FlowMatchEuler scheduler's ``shift`` (5.0 at 480p, 9.0/7.0 at 720p
text/image, diffusers' scripts/convert_hunyuan_video1_5_to_diffusers.py). The
image-to-video pipeline takes no size: it follows the start image, which the engine
has already fitted to the snapped size. Neither pipeline has ``callback_on_step_end``,
so the engine observes each scheduler step instead (recipe.SchedulerStepHook).
Latents are ``[batch, channels, frames, height, width]``; the VAE is causal.
"""

from __future__ import annotations

from typing import Any

from studio.engine.diffusion.job import DiffusionJob
from studio.engine.diffusion.recipe import recipe_kwargs

PIPELINES = ("HunyuanVideo15Pipeline", "HunyuanVideo15ImageToVideoPipeline")

NOT_APPLICABLE = frozenset({
    # Inputs Studio never gives: it passes prompts as text and starts from noise.
    "latents", "prompt_embeds", "negative_prompt_embeds", "return_dict", "attention_kwargs",
    "prompt_embeds_mask", "negative_prompt_embeds_mask", "prompt_embeds_2", "prompt_embeds_mask_2",
    "negative_prompt_embeds_2", "negative_prompt_embeds_mask_2",
})
"""Call parameters of PIPELINES that no recipe sets (test_diffusion_recipes checks every other one is passed)."""


def prepare(pipe, job: DiffusionJob) -> None:
    """The recipe's flow shift on the scheduler and its guidance on the guider."""
    shift = job.spec.flow_shift
    scheduler = pipe.scheduler
    if shift is not None and "shift" in scheduler.config and scheduler.config.shift != shift:
        pipe.scheduler = type(scheduler).from_config(scheduler.config, shift=shift)
    guider = getattr(pipe, "guider", None)
    if guider is not None:
        wanted = {"guidance_scale": float(job.guidance), **job.spec.guider}
        if any(guider.config.get(k) != v for k, v in wanted.items()):
            pipe.guider = guider.new(**wanted)


def call_kwargs(job: DiffusionJob) -> dict[str, Any]:
    kwargs: dict[str, Any] = dict(
        prompt=job.prompt,
        negative_prompt=job.negative_prompt,
        num_frames=job.num_frames,
        num_inference_steps=job.steps,
        generator=job.generator,
        num_videos_per_prompt=1,
        output_type="np",
    )
    if job.image is None:  # the image-to-video pipeline takes its size from the image
        kwargs.update(height=job.height, width=job.width)
    kwargs.update(recipe_kwargs(job))
    kwargs.pop("max_sequence_length", None)  # not a HunyuanVideo 1.5 call argument
    return kwargs


def first_latent_frame(latents, pipe, job: DiffusionJob):
    return latents[0, :, 0]


def preview_latents(latents, pipe, job: DiffusionJob):
    """(the first latent frame ``[1, C, 1, h, w]`` divided by the VAE's scaling factor, as the
    pipeline's decode does; its VAE is causal, so one latent frame gives the first picture frame)."""
    z = latents[:1, : int(pipe.vae.config.latent_channels), :1].float()
    return z / float(pipe.vae.config.scaling_factor), None


def read_output(out, pipe):
    return out.frames[0], None
