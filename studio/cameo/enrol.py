"""Making a cameo: consent first, then the recorded liveness check, then the identity.

`run_enrolment` is the one flow behind both the wizard and `studio cameo create`:
it refuses to touch the camera or microphone without a complete consent record,
shows the challenge step by step (through ``on_update``), analyses every frame
(faces, landmarks, descriptor, quality), judges liveness, and only when the
check passes builds the identity: the robust mean descriptor and a few aligned
reference crops. The recording itself is never written anywhere.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from studio.cameo.consent import ConsentRecord
from studio.cameo.faces import FaceAnalyzer, FaceObservation, face_distance, robust_mean_embedding
from studio.cameo.liveness import ChallengeStep, FrameEvidence, LivenessChallenge, LivenessResult, evaluate_liveness
from studio.cameo.quality import FrameQuality, frame_advice, measure, session_advice
from studio.cameo.vault import Biometrics, Cameo, Vault
from studio.media.capture import CameraSource, CaptureUnavailable, Microphone

log = logging.getLogger(__name__)

ANALYSIS_FPS = 10.0
"""Frames analysed per second of a file camera (a webcam is analysed as fast as it goes)."""
REFERENCE_CROPS = 3


class EnrolmentCancelled(Exception):
    """The person stopped the capture."""


@dataclass(frozen=True)
class CaptureUpdate:
    """What the capture shows on each analysed frame (for the live preview)."""

    frame: np.ndarray
    t: float
    step: ChallengeStep | None
    faces: int
    advice: tuple[str, ...]
    progress: float
    """0..1 through the challenge."""


@dataclass
class EnrolmentResult:
    challenge: LivenessChallenge
    liveness: LivenessResult
    advice: list[str]
    biometrics: Biometrics | None
    """Only when liveness passed."""
    notes: list[str] = field(default_factory=list)
    """Plain remarks for the person (e.g. no microphone, so the check relied on the camera)."""


@dataclass
class _Sample:
    image: np.ndarray
    face: FaceObservation | None
    quality: FrameQuality | None


def run_enrolment(
    consent: ConsentRecord | None,
    camera: CameraSource,
    challenge: LivenessChallenge | None = None,
    *,
    microphone: Microphone | None = None,
    use_microphone: bool = True,
    on_update: Callable[[CaptureUpdate], None] | None = None,
    cancel: threading.Event | None = None,
    analyzer: FaceAnalyzer | None = None,
) -> EnrolmentResult:
    """Run the recorded check; raises ConsentError without full consent (before opening anything)."""
    from studio.cameo.consent import ConsentError

    if consent is None:
        raise ConsentError("no consent was given, so nothing was captured")
    consent.check()
    challenge = challenge or LivenessChallenge.random()
    analyzer = analyzer or FaceAnalyzer.shared()
    notes: list[str] = []

    mic = None
    if use_microphone and not camera.is_file:
        mic = microphone or Microphone()
    elif camera.is_file:
        notes.append("a video file has no live voice: the check relied on the mouth movement it shows")

    camera.open()
    if mic is not None:
        try:
            mic.start()
        except CaptureUnavailable as exc:
            notes.append(f"{exc.message}: the check relied on the mouth movement seen on camera")
            mic = None
    samples: list[_Sample] = []
    evidence: list[FrameEvidence] = []
    audio = None
    try:
        for captured in camera.frames(challenge.duration, max_fps=ANALYSIS_FPS):
            if cancel is not None and cancel.is_set():
                raise EnrolmentCancelled()
            faces = analyzer.analyse(captured.image)
            face = faces[0] if len(faces) == 1 else None
            evidence.append(FrameEvidence(captured.t, len(faces), face.yaw if face else None,
                                          face.mouth_open if face else None, face.embedding if face else None))
            samples.append(_Sample(captured.image, face, measure(captured.image, face) if face else None))
            if on_update is not None:
                on_update(CaptureUpdate(captured.image, captured.t, challenge.step_at(captured.t), len(faces),
                                        tuple(frame_advice(captured.image, faces)), min(1.0, captured.t / challenge.duration)))
    finally:
        camera.close()
        if mic is not None:
            audio = mic.stop()

    liveness = evaluate_liveness(challenge, evidence, audio=audio, sample_rate=mic.sample_rate if mic else 16000)
    faced = [s for s in samples if s.face is not None]
    advice = session_advice([s.quality for s in faced if s.quality], [s.face.yaw for s in faced])
    biometrics = _identity(analyzer, faced) if liveness.passed else None
    return EnrolmentResult(challenge, liveness, advice, biometrics, notes)


def _identity(analyzer: FaceAnalyzer, faced: list[_Sample]) -> Biometrics:
    """Robust mean descriptor, and crops from the most frontal, sharpest inlier frames."""
    embs = np.array([s.face.embedding for s in faced])
    mean, keep = robust_mean_embedding(embs)
    inliers = [s for s, k in zip(faced, keep) if k]
    rest = float(np.median([s.face.yaw for s in inliers]))
    # Prefer frames near straight ahead and close to the identity, then sharp ones; spread them in time.
    ranked = sorted(inliers, key=lambda s: (abs(s.face.yaw - rest) * 4 + face_distance(s.face.embedding, mean)
                                            - min(s.quality.sharpness, 400) / 2000))
    chosen: list[_Sample] = []
    for s in ranked:
        if all(abs(s.face.yaw - c.face.yaw) > 0.005 or s.face.mouth_open != c.face.mouth_open for c in chosen):
            chosen.append(s)
        if len(chosen) == REFERENCE_CROPS:
            break
    crops = tuple(analyzer.aligned_crop(s.image, s.face) for s in chosen)
    return Biometrics(mean, crops)


def create_cameo(vault: Vault, consent: ConsentRecord, result: EnrolmentResult, *, permission: str = "only_me",
                 approved: tuple[str, ...] = ()) -> Cameo:
    """Store the cameo of a passed enrolment in the vault."""
    from studio.cameo.vault import VaultError

    if not result.liveness.passed or result.biometrics is None:
        raise VaultError("the liveness check did not pass, so no cameo was made", "; ".join(result.liveness.messages()))
    return vault.create(consent.name, consent, result.biometrics, permission=permission, approved=approved,
                        liveness={**result.liveness.facts, "digits_prompted": len(result.challenge.digits)})
