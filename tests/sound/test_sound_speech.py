"""Speech through espeak-ng (skipped where it is missing) and the parts that need no espeak."""

from __future__ import annotations

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
