"""Text-to-audio with open models: Stable Audio Open 1.0 and AudioLDM 2, through diffusers.

For the sound design: ``generate_audio("rain on a tin roof", 6.0)`` returns an
`AudioClip` of exactly 6 s, stereo float32 at 48 kHz (Studio's stem format),
whatever the model's own rate (44.1 kHz stereo for Stable Audio Open, 16 kHz
mono for AudioLDM 2). A request longer than the model's longest clip is made
from consecutive clips (seeds ``seed, seed+1, …``) joined with short
equal-power crossfades. One `TextToAudio` keeps its pipeline loaded between
calls; models come from the catalogue (installed with ``studio models
install``) or a local folder, never a silent download.
"""

from __future__ import annotations

import logging
import math
import os
import types
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from studio.engine.diffusion.device import CPU_PROFILE, apply_profile, choose_profile, free_vram_gb, pick_device, pick_dtype
from studio.engine.diffusion.loader import ModelSource, load_pipeline, resolve_model
from studio.engine.protocol import CancelledError, CancelToken, EngineError

log = logging.getLogger(__name__)

SAMPLE_RATE = 48_000
DEFAULT_AUDIO_MODEL = "stable-audio-open-1.0"
CROSSFADE_S = 0.25
"""Overlap between two consecutive clips of one long request."""

ProgressFn = Callable[[int, int], None]
"""(steps done, steps total) over the whole request."""


@dataclass(frozen=True)
class AudioClip:
    """Generated sound: ``samples`` is S×2 float32 at 48 kHz, S = round(seconds × 48000)."""

    samples: np.ndarray = field(repr=False)
    sample_rate: int
    seconds: float
    model: str
    seed: int
    prompt: str
    steps: int


def _family_call(family: str, pipe, prompt: str, negative: str, seconds: float, steps: int, guidance: float,
                 generator, callback) -> tuple[np.ndarray, int]:
    """One pipeline call; returns (samples S×C float32, the model's sample rate)."""
    if family == "stable_audio":
        out = pipe(prompt=prompt, negative_prompt=negative or None, audio_end_in_s=seconds,
                   num_inference_steps=steps, guidance_scale=guidance, generator=generator,
                   callback=callback, callback_steps=1, output_type="pt")
        audio = out.audios[0].detach().float().cpu().numpy()  # [channels, samples]
        return audio.T.copy(), int(pipe.vae.sampling_rate)
    if family == "audioldm2":
        _patch_language_model(pipe)
        out = pipe(prompt=prompt, negative_prompt=negative or None, audio_length_in_s=seconds,
                   num_inference_steps=steps, guidance_scale=guidance, generator=generator,
                   callback=callback, callback_steps=1, output_type="np")
        audio = np.asarray(out.audios[0], np.float32)  # [samples], mono
        return audio[:, None], int(pipe.vocoder.config.sampling_rate)
    raise EngineError(f"no text-to-audio driver for the {family} family", "choose stable-audio-open-1.0 or audioldm2")


def _patch_language_model(pipe) -> None:
    """AudioLDM 2 steps its GPT-2 by hand with GenerationMixin helpers that transformers 5 no
    longer gives a bare GPT2Model; lend it those methods (they only read its config)."""
    lm = getattr(pipe, "language_model", None)
    if lm is None:
        return
    from transformers.generation.utils import GenerationMixin

    for name in ("_update_model_kwargs_for_generation", "_get_initial_cache_position", "_cache_dependant_input_preparation"):
        if not hasattr(lm, name) and hasattr(GenerationMixin, name):
            setattr(lm, name, types.MethodType(getattr(GenerationMixin, name), lm))


def _to_48k_stereo(samples: np.ndarray, rate: int) -> np.ndarray:
    from math import gcd

    from scipy.signal import resample_poly

    a = np.asarray(samples, np.float64)
    if rate != SAMPLE_RATE and a.shape[0] > 1:
        g = gcd(SAMPLE_RATE, rate)
        a = resample_poly(a, SAMPLE_RATE // g, rate // g, axis=0)
    if a.shape[1] == 1:
        a = np.repeat(a, 2, axis=1)
    return np.clip(a[:, :2], -1.0, 1.0).astype(np.float32)


def _join(pieces: list[np.ndarray], fade: int) -> np.ndarray:
    """Consecutive clips overlapped by ``fade`` samples with an equal-power crossfade."""
    out = pieces[0]
    for nxt in pieces[1:]:
        f = min(fade, out.shape[0], nxt.shape[0])
        if f <= 0:
            out = np.concatenate([out, nxt])
            continue
        t = np.linspace(0.0, np.pi / 2, f, dtype=np.float32)[:, None]
        mixed = out[-f:] * np.cos(t) + nxt[:f] * np.sin(t)
        out = np.concatenate([out[:-f], mixed, nxt[f:]])
    return out


class TextToAudio:
    """Text-to-audio generation that keeps the last model loaded."""

    def __init__(self, device: str | None = None) -> None:
        self._device = device
        self._loaded: tuple[str, object] | None = None

    def _pipeline(self, source: ModelSource):
        key = str(source.path)
        if self._loaded and self._loaded[0] == key:
            return self._loaded[1]
        self._loaded = None
        device = pick_device(self._device or os.environ.get("STUDIO_DEVICE") or None)
        dtype = pick_dtype(device, source.spec.dtype)
        pipe = load_pipeline(source, str(source.spec.pipeline), dtype)
        profile = choose_profile(source.spec, device, free_vram_gb(device), os.environ.get("STUDIO_MEMORY_PROFILE"))
        if profile not in (CPU_PROFILE, "gpu", "model_offload"):
            profile = "model_offload"  # audio models are small; the video profiles beyond offload do not apply
        apply_profile(pipe, profile, device)
        self._loaded = (key, pipe)
        return pipe

    def generate(
        self,
        prompt: str,
        seconds: float,
        *,
        model: str = DEFAULT_AUDIO_MODEL,
        seed: int = 0,
        negative_prompt: str = "",
        quality: str = "standard",
        steps: int | None = None,
        guidance: float | None = None,
        cancel: CancelToken | None = None,
        progress: ProgressFn | None = None,
    ) -> AudioClip:
        """``seconds`` of sound for ``prompt``: S×2 float32 at 48 kHz, S = round(seconds × 48000).

        Raises EngineError for a missing model or bad length, CancelledError when ``cancel`` is set.
        """
        if not (seconds > 0 and math.isfinite(seconds)):
            raise EngineError(f"audio length must be a positive number of seconds, got {seconds}", "")
        source = resolve_model(model)
        spec = source.spec
        if spec.kind != "audio":
            raise EngineError(f"{spec.name} does not make audio", "choose stable-audio-open-1.0 or audioldm2")
        pipe = self._pipeline(source)
        steps = int(steps or spec.steps_for(quality))
        guidance = spec.guidance if guidance is None else float(guidance)
        longest = spec.max_seconds or seconds
        if seconds <= longest:
            fade, count, chunk = 0.0, 1, seconds
        else:
            # Consecutive clips of the longest length, overlapping by ``fade``.
            fade = min(CROSSFADE_S, longest / 4)
            count = math.ceil((seconds - fade) / (longest - fade))
            chunk = longest
        total_steps = steps * count

        import torch

        pieces: list[np.ndarray] = []
        for k in range(count):
            done_before = k * steps

            def callback(i: int, t, latents, done_before=done_before) -> None:
                if cancel is not None:
                    cancel.check()
                if progress:
                    progress(done_before + i + 1, total_steps)

            generator = torch.Generator("cpu").manual_seed(int(seed) + k)
            try:
                raw, rate = _family_call(spec.family, pipe, prompt, negative_prompt, chunk, steps, guidance, generator, callback)
            except CancelledError:
                pipe.maybe_free_model_hooks()
                raise
            pieces.append(_to_48k_stereo(raw, rate))
        pipe.maybe_free_model_hooks()
        n = int(round(seconds * SAMPLE_RATE))
        joined = _join(pieces, int(round(fade * SAMPLE_RATE)))
        out = np.zeros((n, 2), np.float32)
        m = min(n, joined.shape[0])
        out[:m] = joined[:m]
        return AudioClip(out, SAMPLE_RATE, float(seconds), spec.id if not spec.local else str(source.path),
                         int(seed), prompt, steps)


_shared: TextToAudio | None = None


def generate_audio(prompt: str, seconds: float, **options) -> AudioClip:
    """`TextToAudio.generate` on a module-wide instance (the pipeline stays loaded between calls)."""
    global _shared
    if _shared is None:
        _shared = TextToAudio()
    return _shared.generate(prompt, seconds, **options)
