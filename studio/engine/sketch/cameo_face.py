"""A cameo's face on a Sketch character: the person's aligned face crop in an oval over the head.

The crop is pasted a little larger than the drawn head (an animatic's "big head"),
so the face stays legible, and recognisable by the identity check, at the small
sizes figures have in a wide shot. The oval's edge is feathered so it sits in
the drawing rather than on top of it.
"""

from __future__ import annotations

import cv2
import numpy as np

FACE_SCALE = 1.7
"""Face oval half-width, in drawn head radii."""
MIN_RADIUS_PX = 5.0


def paste_face(frame: np.ndarray, crop: np.ndarray, centre: tuple[float, float], head_radius: float) -> None:
    """Blend ``crop`` (RGB uint8) into ``frame`` in place, as an oval centred on the head."""
    if head_radius < MIN_RADIUS_PX:
        return
    rx = head_radius * FACE_SCALE
    ry = rx * 1.18
    w, h = max(2, int(round(2 * rx))), max(2, int(round(2 * ry)))
    # The aligned crop is square with the face in its middle: trim the sides to the oval's aspect.
    side = crop.shape[1]
    keep = int(round(side * (w / h)))
    x0 = max(0, (side - keep) // 2)
    face = cv2.resize(crop[:, x0:x0 + keep], (w, h), interpolation=cv2.INTER_AREA if w < keep else cv2.INTER_LINEAR)
    mask = np.zeros((h, w), np.float32)
    cv2.ellipse(mask, (w // 2, h // 2), (max(1, w // 2 - 1), max(1, h // 2 - 1)), 0, 0, 360, 1.0, -1, cv2.LINE_AA)
    feather = max(1, int(round(min(w, h) * 0.06))) | 1
    mask = cv2.GaussianBlur(mask, (feather * 2 + 1, feather * 2 + 1), 0)
    left = int(round(centre[0] - w / 2))
    top = int(round(centre[1] - h / 2))
    H, W = frame.shape[:2]
    fx0, fy0 = max(0, left), max(0, top)
    fx1, fy1 = min(W, left + w), min(H, top + h)
    if fx1 <= fx0 or fy1 <= fy0:
        return
    sub = face[fy0 - top: fy1 - top, fx0 - left: fx1 - left].astype(np.float32)
    m = mask[fy0 - top: fy1 - top, fx0 - left: fx1 - left, None]
    roi = frame[fy0:fy1, fx0:fx1]
    roi[:] = np.clip(sub * m + roi.astype(np.float32) * (1 - m) + 0.5, 0, 255).astype(np.uint8)
