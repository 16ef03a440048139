"""The cameo wizard, driven in pytest-qt with a video file as the camera."""

import pytest
from PySide6.QtWidgets import QWizard

from studio.cameo.consent import CONSENT_POINTS
from studio.cameo.faces import face_distance
from studio.cameo.liveness import LivenessChallenge
from studio.cameo.vault import Vault
from studio.ui import i18n
from studio.ui.cameo_wizard import CameoWizardDialog
from tests.cameo import camera_videos

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _no_os_keyring():
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def camera_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wizard_camera")
    challenge = LivenessChallenge.random()
    return {
        "challenge": challenge,
        "live": camera_videos.write_video(folder / "live.mp4", camera_videos.performance_frames(challenge)),
        "still": camera_videos.write_video(folder / "still.mp4", camera_videos.performance_frames(challenge, still=True)),
    }


@pytest.fixture(autouse=True)
def _pinned_challenge(monkeypatch, camera_files):
    """Each attempt draws a fresh random challenge; the test videos follow this one."""
    monkeypatch.setattr(LivenessChallenge, "random", lambda *a, **k: camera_files["challenge"])


@pytest.fixture
def opened(monkeypatch):
    import cv2

    calls = []
    real = cv2.VideoCapture

    def spy(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(cv2, "VideoCapture", spy)
    return calls


def _fill_consent(wizard, name="Eileen", signature="Eileen", skip=None):
    page = wizard.consent_page
    for point, box in zip(CONSENT_POINTS, page.boxes):
        box.setChecked(point.key != skip)
    page.name_edit.setText(name)
    page.signature_edit.setText(signature)


def _capture(qtbot, wizard, path):
    page = wizard.capture_page
    page.camera_edit.setText(str(path))
    prompts = []
    page.signals.update.connect(lambda frame, prompt, advice, p: prompts.append(prompt))
    page.start_button.click()
    qtbot.waitUntil(lambda: not page.running and page.start_button.isEnabled(), timeout=90_000)
    return prompts


def test_wizard_runs_through_and_makes_the_same_cameo_as_the_command(qtbot, camera_files, opened, capsys):
    wizard = CameoWizardDialog()
    qtbot.addWidget(wizard)
    wizard.show()
    next_button = wizard.button(QWizard.NextButton)
    assert not next_button.isEnabled()  # no consent yet
    _fill_consent(wizard)
    assert next_button.isEnabled()
    assert opened == []  # consent given on screen, but nothing opened before leaving the page
    next_button.click()
    assert wizard.currentPage() is wizard.capture_page
    assert not next_button.isEnabled()

    prompts = _capture(qtbot, wizard, camera_files["live"])
    assert "turn left" in prompts and "turn right" in prompts
    assert any(p.startswith("read: ") and len(p.split()) == 5 for p in prompts)
    assert wizard.capture_page.preview.pixmap() is not None and not wizard.capture_page.preview.pixmap().isNull()
    assert "passed" in wizard.capture_page.result_label.text()
    assert next_button.isEnabled()
    next_button.click()
    assert wizard.currentPage() is wizard.identity_page
    crops = [wizard.identity_page.crops_row.itemAt(i).widget() for i in range(wizard.identity_page.crops_row.count())]
    assert len([c for c in crops if c is not None]) == 3
    wizard.identity_page.permission.setCurrentIndex(2)
    created = []
    wizard.cameo_created.connect(created.append)
    wizard.button(QWizard.FinishButton).click()
    assert len(created) == 1

    vault = Vault()
    cameo = vault.get(created[0])
    assert cameo.name == "Eileen" and cameo.permission == "everyone"
    assert cameo.consent["points_confirmed"] == [p.key for p in CONSENT_POINTS]

    # The headless command, same camera: a cameo of the same person.
    from studio import cli

    assert cli.main(["cameo", "create", "--name", "Eileen CLI", "--camera", str(camera_files["live"]),
                     "--agree", "--signature", "Eileen CLI"]) == 0
    from_cli = next(c for c in vault.list() if c.name == "Eileen CLI")
    assert face_distance(vault.biometrics(from_cli.id).embedding, vault.biometrics(cameo.id).embedding) < 0.1


def test_wizard_refuses_without_full_consent(qtbot, opened):
    wizard = CameoWizardDialog()
    qtbot.addWidget(wizard)
    wizard.show()
    next_button = wizard.button(QWizard.NextButton)
    _fill_consent(wizard, skip="revoke")
    assert not next_button.isEnabled()
    _fill_consent(wizard, signature="Someone Else")
    next_button.click()  # enabled (all filled) but the signature does not match: stays on the page
    assert wizard.currentPage() is wizard.consent_page
    assert "does not match" in wizard.consent_page.error.text()
    # Even called directly, the capture refuses without a consent record.
    wizard.capture_page.start_capture()
    assert "Consent is needed" in wizard.capture_page.result_label.text()
    assert opened == [] and Vault().list() == []


def test_still_photo_fails_in_the_wizard_in_japanese(qtbot, camera_files):
    i18n.set_language("ja")
    try:
        wizard = CameoWizardDialog()
        qtbot.addWidget(wizard)
        wizard.show()
        assert wizard.windowTitle() == "カメオを作る"
        _fill_consent(wizard)
        wizard.button(QWizard.NextButton).click()
        prompts = _capture(qtbot, wizard, camera_files["still"])
        assert "左を向いてください" in prompts
        assert "確認に失敗しました" in wizard.capture_page.result_label.text()
        assert not wizard.button(QWizard.NextButton).isEnabled()
        assert Vault().list() == []
    finally:
        i18n.set_language("en")
