"""The cameo wizard: consent point by point, a live capture with prompts and advice, then the identity.

Pages:

1. Consent: each point of the statement is a check box; the person types their
   name and signs by typing it again. Next stays disabled until all of it is
   done, and nothing (camera, microphone) is opened before this page is left.
2. Capture: a camera index or a video file standing in, a live preview, the
   current prompt in large type ("turn left", "read: 4 9 1 7"), live quality
   advice and, at the end, the liveness result. The capture and the face
   analysis run on a worker thread; updates come back through queued signals.
3. Identity: the reference crops that will be kept, the cameo's name and its
   permission; Finish stores the cameo in the vault.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from studio.ui import i18n
from studio.ui.i18n import tr

log = logging.getLogger(__name__)

PREVIEW_SIDE = 320
PERMISSION_LABELS = (("only_me", "Only me"), ("approved", "People I approve"), ("everyone", "Everyone"))


def _pixmap(rgb: np.ndarray, side: int = PREVIEW_SIDE) -> QPixmap:
    h, w = rgb.shape[:2]
    img = QImage(np.ascontiguousarray(rgb).data, w, h, 3 * w, QImage.Format_RGB888).copy()
    return QPixmap.fromImage(img).scaled(side, side, Qt.KeepAspectRatio, Qt.SmoothTransformation)


class ConsentPage(QWizardPage):
    """Every point confirmed, the name typed and signed, before anything is captured."""

    def __init__(self) -> None:
        super().__init__()
        from studio.cameo.consent import CONSENT_POINTS

        self.points = CONSENT_POINTS
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.boxes: list[QCheckBox] = []
        self.texts: list[QLabel] = []
        for _ in self.points:
            row = QHBoxLayout()
            box = QCheckBox()
            text = QLabel()
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextSelectableByMouse)
            box.toggled.connect(self.completeChanged)
            row.addWidget(box, 0, Qt.AlignTop)
            row.addWidget(text, 1)
            layout.addLayout(row)
            self.boxes.append(box)
            self.texts.append(text)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("cameo_name")
        self.signature_edit = QLineEdit()
        self.signature_edit.setObjectName("cameo_signature")
        self.name_label, self.signature_label = QLabel(), QLabel()
        form.addRow(self.name_label, self.name_edit)
        form.addRow(self.signature_label, self.signature_edit)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("consent_error")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.name_edit.textChanged.connect(self.completeChanged)
        self.signature_edit.textChanged.connect(self.completeChanged)
        self.consent = None
        self.retranslate()

    def retranslate(self) -> None:
        lang = i18n.language()
        self.setTitle(tr("Your consent"))
        self.intro.setText(tr("Nothing is recorded until you have read and confirmed each point below."))
        for point, text in zip(self.points, self.texts):
            text.setText(point.text(lang))
        self.name_label.setText(tr("Your name"))
        self.signature_label.setText(tr("Type your name again to sign"))

    def isComplete(self) -> bool:
        return all(b.isChecked() for b in self.boxes) and bool(self.name_edit.text().strip()) and bool(self.signature_edit.text().strip())

    def validatePage(self) -> bool:
        from studio.cameo.consent import ConsentError, give_consent

        confirmed = [p.key for p, b in zip(self.points, self.boxes) if b.isChecked()]
        try:
            self.consent = give_consent(self.name_edit.text(), self.signature_edit.text(), confirmed, i18n.language())
        except ConsentError as exc:
            self.error.setText(tr("Consent is not complete: {m}", m=str(exc)))
            return False
        self.error.clear()
        return True


class _CaptureSignals(QObject):
    update = Signal(object, str, str, float)
    """preview pixmap source (RGB array), prompt, advice, progress 0..1"""
    finished = Signal(object)
    failed = Signal(str)


class CapturePage(QWizardPage):
    """The recorded liveness check with a live preview; complete only when it passed."""

    def __init__(self, consent_page: ConsentPage) -> None:
        super().__init__()
        self.consent_page = consent_page
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.camera_label = QLabel()
        self.camera_edit = QLineEdit("0")
        self.camera_edit.setObjectName("camera_source")
        self.browse = QPushButton()
        self.browse.clicked.connect(self._browse)
        self.start_button = QPushButton()
        self.start_button.setObjectName("start_capture")
        self.start_button.clicked.connect(self.start_capture)
        row.addWidget(self.camera_label)
        row.addWidget(self.camera_edit, 1)
        row.addWidget(self.browse)
        row.addWidget(self.start_button)
        layout.addLayout(row)
        self.preview = QLabel()
        self.preview.setObjectName("capture_preview")
        self.preview.setFixedSize(PREVIEW_SIDE, PREVIEW_SIDE)
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setStyleSheet("background: #222;")
        layout.addWidget(self.preview, 0, Qt.AlignHCenter)
        self.prompt = QLabel()
        self.prompt.setObjectName("capture_prompt")
        self.prompt.setAlignment(Qt.AlignCenter)
        font = self.prompt.font()
        font.setPointSize(font.pointSize() + 8)
        font.setBold(True)
        self.prompt.setFont(font)
        layout.addWidget(self.prompt)
        self.advice = QLabel()
        self.advice.setObjectName("capture_advice")
        self.advice.setAlignment(Qt.AlignCenter)
        layout.addWidget(self.advice)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        layout.addWidget(self.progress)
        self.result_label = QLabel()
        self.result_label.setObjectName("liveness_result")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        self.signals = _CaptureSignals()
        self.signals.update.connect(self._on_update)
        self.signals.finished.connect(self._on_finished)
        self.signals.failed.connect(self._on_failed)
        self.result = None
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(tr("Liveness check"))
        self.setSubTitle(tr("Follow the prompts as they appear: turn left or right, read the digits aloud. Their order and timing change every time."))
        self.camera_label.setText(tr("Camera"))
        self.camera_edit.setToolTip(tr("A webcam number (0 is the first) or a video file standing in for the webcam"))
        self.browse.setText(tr("Video file…"))
        from studio.media.capture import file_cameras_allowed

        self.browse.setVisible(file_cameras_allowed())  # tests only: never offered to users
        self.start_button.setText(tr("Start"))

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("A video standing in for the webcam"), "", "Video (*.mp4 *.mov *.mkv *.avi)")
        if path:
            self.camera_edit.setText(path)

    def isComplete(self) -> bool:
        return self.result is not None and self.result.liveness.passed

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start_capture(self) -> None:
        """Open the camera (consent was given on the previous page) and run the check off the UI thread."""
        if self.running:
            return
        consent = self.consent_page.consent
        if consent is None:  # cannot happen through the wizard's buttons; guard all the same
            self.result_label.setText(tr("Consent is needed before anything is captured."))
            return
        from studio.cameo.liveness import LivenessChallenge
        from studio.media.capture import CameraSource

        self.result = None
        self.completeChanged.emit()
        self.result_label.clear()
        self.start_button.setEnabled(False)
        self._cancel.clear()
        from studio.media.capture import file_cameras_allowed

        spec = self.camera_edit.text().strip() or "0"
        if not spec.isdigit() and not file_cameras_allowed():
            # A prepared video must not pass for a live person: the window reads real cameras only.
            self.result_label.setText(tr("The liveness check needs a live webcam: enter its number (0 is the first)."))
            self.start_button.setEnabled(True)
            return
        challenge = LivenessChallenge.random()
        camera = CameraSource(spec)
        lang = i18n.language()
        signals = self.signals
        cancel = self._cancel

        def work() -> None:
            from studio.cameo.enrol import EnrolmentCancelled, run_enrolment
            from studio.cameo.quality import advice_text

            def on_update(u) -> None:
                prompt = u.step.prompt(challenge.digits, lang) if u.step else ""
                advice = " ".join(advice_text(k, lang) for k in u.advice)
                signals.update.emit(u.frame, prompt, advice, u.progress)

            try:
                result = run_enrolment(consent, camera, challenge, on_update=on_update, cancel=cancel)
            except EnrolmentCancelled:
                signals.failed.emit("")
                return
            except Exception as exc:  # shown as one line; the traceback goes to the log
                log.exception("cameo capture failed")
                from studio.media.capture import CaptureUnavailable

                if isinstance(exc, CaptureUnavailable) and getattr(camera, "path", None) is None:
                    # A window user has no --camera flag: point at the field and the "Video file…" button.
                    signals.failed.emit(tr("The webcam could not be opened. Check it is connected and not used by another "
                                           "app, or choose a video file with “Video file…”."))
                    return
                message = getattr(exc, "message", None) or str(exc)
                hint = getattr(exc, "hint", "")
                signals.failed.emit(f"{message} — {hint}" if hint else message)
                return
            signals.finished.emit(result)

        self._thread = threading.Thread(target=work, name="cameo-capture", daemon=True)
        self._thread.start()

    def _on_update(self, frame, prompt: str, advice: str, progress: float) -> None:
        self.preview.setPixmap(_pixmap(frame))
        self.prompt.setText(prompt)
        self.advice.setText(advice)
        self.progress.setValue(int(progress * 100))

    def _on_finished(self, result) -> None:
        from studio.cameo.quality import advice_text

        lang = i18n.language()
        self.result = result
        self.start_button.setEnabled(True)
        self.progress.setValue(100)
        self.prompt.clear()
        tips = " ".join(advice_text(k, lang) for k in result.advice if k != "good")
        if result.liveness.passed:
            text = tr("Liveness check passed.")
        else:
            text = tr("Liveness check failed: {m} Try again.", m=" ".join(result.liveness.messages(lang)))
        if tips:
            text += " " + tips
        self.result_label.setText(text)
        self.completeChanged.emit()

    def _on_failed(self, message: str) -> None:
        self.start_button.setEnabled(True)
        self.prompt.clear()
        self.result_label.setText(tr("The capture stopped: {m}", m=message) if message else tr("The capture was cancelled."))

    def stop(self, wait: float = 10.0) -> None:
        """Cancel a running capture and wait for its thread (the camera is closed by it)."""
        self._cancel.set()
        if self._thread is not None:
            self._thread.join(wait)

    def cleanupPage(self) -> None:
        self.stop()
        super().cleanupPage()


class IdentityPage(QWizardPage):
    """The reference crops, the name and who may use the cameo; Finish stores it."""

    def __init__(self, consent_page: ConsentPage, capture_page: CapturePage, vault=None) -> None:
        super().__init__()
        self.consent_page, self.capture_page = consent_page, capture_page
        self._vault = vault
        layout = QVBoxLayout(self)
        self.crops_row = QHBoxLayout()
        layout.addLayout(self.crops_row)
        form = QFormLayout()
        self.name_label, self.permission_label = QLabel(), QLabel()
        self.name_view = QLabel()
        self.name_view.setObjectName("identity_name")
        self.permission = QComboBox()
        self.permission.setObjectName("cameo_permission")
        for key, _ in PERMISSION_LABELS:
            self.permission.addItem("", key)
        form.addRow(self.name_label, self.name_view)
        form.addRow(self.permission_label, self.permission)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.cameo = None
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(tr("Your cameo"))
        self.setSubTitle(tr("These face pictures and a face descriptor are kept, encrypted, on this computer only."))
        self.name_label.setText(tr("Name"))
        self.permission_label.setText(tr("Who may use it"))
        for i, (_, label) in enumerate(PERMISSION_LABELS):
            self.permission.setItemText(i, tr(label))

    def initializePage(self) -> None:
        while self.crops_row.count():
            item = self.crops_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        result = self.capture_page.result
        for crop in result.biometrics.crops if result and result.biometrics else ():
            label = QLabel()
            label.setPixmap(_pixmap(crop, 120))
            self.crops_row.addWidget(label)
        self.crops_row.addStretch(1)
        self.name_view.setText(self.consent_page.consent.name if self.consent_page.consent else "")

    def validatePage(self) -> bool:
        from studio.cameo.enrol import create_cameo
        from studio.cameo.vault import Vault, VaultError

        try:
            vault = self._vault or Vault()
            self.cameo = create_cameo(vault, self.consent_page.consent, self.capture_page.result,
                                      permission=self.permission.currentData())
        except (VaultError, OSError) as exc:
            log.exception("storing the cameo failed")
            self.error.setText(tr("Could not store the cameo: {m}", m=getattr(exc, "message", None) or str(exc)))
            return False
        return True


class CameoWizardDialog(QWizard):
    """Make a cameo of yourself; emits ``cameo_created(cameo_id)`` when stored."""

    cameo_created = Signal(str)

    def __init__(self, parent=None, vault=None) -> None:
        super().__init__(parent)
        self.setObjectName("CameoWizardDialog")
        self.consent_page = ConsentPage()
        self.capture_page = CapturePage(self.consent_page)
        self.identity_page = IdentityPage(self.consent_page, self.capture_page, vault)
        for page in (self.consent_page, self.capture_page, self.identity_page):
            self.addPage(page)
        self.setOption(QWizard.NoBackButtonOnLastPage, True)
        i18n.notifier.language_changed.connect(self._language_changed)
        self.retranslate()

    def _language_changed(self, _lang: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Make a cameo"))
        # QWizard's own buttons follow the interface language, not the system's Qt translation.
        for button, text in ((QWizard.BackButton, "< Back"), (QWizard.NextButton, "Next >"), (QWizard.CancelButton, "Cancel"),
                             (QWizard.FinishButton, "Finish")):
            self.setButtonText(button, tr(text))
        for page in (self.consent_page, self.capture_page, self.identity_page):
            page.retranslate()

    def accept(self) -> None:
        super().accept()
        if self.identity_page.cameo is not None:
            self.cameo_created.emit(self.identity_page.cameo.id)

    def reject(self) -> None:
        self.capture_page.stop()
        super().reject()

    def done(self, result: int) -> None:
        self.capture_page.stop()
        try:
            i18n.notifier.language_changed.disconnect(self._language_changed)
        except (RuntimeError, TypeError):
            pass
        super().done(result)


# The window's "Cameo…" action lives in action.py (light: it imports this module only when clicked).
from studio.ui.cameo_wizard.action import _CameoAction, add_cameo_action  # noqa: E402,F401
