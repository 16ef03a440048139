"""Liveness on camera videos acted out from real photos: a live person passes; a photo, a stranger, a crowd fail."""

import numpy as np
import pytest

from studio.cameo.consent import CONSENT_POINTS, give_consent
from studio.cameo.enrol import run_enrolment
from studio.cameo.faces import FaceAnalyzer, face_distance
from studio.cameo.liveness import FrameEvidence, LivenessChallenge, evaluate_liveness, voice_ratio
from studio.media.capture import CameraSource
from tests.cameo import camera_videos

pytestmark = pytest.mark.slow


def _consent():
    return give_consent("Eileen", "Eileen", [p.key for p in CONSENT_POINTS])


def test_live_performance_passes_and_builds_identity(live_enrolment):
    _, result = live_enrolment
    assert result.liveness.passed, result.liveness.facts
    facts = result.liveness.facts
    assert facts["yaw_left"] >= 0.12 and facts["yaw_right"] <= -0.12
    assert facts["mouth_spread"] >= 0.05
    assert facts["frames_without_face"] == 0 and facts["frames_with_several_faces"] == 0
    bio = result.biometrics
    assert bio.embedding.shape == (128,)
    assert len(bio.crops) == 3 and all(c.shape == (160, 160, 3) and c.dtype == np.uint8 for c in bio.crops)
    # The crops are the same person as the identity, and not the stranger.
    analyzer = FaceAnalyzer.shared()
    for crop in bio.crops:
        faces = analyzer.analyse(crop, upsample=1)
        assert len(faces) == 1 and face_distance(faces[0].embedding, bio.embedding) < 0.4
    stranger = analyzer.analyse(camera_videos.hopper_portrait())[0].embedding
    assert face_distance(stranger, bio.embedding) > 0.6


def test_still_photo_fails_on_turns_and_mouth(videos, challenge):
    result = run_enrolment(_consent(), CameraSource(videos["still"]), challenge)
    assert not result.liveness.passed
    assert {"turn_left", "turn_right", "mouth"} <= set(result.liveness.failures)
    assert result.biometrics is None  # nothing is kept from a failed check
    assert "identity" not in result.liveness.failures  # it is one person, just not a live one


def test_spliced_second_face_fails_on_identity(videos, challenge):
    result = run_enrolment(_consent(), CameraSource(videos["spliced"]), challenge)
    assert result.liveness.failures == ("identity",), result.liveness.facts
    assert result.biometrics is None
    assert "different person" in " ".join(result.liveness.messages())
    assert "別の人物" in " ".join(result.liveness.messages("ja"))


def test_two_faces_in_view_fail(tmp_path, challenge):
    # Someone steps in beside the creator for the last second of the reading.
    live = camera_videos.performance_frames(challenge)
    stranger = camera_videos.hopper_portrait()
    empty = np.full_like(stranger, 120)
    joins = [i for i in range(len(live)) if i / camera_videos.FPS >= challenge.duration - 1.0]
    both = [np.hstack([f, stranger if i in joins else empty]) for i, f in enumerate(live)]
    path = camera_videos.write_video(tmp_path / "two.mp4", both)
    result = run_enrolment(_consent(), CameraSource(path), challenge)
    assert "two_faces" in result.liveness.failures
    assert result.liveness.facts["frames_with_several_faces"] >= 8


def test_turns_must_happen_in_their_own_step():
    challenge = LivenessChallenge.random()
    left, right = challenge.step("left"), challenge.step("right")
    e = np.zeros(128)

    def run(turn_in_left, turn_in_right):
        ev = []
        for i in range(int(challenge.duration * 10)):
            t = i / 10
            yaw = 0.0
            if left.start <= t < left.end:
                yaw = turn_in_left
            elif right.start <= t < right.end:
                yaw = turn_in_right
            mouth = 0.2 + (0.15 if (challenge.step("read").start <= t and i % 2) else 0.0)
            ev.append(FrameEvidence(t, 1, yaw, mouth, e))
        return evaluate_liveness(challenge, ev)

    assert run(0.3, -0.3).passed
    # Turning the wrong way in each step is not following the prompts.
    assert {"turn_left", "turn_right"} <= set(run(-0.3, 0.3).failures)


def test_voice_must_be_louder_while_reading():
    challenge = LivenessChallenge.random()
    sr = 16000
    rng = np.random.default_rng(0)
    n = int(challenge.duration * sr)
    quiet = rng.normal(0, 0.002, n).astype(np.float32)
    spoken = quiet.copy()
    read = challenge.step("read")
    t = np.arange(int((read.end - read.start) * sr)) / sr
    spoken[int(read.start * sr): int(read.start * sr) + t.size] += (0.2 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
    assert voice_ratio(spoken, sr, challenge) > 10
    assert voice_ratio(quiet, sr, challenge) < 2
    ev = [FrameEvidence(i / 10, 1, 0.0, 0.2, np.zeros(128)) for i in range(int(challenge.duration * 10))]
    assert "voice" in evaluate_liveness(challenge, ev, audio=quiet, sample_rate=sr).failures
    assert "voice" not in evaluate_liveness(challenge, ev, audio=spoken, sample_rate=sr).failures


def test_challenge_digits_are_random_and_prompted_in_both_languages():
    digit_sets = {LivenessChallenge.random().digits for _ in range(20)}
    assert len(digit_sets) > 1
    c = LivenessChallenge.random()
    read = c.step("read")
    assert read.prompt(c.digits) == "read: " + " ".join(c.digits)
    assert read.prompt(c.digits, "ja").startswith("読み上げてください")
    assert c.step("left").prompt(c.digits) == "turn left"
