"""The model manager: what is installed, downloading, removing and verifying models.

Models live in the standard Hugging Face cache (``HF_HUB_CACHE``, else
``HF_HOME/hub``, else ``~/.cache/huggingface/hub``), so they are shared with
every other diffusers program on the machine. Nothing is downloaded unless
the user asks (`install_model`); offline mode (``HF_HUB_OFFLINE=1``) is
respected. Before a download starts, a dry run asks the hub for the exact
bytes still missing and the free disk space is checked against them; an
interrupted download resumes where it stopped (huggingface_hub keeps the
partial files). Progress reports bytes done and total.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from studio.engine.diffusion.catalogue import ModelSpec, find_spec, load_catalogue, spec_for_folder
from studio.engine.diffusion.loader import cached_snapshot, hub_cache_dir, looks_like_path, verify_folder
from studio.domain.errors import ExplainedError

log = logging.getLogger(__name__)

DISK_MARGIN = 1.05
"""Ask for 5 % more free space than the download needs (temporary files, filesystem slack)."""

ProgressFn = Callable[[int, int], None]
"""(bytes done, bytes total)."""


class ModelError(ExplainedError):
    """A model operation that cannot go ahead: ``message`` says what, ``hint`` what to do."""


GATED_MESSAGE = ("{r} is a gated repository: accept its terms on https://huggingface.co/{r}, "
                 "then log in with `hf auth login` or set HF_TOKEN")
"""One line, in English; the window shows it through tr (studio.ui.i18n has the Japanese)."""


class GatedModelError(ModelError):
    """The hub refused a gated repository (HTTP 401/403): terms not accepted, or no token."""

    def __init__(self, repo: str) -> None:
        super().__init__(GATED_MESSAGE.format(r=repo), "")
        self.repo = repo


def _is_gated(exc: BaseException) -> bool:
    """Whether ``exc`` is huggingface_hub's refusal of a gated repository (or a bare 401 from it)."""
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError

    for e in (exc, exc.__cause__, exc.__context__):
        if isinstance(e, GatedRepoError):
            return True
        if isinstance(e, HfHubHTTPError) and getattr(getattr(e, "response", None), "status_code", None) == 401:
            return True
    return False


class DownloadCancelled(Exception):
    """The user stopped a download; what arrived stays in the cache and resumes next time."""


@dataclass(frozen=True)
class ModelStatus:
    spec: ModelSpec
    installed: bool
    """Every file present."""
    partial: bool
    """Some files present, some missing (an interrupted download)."""
    path: Path | None
    problems: tuple[str, ...]
    size_on_disk: int

    def as_dict(self) -> dict:
        from studio.engine.diffusion.catalogue import spec_as_dict

        state = "installed" if self.installed else ("partial" if self.partial else "not installed")
        return {
            **spec_as_dict(self.spec),
            "state": state,
            "path": str(self.path) if self.path else None,
            "problems": list(self.problems),
            "size_on_disk_gb": round(self.size_on_disk / 1e9, 3),
        }


def offline() -> bool:
    """Whether Hugging Face offline mode is on (HF_HUB_OFFLINE=1)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size  # follows the cache's symlinks to blobs
            except OSError:
                pass
    return total


def require_spec(model_id: str) -> ModelSpec:
    spec = find_spec(model_id)
    if spec is None:
        ids = ", ".join(s.id for s in load_catalogue())
        raise ModelError(f"unknown model {model_id!r}", f"choose one of: {ids}")
    return spec


def model_status(spec: ModelSpec) -> ModelStatus:
    """Whether ``spec`` is in the cache, whole or partly."""
    path = cached_snapshot(spec)
    if path is None:
        return ModelStatus(spec, False, False, None, (), 0)
    problems = tuple(verify_folder(path))
    return ModelStatus(spec, not problems, bool(problems), path, problems, _folder_size(path))


def list_models() -> list[ModelStatus]:
    """Every catalogue model with its state on this machine."""
    return [model_status(spec) for spec in load_catalogue()]


def verify_model(ref: str) -> ModelStatus:
    """Check a catalogue model (or a local folder) is whole: every component, config and weight shard."""
    if find_spec(ref) is None and looks_like_path(ref):
        folder = Path(ref).expanduser()
        if not folder.is_dir():
            raise ModelError(f"{folder}: no such model folder")
        from studio.engine.diffusion.catalogue import CatalogueError

        try:
            spec = spec_for_folder(folder)
        except CatalogueError as exc:
            raise ModelError(str(exc), "the folder must hold a diffusers pipeline (model_index.json)") from None
        problems = tuple(verify_folder(folder))
        return ModelStatus(spec, not problems, bool(problems), folder, problems, _folder_size(folder))
    return model_status(require_spec(ref))


def missing_bytes(spec: ModelSpec) -> tuple[int, str]:
    """(bytes still to download, commit) from a dry run against the hub."""
    from huggingface_hub import snapshot_download

    files = snapshot_download(spec.repo, allow_patterns=list(spec.allow_patterns) or None,
                              cache_dir=str(hub_cache_dir()), dry_run=True)
    need = sum((f.file_size or 0) for f in files if f.will_download)  # type: ignore[union-attr]
    commit = files[0].commit_hash if files else ""  # type: ignore[union-attr,index]
    return need, commit


def check_disk(need_bytes: int, folder: Path) -> None:
    """Raise ModelError when ``folder``'s disk has less than ``need_bytes`` (plus a margin) free."""
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < need_bytes * DISK_MARGIN:
        raise ModelError(
            f"not enough disk space in {folder}: the download needs {need_bytes / 1e9:.1f} GB, {free / 1e9:.1f} GB is free",
            "free some space, or set HF_HOME to a bigger disk",
        )


def install_model(model_id: str, progress: ProgressFn | None = None, cancel: threading.Event | None = None) -> ModelStatus:
    """Download ``model_id`` into the Hugging Face cache (resuming any partial download).

    Checks offline mode and free disk space first; reports bytes as they arrive;
    ``cancel`` stops the download (DownloadCancelled), keeping what arrived.
    """
    spec = require_spec(model_id)
    if offline():
        raise ModelError(f"cannot download {spec.id}: Hugging Face offline mode is on (HF_HUB_OFFLINE)",
                         "unset HF_HUB_OFFLINE to download, or copy the model folder here and use --model PATH")
    from huggingface_hub import snapshot_download

    cache = hub_cache_dir()
    try:
        need, _commit = missing_bytes(spec)
    except Exception as exc:
        if _is_gated(exc):
            raise GatedModelError(spec.repo) from None
        log.exception("dry run for %s failed", spec.repo)
        raise ModelError(f"cannot reach the Hugging Face hub for {spec.repo}: {exc}",
                         "check the network (and HF_TOKEN for gated models), then run the install again") from None
    check_disk(need, cache)
    tqdm_class = _progress_tqdm(need, progress, cancel)
    try:
        snapshot_download(spec.repo, allow_patterns=list(spec.allow_patterns) or None, cache_dir=str(cache),
                          tqdm_class=tqdm_class, max_workers=4)
    except DownloadCancelled:
        raise
    except OSError as exc:
        if _is_gated(exc):  # GatedRepoError is an OSError
            raise GatedModelError(spec.repo) from None
        if exc.errno == 28:
            raise ModelError(f"the disk filled up while downloading {spec.id}", "free some space; the install resumes") from None
        raise ModelError(f"downloading {spec.id} failed: {exc}", f"run: studio models install {spec.id}  (it resumes)") from None
    except Exception as exc:
        if isinstance(exc.__context__, DownloadCancelled) or isinstance(exc, DownloadCancelled):
            raise DownloadCancelled() from None
        if _is_gated(exc):
            raise GatedModelError(spec.repo) from None
        log.exception("download of %s failed", spec.repo)
        raise ModelError(f"downloading {spec.id} failed: {exc}", f"run: studio models install {spec.id}  (it resumes)") from None
    status = model_status(spec)
    if not status.installed:
        raise ModelError(f"{spec.id} downloaded but is incomplete: {status.problems[0] if status.problems else '?'}",
                         f"run: studio models install {spec.id}")
    return status


def _progress_tqdm(total: int, progress: ProgressFn | None, cancel: threading.Event | None):
    """A tqdm class for huggingface_hub that adds every file's bytes into one total and can cancel."""
    from tqdm.auto import tqdm

    lock = threading.Lock()
    state = {"done": 0}

    class ProgressTqdm(tqdm):  # type: ignore[misc]
        def __init__(self, *args, **kwargs):
            # Count the bytes written to the cache only: snapshot_download also has a files counter
            # (no unit "B") and, for Xet storage, a network "Downloading bytes" bar over the same data.
            self.counts_bytes = kwargs.get("unit") == "B" and not str(kwargs.get("desc", "")).startswith("Downloading bytes")
            kwargs["disable"] = True  # no terminal bars; the callback draws
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            if cancel is not None and cancel.is_set():
                raise DownloadCancelled()
            if self.counts_bytes and n:
                with lock:
                    state["done"] += int(n)
                    done = state["done"]
                if progress:
                    progress(min(done, total) if total else done, total)
            return super().update(n)

    return ProgressTqdm


def remove_model(model_id: str) -> int:
    """Delete a model's files from the cache; returns the bytes freed (0 when it was not there)."""
    from huggingface_hub import scan_cache_dir

    spec = require_spec(model_id)
    cache = hub_cache_dir()
    if not cache.is_dir():
        return 0
    info = scan_cache_dir(cache)
    hashes = [rev.commit_hash for repo in info.repos if repo.repo_id == spec.repo and repo.repo_type == "model"
              for rev in repo.revisions]
    if not hashes:
        return 0
    strategy = info.delete_revisions(*hashes)
    strategy.execute()
    return int(strategy.expected_freed_size)


def diffusers_readiness(model_id: str | None = None) -> tuple[bool, bool]:
    """(a CUDA GPU is usable, the model — or, without ``model_id``, any catalogue model — is installed).

    Imports torch only when asked (the window asks when a Diffusers shot is about to be generated).
    A model given as a local folder (a small model the user saved) counts as installed and
    as fit for this machine: the user chose it knowingly.
    """
    if model_id and Path(model_id).is_dir():
        return True, True
    try:
        import torch

        gpu = bool(torch.cuda.is_available())
    except Exception:  # no torch, or a broken CUDA install: the engine cannot use a GPU either
        gpu = False
    statuses = list_models()
    if model_id:
        installed = any(s.spec.id == model_id and s.installed for s in statuses)
    else:
        installed = any(s.installed for s in statuses)
    return gpu, installed


# --------------------------------------------------------------------------- what this machine has

PROFILE_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "auto": ("Automatic",
             "Picks the fastest profile that fits the free GPU memory when a job starts."),
    "gpu": ("Fastest: all on the GPU",
            "The whole model stays in GPU memory at 16-bit precision: the fastest, and it needs the most VRAM."),
    "fp8": ("Smaller weights (8-bit)",
            "The weights are stored in 8 bits and computed at full precision: about half the VRAM of the fastest profile, "
            "a little slower."),
    "model_offload": ("One part at a time on the GPU",
                      "Only the part of the model that is working (text encoder, video model, decoder) is on the GPU; "
                      "the rest waits in system memory. Less VRAM, somewhat slower."),
    "group_offload": ("Layers streamed to the GPU",
                      "Groups of layers are copied to the GPU as they are needed: much less VRAM, slower; needs plenty "
                      "of system memory."),
    "sequential_offload": ("Least GPU memory (slowest)",
                           "One layer at a time on the GPU, and the picture decoded in tiles: runs on small GPUs, many "
                           "times slower."),
}
"""Memory profile id -> (short label, explanation), in English; the window translates both."""


def profile_description(profile: str) -> tuple[str, str]:
    """(label, explanation) of a memory profile; an unknown id is shown as itself."""
    return PROFILE_DESCRIPTIONS.get(profile, (profile, ""))


@dataclass(frozen=True)
class MachineInfo:
    """What this computer offers the video models."""

    gpu_name: str | None
    """The first CUDA GPU's name; None when torch sees no NVIDIA GPU."""
    vram_bytes: int | None
    models_folder: Path
    """Where models are stored (the Hugging Face hub cache)."""
    free_disk_bytes: int | None
    """Free space on the disk holding ``models_folder`` (None when it cannot be read)."""

    @property
    def has_gpu(self) -> bool:
        return self.gpu_name is not None


def gpu_info() -> tuple[str | None, int | None]:
    """(name, total memory in bytes) of CUDA device 0, or (None, None). Imports torch when called."""
    try:
        import torch

        if not torch.cuda.is_available():
            return None, None
        props = torch.cuda.get_device_properties(0)
        return str(torch.cuda.get_device_name(0)), int(getattr(props, "total_memory", 0)) or None
    except Exception:  # no torch, or a broken CUDA install: the engine cannot use a GPU either
        log.info("no usable CUDA GPU", exc_info=True)
        return None, None


def free_disk_bytes(folder: Path) -> int | None:
    """Free bytes on the disk that holds ``folder`` (or its nearest existing parent: the cache may not exist yet)."""
    path = Path(folder).expanduser()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return int(shutil.disk_usage(path).free)
    except OSError:
        return None


def machine_info() -> MachineInfo:
    """The GPU (name, VRAM) and the free disk where models are stored."""
    name, vram = gpu_info()
    folder = hub_cache_dir()
    return MachineInfo(name, vram, folder, free_disk_bytes(folder))


def install_warnings(spec: ModelSpec, machine: MachineInfo) -> list[tuple[str, dict[str, str]]]:
    """Why installing ``spec`` on this machine may be a mistake (no GPU, too little disk).

    Each is an English message and its fields, so the window can translate it.
    """
    out: list[tuple[str, dict[str, str]]] = []
    if not machine.has_gpu:
        out.append(("This model needs an NVIDIA GPU; on this machine only the Sketch engine can render.", {}))
    need = int(spec.download_gb * 1e9 * DISK_MARGIN)
    if machine.free_disk_bytes is not None and need > machine.free_disk_bytes:
        out.append(("{m} needs {n} GB of disk space; only {f} GB is free in {p}.",
                    {"m": spec.name, "n": f"{spec.download_gb:.1f}", "f": f"{machine.free_disk_bytes / 1e9:.1f}",
                     "p": str(machine.models_folder)}))
    return out
