"""VRAM per memory profile, derived from each model's published configs (``configs/<model id>/``).

Each component (transformer, text encoder, VAE, image encoder) is built from its config on
the meta device, so counting its parameters costs no memory; the bytes follow from the
dtype it loads in (the catalogue's ``dtype`` and ``component_dtypes``). The profiles:

- ``gpu``: every component resident.
- ``fp8``: the same, but diffusers' layerwise casting stores the transformer(s) only in fp8
  (1 byte a weight; Wan 2.2 A14B's two experts both); the text encoder, VAE and image
  encoder stay in their dtype.
- ``model_offload``: one component on the GPU at a time, so the largest of them, which is
  often the text encoder (UMT5-XXL is about 11 GB in bf16, more than Wan 1.3B's transformer).
- ``group_offload``: leaf-level groups streamed with prefetch: twice the largest leaf module.
- ``sequential_offload``: the largest leaf module.

Each figure adds `RUNTIME_GB` for the CUDA context and working buffers; activations at the
native size are not modelled (a stated allowance, not a measurement).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONFIG_DIR = Path(__file__).with_name("configs")
RUNTIME_GB = 1.5
BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}


@dataclass(frozen=True)
class ComponentSize:
    name: str
    class_name: str
    params: int
    largest_leaf: int
    """Parameters of the biggest module without children (what leaf-level offload moves at once)."""


def config_models() -> list[str]:
    """Model ids that have recorded configs."""
    return sorted(p.name for p in CONFIG_DIR.iterdir() if p.is_dir())


def build_on_meta(config: dict):
    """The component a config describes, built on the meta device (no memory, no weights)."""
    import torch

    cfg = {k: v for k, v in config.items() if not k.startswith("_")}
    with torch.device("meta"):
        if config["_library"] == "diffusers":
            import importlib

            module = importlib.import_module(config.get("_module") or "diffusers")  # LTX-2's connectors, vocoder
            return getattr(module, config["_class_name"]).from_config(cfg)
        import transformers

        model_type = cfg.pop("model_type")
        conf = transformers.AutoConfig.for_model(model_type, **cfg)
        return getattr(transformers, config["_class_name"])(conf)


def _count(module) -> tuple[int, int]:
    total = sum(p.numel() for p in module.parameters())
    leaves = [sum(p.numel() for p in m.parameters(recurse=False)) for m in module.modules() if not list(m.children())]
    return int(total), int(max(leaves, default=0))


@lru_cache(maxsize=None)
def component_sizes(model_id: str) -> tuple[ComponentSize, ...]:
    """Every recorded component of ``model_id`` with its parameter count (built on meta)."""
    out = []
    for path in sorted((CONFIG_DIR / model_id).glob("*.json")):
        config = json.loads(path.read_text("utf-8"))
        module = build_on_meta(config)
        total, leaf = _count(module)
        out.append(ComponentSize(path.stem, config["_class_name"], total, leaf))
        del module
    return tuple(out)


def vram_by_profile(spec, sizes: tuple[ComponentSize, ...] | None = None) -> dict[str, float]:
    """GB (1e9 bytes) per memory profile for ``spec``, from its components' parameter counts."""
    sizes = sizes if sizes is not None else component_sizes(spec.id)
    if not sizes:
        raise ValueError(f"no recorded configs for {spec.id}")

    def nbytes(c: ComponentSize, params: int | None = None) -> float:
        dtype = spec.component_dtypes.get(c.name, spec.dtype)
        return (c.params if params is None else params) * BYTES[dtype]

    resident = sum(nbytes(c) for c in sizes)
    fp8 = sum(c.params * 1 if c.name.startswith("transformer") else nbytes(c) for c in sizes)
    largest = max(nbytes(c) for c in sizes)
    leaf = max(nbytes(c, c.largest_leaf) for c in sizes)
    figures = {"gpu": resident, "fp8": fp8, "model_offload": largest, "group_offload": 2 * leaf,
               "sequential_offload": leaf}
    return {k: round(v / 1e9 + RUNTIME_GB, 1) for k, v in figures.items()}
