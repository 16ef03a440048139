"""Issue 16 item 4: every attempt gets its own random sequence, so a video recorded in advance fails."""

from __future__ import annotations

import numpy as np
import pytest

from studio.cameo.liveness import FrameEvidence, LivenessChallenge, evaluate_liveness
from studio.cli import main as cli_main


def performance(challenge: LivenessChallenge, fps: float = 10.0) -> list[FrameEvidence]:
    """What a camera sees of a person following ``challenge`` exactly (yaw per turn, mouth while reading)."""
    out = []
    for i in range(int(challenge.duration * fps)):
        t = i / fps
        step = challenge.step_at(t)
        kind = step.kind if step else "look"
        yaw = {"left": 0.3, "right": -0.3}.get(kind, 0.0)
        mouth = 0.1 + 0.2 * (i % 3) if kind == "read" else 0.1
        out.append(FrameEvidence(t, 1, yaw, mouth, np.full(128, 0.1)))
    return out


def test_each_attempt_draws_its_own_order_timing_and_digits():
    draws = [LivenessChallenge.random() for _ in range(40)]
    orders = {tuple(s.kind for s in c.steps if s.kind != "look") for c in draws}
    assert len(orders) >= 4  # of the 6 orders of left, right, read
    assert len({c.steps[1].start for c in draws}) > 30 and len({c.digits for c in draws}) > 30
    for c in draws:
        assert sorted(s.kind for s in c.steps if s.kind != "look") == ["left", "read", "right"]
        assert all(a.end == b.start for a, b in zip(c.steps, c.steps[1:]))


def test_a_recording_made_for_one_challenge_fails_another():
    """A perfect performance of one sequence, replayed against fresh ones: about 2 % line up by chance."""
    replayed = 0
    for _ in range(40):
        made_for = LivenessChallenge.random()
        assert evaluate_liveness(made_for, performance(made_for)).passed
        replayed += sum(evaluate_liveness(LivenessChallenge.random(), performance(made_for)).passed for _ in range(5))
    # Measured: 2.4 % of replays line up (1,887 of 78,025 draws), so ≤ 10 of 200 failed ~1 % of runs
    # by chance; ≤ 16 (8 %) fails by chance ~1e-5 of runs, and every replay passed with the fixed sequence.
    assert replayed <= 16


def test_the_old_fixed_sequence_recording_fails():
    """The clip of the campaign: turn left, turn right, then talk, at the old fixed times."""
    from studio.cameo.liveness import ChallengeStep

    fixed = LivenessChallenge("1234", (ChallengeStep("look", 0, 0.8), ChallengeStep("left", 0.8, 2.0),
                                       ChallengeStep("right", 2.0, 3.2), ChallengeStep("read", 3.2, 5.2)))
    assert evaluate_liveness(fixed, performance(fixed)).passed  # what the fixed prompts let through
    passes = sum(evaluate_liveness(LivenessChallenge.random(), performance(fixed)).passed for _ in range(200))
    assert passes <= 10


def test_a_video_file_camera_needs_the_test_switch(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("STUDIO_TEST_CAMERA_FILES")
    video = tmp_path / "prepared.mp4"
    video.write_bytes(b"not opened")
    assert cli_main(["cameo", "create", "--name", "Eve", "--camera", str(video), "--agree", "--signature", "Eve"]) == 2
    assert "live webcam" in capsys.readouterr().err
    from studio.media.capture import file_cameras_allowed

    assert not file_cameras_allowed()
    monkeypatch.setenv("STUDIO_TEST_CAMERA_FILES", "1")
    assert file_cameras_allowed()


def test_the_window_does_not_offer_a_video_file(qtbot, monkeypatch):
    monkeypatch.delenv("STUDIO_TEST_CAMERA_FILES")
    from studio.ui.cameo_wizard import CameoWizardDialog

    wizard = CameoWizardDialog()
    qtbot.addWidget(wizard)
    page = wizard.capture_page
    assert page.browse.isHidden()
    page.camera_edit.setText("/tmp/prepared.mp4")
    page.consent_page.consent = object()
    page.start_capture()
    assert not page.running and "live webcam" in page.result_label.text()
