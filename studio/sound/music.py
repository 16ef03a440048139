"""Procedural underscore for ``{music: …}`` cues: a short chord progression, in numpy.

The Sketch engine (and any engine without a music model) answers a music cue
with a quiet bed: a mood read from the cue's words (English or Japanese) picks
the mode, tempo and progression; an instrument word picks the voice (a plucked,
decaying "piano", sustained "strings"/pads, or both). Chords change on the bar,
a soft arpeggio walks the chord tones, and the bass holds the root. The result
is a stereo stem at 48 kHz, about -24 dBFS RMS so it sits under dialogue and
foley (the mixer also ducks it under speech). Same cue and seed: the same samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.domain.timing import SAMPLE_RATE

# Mood words -> (mode, beats per minute, progression in scale degrees, brightness 0..1).
_MOODS: list[tuple[tuple[str, ...], tuple[str, int, tuple[int, ...], float]]] = [
    (("sad", "melanchol", "lonely", "rain", "悲し", "寂し", "切な", "哀"), ("minor", 66, (0, 5, 2, 6), 0.35)),
    (("tense", "suspense", "danger", "dark", "ominous", "緊張", "不穏", "怖", "サスペンス"), ("minor", 84, (0, 0, 5, 4), 0.25)),
    (("upbeat", "happy", "cheerful", "bright", "fun", "energetic", "明る", "楽し", "元気", "ポップ"), ("major", 116, (0, 4, 5, 3), 0.8)),
    (("epic", "heroic", "triumph", "grand", "壮大", "勇壮"), ("major", 92, (0, 5, 3, 4), 0.7)),
    (("calm", "gentle", "soft", "peaceful", "quiet", "lofi", "lo-fi", "relax", "静か", "穏やか", "優し", "癒"), ("major", 72, (0, 5, 3, 4), 0.5)),
]
_DEFAULT_MOOD = ("major", 84, (0, 4, 5, 3), 0.55)
_PIANO = ("piano", "pluck", "guitar", "harp", "music box", "ピアノ", "ギター", "オルゴール")
_PAD = ("strings", "pad", "synth", "ambient", "drone", "organ", "弦", "ストリングス", "シンセ")

_SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}


@dataclass(frozen=True)
class MusicPlan:
    """What a cue was read as: the key, mode, tempo, progression and voices."""

    root_midi: int
    mode: str
    bpm: int
    progression: tuple[int, ...]
    brightness: float
    piano: bool
    pad: bool

    def chord(self, degree: int) -> tuple[int, int, int]:
        """MIDI notes of the triad on scale ``degree`` (0 = tonic), stacked in thirds within the mode."""
        scale = _SCALES[self.mode]
        notes = []
        for step in (0, 2, 4):
            i = degree + step
            notes.append(self.root_midi + scale[i % 7] + 12 * (i // 7))
        return notes[0], notes[1], notes[2]


def plan_music(description: str, seed: int = 0) -> MusicPlan:
    """Read a cue ("calm piano", "切ないストリングス") into a `MusicPlan`; the seed picks the key."""
    text = description.casefold()
    mood = next((m for words, m in _MOODS if any(w in text for w in words)), _DEFAULT_MOOD)
    mode, bpm, progression, brightness = mood
    piano = any(w in text for w in _PIANO)
    pad = any(w in text for w in _PAD)
    if not piano and not pad:
        piano = pad = True
    rng = np.random.default_rng([abs(int(seed)) % (2**32), 0x6D75])
    root = 57 + int(rng.integers(0, 7))  # A3..D#4: a comfortable register for the chords
    return MusicPlan(root, mode, bpm, progression, brightness, piano, pad)


def _midi_hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _pluck(freq: float, n: int, sr: int, brightness: float) -> np.ndarray:
    """A piano-like tone: a few harmonics, fast attack, exponential decay (higher partials die sooner)."""
    t = np.arange(n) / sr
    out = np.zeros(n)
    for k, amp in ((1, 1.0), (2, 0.45 * brightness + 0.1), (3, 0.22 * brightness), (4, 0.1 * brightness)):
        if freq * k > sr / 2.2:
            break
        out += amp * np.sin(2 * np.pi * freq * k * t) * np.exp(-t * (2.2 + 1.6 * k))
    attack = min(n, int(0.004 * sr))
    out[:attack] *= np.linspace(0.0, 1.0, attack, endpoint=False)
    return out


def _pad_tone(freq: float, n: int, sr: int, brightness: float, phase: float) -> np.ndarray:
    """A sustained string/pad tone: detuned partials with a slow swell in and out."""
    t = np.arange(n) / sr
    out = np.zeros(n)
    for detune in (-0.35, 0.35):
        f = freq * 2 ** (detune / 1200 * 10)
        for k, amp in ((1, 1.0), (2, 0.3 + 0.3 * brightness), (3, 0.15 * brightness)):
            out += amp * np.sin(2 * np.pi * f * k * t + phase * k)
    swell = np.minimum(1.0, t / 0.35) * np.minimum(1.0, (n / sr - t) / 0.3).clip(0.0, 1.0)
    return out * swell


def compose_music(description: str, samples: int, seed: int = 0, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``samples`` of underscore for a music cue: float32 (samples, 2), about -24 dBFS RMS, faded at both ends."""
    samples = int(samples)
    if samples <= 0:
        return np.zeros((0, 2), np.float32)
    plan = plan_music(description, seed)
    sr = int(sample_rate)
    rng = np.random.default_rng([abs(int(seed)) % (2**32), 0x6D76])
    beat = int(round(60.0 / plan.bpm * sr))
    bar = 4 * beat
    left = np.zeros(samples)
    right = np.zeros(samples)
    n_bars = -(-samples // bar)
    for b in range(n_bars):
        start = b * bar
        length = min(bar + int(0.6 * sr), samples - start)  # let each chord ring into the next bar
        if length <= 0:
            break
        notes = plan.chord(plan.progression[b % len(plan.progression)])
        if plan.pad:
            for i, note in enumerate(notes):
                tone = _pad_tone(_midi_hz(note), min(bar, samples - start), sr, plan.brightness, rng.uniform(0, 2 * np.pi))
                pan = (-0.5, 0.0, 0.5)[i]
                left[start : start + tone.size] += 0.16 * tone * np.sqrt((1 - pan) / 2)
                right[start : start + tone.size] += 0.16 * tone * np.sqrt((1 + pan) / 2)
            bass = _pad_tone(_midi_hz(notes[0] - 12), min(bar, samples - start), sr, 0.2, 0.0)
            left[start : start + bass.size] += 0.14 * bass
            right[start : start + bass.size] += 0.14 * bass
        if plan.piano:
            # An arpeggio on the beats (eighths when upbeat), chord tones walked up and down.
            step = beat // 2 if plan.bpm >= 100 else beat
            pattern = [0, 1, 2, 1] if plan.mode == "major" else [0, 2, 1, 2]
            for j, at in enumerate(range(start, min(start + bar, samples), step)):
                note = notes[pattern[j % len(pattern)]] + (12 if j % 8 == 7 else 0)
                n = min(int(1.6 * sr), samples - at)
                tone = _pluck(_midi_hz(note), n, sr, plan.brightness) * rng.uniform(0.75, 1.0)
                pan = float(np.clip((note - plan.root_midi - 6) / 14.0, -0.6, 0.6))
                left[at : at + n] += 0.22 * tone * np.sqrt((1 - pan) / 2)
                right[at : at + n] += 0.22 * tone * np.sqrt((1 + pan) / 2)
    out = np.stack([left, right], axis=1)
    rms = float(np.sqrt(np.mean(out**2)))
    if rms > 0:
        out *= 10 ** (-24 / 20) / rms
    fade = min(samples // 4, int(0.25 * sr))
    if fade > 0:
        ramp = np.linspace(0.0, 1.0, fade, endpoint=False)[:, None]
        out[:fade] *= ramp
        out[samples - fade :] *= ramp[::-1]
    return np.clip(out, -1.0, 1.0).astype(np.float32)
