"""Speed presets: "quality", "balanced", "fast" per shot, from what diffusers ships.

A preset becomes a `SpeedPlan`, every setting it implies spelled out, and the plan
goes into the take's recipe:

- **cache**: diffusers' First Block Cache (``FirstBlockCacheConfig``) where the
  family's transformer block is registered for it (Wan, LTX-Video, CogVideoX),
  else TaylorSeer (``TaylorSeerCacheConfig``), which hooks any attention module.
  "quality" caches nothing; "balanced" skips the remaining blocks when the first
  block's residual changed by less than 5 %; "fast" by less than 12 %.
- **steps**: "fast" uses the catalogue's few-step recipe when the model has one its
  authors publish (``speed.fast`` in catalogue.json: ``steps``, ``guidance``, a
  step-distillation ``lora``, its own call arguments ``call`` such as a sigma list or
  guidance variants switched off, ``scheduler`` config overrides and ``flow_shift``),
  else the draft step count. An explicit ``steps`` setting always wins.
- **compile**: regional ``torch.compile`` of the transformer's repeated blocks
  (``compile_repeated_blocks``), on CUDA by default, done once per loaded
  transformer and kept warm between shots.
- **attention**: the fastest backend installed (sage, then flash, else PyTorch SDPA
  "native"), through diffusers' attention dispatcher (``set_attention_backend``).
- **fp8**: on GPUs of compute capability 8.9 or newer (Ada, Hopper, Blackwell),
  "balanced" and "fast" store the transformer's weights in fp8 (the fp8 memory
  profile) when the memory profile was left on auto.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

from studio.engine.diffusion.catalogue import CATALOGUE_FILE, ModelSpec
from studio.engine.protocol import EngineError

log = logging.getLogger(__name__)

PRESETS = ("quality", "balanced", "fast")
CACHE_THRESHOLDS = {"quality": None, "balanced": 0.05, "fast": 0.12}
FP8_CAPABILITY = (8, 9)


@dataclass(frozen=True)
class SpeedPlan:
    preset: str
    cache: str
    """none, first_block or taylorseer."""
    cache_threshold: float | None
    compile: bool
    compile_backend: str
    attention: str
    fp8: bool
    steps: int
    guidance: float
    lora: str
    """A step-distillation LoRA the preset loads ("" for none)."""
    call: dict[str, Any] = field(default_factory=dict)
    """The preset's own call arguments over the model's recipe (a distilled recipe's sigmas...)."""
    scheduler: dict[str, Any] = field(default_factory=dict)
    """Scheduler config overrides the preset's recipe needs (e.g. ``use_dynamic_shifting: false``)."""
    flow_shift: float | None = None
    """The preset's flow shift over the model's (None: the model's)."""

    def facts(self) -> dict[str, Any]:
        """The plan as recipe entries (scalars only: the dicts as sorted JSON)."""
        out = {}
        for k, v in asdict(self).items():
            if isinstance(v, dict):
                v = json.dumps(v, sort_keys=True) if v else ""
            out[f"speed_{k}" if k != "preset" else "speed"] = "" if v is None else v
        return out


@lru_cache(maxsize=1)
def _raw_catalogue() -> dict[str, dict]:
    try:
        doc = json.loads(CATALOGUE_FILE.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(m.get("id")): m for m in doc.get("models", [])}


def fast_recipe(spec: ModelSpec) -> dict[str, Any]:
    """The model's few-step recipe from the catalogue (``speed.fast``: steps, guidance, lora), if it names one."""
    raw = _raw_catalogue()
    entry = raw.get(spec.id) or raw.get(spec.base) or {}  # a model folder: its base entry's presets
    return dict((entry.get("speed") or {}).get("fast") or {})


def best_attention(device: str) -> str:
    """sage, flash or native (PyTorch SDPA): the fastest backend importable for ``device``."""
    if device.startswith("cuda"):
        if importlib.util.find_spec("sageattention") is not None:
            return "sage"
        if importlib.util.find_spec("flash_attn") is not None:
            return "flash"
    return "native"


def supports_fp8(device: str) -> bool:
    if not device.startswith("cuda"):
        return False
    try:
        import torch

        return tuple(torch.cuda.get_device_capability(device)) >= FP8_CAPABILITY
    except Exception:
        return False


def cache_kind(transformer) -> str:
    """first_block where diffusers registers this transformer's blocks for it, else taylorseer (or none)."""
    if transformer is None or not hasattr(transformer, "enable_cache"):
        return "none"
    try:
        from diffusers.hooks._helpers import TransformerBlockRegistry

        TransformerBlockRegistry._register()
        registered = set(TransformerBlockRegistry._registry)
        blocks = getattr(transformer, "blocks", None) or getattr(transformer, "transformer_blocks", None)
        if blocks is not None and len(blocks) and type(blocks[0]) in registered:
            return "first_block"
    except Exception:
        log.debug("block registry not readable", exc_info=True)
    return "taylorseer"


def plan_speed(preset: str | None, spec: ModelSpec, device: str, transformer, steps: int, guidance: float, *,
               steps_set: bool, compile_setting=None, compile_backend: str | None = None,
               lora_available=None) -> SpeedPlan:
    """The preset's settings for this model and device.

    "fast" takes the catalogue's few-step recipe only when its LoRA (if it names one)
    is at hand (``lora_available(source)``); else the draft step count.
    """
    preset = preset or "quality"
    if preset not in PRESETS:
        raise EngineError(f"unknown speed preset {preset!r}", f"use one of {', '.join(PRESETS)}")
    threshold = CACHE_THRESHOLDS[preset]
    cache = ("auto" if transformer is None else cache_kind(transformer)) if threshold is not None else "none"
    if cache == "none":
        threshold = None
    lora = ""
    call: dict[str, Any] = {}
    scheduler: dict[str, Any] = {}
    flow_shift = None
    if preset == "fast" and not steps_set:
        recipe = fast_recipe(spec)
        if recipe and recipe.get("lora") and lora_available is not None and not lora_available(str(recipe["lora"])):
            log.info("the few-step LoRA %s is not downloaded; fast uses the draft steps", recipe["lora"])
            recipe = {}
        if recipe:
            steps = int(recipe.get("steps", steps))
            guidance = float(recipe.get("guidance", guidance))
            lora = str(recipe.get("lora") or "")
            call = dict(recipe.get("call") or {})
            scheduler = dict(recipe.get("scheduler") or {})
            flow_shift = None if recipe.get("flow_shift") is None else float(recipe["flow_shift"])
        else:
            steps = min(steps, spec.steps_for("draft"))
    if compile_setting in (None, "", "auto"):
        compile_on = device.startswith("cuda")
    else:
        compile_on = compile_setting is True or str(compile_setting).lower() in ("1", "true", "on", "yes")
    return SpeedPlan(preset=preset, cache=cache, cache_threshold=threshold, compile=compile_on,
                     compile_backend=compile_backend or "inductor", attention=best_attention(device),
                     fp8=preset != "quality" and supports_fp8(device), steps=int(steps), guidance=float(guidance),
                     lora=lora, call=call, scheduler=scheduler, flow_shift=flow_shift)


def resolve_cache(plan: SpeedPlan, transformer) -> SpeedPlan:
    """``plan`` with its cache kind ("auto" until the model is loaded) chosen for ``transformer``."""
    if plan.cache != "auto":
        return plan
    kind = cache_kind(transformer)
    return replace(plan, cache=kind, cache_threshold=None if kind == "none" else plan.cache_threshold)


def apply_speed(pipe, plan: SpeedPlan) -> dict[str, Any]:
    """Put ``plan`` on the pipeline's transformer before a call; what was really applied, as recipe facts.

    The cache is re-armed for every call (its state belongs to one denoising run);
    compilation happens once per transformer and stays warm.
    """
    facts: dict[str, Any] = {}
    transformer = getattr(pipe, "transformer", None)
    if transformer is None:
        return facts
    if getattr(transformer, "is_cache_enabled", False):
        transformer.disable_cache()
    if plan.cache != "none":
        from diffusers import FirstBlockCacheConfig, TaylorSeerCacheConfig

        if plan.cache == "first_block":
            config = FirstBlockCacheConfig(threshold=float(plan.cache_threshold or 0.05))
        else:
            import torch

            interval = 2 if plan.preset == "balanced" else 3
            config = TaylorSeerCacheConfig(cache_interval=interval, disable_cache_before_step=1,
                                           taylor_factors_dtype=torch.float32)
        transformer.enable_cache(config)
    if getattr(transformer, "_studio_attention", None) != plan.attention:
        try:
            transformer.set_attention_backend(plan.attention)
            transformer._studio_attention = plan.attention
        except Exception as exc:  # a backend that will not take is not worth the take
            log.warning("attention backend %s refused (%s); keeping the default", plan.attention, exc)
            facts["speed_attention"] = "native"
    if plan.compile and not getattr(transformer, "_studio_compiled", False):
        if getattr(transformer, "_repeated_blocks", None):
            transformer.compile_repeated_blocks(backend=plan.compile_backend, dynamic=False)
            transformer._studio_compiled = True
            transformer._studio_compile_count = getattr(transformer, "_studio_compile_count", 0) + 1
        else:
            facts["speed_compile"] = False
    return facts


def release_speed(pipe) -> None:
    """Take the cache hooks off after a call, so another preset starts clean."""
    transformer = getattr(pipe, "transformer", None)
    if transformer is not None and getattr(transformer, "is_cache_enabled", False):
        transformer.disable_cache()
