"""{music: …} cues get a real underscore: in key, in the cue's mode, quiet, deterministic."""

from __future__ import annotations

import numpy as np
import pytest

from studio.sound.music import compose_music, plan_music

SR = 48000


def _pitch_class_energy(x: np.ndarray, sr: int = SR) -> np.ndarray:
    """Energy per pitch class (C=0 .. B=11) from the spectrum of a mono signal, 80 Hz-2 kHz."""
    mono = x.mean(axis=1)
    spec = np.abs(np.fft.rfft(mono * np.hanning(mono.size))) ** 2
    freqs = np.fft.rfftfreq(mono.size, 1 / sr)
    keep = (freqs > 80) & (freqs < 2000)
    midi = 69 + 12 * np.log2(freqs[keep] / 440.0)
    pcs = np.round(midi).astype(int) % 12
    return np.bincount(pcs, weights=spec[keep], minlength=12)


@pytest.mark.parametrize("cue, mode", [("calm piano", "major"), ("悲しいピアノ", "minor"), ("tense strings", "minor"),
                                       ("明るいポップ", "major")])
def test_cue_words_pick_the_mode_in_english_and_japanese(cue, mode):
    assert plan_music(cue, seed=3).mode == mode


@pytest.mark.parametrize("cue", ["calm piano", "sad piano"])
def test_the_notes_are_the_keys_notes(cue):
    plan = plan_music(cue, seed=5)
    x = compose_music(cue, 8 * SR, seed=5)
    energy = _pitch_class_energy(x)
    scale = {(plan.root_midi + s) % 12 for s in ((0, 2, 4, 5, 7, 9, 11) if plan.mode == "major" else (0, 2, 3, 5, 7, 8, 10))}
    in_key = sum(energy[pc] for pc in scale)
    assert in_key > 0.97 * energy.sum()
    # The tonic triad's third says the mode: a major third for major, a minor third for minor.
    major_third, minor_third = (plan.root_midi + 4) % 12, (plan.root_midi + 3) % 12
    if plan.mode == "major":
        assert energy[major_third] > 5 * energy[minor_third]
    else:
        assert energy[minor_third] > 5 * energy[major_third]


def test_quiet_faded_exact_length_and_deterministic():
    n = 3 * SR + 17
    a = compose_music("gentle strings", n, seed=9)
    b = compose_music("gentle strings", n, seed=9)
    c = compose_music("gentle strings", n, seed=10)
    assert a.shape == (n, 2) and a.dtype == np.float32
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    rms_db = 20 * np.log10(np.sqrt(np.mean(a.astype(np.float64) ** 2)))
    assert -26 < rms_db < -22
    assert np.abs(a[:10]).max() < 1e-3 and np.abs(a[-10:]).max() < 1e-3  # faded in and out
    assert np.abs(a).max() < 1.0


def test_a_music_cue_gives_a_sketch_take_its_music_stem():
    from studio.domain.model import Canvas, Project, Shot
    from studio.engine.protocol import CancelToken, GenerateRequest
    from studio.engine.sketch.engine import SketchEngine

    shot = Shot(id="s", prompt="a quiet park at dawn {music: calm piano}", duration_frames=24, seed=4)
    project = Project(title="t", fps=12, canvas=Canvas(128, 72), shots=(shot,))
    result = SketchEngine().generate(GenerateRequest.for_shot(project, shot), lambda e: None, CancelToken())
    music = result.stems["music"]
    assert music.shape == result.stems["ambience"].shape
    assert np.sqrt(np.mean(music**2)) > 0.01
    no_cue = Shot(id="s", prompt="a quiet park at dawn", duration_frames=24, seed=4)
    plain = SketchEngine().generate(GenerateRequest.for_shot(project.with_shots((no_cue,)), no_cue), lambda e: None,
                                    CancelToken())
    assert "music" not in plain.stems
