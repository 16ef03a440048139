"""Consent comes first: incomplete consent is refused and no camera or microphone is opened without it."""

from dataclasses import replace

import numpy as np
import pytest

from studio.cameo.consent import CONSENT_POINTS, ConsentError, consent_statement, give_consent
from studio.cameo.enrol import run_enrolment
from studio.media import capture as capture_module
from studio.media.capture import CameraSource, CaptureUnavailable, Microphone


@pytest.fixture
def opened(monkeypatch):
    """Records every device or file cv2.VideoCapture is asked to open."""
    import cv2

    calls = []
    real = cv2.VideoCapture

    def spy(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(cv2, "VideoCapture", spy)
    return calls


def test_consent_needs_every_point_and_a_matching_signature():
    keys = [p.key for p in CONSENT_POINTS]
    record = give_consent("Eileen Collins", "eileen  collins", keys, "ja")
    assert record.points_confirmed == tuple(keys) and record.statement == consent_statement("ja")
    assert record.statement_version == "1" and record.app_version
    with pytest.raises(ConsentError, match="revoke"):
        give_consent("Eileen", "Eileen", keys[:-1])
    with pytest.raises(ConsentError, match="does not match"):
        give_consent("Eileen", "Someone Else", keys)
    with pytest.raises(ConsentError, match="type your name"):
        give_consent("Eileen", "  ", keys)
    assert "only on this computer" in consent_statement("en")
    assert "このコンピューターにのみ" in consent_statement("ja")


def test_nothing_is_opened_without_consent(videos, opened):
    camera = CameraSource(videos["live"])
    assert opened == []  # making a source opens nothing
    with pytest.raises(ConsentError):
        run_enrolment(None, camera)
    partial = give_consent("Eileen", "Eileen", [p.key for p in CONSENT_POINTS])
    partial = replace(partial, points_confirmed=("capture",))
    with pytest.raises(ConsentError):
        run_enrolment(partial, camera)
    assert opened == []


def test_file_camera_reads_frames_with_file_time(videos):
    with CameraSource(videos["live"]) as cam:
        assert cam.is_file and cam.fps == pytest.approx(10, abs=0.5)
        frames = list(cam.frames(1.0))
    assert len(frames) == 10
    assert frames[0].image.shape == (320, 320, 3) and frames[0].image.dtype == np.uint8
    assert [round(f.t, 2) for f in frames[:3]] == [0.0, 0.1, 0.2]


def test_unusable_cameras_say_what_to_do(tmp_path):
    with pytest.raises(CaptureUnavailable, match="does not exist"):
        CameraSource(tmp_path / "nope.mp4").open()
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(CaptureUnavailable, match="cannot be read as a video"):
        CameraSource(bad).open()
    with pytest.raises(CaptureUnavailable, match="camera 57 could not be opened"):
        CameraSource("57").open()


def test_no_microphone_falls_back_to_the_camera(videos, challenge, monkeypatch):
    class NoDevices:
        @staticmethod
        def query_devices(kind=None):
            raise ValueError("no input device")

    monkeypatch.setattr(Microphone, "_sounddevice", staticmethod(lambda: NoDevices))
    with pytest.raises(CaptureUnavailable, match="no microphone"):
        Microphone().start()

    # A "webcam" (the file, treated as live) with no microphone: the check still runs on the mouth.
    class LiveFile(CameraSource):
        @property
        def is_file(self):
            return False

    camera = LiveFile(str(videos["live"]))
    monkeypatch.setattr(capture_module.time, "monotonic", _file_clock(camera))
    consent = give_consent("Eileen", "Eileen", [p.key for p in CONSENT_POINTS])
    result = run_enrolment(consent, camera, challenge)
    assert any("no microphone" in n for n in result.notes)
    assert result.liveness.facts["voice_ratio"] is None
    assert result.liveness.passed, result.liveness.facts


def _file_clock(camera):
    """A monotonic clock that advances one frame (0.1 s) per read, so a file plays like a live camera."""
    state = {"calls": 0}

    def clock():
        state["calls"] += 1
        return 1000.0 + max(0, state["calls"] - 2) * 0.1

    return clock
