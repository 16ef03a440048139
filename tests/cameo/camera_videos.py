"""Camera videos for the cameo tests, made from real photos that ship in packages.

The creator is scikit-image's astronaut (Eileen Collins); the stranger spliced in
is Grace Hopper from matplotlib's sample data (a different real person; dlib puts
the two 0.70 apart). Head turns and speech are acted out with warps: a smooth
sideways displacement of the inner face (nose, eyes, mouth) against the jaw
outline reads as a turn, a downward stretch of the region under the upper lip
reads as the jaw opening.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

FPS = 10
SIDE = 320


@lru_cache(maxsize=1)
def astronaut_portrait() -> np.ndarray:
    """A 320×320 RGB crop of the astronaut photo around her face (face about 90 px wide)."""
    from skimage import data

    img = data.astronaut()
    return np.ascontiguousarray(img[20:340, 60:380])


@lru_cache(maxsize=1)
def hopper_portrait() -> np.ndarray:
    """Grace Hopper from matplotlib's sample data, scaled so her face is about as big as the astronaut's."""
    import matplotlib.cbook as cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        img = np.asarray(Image.open(f).convert("RGB"))
    # Her face spans about 215 px of 512: scale it to ~95 px, then crop a 320 square.
    small = cv2.resize(img, (226, 265), interpolation=cv2.INTER_AREA)
    canvas = np.full((SIDE, SIDE, 3), 120, np.uint8)
    canvas[20:285, 47:273] = small
    return canvas


@lru_cache(maxsize=4)
def _landmarks(which: str) -> np.ndarray:
    from studio.cameo.faces import FaceAnalyzer

    img = astronaut_portrait() if which == "astronaut" else hopper_portrait()
    faces = FaceAnalyzer.shared().analyse(img, embeddings=False)
    assert len(faces) == 1, f"expected one face in the {which} photo"
    return faces[0].landmarks


def act(img: np.ndarray, landmarks: np.ndarray, turn: float = 0.0, jaw: float = 0.0, shift: tuple[float, float] = (0, 0)) -> np.ndarray:
    """The photo with the head turned (``turn`` -1..1, positive: toward image right) and the jaw opened (0..1)."""
    h, w = img.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    face_w = float(landmarks[16, 0] - landmarks[0, 0])
    nose = landmarks[30]
    map_x, map_y = xs.copy(), ys.copy()
    if turn:
        # Inner face slides sideways; the outline (cheeks, ears) stays: a 2D turn.
        sigma = face_w * 0.3
        g = np.exp(-(((xs - nose[0]) / sigma) ** 2 + ((ys - nose[1]) / (sigma * 1.5)) ** 2) / 2)
        map_x -= turn * face_w * 0.22 * g
    if jaw:
        # Everything under the lip line moves down, fading out over the chin.
        lip = float((landmarks[62, 1] + landmarks[66, 1]) / 2)
        chin = float(landmarks[8, 1])
        cx = float(landmarks[51, 0])
        drop = jaw * (chin - lip) * 0.35
        below = np.clip((ys - lip) / 3.0, 0, 1) * np.clip(1 - (ys - chin) / (face_w * 0.3), 0, 1)
        across = np.exp(-(((xs - cx) / (face_w * 0.45)) ** 2) / 2)
        map_y -= drop * below * across
    out = cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if shift != (0, 0):
        m = np.float32([[1, 0, shift[0]], [0, 1, shift[1]]])
        out = cv2.warpAffine(out, m, (w, h), borderMode=cv2.BORDER_REFLECT)
    return out


def performance_frames(challenge, *, still: bool = False, splice: tuple[float, float] | None = None) -> list[np.ndarray]:
    """Frames of someone doing ``challenge`` at `FPS`: look, turn left, turn right, read.

    ``still``: the photo held still (no turns, no speech). ``splice``: seconds
    (start, end) during which the stranger's photo replaces the creator's.
    """
    base, lm = astronaut_portrait(), _landmarks("astronaut")
    other, other_lm = hopper_portrait(), _landmarks("hopper")
    n = int(math.ceil(challenge.duration * FPS)) + 2
    frames = []
    for i in range(n):
        t = i / FPS
        step = challenge.step_at(t)
        kind = step.kind if step else "look"
        turn = jaw = 0.0
        if not still and step is not None:
            u = (t - step.start) / (step.end - step.start)
            if kind == "left":
                turn = math.sin(math.pi * u) * 1.0
            elif kind == "right":
                turn = -math.sin(math.pi * u) * 1.0
            elif kind == "read":
                jaw = 0.5 + 0.5 * math.sin(2 * math.pi * 2.5 * u)
        # A little hand-held drift, as a real camera has.
        drift = (0.0, 0.0) if still else (math.sin(i * 0.7) * 1.5, math.cos(i * 0.5) * 1.0)
        if splice and splice[0] <= t < splice[1]:
            frames.append(act(other, other_lm, turn, jaw, drift))
        else:
            frames.append(act(base, lm, turn, jaw, drift))
    return frames


def write_video(path: Path, frames: list[np.ndarray], fps: int = FPS) -> Path:
    """Write RGB frames as an MP4 that cv2.VideoCapture reads back (a file camera)."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    assert writer.isOpened(), "OpenCV could not open an MP4 writer"
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    return path
