"""Live previews: the first frame of the current latents, decoded by the model's own VAE.

Every few denoising steps the engine takes the latents the pipeline hands its
step callback, un-normalises them the way that family's pipeline does before
its final decode (Wan's ``latents_mean``/``latents_std``, LTX's unpacking and
denormalisation, CogVideoX's scaling factor) and decodes only the first
temporal slice, on the VAE's own device and dtype, without gradients. The
picture is the first frame the pipeline would decode from those latents: real
colours, not a projection. (Causal VAEs - Wan, CogVideoX - give exactly that
frame from one latent frame; LTX's decoder is not causal, so it gets the
first two latent frames, which is enough context for the first picture frame.)

A decode costs far more than a step on a small model, so `PreviewPacer`
keeps the previews' share of the job's time under ``PREVIEW_BUDGET``: it
decides from the step count how often a preview is due at most, and skips a
due preview when the time already spent on previews (the decode itself plus
whatever the next step lost to it, e.g. an offloaded denoiser coming back)
would go over the budget. If a decode fails the engine falls back to
`latent_preview`, a false-colour projection of the latent channels, and logs why.
"""

from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

PREVIEW_BUDGET = 0.10
"""The share of the denoising time previews may cost."""
MAX_PREVIEWS = 8
"""At most this many previews a job: a preview is due every ceil(steps / MAX_PREVIEWS) steps."""


def preview_every(total_steps: int) -> int:
    """How many steps apart previews are due at most, from the job's step count."""
    return max(1, math.ceil(total_steps / MAX_PREVIEWS))


class PreviewPacer:
    """Decides, step by step, whether a preview is worth its time.

    Call `step_ended` from the step callback (it says whether to preview now)
    and `preview_done` after a preview was made. ``clock`` is injectable so the
    arithmetic can be tested without timing anything.
    """

    def __init__(self, total_steps: int, budget: float = PREVIEW_BUDGET,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.total_steps = total_steps
        self.every = preview_every(total_steps)
        self.budget = budget
        self.clock = clock
        self.spent = 0.0
        """Seconds previews cost so far (decodes plus the slowdown of the step after each)."""
        self.elapsed = 0.0
        """Seconds of denoising so far, previews included."""
        self.cost: float | None = None
        """What the last preview cost (the estimate for the next)."""
        self.made = 0
        self._mark = clock()
        self._after_preview = False
        self._plain_steps: list[float] = []

    def _plain_step(self) -> float | None:
        """A typical step without a preview before it (the median of those seen)."""
        if not self._plain_steps:
            return None
        return float(np.median(self._plain_steps))

    def step_ended(self, step_index: int) -> bool:
        """Account for the step that just ended; True when a preview should be made now."""
        now = self.clock()
        duration = now - self._mark
        self._mark = now
        self.elapsed += duration
        if self._after_preview:
            # Under model offload a decode sends the denoiser back to the CPU; the step that
            # follows pays to bring it back, and that belongs to the preview's bill.
            typical = self._plain_step()
            if typical is not None:
                extra = max(0.0, duration - typical)
                self.spent += extra
                if self.cost is not None:
                    self.cost += extra
            self._after_preview = False
        elif step_index > 0:  # the first step carries warm-up; it is no typical step
            self._plain_steps.append(duration)
        if step_index >= self.total_steps - 1:
            return False  # the final decode follows at once; a preview of it would only delay it
        if (step_index + 1) % self.every != 0:
            return False
        if self.cost is None:
            return True  # the first one tells what a preview costs here
        return self.spent + self.cost <= self.budget * (self.elapsed + self.cost)

    def preview_done(self) -> None:
        """Account for a preview that was just made (call right after it)."""
        now = self.clock()
        seconds = now - self._mark
        self._mark = now
        self.elapsed += seconds
        self.spent += seconds
        self.cost = seconds
        self.made += 1
        self._after_preview = True


def decode_first_frame(pipe, latents_5d, timestep: float | None = None) -> np.ndarray:
    """Decode ``[1, C, F, h, w]`` VAE-space latents; the first picture frame as H×W×3 uint8.

    Runs on the VAE's execution device in its dtype, without gradients; the
    pixel conversion is the pipelines' own (``x / 2 + 0.5`` clipped, then the
    engine's rounding to 8 bits).
    """
    import torch
    from diffusers.utils.torch_utils import get_module_execution_device

    vae = pipe.vae
    with torch.no_grad():
        z = latents_5d.to(get_module_execution_device(vae), dtype=vae.dtype)
        if timestep is None:
            decoded = vae.decode(z, return_dict=False)[0]
        else:
            temb = torch.tensor([timestep] * z.shape[0], device=z.device, dtype=z.dtype)
            decoded = vae.decode(z, temb, return_dict=False)[0]
        first = decoded[0, :, 0].float().clamp(-1.0, 1.0) / 2.0 + 0.5
        rgb = first.permute(1, 2, 0).cpu().numpy()
    return np.ascontiguousarray((np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))


def latent_preview(latent_chw, width: int, height: int) -> np.ndarray:
    """The fallback: an H×W×3 uint8 false-colour picture of one latent frame (``[channels, h, w]``).

    The channels are projected onto their three main components (PCA) and
    stretched to 0..255: the composition shows, the colours are not the final ones.
    """
    if hasattr(latent_chw, "detach"):
        latent_chw = latent_chw.detach().float().cpu().numpy()
    x = np.asarray(latent_chw, np.float64)
    c, h, w = x.shape
    pixels = x.reshape(c, h * w).T
    pixels = pixels - pixels.mean(axis=0, keepdims=True)
    if c >= 3:
        # Principal directions of the channels; the sign is fixed so colours don't flip between previews.
        _, _, vt = np.linalg.svd(pixels, full_matrices=False)
        basis = vt[:3]
        basis *= np.sign(basis.sum(axis=1, keepdims=True) + 1e-12)
        rgb = pixels @ basis.T
    else:
        rgb = np.repeat(pixels[:, :1], 3, axis=1)
    lo = np.percentile(rgb, 2, axis=0)
    hi = np.percentile(rgb, 98, axis=0)
    rgb = np.clip((rgb - lo) / np.maximum(hi - lo, 1e-6), 0.0, 1.0)
    small = (rgb.reshape(h, w, 3) * 255.0 + 0.5).astype(np.uint8)
    return fit_preview(small, width, height)


def fit_preview(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """``frame`` at ``width``×``height`` (nearest neighbour; previews are small and cheap)."""
    h, w = frame.shape[:2]
    if (h, w) == (height, width):
        return frame
    ys = np.minimum((np.arange(height) * h) // max(1, height), h - 1)
    xs = np.minimum((np.arange(width) * w) // max(1, width), w - 1)
    return np.ascontiguousarray(frame[ys][:, xs])
