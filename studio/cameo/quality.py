"""Live quality guidance while capturing: face size, sharpness, exposure, pose variety.

Each check turns a measurement into advice a person can act on ("move closer",
"more light"), in English and Japanese. Thresholds are for the face box as dlib
finds it; sharpness is judged at a fixed face scale (see `faces.sharpness`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.cameo.faces import FaceObservation, exposure, sharpness

MIN_FACE_FRACTION = 0.18
"""A face narrower than this share of the frame is too far away."""
MAX_FACE_FRACTION = 0.7
MIN_SHARPNESS = 25.0
DARK, BRIGHT = 60.0, 210.0
POSE_VARIETY = 0.2
"""Yaw range (left to right) that gives the identity enough views."""

ADVICE = {
    "no_face": ("Put your face in the frame.", "顔を画面の中に入れてください。"),
    "several_faces": ("Only one person should be in view.", "画面には 1 人だけ映るようにしてください。"),
    "closer": ("Move closer.", "もう少し近づいてください。"),
    "farther": ("Move back a little.", "少し離れてください。"),
    "blurry": ("Hold still; the picture is blurry (or clean the lens).", "動かないでください。画像がぼやけています（レンズの汚れも確認してください）。"),
    "dark": ("More light, please.", "もっと明るくしてください。"),
    "bright": ("Too bright; turn away from the light.", "明るすぎます。光源から少し離れてください。"),
    "pose": ("Turn your head a little more, left and right.", "もう少し大きく左右を向いてください。"),
    "good": ("Looks good.", "良い状態です。"),
}


@dataclass(frozen=True)
class FrameQuality:
    face_fraction: float
    sharpness: float
    exposure: float


def advice_text(key: str, lang: str = "en") -> str:
    """The sentence for an advice key."""
    en, ja = ADVICE[key]
    return ja if lang == "ja" else en


def measure(frame: np.ndarray, face: FaceObservation) -> FrameQuality:
    return FrameQuality(face.width / frame.shape[1], sharpness(frame, face.box), exposure(frame, face.box))


def frame_advice(frame: np.ndarray, faces: list[FaceObservation]) -> list[str]:
    """Advice keys for one live frame (``["good"]`` when nothing needs fixing)."""
    if not faces:
        return ["no_face"]
    if len(faces) > 1:
        return ["several_faces"]
    q = measure(frame, faces[0])
    keys = []
    if q.face_fraction < MIN_FACE_FRACTION:
        keys.append("closer")
    elif q.face_fraction > MAX_FACE_FRACTION:
        keys.append("farther")
    if q.sharpness < MIN_SHARPNESS:
        keys.append("blurry")
    if q.exposure < DARK:
        keys.append("dark")
    elif q.exposure > BRIGHT:
        keys.append("bright")
    return keys or ["good"]


def session_advice(qualities: list[FrameQuality], yaws: list[float]) -> list[str]:
    """Advice over a whole capture: the typical frame's problems plus pose variety."""
    if not qualities:
        return ["no_face"]
    frac = float(np.median([q.face_fraction for q in qualities]))
    sharp = float(np.median([q.sharpness for q in qualities]))
    light = float(np.median([q.exposure for q in qualities]))
    keys = []
    if frac < MIN_FACE_FRACTION:
        keys.append("closer")
    elif frac > MAX_FACE_FRACTION:
        keys.append("farther")
    if sharp < MIN_SHARPNESS:
        keys.append("blurry")
    if light < DARK:
        keys.append("dark")
    elif light > BRIGHT:
        keys.append("bright")
    if yaws and (max(yaws) - min(yaws)) < POSE_VARIETY:
        keys.append("pose")
    return keys or ["good"]
