"""Faces seen by dlib: detection, 68 landmarks, the 128-d identity descriptor, aligned crops.

The models come from the `face-recognition-models` package (the HOG frontal face
detector ships inside dlib itself), so everything works offline. The package's
own ``__init__`` needs ``pkg_resources``, which new setuptools no longer has, so
the model files are located through the import system instead of importing it.

Distances are Euclidean distances between dlib descriptors: dlib's model was
trained so that the same person is under 0.6 and different people above it.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from studio.domain.errors import ExplainedError

SAME_PERSON_DISTANCE = 0.6
"""dlib's published decision threshold for its 128-d descriptors."""
CROP_SIZE = 160
"""Side of the aligned reference crops kept for generation (pixels)."""


class FaceModelsMissing(ExplainedError):
    """dlib or the face models are not installed; ``message`` and ``hint`` say what to do."""


def _models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelsMissing("the face models are not installed", "pip install face-recognition-models")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


@dataclass(frozen=True)
class FaceObservation:
    """One face found in one frame."""

    box: tuple[int, int, int, int]
    """left, top, right, bottom in frame pixels."""
    landmarks: np.ndarray
    """68×2 float32, dlib's iBUG 300-W order."""
    embedding: np.ndarray | None = None
    """128-d float64 descriptor, when it was computed."""

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def yaw(self) -> float:
        return head_yaw(self.landmarks)

    @property
    def mouth_open(self) -> float:
        return mouth_open_ratio(self.landmarks)


def head_yaw(landmarks: np.ndarray) -> float:
    """How far the head is turned, -1..1, from where the nose sits between the cheeks.

    0 is facing the camera. Positive means the nose moved toward the right of the
    image (the person turned to their own left, as an unmirrored camera sees it).
    Uses the jaw outline (points 0 and 16 at eye level) and the nose tip (30).
    """
    left, right, nose = landmarks[0], landmarks[16], landmarks[30]
    dl = float(np.hypot(*(nose - left)))
    dr = float(np.hypot(*(right - nose)))
    return (dl - dr) / max(1e-6, dl + dr)


def mouth_open_ratio(landmarks: np.ndarray) -> float:
    """Lip opening over mouth width: the inner gap (62-66) and outer height (51-57), averaged."""
    width = float(np.hypot(*(landmarks[54] - landmarks[48])))
    inner = float(np.hypot(*(landmarks[66] - landmarks[62])))
    outer = float(np.hypot(*(landmarks[57] - landmarks[51])))
    return (inner + outer) / 2 / max(1e-6, width)


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two descriptors (same person: under 0.6)."""
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


def similarity_from_distance(distance: float) -> float:
    """A 0..1 similarity: 1 - distance, clipped (same person: over 0.4)."""
    return float(min(1.0, max(0.0, 1.0 - distance)))


def robust_mean_embedding(embeddings: list[np.ndarray] | np.ndarray, *, max_distance: float = 0.45) -> tuple[np.ndarray, np.ndarray]:
    """The identity descriptor of a set of frames, with outliers rejected.

    Starts from the element-wise median (insensitive to a few bad frames), drops
    every descriptor farther than ``max_distance`` or farther than the median
    distance plus three MADs, and averages the rest. Returns ``(mean, kept_mask)``.
    """
    e = np.asarray(embeddings, np.float64)
    if e.ndim != 2 or e.shape[0] == 0:
        raise ValueError("no face descriptors to average")
    centre = np.median(e, axis=0)
    d = np.linalg.norm(e - centre, axis=1)
    med = float(np.median(d))
    mad = float(np.median(np.abs(d - med))) or 1e-3
    keep = (d <= max_distance) & (d <= med + 3 * 1.4826 * mad + 0.02)
    if not keep.any():
        keep = d <= med
    return e[keep].mean(axis=0), keep


class FaceAnalyzer:
    """Loads the dlib models once; thread-safe by a lock (dlib objects are not shared safely)."""

    _shared: "FaceAnalyzer | None" = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        try:
            import dlib
        except ImportError as exc:  # pragma: no cover - dependency declared in pyproject
            raise FaceModelsMissing("dlib is not installed", "pip install dlib-bin") from exc
        models = _models_dir()
        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(models / "shape_predictor_68_face_landmarks.dat"))
        self._recogniser = dlib.face_recognition_model_v1(str(models / "dlib_face_recognition_resnet_model_v1.dat"))
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> "FaceAnalyzer":
        """One analyzer per process (loading the models takes about a second)."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = FaceAnalyzer()
            return cls._shared

    def analyse(self, frame: np.ndarray, *, embeddings: bool = True, upsample: int = 0) -> list[FaceObservation]:
        """Every face in ``frame`` (H×W×3 uint8 RGB), largest first."""
        img = np.ascontiguousarray(frame)
        with self._lock:
            rects = list(self._detector(img, upsample))
            rects.sort(key=lambda r: -r.width() * r.height())
            out = []
            for r in rects:
                shape = self._shape(img, r)
                pts = np.array([(p.x, p.y) for p in shape.parts()], np.float32)
                emb = np.array(self._recogniser.compute_face_descriptor(img, shape), np.float64) if embeddings else None
                out.append(FaceObservation((r.left(), r.top(), r.right(), r.bottom()), pts, emb))
        return out

    def aligned_crop(self, frame: np.ndarray, face: FaceObservation, size: int = CROP_SIZE, padding: float = 0.3) -> np.ndarray:
        """The face rotated upright and scaled to ``size``×``size`` (RGB uint8), dlib's chip alignment."""
        d = self._dlib
        l, t, r, b = face.box
        rect = d.rectangle(int(l), int(t), int(r), int(b))
        parts = [d.point(int(round(x)), int(round(y))) for x, y in face.landmarks]
        shape = d.full_object_detection(rect, parts)
        with self._lock:
            chip = d.get_face_chip(np.ascontiguousarray(frame), shape, size=size, padding=padding)
        return np.asarray(chip, np.uint8)


def sharpness(frame: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Variance of the Laplacian inside the face box, scaled to a 100-pixel-wide face."""
    l, t, r, b = _clip_box(frame, box)
    if r - l < 4 or b - t < 4:
        return 0.0
    gray = cv2.cvtColor(np.ascontiguousarray(frame[t:b, l:r]), cv2.COLOR_RGB2GRAY)
    # Judge at a fixed scale, so a large face is not called sharper just for its size.
    gray = cv2.resize(gray, (100, max(4, int(100 * (b - t) / (r - l)))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def exposure(frame: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Mean luma of the face box, 0..255."""
    l, t, r, b = _clip_box(frame, box)
    if r <= l or b <= t:
        return 0.0
    region = frame[t:b, l:r].astype(np.float32)
    return float((region @ np.array([0.299, 0.587, 0.114], np.float32)).mean())


def _clip_box(frame: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    h, w = frame.shape[:2]
    l, t, r, b = box
    return max(0, int(l)), max(0, int(t)), min(w, int(r)), min(h, int(b))


def angle_between_eyes(landmarks: np.ndarray) -> float:
    """Head roll in degrees (the line through the eye centres)."""
    le, re = landmarks[36:42].mean(axis=0), landmarks[42:48].mean(axis=0)
    return math.degrees(math.atan2(float(re[1] - le[1]), float(re[0] - le[0])))
