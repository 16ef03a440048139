"""Finding a model on disk, checking it is whole, and loading its pipeline.

A model is named either by a catalogue id (``wan2.1-t2v-1.3b``: looked up in
the Hugging Face cache, which honours ``HF_HOME`` / ``HF_HUB_CACHE``) or by a
local diffusers folder (``--model PATH``). Nothing here downloads: a missing
or partial model is an `EngineError` whose hint is the command that fixes it.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from studio.engine.diffusion.catalogue import CatalogueError, ModelSpec, find_spec, load_catalogue, spec_for_folder
from studio.engine.protocol import EngineError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "wan2.1-t2v-1.3b"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")


@dataclass(frozen=True)
class ModelSource:
    """A model ready to load: its facts and the folder that holds it."""

    spec: ModelSpec
    path: Path
    ref: str
    """What the user named: a catalogue id or a folder."""


def looks_like_path(ref: str) -> bool:
    """Whether ``ref`` names a folder rather than a catalogue id (ids never contain a slash)."""
    return ref.startswith((".", "~", "/", os.sep)) or Path(ref).expanduser().exists()


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, read from the environment at each call (HF_HUB_CACHE, HF_HOME)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or "~/.cache", "huggingface")
    return Path(home).expanduser() / "hub"


def cached_snapshot(spec: ModelSpec) -> Path | None:
    """The model's snapshot folder in the Hugging Face cache, or None when it was never downloaded."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    if not spec.repo or not (hub_cache_dir() / ("models--" + spec.repo.replace("/", "--"))).is_dir():
        return None
    try:
        path = snapshot_download(spec.repo, allow_patterns=list(spec.allow_patterns) or None, local_files_only=True,
                                 cache_dir=str(hub_cache_dir()))
    except (LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
        return None
    return Path(path)


def verify_folder(folder: Path) -> list[str]:
    """Problems that would stop ``folder`` from loading (empty list: whole).

    Every component named in ``model_index.json`` must have its folder; model
    components their config and weights; a sharded checkpoint every shard its
    index lists.
    """
    folder = Path(folder)
    index_file = folder / "model_index.json"
    if not index_file.is_file():
        return [f"{folder}: no model_index.json"]
    try:
        index = json.loads(index_file.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{index_file}: unreadable ({exc})"]
    problems: list[str] = []
    for name, value in index.items():
        if name.startswith("_") or not isinstance(value, list) or len(value) != 2 or value[0] is None or value[1] is None:
            continue
        library, class_name = value
        sub = folder / name
        if not sub.is_dir():
            problems.append(f"{name}/ is missing")
            continue
        files = [p for p in sub.iterdir() if p.is_file()]
        if not files:
            problems.append(f"{name}/ is empty")
            continue
        is_model = class_name.endswith(("Model", "Encoder", "Vocoder", "Connectors", "Transformer3DModel")) or \
            class_name.startswith("Autoencoder") or "ForConditionalGeneration" in class_name or "Model" in class_name
        if name.startswith(("tokenizer", "scheduler", "feature_extractor", "image_processor", "processor")):
            is_model = False
        if not is_model:
            continue
        if not (sub / "config.json").is_file():
            problems.append(f"{name}/config.json is missing")
        indexes = [p for p in files if p.name.endswith(".index.json")]
        weights = [p for p in files if p.name.endswith(WEIGHT_SUFFIXES)]
        for idx in indexes:
            try:
                shards = set(json.loads(idx.read_text("utf-8"))["weight_map"].values())
            except (OSError, json.JSONDecodeError, KeyError, AttributeError) as exc:
                problems.append(f"{name}/{idx.name}: unreadable index ({exc})")
                continue
            missing = sorted(s for s in shards if not (sub / s).is_file())
            if missing:
                problems.append(f"{name}/: {len(missing)} of {len(shards)} weight shards missing ({missing[0]}…)")
        if not indexes and not weights:
            problems.append(f"{name}/ has no weights")
        for w in weights:
            if w.stat().st_size == 0:
                problems.append(f"{name}/{w.name} is empty (an interrupted download?)")
    return problems


def resolve_model(ref: str | None) -> ModelSource:
    """The model ``ref`` names (a catalogue id or a folder), checked to be whole on disk."""
    ref = (ref or "").strip() or DEFAULT_MODEL
    spec = find_spec(ref)
    if spec is None and not looks_like_path(ref):
        ids = ", ".join(s.id for s in load_catalogue() if s.kind == "video")
        raise EngineError(f"unknown model {ref!r}", f"use one of {ids}, or a diffusers model folder (--model PATH)")
    if spec is None:
        folder = Path(ref).expanduser()
        if not folder.is_dir():
            raise EngineError(f"{folder}: no such model folder", "pass a folder saved with save_pretrained, or a catalogue id (studio models list)")
        try:
            spec = spec_for_folder(folder)
        except CatalogueError as exc:
            raise EngineError(str(exc), "the folder must hold a diffusers pipeline (model_index.json)") from None
        problems = verify_folder(folder)
        if problems:
            raise EngineError(f"model folder {folder} is incomplete: {problems[0]}", "copy the whole model folder again")
        return ModelSource(spec, folder, ref)
    path = cached_snapshot(spec)
    if path is None:
        raise EngineError(f"model {spec.id} is not installed", f"run: studio models install {spec.id}  (about {spec.download_gb:g} GB)")
    problems = verify_folder(path)
    if problems:
        raise EngineError(f"model {spec.id} is only partly downloaded: {problems[0]}", f"run: studio models install {spec.id}  (it resumes)")
    return ModelSource(spec, path, ref)


def pipeline_class(name: str):
    """A diffusers pipeline class by name."""
    import diffusers

    cls = getattr(diffusers, name, None)
    if cls is None:
        raise EngineError(f"this diffusers ({diffusers.__version__}) has no {name}", "upgrade diffusers: pip install -U diffusers")
    return cls


def load_dtypes(spec: ModelSpec, dtype: str):
    """The ``torch_dtype`` for from_pretrained: ``dtype``, or a per-component mapping when the
    catalogue names components that must load differently (diffusers reads ``"default"`` for the rest)."""
    from studio.engine.diffusion.device import torch_dtype

    if not spec.component_dtypes:
        return torch_dtype(dtype)
    mapping = {"default": torch_dtype(dtype)}
    mapping.update({name: torch_dtype(d) for name, d in spec.component_dtypes.items()})
    return mapping


def load_pipeline(source: ModelSource, class_name: str, dtype: str):
    """Load ``class_name`` from the model folder in ``dtype`` (per component where the catalogue says);
    every module in eval mode."""

    cls = pipeline_class(class_name)
    log.info("loading %s from %s (%s)", class_name, source.path, dtype)
    # diffusers renamed torch_dtype to dtype (0.36+); older releases only know torch_dtype.
    from diffusers.utils import deprecation_utils

    dtype_kw = "dtype" if hasattr(deprecation_utils, "_TORCH_DTYPE_DEPRECATION_MESSAGE") else "torch_dtype"
    try:
        pipe = cls.from_pretrained(str(source.path), **{dtype_kw: load_dtypes(source.spec, dtype)})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.exception("loading %s failed", source.path)
        raise EngineError(f"could not load {source.spec.name} from {source.path}: {exc}",
                          f"run: studio models verify {source.ref}") from exc
    set_eval(pipe)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def set_eval(pipe) -> None:
    """Every torch module of the pipeline in eval mode (dropout off: same seed, same video)."""
    import torch

    for module in pipe.components.values():
        if isinstance(module, torch.nn.Module):
            module.eval()
