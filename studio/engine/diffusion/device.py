"""Where a pipeline runs and how it fits: device, dtype and memory profile.

Device: CUDA when present, else Apple MPS, else the CPU. Dtype: the model's
preferred half type on an accelerator (bf16 falls back to fp16 where the GPU
lacks it), float32 on the CPU. Memory profile: the fastest one whose VRAM need
(from the catalogue) fits the free VRAM with a margin, unless the user picks one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from studio.engine.diffusion.catalogue import PROFILES, ModelSpec

log = logging.getLogger(__name__)

VRAM_MARGIN = 0.9
"""Use at most this share of the free VRAM when choosing a profile automatically."""

CPU_PROFILE = "cpu"
"""No GPU: everything on the CPU, no offload hooks."""

PROFILE_LABELS = {
    "gpu": "everything on the GPU",
    "fp8": "fp8 layerwise casting (weights stored in 8 bits)",
    "model_offload": "model CPU offload (one model on the GPU at a time)",
    "group_offload": "group offload (layers streamed to the GPU)",
    "sequential_offload": "sequential offload with VAE tiling (least VRAM, slowest)",
    CPU_PROFILE: "CPU only",
}


@dataclass(frozen=True)
class Placement:
    device: str
    """cuda, mps or cpu."""
    dtype: str
    """float32, float16 or bfloat16 (a torch dtype name)."""
    profile: str
    free_vram_gb: float | None = None


def pick_device(preferred: str | None = None) -> str:
    """The device to run on: ``preferred`` when given and present, else CUDA, MPS, CPU."""
    import torch

    if preferred:
        if preferred == "cuda" and not torch.cuda.is_available():
            return "cpu"
        if preferred == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            return "cpu"
        return preferred
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(device: str, preferred: str = "bfloat16") -> str:
    """The compute dtype for ``device``: float32 on CPU; bf16 only where the GPU supports it."""
    import torch

    if device == "cpu":
        return "float32"
    if preferred == "bfloat16":
        if device == "cuda" and not torch.cuda.is_bf16_supported():
            return "float16"
        return "bfloat16"
    return preferred if preferred in ("float16", "float32") else "float16"


def free_vram_gb(device: str) -> float | None:
    """Free memory on the accelerator in GiB (None on the CPU, or where it cannot be read)."""
    if device != "cuda":
        return None
    import torch

    try:
        free, _total = torch.cuda.mem_get_info()
    except RuntimeError:
        return None
    return free / 2**30


def choose_profile(spec: ModelSpec, device: str, free_gb: float | None, requested: str | None = None) -> str:
    """The memory profile: ``requested`` when valid, else the fastest one that fits ``free_gb``.

    On the CPU there is one profile. When nothing fits (or the catalogue does not
    say) the thriftiest profile is used, so a job still has a chance.
    """
    if device == "cpu":
        return CPU_PROFILE
    if requested and requested not in ("auto", ""):
        if requested not in PROFILES:
            from studio.engine.protocol import EngineError

            raise EngineError(f"unknown memory profile {requested!r}", f"choose one of: auto, {', '.join(PROFILES)}")
        return requested
    if device != "cuda" or free_gb is None:
        # MPS shares memory with the system; model offload is what diffusers recommends there.
        return "gpu" if device == "mps" else "model_offload"
    budget = free_gb * VRAM_MARGIN
    for profile in PROFILES:
        need = spec.vram_needed(profile)
        if need is not None and need <= budget:
            return profile
    return "sequential_offload"


def profile_that_fits(spec: ModelSpec, free_gb: float | None, after: str) -> str | None:
    """The first profile thriftier than ``after`` whose need fits ``free_gb`` (for an out-of-memory hint)."""
    if after not in PROFILES:
        return None
    order = PROFILES[PROFILES.index(after) + 1:]
    for profile in order:
        need = spec.vram_needed(profile)
        if need is None:
            continue
        if free_gb is None or need <= free_gb * VRAM_MARGIN:
            return profile
    return order[-1] if order else None


def torch_dtype(name: str):
    import torch

    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[name]


def apply_profile(pipe, profile: str, device: str) -> None:
    """Place ``pipe`` on ``device`` under a memory profile (diffusers' own offload machinery)."""
    import torch

    if profile == CPU_PROFILE or device == "cpu":
        return  # from_pretrained already loaded it on the CPU
    denoiser = getattr(pipe, "transformer", None) or getattr(pipe, "unet", None)
    if profile == "gpu":
        pipe.to(device)
    elif profile == "fp8":
        # Weights stored in fp8, computed in the pipeline's dtype: roughly half the transformer's memory.
        if denoiser is not None:
            denoiser.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=denoiser.dtype)
        pipe.to(device)
    elif profile == "model_offload":
        pipe.enable_model_cpu_offload(device=device)
    elif profile == "group_offload":
        onload = torch.device(device)
        pipe.enable_group_offload(onload_device=onload, offload_device=torch.device("cpu"),
                                  offload_type="leaf_level", use_stream=device == "cuda")
    elif profile == "sequential_offload":
        pipe.enable_sequential_cpu_offload(device=device)
    else:
        raise ValueError(f"unknown memory profile {profile!r}")
    if profile in ("sequential_offload", "group_offload"):
        enable_vae_tiling(pipe)


def enable_vae_tiling(pipe) -> bool:
    """Decode in tiles where the VAE can (a big saving on the last, memory-hungry step)."""
    vae = getattr(pipe, "vae", None)
    if vae is not None and hasattr(vae, "enable_tiling"):
        try:
            vae.enable_tiling()
            return True
        except (NotImplementedError, AttributeError):
            log.debug("VAE of %s cannot tile", type(pipe).__name__)
    return False
