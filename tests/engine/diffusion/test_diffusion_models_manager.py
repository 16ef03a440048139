"""The model manager: list, verify, remove against a real Hugging Face cache layout; install's checks."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from studio.cli import main


def install_into_cache(folder: Path, cache: Path, repo: str) -> Path:
    """Lay ``folder`` out as huggingface_hub does: blobs by hash, a snapshot of symlinks, refs/main."""
    root = cache / ("models--" + repo.replace("/", "--"))
    commit = hashlib.sha1(repo.encode()).hexdigest()
    snap = root / "snapshots" / commit
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            blob = root / "blobs" / hashlib.sha256(data).hexdigest()
            blob.parent.mkdir(parents=True, exist_ok=True)
            blob.write_bytes(data)
            link = snap / path.relative_to(folder)
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.path.relpath(blob, link.parent), link)
    (root / "refs").mkdir(parents=True, exist_ok=True)
    (root / "refs" / "main").write_text(commit)
    return snap


@pytest.fixture
def hf_cache(tmp_path, monkeypatch):
    cache = tmp_path / "hf" / "hub"
    cache.mkdir(parents=True)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    return cache


def test_list_verify_and_remove_an_installed_model(tiny_models, hf_cache, capsys):
    from studio.engine.diffusion.loader import resolve_model
    from studio.services.models import list_models, remove_model, verify_model

    snap = install_into_cache(tiny_models["wan"], hf_cache, "Wan-AI/Wan2.2-TI2V-5B-Diffusers")
    states = {s.spec.id: s for s in list_models()}
    assert states["wan2.2-ti2v-5b"].installed and states["wan2.2-ti2v-5b"].path == snap
    assert not states["ltx-2"].installed and not states["ltx-2"].partial
    assert verify_model("wan2.2-ti2v-5b").installed
    assert resolve_model("wan2.2-ti2v-5b").path == snap  # the engine finds it in the cache

    assert main(["models", "list", "--json"]) == 0
    listed = {m["id"]: m for m in json.loads(capsys.readouterr().out)}
    assert listed["wan2.2-ti2v-5b"]["state"] == "installed" and listed["cogvideox-2b"]["state"] == "not installed"
    assert listed["ltx-2"]["has_audio"] is True and listed["ltx-2"]["vram_gb"]["group_offload"] > 0

    # An interrupted download: a weight file missing from the snapshot.
    victim = next((snap / "transformer").glob("*.safetensors"))
    victim.unlink()
    status = verify_model("wan2.2-ti2v-5b")
    assert status.partial and not status.installed and "transformer/ has no weights" in status.problems[0]
    assert main(["models", "verify", "wan2.2-ti2v-5b"]) == 1
    assert "incomplete" in capsys.readouterr().out

    freed = remove_model("wan2.2-ti2v-5b")
    assert freed > 0
    assert not (hf_cache / "models--Wan-AI--Wan2.2-TI2V-5B-Diffusers" / "snapshots").exists() or \
        not any((hf_cache / "models--Wan-AI--Wan2.2-TI2V-5B-Diffusers" / "snapshots").iterdir())
    assert not verify_model("wan2.2-ti2v-5b").installed
    assert remove_model("wan2.2-ti2v-5b") == 0


def test_verify_a_local_folder_and_a_sharded_checkpoint(tiny_models, tmp_path):
    from studio.services.models import verify_model

    assert verify_model(str(tiny_models["ltx"])).installed
    folder = tmp_path / "sharded"
    shutil.copytree(tiny_models["ltx"], folder)
    index = {"metadata": {}, "weight_map": {"a": "diffusion_pytorch_model-00001-of-00002.safetensors",
                                            "b": "diffusion_pytorch_model-00002-of-00002.safetensors"}}
    (folder / "transformer" / "diffusion_pytorch_model.safetensors.index.json").write_text(json.dumps(index))
    (folder / "transformer" / "diffusion_pytorch_model-00001-of-00002.safetensors").write_bytes(b"x")
    status = verify_model(str(folder))
    assert not status.installed and "1 of 2 weight shards missing" in status.problems[0]


def test_install_refuses_offline_and_when_the_disk_is_too_small(hf_cache, monkeypatch):
    from studio.services import models

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(models.ModelError, match="offline mode"):
        models.install_model("cogvideox-2b")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")

    downloads = []
    monkeypatch.setattr(models, "missing_bytes", lambda spec: (10**15, "abc"))  # a petabyte to go
    monkeypatch.setattr("huggingface_hub.snapshot_download", lambda *a, **k: downloads.append(a))
    with pytest.raises(models.ModelError) as info:
        models.install_model("cogvideox-2b")
    assert "not enough disk space" in info.value.message and "HF_HOME" in info.value.hint
    assert downloads == [], "nothing is downloaded when it would not fit"
    with pytest.raises(models.ModelError, match="unknown model"):
        models.install_model("no-such-model")


def test_download_progress_adds_bytes_and_cancel_stops_it():
    from studio.services.models import DownloadCancelled, _progress_tqdm

    seen = []
    cancel = threading.Event()
    bar_class = _progress_tqdm(1000, lambda done, total: seen.append((done, total)), cancel)
    a = bar_class(total=600, unit="B")
    b = bar_class(total=400, unit="B")
    files = bar_class(total=2)  # snapshot_download's files counter is not bytes
    network = bar_class(total=0, unit="B", desc="Downloading bytes")  # the same bytes, counted once
    a.update(600)
    files.update(1)
    network.update(600)
    b.update(300)
    assert seen == [(600, 1000), (900, 1000)]
    cancel.set()
    with pytest.raises(DownloadCancelled):
        b.update(100)


def _gated_error(repo: str):
    """The exception huggingface_hub itself raises for a gated repo: its real class over a real 401 response."""
    import httpx2
    from huggingface_hub.errors import GatedRepoError

    request = httpx2.Request("GET", f"https://huggingface.co/api/models/{repo}/revision/main")
    response = httpx2.Response(401, request=request, headers={"X-Error-Code": "GatedRepo"})
    return GatedRepoError(f"401 Client Error. Cannot access gated repo for url {request.url}.", response=response)


@pytest.mark.parametrize("phase", ["dry run", "download"])
def test_a_gated_repo_explains_the_login_in_one_line_in_english_and_japanese(hf_cache, monkeypatch, capsys, phase):
    from studio.services import models
    from studio.ui import i18n

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    repo = models.require_spec("stable-audio-open-1.0").repo

    def refuse(*a, **k):
        raise _gated_error(repo)

    if phase == "download":
        monkeypatch.setattr(models, "missing_bytes", lambda spec: (1000, "abc"))
    monkeypatch.setattr("huggingface_hub.snapshot_download", refuse)
    with pytest.raises(models.GatedModelError) as info:
        models.install_model("stable-audio-open-1.0")
    text = info.value.message
    assert "gated repository" in text and "hf auth login" in text and "HF_TOKEN" in text and repo in text
    assert info.value.hint == ""
    assert main(["models", "install", "stable-audio-open-1.0"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len([line for line in err if "gated" in line]) == 1 and "hf auth login" in err[-1]
    # The window's string goes through tr and has its Japanese entry.
    old = i18n.language()
    try:
        i18n.set_language("ja")
        ja = i18n.tr(models.GATED_MESSAGE, r=repo)
    finally:
        i18n.set_language(old)
    assert ja != text and "hf auth login" in ja and "HF_TOKEN" in ja and "利用規約" in ja
