"""Shared cameo test setup: no OS keyring unless a test installs one, and the test camera videos."""

import pytest

from studio.cameo.liveness import LivenessChallenge
from tests.cameo import camera_videos


@pytest.fixture(autouse=True)
def _no_os_keyring():
    """Keep the tests out of the user's real keyring: the vault falls back to its 0600 key file."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def challenge():
    return LivenessChallenge.random()


@pytest.fixture
def pinned_challenge(monkeypatch, challenge):
    """The CLI and the window draw a fresh challenge per attempt; the test videos follow this one."""
    monkeypatch.setattr(LivenessChallenge, "random", lambda *a, **k: challenge)
    return challenge


@pytest.fixture(scope="session")
def videos(tmp_path_factory, challenge):
    """File cameras: a live performance, a still photo, and one with a stranger spliced in."""
    folder = tmp_path_factory.mktemp("camera")
    return {
        "live": camera_videos.write_video(folder / "live.mp4", camera_videos.performance_frames(challenge)),
        "still": camera_videos.write_video(folder / "still.mp4", camera_videos.performance_frames(challenge, still=True)),
        "spliced": camera_videos.write_video(folder / "spliced.mp4", camera_videos.performance_frames(challenge, splice=(1.6, 2.3))),
    }


@pytest.fixture(scope="session")
def live_enrolment(videos, challenge):
    """The enrolment of the live video (analysed once for the whole session)."""
    from studio.cameo.consent import CONSENT_POINTS, give_consent
    from studio.cameo.enrol import run_enrolment
    from studio.media.capture import CameraSource

    consent = give_consent("Eileen", "Eileen", [p.key for p in CONSENT_POINTS])
    return consent, run_enrolment(consent, CameraSource(videos["live"]), challenge)
