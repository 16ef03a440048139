"""design_sound: stems, exact foley placement, cues, dialogue and ducking, determinism."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from studio.domain.model import DialogueLine, SoundCue, SoundCueKind, SoundEvent
from studio.domain.scene import SceneDescription, describe_scene
from studio.domain.timing import SAMPLE_RATE, frame_to_sample
from studio.sound import speech
from studio.sound.analysis import audio_onsets
from studio.sound.design import cue_foley_kind, design_sound, duck_envelope

SR = SAMPLE_RATE
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def _scene(*beds: str) -> SceneDescription:
    return SceneDescription("city", False, "night", "clear", (), tuple(beds))


def _first_nonzero(x: np.ndarray) -> int:
    return int(np.flatnonzero(np.any(x != 0, axis=1))[0])


@pytest.mark.parametrize("fps,frames", [(24, 61), (25, 50), (30, 47), (12, 7)])
def test_stems_have_exact_length(fps, frames):
    stems = design_sound(_scene("room"), [SoundEvent(frames // 2, "thud")], frames, fps, seed=1)
    assert set(stems) == {"ambience", "foley", "dialogue"}
    for s in stems.values():
        assert s.shape == (frame_to_sample(frames, fps), 2) and s.dtype == np.float32
        assert np.all(np.isfinite(s)) and np.max(np.abs(s)) <= 1.0
    assert not np.any(stems["dialogue"])


@pytest.mark.parametrize("fps", [24, 25, 30])
def test_foley_attacks_land_exactly_on_their_frames(fps):
    frames = 4 * fps
    evs = [SoundEvent(f, k, 0.8, p) for f, k, p in
           [(fps // 3, "footstep", -0.6), (fps, "footstep", 0.6), (int(1.7 * fps), "bounce", 0.0),
            (int(2.4 * fps), "door", 0.3), (int(3.1 * fps), "thud", -0.2)]]
    stems = design_sound(_scene("rain", "city"), evs, frames, fps, seed=9)
    expected = np.array([frame_to_sample(e.frame, fps) for e in evs])
    # Sample-exact in the foley stem itself...
    assert _first_nonzero(stems["foley"]) == expected[0]
    # ...and an onset detector on the full mix finds each attack within 2 ms.
    found = np.round(audio_onsets(stems["ambience"] + stems["foley"]) * SR).astype(int)
    assert len(found) == len(evs), (found, expected)
    assert np.max(np.abs(found - expected)) <= int(0.002 * SR)


def test_pan_and_strength():
    fps = 24
    left = design_sound(_scene("room"), [SoundEvent(12, "impact", 1.0, -1.0)], 48, fps, 1)["foley"]
    right = design_sound(_scene("room"), [SoundEvent(12, "impact", 1.0, 1.0)], 48, fps, 1)["foley"]
    centre = design_sound(_scene("room"), [SoundEvent(12, "impact", 1.0, 0.0)], 48, fps, 1)["foley"]
    assert np.max(np.abs(left[:, 1])) < 1e-6 < np.max(np.abs(left[:, 0]))
    assert np.max(np.abs(right[:, 0])) < 1e-6 < np.max(np.abs(right[:, 1]))
    # Equal power: the centre hit's total energy equals a hard-panned one's.
    assert np.sum(centre.astype(np.float64) ** 2) == pytest.approx(np.sum(left.astype(np.float64) ** 2), rel=1e-3)
    soft = design_sound(_scene("room"), [SoundEvent(12, "impact", 0.5, -1.0)], 48, fps, 1)["foley"]
    assert np.max(np.abs(soft)) == pytest.approx(0.5 * np.max(np.abs(left)), rel=1e-3)


def test_repeated_hits_differ():
    fps = 24
    stems = design_sound(_scene("room"), [SoundEvent(6, "footstep"), SoundEvent(30, "footstep")], 60, fps, 3)
    a = stems["foley"][frame_to_sample(6, fps) : frame_to_sample(6, fps) + 4800]
    b = stems["foley"][frame_to_sample(30, fps) : frame_to_sample(30, fps) + 4800]
    assert not np.allclose(a, b)


def test_deterministic():
    scene = describe_scene("a walk on the beach in the wind")
    evs = [SoundEvent(5, "footstep", 0.7, 0.2), SoundEvent(20, "splash", 1.0, -0.3)]
    a = design_sound(scene, evs, 48, 24, seed=42, sfx_cues=[SoundCue(SoundCueKind.SFX, "whoosh")])
    b = design_sound(scene, evs, 48, 24, seed=42, sfx_cues=[SoundCue(SoundCueKind.SFX, "whoosh")])
    c = design_sound(scene, evs, 48, 24, seed=43, sfx_cues=[SoundCue(SoundCueKind.SFX, "whoosh")])
    for k in a:
        assert np.array_equal(a[k], b[k]), k
    assert not np.array_equal(a["ambience"], c["ambience"])
    assert not np.array_equal(a["foley"], c["foley"])


def test_ambience_beds_and_edge_fades():
    stems = design_sound(_scene("ocean", "wind"), [], 48, 24, seed=5)
    amb = stems["ambience"].astype(np.float64)
    assert abs(amb[0]).max() < 1e-4 and abs(amb[-1]).max() < 1e-4
    fade = int(0.03 * SR)
    mid = np.sqrt(np.mean(amb[SR // 2 : SR] ** 2))
    assert np.sqrt(np.mean(amb[: fade // 4] ** 2)) < 0.3 * mid  # fading in, not yet full
    assert np.sqrt(np.mean(amb[fade : fade + 4800] ** 2)) > 0.3 * mid
    # An unknown bed is skipped, not fatal; no beds at all gives room tone.
    assert np.any(design_sound(_scene("lava"), [], 24, 24, 1)["ambience"])


def test_cue_kinds():
    assert cue_foley_kind("door slam") == "door"
    assert cue_foley_kind("ドアが閉まる") == "door"
    assert cue_foley_kind("heavy footsteps") == "footstep"
    # Glass has its own design since issue 15 (a glass breaking must sound like glass); before, it was generic.
    assert cue_foley_kind("glass shatter") == "glass"
    assert cue_foley_kind("a strange hum") == "generic"


def test_sfx_cues_placement():
    fps, frames = 24, 96
    door = SoundEvent(40, "door", 0.9, 0.0)
    step = SoundEvent(10, "footstep", 0.8, 0.0)
    # A cue without a frame claims the matching event: one door hit, on the door's frame.
    stems = design_sound(_scene("room"), [step, door], frames, fps, 2,
                         sfx_cues=[SoundCue(SoundCueKind.SFX, "door slam")])
    found = np.round(audio_onsets(stems["foley"]) * SR).astype(int)
    expected = np.array([frame_to_sample(10, fps), frame_to_sample(40, fps)])
    assert len(found) == 2 and np.max(np.abs(found - expected)) <= 96
    # With no matching event it lands at 25 % of the shot; with at_frame, on that frame.
    stems = design_sound(_scene("room"), [], frames, fps, 2,
                         sfx_cues=[SoundCue(SoundCueKind.SFX, "clap"), SoundCue(SoundCueKind.SFX, "thud", at_frame=70),
                                   SoundCue(SoundCueKind.MUSIC, "strings")])
    found = np.round(audio_onsets(stems["foley"]) * SR).astype(int)
    expected = np.array([frame_to_sample(frames // 4, fps), frame_to_sample(70, fps)])
    assert len(found) == 2 and np.max(np.abs(found - expected)) <= 96
    assert _first_nonzero(stems["foley"]) == expected[0]


def test_duck_envelope_shape():
    g = duck_envelope(SR, [(20_000, 30_000)])
    assert g[0] == 1.0 and g[-1] == 1.0
    assert 20 * np.log10(g[25_000]) == pytest.approx(-8.0)
    assert 20 * np.log10(g[20_000]) == pytest.approx(-8.0, abs=0.01)
    assert np.max(np.abs(np.diff(g))) < 0.001  # smooth ramps, no steps


def _rms_db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-20)


@needs_espeak
def test_dialogue_placed_and_ambience_ducked():
    fps, frames = 24, 120
    line = DialogueLine("Hello, is anybody there?", speaker_id="hana")
    stems = design_sound(_scene("rain"), [], frames, fps, 4, dialogue=[line])
    dia = stems["dialogue"]
    start = frame_to_sample(int(round(frames * 0.1)), fps)
    assert not np.any(dia[:start])
    assert 0 <= _first_nonzero(dia) - start <= int(0.005 * SR)
    voiced = np.flatnonzero(np.any(dia != 0, axis=1))
    end = int(voiced[-1])
    assert end - start > SR // 2
    assert _rms_db(dia[start:end]) > -35
    # Ambience under the line is ~8 dB lower than before it (same bed, same seed).
    dry = design_sound(_scene("rain"), [], frames, fps, 4)["ambience"]
    amb = stems["ambience"]
    mid = slice(start + 4800, end - 4800)
    assert _rms_db(amb[mid]) - _rms_db(dry[mid]) == pytest.approx(-8.0, abs=0.2)
    before = slice(SR // 10, start - int(0.1 * SR))
    assert np.array_equal(amb[before], dry[before])


@needs_espeak
def test_dialogue_lines_spread_and_at_frame():
    fps, frames = 24, 240
    lines = [DialogueLine("One.", "a"), DialogueLine("Two.", "b"), DialogueLine("Later.", "a", at_frame=200)]
    dia = design_sound(_scene("room"), [], frames, fps, 1, dialogue=lines, voices={"b": "en+f2"})["dialogue"]
    active = np.any(dia != 0, axis=1)
    starts = np.flatnonzero(active[1:] & ~active[:-1]) + 1
    def near(frame: int) -> bool:
        return any(0 <= s - frame_to_sample(frame, fps) <= int(0.005 * SR) for s in starts)

    assert near(24)  # first line at 10 %
    assert near(120)  # two unplaced lines: the second at 50 % of the shot
    assert near(200)  # at_frame


def test_dialogue_without_espeak_is_silent(monkeypatch):
    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    stems = design_sound(_scene("rain"), [], 48, 24, 4, dialogue=[DialogueLine("Hello")])
    assert not np.any(stems["dialogue"])
    dry = design_sound(_scene("rain"), [], 48, 24, 4)
    assert np.array_equal(stems["ambience"], dry["ambience"])  # nothing to duck under


def test_sidechain_ducks_under_speech_with_attack_hold_and_release():
    from studio.sound.design import sidechain_gain

    key = np.zeros((3 * SR, 2))
    rng = np.random.default_rng(0)
    # Two words 100 ms apart (held: one duck), then 1 s of silence, then a third word.
    for a, b in ((0.5, 0.8), (0.9, 1.2), (2.2, 2.5)):
        key[int(a * SR) : int(b * SR)] = rng.normal(0, 0.1, (int(b * SR) - int(a * SR), 2))
    g = 20 * np.log10(sidechain_gain(key, -8.0, attack_ms=80, release_ms=250, hold_ms=200, lookahead_ms=80))
    at = lambda t: g[int(t * SR)]  # noqa: E731
    assert at(0.3) == 0.0  # before the look-ahead: untouched
    assert at(0.5) == pytest.approx(-8.0, abs=0.05)  # full depth as the first word starts
    assert at(0.46) == pytest.approx(-4.0, abs=0.6)  # half way through the 80 ms attack (10 ms RMS window)
    assert at(0.85) == pytest.approx(-8.0, abs=0.01)  # the pause between words stays ducked
    assert at(1.8) == 0.0  # released in the long pause
    assert -8.0 < at(1.2 + 0.2 - 0.08 + 0.125) < 0.0  # mid-release (hold, then 250 ms up)
    assert at(2.3) == pytest.approx(-8.0, abs=0.01)
    assert np.max(np.abs(np.diff(g))) < 8.0 / (0.08 * SR) + 1e-9  # never faster than the attack
    assert np.all(sidechain_gain(np.zeros((SR, 2))) == 1.0)


@needs_espeak
def test_japanese_line_is_spoken_where_it_is_placed():
    fps, frames = 24, 96
    line = DialogueLine("駅で会いましょう。", speaker_id="hana", at_frame=40)
    stems = design_sound(_scene("city"), [], frames, fps, 2, dialogue=[line])
    dia = stems["dialogue"]
    start = frame_to_sample(40, fps)
    assert not np.any(dia[:start])
    assert 0 <= _first_nonzero(dia) - start <= int(0.005 * SR)
    voiced = np.flatnonzero(np.any(dia != 0, axis=1))
    assert voiced[-1] - start > SR // 2  # the kanji were read, not skipped
    # The bed under the line is ducked; before the look-ahead it is untouched.
    dry = design_sound(_scene("city"), [], frames, fps, 2)["ambience"]
    assert _rms_db(stems["ambience"][start + 4800 : start + 14400]) < _rms_db(dry[start + 4800 : start + 14400]) - 6
    np.testing.assert_array_equal(stems["ambience"][: start - int(0.1 * SR)], dry[: start - int(0.1 * SR)])
