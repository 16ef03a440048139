"""Offline speech for dialogue lines through the ``espeak-ng`` command line.

espeak-ng is optional: when it is not on PATH (or fails) `synthesize_line`
logs a warning and returns None, and the caller leaves the dialogue stem
silent. Nothing here raises for a missing or failing synthesiser.
"""

from __future__ import annotations

import logging
import shutil
import struct
import subprocess
import zlib
from functools import lru_cache
from math import gcd

import numpy as np
from scipy.signal import resample_poly

from studio.domain.timing import SAMPLE_RATE

log = logging.getLogger(__name__)

ESPEAK = "espeak-ng"
LINE_RMS_DB = -20.0
"""Every line is levelled to this RMS (dBFS), peaks capped at `LINE_PEAK`."""
LINE_PEAK = 0.7

# espeak-ng voice variants (files under espeak-ng-data/voices/!v) that stay intelligible.
VOICE_VARIANTS = ("m1", "m2", "m3", "m4", "m7", "f1", "f2", "f3", "f4", "f5")
DEFAULT_VOICE = "en+m3"

_warned: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    # One line per problem per process: a long storyboard must not flood the log.
    if key not in _warned:
        _warned.add(key)
        log.warning(message)


def espeak_available() -> bool:
    """True when the espeak-ng executable is on PATH."""
    return shutil.which(ESPEAK) is not None


def is_japanese(text: str) -> bool:
    """True if the text contains kana or kanji (then the ``ja`` voice reads it)."""
    for ch in text:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xFF66 <= o <= 0xFF9F:
            return True
    return False


def voice_for_character(character_id: str | None) -> str:
    """A stable espeak-ng voice for a character, e.g. ``en+f3``; the same id always gets the same voice."""
    if not character_id:
        return DEFAULT_VOICE
    # crc32, not hash(): Python salts str hashes per process, and voices must not change between runs.
    variant = VOICE_VARIANTS[zlib.crc32(character_id.encode("utf-8")) % len(VOICE_VARIANTS)]
    return f"en+{variant}"


def resolve_voice(text: str, voice: str | None = None, language: str | None = None) -> str:
    """The espeak-ng ``-v`` argument for a line: language from ``language``, else the script
    of the text (Japanese -> ``ja``), else the voice's own; the voice's variant is kept."""
    base, _, variant = (voice or "").partition("+")
    if language:
        base = language
    elif is_japanese(text):
        base = "ja"
    elif not base:
        base = "en"
    return f"{base}+{variant}" if variant else base


def _parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Decode espeak-ng's 16-bit PCM WAV from stdout.

    Written to a pipe, espeak-ng cannot seek back to fill in the RIFF and data
    sizes (they read 0x7FFFFFFF), so walk the chunks and take everything after
    ``data`` rather than trusting the sizes (the stdlib ``wave`` module would).
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("espeak-ng did not write a WAV stream")
    pos = 12
    rate = channels = bits = None
    while pos + 8 <= len(data):
        cid = data[pos : pos + 4]
        size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt, channels, rate = struct.unpack("<HHI", data[body : body + 8])
            bits = struct.unpack("<H", data[body + 14 : body + 16])[0]
            if fmt != 1 or bits != 16:
                raise ValueError(f"unexpected WAV format {fmt}/{bits}-bit")
        elif cid == b"data":
            if rate is None:
                raise ValueError("WAV data before fmt chunk")
            end = min(len(data), body + size)
            end -= (end - body) % (2 * channels)
            pcm = np.frombuffer(data[body:end], dtype="<i2").astype(np.float32) / 32768.0
            return pcm.reshape(-1, channels).mean(axis=1), int(rate)
        pos = body + size + (size & 1)
    raise ValueError("WAV stream has no data chunk")


def _level(mono: np.ndarray) -> np.ndarray:
    # Trim espeak's leading/trailing silence (keep 1 ms / 20 ms) so a line starts where it is placed.
    thr = 10 ** (-50 / 20) * max(float(np.max(np.abs(mono))), 1e-9)
    loud = np.flatnonzero(np.abs(mono) > thr)
    if loud.size:
        mono = mono[max(0, loud[0] - int(0.001 * SAMPLE_RATE)) : loud[-1] + int(0.02 * SAMPLE_RATE)]
    rms = float(np.sqrt(np.mean(mono**2))) if mono.size else 0.0
    if rms <= 0:
        return mono
    mono = mono * (10 ** (LINE_RMS_DB / 20) / rms)
    peak = float(np.max(np.abs(mono)))
    if peak > LINE_PEAK:
        mono *= LINE_PEAK / peak
    fade = min(int(0.005 * SAMPLE_RATE), mono.size // 2)
    if fade:
        ramp = (np.arange(fade) + 1.0) / fade  # first sample non-zero: the line starts where placed
        mono[:fade] *= ramp
        mono[-fade:] *= ramp[::-1]
    return mono


@lru_cache(maxsize=64)  # a 5 s line is ~1 MB; 64 covers a storyboard's dialogue
def _synthesize_cached(text: str, espeak_voice: str, exe: str) -> np.ndarray | None:
    try:
        # Text goes on stdin so a line starting with "-" is never read as an option.
        proc = subprocess.run(
            [exe, "--stdout", "-v", espeak_voice],
            input=text.replace("\n", " ").encode("utf-8"),
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("espeak-ng failed for voice %s: %s", espeak_voice, exc)
        return None
    if proc.returncode != 0 or not proc.stdout:
        err = proc.stderr.decode("utf-8", "replace").strip()
        log.warning("espeak-ng (voice %s) wrote no audio: %s", espeak_voice, err or f"exit {proc.returncode}")
        return None
    try:
        mono, rate = _parse_wav(proc.stdout)
    except (ValueError, struct.error) as exc:
        log.warning("could not read espeak-ng output for voice %s: %s", espeak_voice, exc)
        return None
    if rate != SAMPLE_RATE:
        g = gcd(SAMPLE_RATE, rate)
        mono = resample_poly(mono.astype(np.float64), SAMPLE_RATE // g, rate // g)
    mono = _level(np.asarray(mono, dtype=np.float64))
    if mono.size == 0 or not np.any(mono):
        log.warning("espeak-ng produced silence for voice %s", espeak_voice)
        return None
    out = mono.astype(np.float32)  # cached mono: half the memory; callers get a stereo copy
    out.setflags(write=False)
    return out


def _has_kanji(text: str) -> bool:
    return any(0x4E00 <= ord(ch) <= 0x9FFF or 0x3400 <= ord(ch) <= 0x4DBF for ch in text)


def japanese_reading(text: str) -> str:
    """``text`` with its kanji replaced by their hiragana reading (pykakasi), kana and punctuation kept.

    espeak-ng's Japanese voice reads only kana: a kanji is spoken as the
    English words "Chinese letter". Without pykakasi the text is returned as
    it is (and a warning says what is missing).
    """
    if not _has_kanji(text):
        return text
    try:
        import pykakasi
    except ImportError:
        _warn_once("kakasi", "pykakasi is not installed; kanji in Japanese dialogue will not be read (pip install pykakasi)")
        return text
    return "".join(part["hira"] if _has_kanji(part["orig"]) else part["orig"] for part in _kakasi(pykakasi).convert(text))


@lru_cache(maxsize=1)
def _kakasi(module):
    return module.kakasi()


@lru_cache(maxsize=64)
def _neural_cached(text: str, folder: str, character_id: str | None) -> np.ndarray | None:
    from pathlib import Path

    from studio.sound.neural_speech import speak_neural

    wave = speak_neural(text, Path(folder), character_id)
    if wave is None:
        return None
    mono = _level(wave)
    if mono.size == 0 or not np.any(mono):
        return None
    out = mono.astype(np.float32)
    out.setflags(write=False)
    return out


def synthesize_line(
    text: str,
    voice: str | None = None,
    language: str | None = None,
    *,
    character_id: str | None = None,
    neural: bool = True,
) -> np.ndarray | None:
    """Speak one line: (n, 2) float32 at 48 kHz, levelled to -20 dBFS RMS; None if it can't.

    With ``neural`` and an installed VITS model for the line's language (see
    `studio.sound.neural_speech.neural_model_folder`), that model speaks it in
    ``character_id``'s voice; otherwise, or when it fails, espeak-ng does.
    ``voice`` is an espeak-ng voice such as ``en+f3`` (see `voice_for_character`);
    its language part is replaced by ``ja`` for Japanese text (kana/kanji) or by
    ``language`` when given; kanji are read as kana first (`japanese_reading`).
    Results are cached in-process. Returns None, after logging a warning, when
    no synthesiser can speak.
    """
    text = (text or "").strip()
    if not text:
        return None
    espeak_voice = resolve_voice(text, voice, language)
    base = espeak_voice.partition("+")[0]
    if neural:
        from studio.sound.neural_speech import neural_model_folder

        folder = neural_model_folder(base)
        if folder is not None:
            spoken = _neural_cached(text, str(folder), character_id)
            if spoken is not None:
                return np.stack([spoken, spoken], axis=1)
    exe = shutil.which(ESPEAK)
    if exe is None:
        _warn_once("missing", "espeak-ng is not installed; dialogue will be silent (install the espeak-ng package)")
        return None
    if base == "ja":
        text = japanese_reading(text)
    result = _synthesize_cached(text, espeak_voice, exe)
    return None if result is None else np.stack([result, result], axis=1)


__all__ = [
    "DEFAULT_VOICE",
    "espeak_available",
    "is_japanese",
    "japanese_reading",
    "resolve_voice",
    "synthesize_line",
    "voice_for_character",
]
