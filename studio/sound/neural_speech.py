"""A neural voice for dialogue through transformers (VITS, e.g. Meta's MMS-TTS), when one is installed.

Nothing is downloaded. A model is used when it is already on disk: the folder
named by the ``STUDIO_TTS_MODEL`` environment variable (any VITS model saved
with ``save_pretrained``), or the language's MMS-TTS model in the Hugging Face
cache (``huggingface-cli download facebook/mms-tts-eng`` installs it). When
none is found, or it fails, callers fall back to espeak-ng.

MMS-TTS voices are single-speaker; characters still get distinct voices: a
multi-speaker model gets a speaker per character, otherwise each character
gets its own speaking rate and sampling seed.
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from functools import lru_cache
from math import gcd
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from studio.domain.timing import SAMPLE_RATE

log = logging.getLogger(__name__)

MODEL_ENV = "STUDIO_TTS_MODEL"
MMS_MODELS = {"en": "facebook/mms-tts-eng"}
"""Language -> MMS-TTS repository used from the Hugging Face cache. Japanese has no MMS voice: espeak-ng speaks it."""

_lock = threading.Lock()  # one model call at a time: torch modules are not re-entrant across threads


def _hub_cache_folders() -> list[Path]:
    """Where huggingface_hub keeps its cache, by the environment variables it reads (newest first)."""
    folders = [os.environ.get("HF_HUB_CACHE"), os.environ.get("HUGGINGFACE_HUB_CACHE")]
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface")
    folders.append(os.path.join(home, "hub"))
    return [Path(f).expanduser() for f in folders if f]


def _cached_repo(repo_id: str) -> Path | None:
    # No folder for the repository in any cache the hub would read: not installed. Said without
    # importing huggingface_hub (~0.2 s of every render's first spoken line).
    name = "models--" + repo_id.replace("/", "--")
    for cache in _hub_cache_folders():
        if not (cache / name).is_dir():
            continue
        try:
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(repo_id, local_files_only=True, cache_dir=cache))
        except Exception:  # an incomplete download (or the hub library is missing): no neural voice from here
            continue
    return None


def neural_model_folder(language: str) -> Path | None:
    """The folder of an installed VITS model for ``language`` ('en', 'ja'), or None."""
    env = os.environ.get(MODEL_ENV, "").strip()
    if env:
        folder = Path(env).expanduser()
        if (folder / "config.json").is_file():
            return folder
        log.warning("%s=%s holds no model (config.json missing); using espeak-ng", MODEL_ENV, env)
        return None
    repo = MMS_MODELS.get(language)
    return _cached_repo(repo) if repo else None


@lru_cache(maxsize=2)
def _load(folder: str):
    import torch  # noqa: F401  (transformers needs it; imported here so `studio --help` stays fast)
    from transformers import AutoTokenizer, VitsModel

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = VitsModel.from_pretrained(folder).eval()
    return tokenizer, model


def _character_style(character_id: str | None, num_speakers: int) -> tuple[int | None, float, int]:
    """(speaker id or None, speaking rate, seed) for a character; stable across runs (crc32)."""
    h = zlib.crc32((character_id or "narrator").encode("utf-8"))
    speaker = h % num_speakers if num_speakers > 1 else None
    rate = 0.9 + 0.2 * ((h >> 8) % 11) / 10
    return speaker, rate, h & 0x7FFFFFFF


def speak_neural(text: str, folder: Path, character_id: str | None = None) -> np.ndarray | None:
    """Speak ``text`` with the VITS model in ``folder``: mono float64 at 48 kHz (not levelled), or None on failure."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        import torch

        with _lock:
            tokenizer, model = _load(str(folder))
            inputs = tokenizer(text, return_tensors="pt")
            if inputs["input_ids"].shape[-1] == 0:
                log.warning("the neural voice in %s cannot read %r; using espeak-ng", folder, text[:40])
                return None
            speaker, rate, seed = _character_style(character_id, int(getattr(model.config, "num_speakers", 1) or 1))
            model.speaking_rate = rate
            kwargs = {"speaker_id": speaker} if speaker is not None else {}
            torch.manual_seed(seed)  # VITS samples its noise: a fixed seed per character keeps lines repeatable
            with torch.no_grad():
                wave = model(**inputs, **kwargs).waveform[0].float().cpu().numpy().astype(np.float64)
            sr = int(model.config.sampling_rate)
    except Exception as exc:  # a broken or incompatible model must not stop a render
        log.warning("neural voice in %s failed (%s); using espeak-ng", folder, exc)
        return None
    if wave.size == 0 or not np.all(np.isfinite(wave)):
        return None
    if sr != SAMPLE_RATE:
        g = gcd(SAMPLE_RATE, sr)
        wave = resample_poly(wave, SAMPLE_RATE // g, sr // g)
    return wave
