"""Speech through espeak-ng (skipped where it is missing) and the parts that need no espeak."""

from __future__ import annotations

import os
import shutil
import struct

import numpy as np
import pytest

from studio.sound import speech
from studio.sound.speech import (
    is_japanese,
    resolve_voice,
    synthesize_line,
    voice_for_character,
)

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def _rms_db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-20)


@needs_espeak
@pytest.mark.parametrize("text", ["The train is leaving in five minutes.", "こんにちは、今日はいい天気ですね。"])
def test_speech_is_audible(text):
    x = synthesize_line(text, voice_for_character("hana"))
    assert x is not None and x.dtype == np.float32 and x.shape[1] == 2
    assert x.shape[0] > 48_000 // 2  # longer than half a second at 48 kHz
    assert np.max(np.abs(x)) <= 0.7 + 1e-6
    assert _rms_db(x) > -26


@needs_espeak
def test_speech_is_cached_and_copied():
    a = synthesize_line("Cache me.")
    a[:] = 0  # callers may scribble on their copy
    b = synthesize_line("Cache me.")
    assert np.any(b)


def test_language_and_voice_choice():
    assert is_japanese("今日は") and is_japanese("カフェ") and not is_japanese("hello")
    assert resolve_voice("hello") == "en"
    assert resolve_voice("こんにちは", "en+f3") == "ja+f3"
    assert resolve_voice("bonjour", "en+m3", language="fr") == "fr+m3"
    v = voice_for_character("char_hana")
    assert v == voice_for_character("char_hana") and v.startswith("en+")
    assert len({voice_for_character(f"c{i}") for i in range(40)}) > 3
    assert voice_for_character(None) == speech.DEFAULT_VOICE


def test_missing_espeak_returns_none(monkeypatch, caplog):
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    assert synthesize_line("Hello there") is None
    assert synthesize_line("") is None


def test_failing_espeak_returns_none(monkeypatch, tmp_path):
    fake = tmp_path / "espeak-ng"
    fake.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(speech.shutil, "which", lambda name: str(fake))
    assert synthesize_line("A line nobody cached yet 123") is None


def test_wav_parser_ignores_streaming_sizes():
    pcm = (np.sin(np.arange(2205) / 5) * 10000).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, 22050, 44100, 2, 16)
    data = b"RIFF" + struct.pack("<I", 0x7FFFFFFF) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
    data += b"data" + struct.pack("<I", 0x7FFFFFFF) + pcm
    mono, rate = speech._parse_wav(data)
    assert rate == 22050 and mono.shape == (2205,)
    with pytest.raises(ValueError):
        speech._parse_wav(b"not a wav")


def test_kanji_become_kana_for_espeak():
    from studio.sound.speech import japanese_reading

    assert japanese_reading("今日は雨です") == "きょうはあめです" or japanese_reading("今日は雨です") == "こんにちはあめです"
    assert japanese_reading("カフェで、ね。") == "カフェで、ね。"  # kana and punctuation are kept
    assert japanese_reading("hello") == "hello"


@needs_espeak
def test_japanese_is_spoken_in_japanese_not_as_chinese_letters():
    import subprocess

    from studio.sound.speech import japanese_reading

    text = "東京駅で会いましょう"
    raw = subprocess.run(["espeak-ng", "-q", "-x", "-v", "ja"], input=text.encode(), capture_output=True).stdout.decode()
    fixed = subprocess.run(["espeak-ng", "-q", "-x", "-v", "ja"], input=japanese_reading(text).encode(),
                           capture_output=True).stdout.decode()
    assert "(en)" in raw  # espeak-ng alone falls back to English ("Chinese letter") for kanji
    assert "(en)" not in fixed and fixed.strip()


def _tiny_vits(folder, seed=0):
    """A randomly initialised VITS model and tokenizer, saved like an installed MMS-TTS voice."""
    import json

    import torch
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    vocab = {c: i for i, c in enumerate(" abcdefghijklmnopqrstuvwxyz'.,?!")}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    VitsTokenizer(str(folder / "vocab.json"), phonemize=False, is_uroman=False, add_blank=True).save_pretrained(folder)
    config = VitsConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, ffn_dim=32, flow_size=16,
        spectrogram_bins=17, upsample_initial_channel=16, upsample_rates=[4, 4], upsample_kernel_sizes=[8, 8],
        resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3]], prior_encoder_num_flows=1,
        prior_encoder_num_wavenet_layers=1, posterior_encoder_num_wavenet_layers=1, duration_predictor_num_flows=1,
        duration_predictor_filter_channels=16, depth_separable_num_layers=1, sampling_rate=16000,
    )
    torch.manual_seed(seed)
    VitsModel(config).eval().save_pretrained(folder)
    return folder


@pytest.mark.slow  # builds and runs a (tiny) transformers model: several seconds
def test_neural_voice_speaks_when_installed_and_falls_back(tmp_path, monkeypatch):
    from studio.sound import neural_speech

    folder = _tiny_vits(tmp_path / "vits")
    monkeypatch.setenv(neural_speech.MODEL_ENV, str(folder))
    assert neural_speech.neural_model_folder("en") == folder
    a = synthesize_line("hello there, friend.", character_id="hana")
    b = synthesize_line("hello there, friend.", character_id="hana")
    c = synthesize_line("hello there, friend.", character_id="kenji")
    assert a is not None and a.dtype == np.float32 and a.shape[1] == 2
    np.testing.assert_array_equal(a, b)  # same character, same line: the same take
    assert a.shape != c.shape or not np.allclose(a, c)  # another character, another voice
    assert _rms_db(a) == pytest.approx(speech.LINE_RMS_DB, abs=1.5) or np.max(np.abs(a)) == pytest.approx(speech.LINE_PEAK, abs=1e-3)
    # The same call through espeak-ng (neural off) is a different synthesiser's output.
    if shutil.which("espeak-ng"):
        e = synthesize_line("hello there, friend.", character_id="hana", neural=False)
        assert e is not None and (e.shape != a.shape or not np.allclose(e, a))
    # A broken model folder: a warning and espeak-ng (or silence without it), never an exception.
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    monkeypatch.setenv(neural_speech.MODEL_ENV, str(broken))
    out = synthesize_line("a line for the broken model", character_id="hana")
    assert (out is not None) == bool(shutil.which("espeak-ng"))


def test_no_neural_model_means_espeak(monkeypatch, tmp_path):
    from studio.sound import neural_speech

    monkeypatch.delenv(neural_speech.MODEL_ENV, raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    assert neural_speech.neural_model_folder("en") is None
    assert neural_speech.neural_model_folder("ja") is None


def _hub_cache_with(cache, repo_id: str):
    """A Hugging Face hub cache holding ``repo_id`` at one snapshot, laid out as huggingface_hub lays it out."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / ("a" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    return snapshot


@pytest.mark.parametrize("variable", ["HF_HUB_CACHE", "HF_HOME"])
def test_an_installed_voice_is_found_in_the_hub_cache(monkeypatch, tmp_path, variable):
    from studio.sound import neural_speech

    monkeypatch.delenv(neural_speech.MODEL_ENV, raising=False)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"):
        monkeypatch.delenv(name, raising=False)
    cache = tmp_path / "cache" if variable == "HF_HUB_CACHE" else tmp_path / "home" / "hub"
    snapshot = _hub_cache_with(cache, neural_speech.MMS_MODELS["en"])
    monkeypatch.setenv(variable, str(cache if variable == "HF_HUB_CACHE" else tmp_path / "home"))
    assert neural_speech.neural_model_folder("en") == snapshot


def test_no_voice_in_the_cache_is_known_without_loading_the_hub_library(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("STUDIO_TTS_MODEL", "HF_HOME", "HUGGINGFACE_HUB_CACHE")}
    env["HF_HUB_CACHE"] = str(tmp_path / "empty")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    code = ("import sys; from studio.sound import neural_speech as n; "
            "print(n.neural_model_folder('en'), 'huggingface_hub' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.split() == ["None", "False"], out.stderr
