"""LoRA adapters per shot or per project: checked before any model loads, then put on the transformer.

A shot's ``loras`` setting (and the project's ``project_loras``) lists adapters as
``SOURCE@WEIGHT`` separated by ``;`` — SOURCE a ``.safetensors`` file or a hub id
(``owner/name`` or ``owner/name/file.safetensors``) already in the Hugging Face
cache (Studio never downloads while generating). Before anything loads, each
file's safetensors header (its tensor names and shapes; no weights are read) is
converted to diffusers' key names by the pipeline's own ``lora_state_dict`` (on
meta tensors) and matched against the base transformer built from its
``config.json`` on the meta device: every targeted module must exist and be a
linear layer, ``lora_A`` must take the module's input width, ``lora_B`` give its
output width, and both must have the same rank. A LoRA made for another model
fails this and is refused with the first mismatch named.

Loading is diffusers' ``load_lora_weights`` (PEFT underneath) once per transformer
and adapter; ``set_adapters`` sets the weights per call, and a shot without LoRAs
runs with the adapters disabled, exactly as the base model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from studio.engine.protocol import EngineError

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 100 * 1024 * 1024
_LORA_KEY = re.compile(r"^(?P<module>.+?)\.(?P<part>lora_A|lora_B|lora_down|lora_up)(?:\.[^.]+)?\.weight$")
_PREFIXES = ("transformer.", "base_model.model.")


@dataclass(frozen=True)
class LoraRef:
    source: str
    weight: float = 1.0


@dataclass(frozen=True)
class ResolvedLora:
    ref: LoraRef
    path: Path
    sha256: str
    rank: int
    modules: int

    @property
    def adapter_name(self) -> str:
        return "studio_" + self.sha256[:16]


def parse_loras(text) -> list[LoraRef]:
    """``"style.safetensors@0.8; owner/name"`` -> refs (weight 1.0 when none is given)."""
    refs: list[LoraRef] = []
    for item in re.split(r"[;\n]", str(text or "")):
        item = item.strip()
        if not item:
            continue
        source, weight = item, 1.0
        if "@" in item:
            head, _, tail = item.rpartition("@")
            try:
                weight = float(tail)
                source = head.strip()
            except ValueError:
                pass
        refs.append(LoraRef(source, weight))
    return refs


def format_loras(refs) -> str:
    return ";".join(f"{r.source}@{r.weight:g}" for r in refs)


def resolve_file(source: str) -> Path:
    """The .safetensors file for a path or a cached hub id; an EngineError saying what to do otherwise."""
    path = Path(source).expanduser()
    if path.suffix == ".safetensors" or path.exists() or source.startswith((".", "/", "~")):
        if not path.is_file():
            raise EngineError(f"LoRA file {source} does not exist",
                              "check the path in the shot's (or project's) loras setting")
        if path.suffix != ".safetensors":
            raise EngineError(f"LoRA {source} is not a .safetensors file", "use the adapter's .safetensors file")
        return path
    parts = source.split("/")
    if len(parts) < 2:
        raise EngineError(f"LoRA {source!r} is neither a file nor a hub id (owner/name)",
                          "give a .safetensors path or a Hugging Face repo id")
    repo, filename = "/".join(parts[:2]), "/".join(parts[2:]) or None
    try:
        from huggingface_hub import snapshot_download

        folder = Path(snapshot_download(repo, local_files_only=True,
                                        allow_patterns=[filename] if filename else ["*.safetensors"]))
    except Exception:
        raise EngineError(f"LoRA {source} is not downloaded",
                          f"download it first: hf download {repo}" + (f" {filename}" if filename else "")) from None
    if filename:
        found = folder / filename
        if not found.is_file():
            raise EngineError(f"LoRA {source}: no {filename} in the downloaded repo", f"hf download {repo} {filename}")
        return found
    files = sorted(folder.rglob("*.safetensors"))
    if len(files) != 1:
        names = ", ".join(f.name for f in files) or "none"
        raise EngineError(f"LoRA {source} has {len(files)} .safetensors files ({names})",
                          f"name one: {repo}/FILE.safetensors")
    return files[0]


def read_header(path: Path) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Tensor name -> (dtype, shape) from a safetensors header, reading no weights."""
    try:
        with open(path, "rb") as f:
            (size,) = struct.unpack("<Q", f.read(8))
            if size > MAX_HEADER_BYTES:
                raise ValueError(f"header of {size} bytes")
            header = json.loads(f.read(size))
    except (OSError, ValueError, struct.error) as exc:
        raise EngineError(f"LoRA {path.name} is not a readable safetensors file ({exc})",
                          "use the adapter's .safetensors file") from None
    return {k: (str(v["dtype"]), tuple(int(x) for x in v["shape"])) for k, v in header.items() if k != "__metadata__"}


@lru_cache(maxsize=8)
def transformer_linears(config_file: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """(class name, module name -> (in, out) of every linear layer) of a transformer built on the meta device."""
    import diffusers
    import torch

    config = json.loads(Path(config_file).read_text("utf-8"))
    cls = getattr(diffusers, config["_class_name"])
    with torch.device("meta"):
        model = cls.from_config(config)
    return cls.__name__, {name: (m.in_features, m.out_features) for name, m in model.named_modules()
                          if isinstance(m, torch.nn.Linear)}


def _diffusers_keys(header: dict[str, tuple[str, tuple[int, ...]]], pipeline_class: str | None):
    """The header's keys and shapes as diffusers names them (the pipeline's own conversion, on meta tensors)."""
    import torch

    state = {k: torch.empty(shape, dtype=torch.float32, device="meta") for k, (_, shape) in header.items()}
    if pipeline_class:
        try:
            import diffusers

            converted = getattr(diffusers, pipeline_class).lora_state_dict(state)
            if isinstance(converted, tuple):
                converted = converted[0]
            state = dict(converted)
        except Exception:
            log.debug("LoRA conversion by %s failed; checking the keys as they are", pipeline_class, exc_info=True)
    return {k: tuple(v.shape) for k, v in state.items()}


def check_lora(ref: LoraRef, transformer_config: Path, pipeline_class: str | None) -> ResolvedLora:
    """Refuse a missing or incompatible LoRA with a clear message; no model weights are read."""
    path = resolve_file(ref.source)
    header = read_header(path)
    keys = _diffusers_keys(header, pipeline_class)
    cls_name, linears = transformer_linears(str(transformer_config))
    pairs: dict[str, dict[str, tuple[int, ...]]] = {}
    for key, shape in keys.items():
        m = _LORA_KEY.match(key)
        if not m:
            continue
        module = m["module"]
        for p in _PREFIXES:
            if module.startswith(p):
                module = module[len(p):]
                break
        if key.startswith(("text_encoder", "te_", "lora_te")):
            continue
        part = "A" if m["part"] in ("lora_A", "lora_down") else "B"
        pairs.setdefault(module, {})[part] = shape
    if not pairs:
        raise EngineError(f"LoRA {ref.source} has no adapter weights for a transformer",
                          "it may be a LoRA for another kind of model; use one made for this model")
    ranks = set()
    for module, parts in sorted(pairs.items()):
        if module not in linears:
            raise EngineError(
                f"LoRA {ref.source} does not fit {cls_name}: it targets {module!r}, which this model does not have",
                "it was made for another base model; use a LoRA trained on this model",
            )
        a, b = parts.get("A"), parts.get("B")
        if a is None or b is None or len(a) != 2 or len(b) != 2:
            raise EngineError(f"LoRA {ref.source}: {module!r} lacks its lora_A/lora_B pair",
                              "the file is incomplete or not a LoRA")
        fan_in, fan_out = linears[module]
        if a[1] != fan_in or b[0] != fan_out or a[0] != b[1]:
            raise EngineError(
                f"LoRA {ref.source} does not fit {cls_name}: {module!r} is {fan_in}→{fan_out} but the LoRA's "
                f"matrices are {a[1]}→{a[0]} and {b[1]}→{b[0]}",
                "its rank or widths are for another model size; use a LoRA trained on this model",
            )
        ranks.add(a[0])
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return ResolvedLora(ref, path, digest.hexdigest(), max(ranks), len(pairs))


def is_available(source: str) -> bool:
    try:
        resolve_file(source)
        return True
    except EngineError:
        return False


def apply_loras(pipe, loras: list[ResolvedLora]) -> None:
    """Load (once per transformer) and weight ``loras``; with none, the adapters already loaded are disabled."""
    transformer = getattr(pipe, "transformer", None)
    if transformer is None:
        return
    loaded: dict[str, str] = getattr(transformer, "_studio_loras", {})
    if not loras:
        if loaded:
            pipe.disable_lora()
        return
    for lora in loras:
        if lora.adapter_name not in loaded:
            pipe.load_lora_weights(str(lora.path), adapter_name=lora.adapter_name)
            loaded[lora.adapter_name] = lora.ref.source
    transformer._studio_loras = loaded
    pipe.enable_lora()
    pipe.set_adapters([lo.adapter_name for lo in loras], [lo.ref.weight for lo in loras])
