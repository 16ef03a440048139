"""Live previews: a cheap look at the current latents, every few steps.

Decoding with the VAE on every preview would cost a large share of a step
(and VRAM the denoiser needs), so a preview is a false-colour picture of the
first latent frame: its channels projected onto their three main components
(PCA), stretched to 0..255 and scaled up to the generation size. It shows the
composition and motion taking shape; colours are not the final ones.
"""

from __future__ import annotations

import numpy as np

PREVIEW_EVERY_STEPS = 2
"""A preview after the first step and then every this many steps (and after the last)."""


def latent_preview(latent_chw, width: int, height: int) -> np.ndarray:
    """An H×W×3 uint8 picture of one latent frame (``[channels, h, w]``, torch or numpy)."""
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
    ys = np.minimum((np.arange(height) * h) // max(1, height), h - 1)
    xs = np.minimum((np.arange(width) * w) // max(1, width), w - 1)
    return np.ascontiguousarray(small[ys][:, xs])


def should_preview(step_index: int, total_steps: int) -> bool:
    """Whether step ``step_index`` (0-based) gets a preview."""
    return step_index == 0 or (step_index + 1) % PREVIEW_EVERY_STEPS == 0 or step_index == total_steps - 1
