"""Motion analysis of any video, and sound designed from it (foley on the impacts)."""

from __future__ import annotations

import numpy as np
import pytest

from studio.domain.model import SoundCue, SoundCueKind
from studio.domain.timing import SAMPLE_RATE, frame_to_sample
from studio.sound.analysis import audio_onsets
from studio.sound.design import design_sound_for_video
from studio.sound.motion import analyse_motion
from tests.sound.clips import bouncing_ball_clip

FPS = 24
IMPACTS = [14, 31, 45, 62, 84, 101, 119]
N = 135


@pytest.fixture(scope="module")
def ball_clip():
    return bouncing_ball_clip(IMPACTS, N)


def test_impacts_are_found_on_their_frames(ball_clip):
    analysis = analyse_motion(ball_clip, FPS)
    found = analysis.impact_frames()
    assert analysis.frame_count == N and analysis.energy.shape == (N,)
    for f in IMPACTS:
        assert np.min(np.abs(found - f)) <= 1, (f, found)
    exact = sum(int(np.min(np.abs(found - f)) == 0) for f in IMPACTS)
    assert exact >= len(IMPACTS) - 1
    # The ball moves left to right: later impacts pan further right.
    pans = [o.pan for o in analysis.onsets if o.kind == "impact"]
    assert pans[0] < 0 < pans[-1]
    assert not any(o.kind == "whoosh" for o in analysis.onsets)  # the camera is still


def test_still_and_steadily_moving_pictures_have_no_onsets():
    still = np.repeat(bouncing_ball_clip([30], 40)[:1], 30, axis=0)
    assert analyse_motion(still, FPS).onsets == ()
    # Iterables (a decoder's generator) work too.
    assert analyse_motion((f for f in still), FPS).frame_count == 30


def test_fast_camera_move_gets_a_whoosh_and_a_cut_no_impact():
    slow = bouncing_ball_clip([20], 36, pan_camera=0.0, seed=1)
    fast = bouncing_ball_clip([20], 36, pan_camera=12.0, seed=2)
    # Still for 12 frames, then a whip pan: the camera's speed crosses the threshold at frame 12.
    clip = np.concatenate([np.repeat(fast[:1], 12, axis=0), fast[:24]])
    analysis = analyse_motion(clip, FPS)
    whooshes = [o for o in analysis.onsets if o.kind == "whoosh"]
    assert len(whooshes) == 1 and whooshes[0].frame in (12, 13), whooshes
    assert analysis.camera_speed[20] == pytest.approx(12 * FPS / 320, rel=0.1)  # frame widths per second
    assert whooshes[0].pan > 0  # the content slides left: the camera (and the whoosh) go right
    # The sound design covers the move with a whoosh that starts a little before it.
    track = design_sound_for_video(clip, FPS, prompt="a whip pan across the room", seed=5, motion=analysis)
    swish = [e for e in track.events if e.kind == "whoosh"]
    assert [e.frame for e in swish] == [whooshes[0].frame - round(0.3 * FPS)]
    assert np.any(track.stems["foley"][frame_to_sample(swish[0].frame, FPS) :])
    # A hard cut is a cut, not an impact.
    other = np.full_like(slow, 30)
    other[:, :, :, 2] = 200
    cut_clip = np.concatenate([slow[:15], other[:15]])
    cut_analysis = analyse_motion(cut_clip, FPS)
    assert list(cut_analysis.cuts) == [15]
    assert all(abs(o.frame - 15) > 1 for o in cut_analysis.onsets)


def test_foley_lands_within_one_frame_of_each_impact(ball_clip):
    track = design_sound_for_video(ball_clip, FPS, prompt="a red ball bounces in the park", setting="", seed=3)
    assert set(track.stems) == {"ambience", "foley", "dialogue"}
    assert all(s.shape == (frame_to_sample(N, FPS), 2) for s in track.stems.values())
    assert {e.kind for e in track.events} == {"bounce"}
    assert track.scene.ambience[0] == "birds"  # a park
    heard = audio_onsets(track.stems["ambience"] + track.stems["foley"]) * FPS
    for f in IMPACTS:
        assert np.min(np.abs(heard - f)) <= 1.0, (f, heard)
    # Every hit is its own variation: no two hits are the same waveform.
    hits = [track.stems["foley"][frame_to_sample(f, FPS) : frame_to_sample(f, FPS) + 2000, 0] for f in IMPACTS[:3]]
    assert not np.allclose(hits[0] / (np.abs(hits[0]).max() + 1e-9), hits[1] / (np.abs(hits[1]).max() + 1e-9))


def test_setting_and_cues_choose_bed_and_foley(ball_clip):
    track = design_sound_for_video(ball_clip[:50], FPS, prompt="野球のボール", setting="a rainy city street", seed=1,
                                   sfx_cues=[SoundCue(SoundCueKind.SFX, "door slam")])
    assert track.scene.ambience[0] in ("rain", "city") and "rain" in track.scene.ambience
    assert {e.kind for e in track.events} == {"door"}
    rms = np.sqrt(np.mean(track.stems["ambience"].astype(np.float64) ** 2))
    assert rms > 10 ** (-50 / 20)  # a rain bed, not silence
    assert SAMPLE_RATE == 48_000
