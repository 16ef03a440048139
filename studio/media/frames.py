"""Frame geometry and still images: cover-fit, thumbnails, PNG bytes, loading photos."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from studio.media.errors import MediaError

__all__ = ["fit_frame", "thumbnail", "encode_png", "load_image"]


def fit_frame(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale ``frame`` to cover ``width×height`` and centre-crop to exactly that size.

    The aspect ratio is kept (nothing is stretched); whatever overhangs is cut
    equally from both sides. A frame already the right size is returned as is.
    Grey and RGBA frames are turned into RGB.
    """
    rgb = _as_rgb(frame)
    if width < 1 or height < 1:
        raise ValueError(f"target size must be positive, got {width}x{height}")
    h, w = rgb.shape[:2]
    if (w, h) == (width, height):
        return rgb
    scale = max(width / w, height / h)
    # Round up so the scaled image always covers the target, then crop the overhang.
    new_w = max(width, int(np.ceil(w * scale - 1e-9)))
    new_h = max(height, int(np.ceil(h * scale - 1e-9)))
    # INTER_AREA averages when shrinking (no aliasing); LINEAR is the sane choice when enlarging.
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(rgb, (new_w, new_h), interpolation=interp)
    x0 = (new_w - width) // 2
    y0 = (new_h - height) // 2
    return np.ascontiguousarray(scaled[y0 : y0 + height, x0 : x0 + width])


def thumbnail(frame: np.ndarray, max_side: int = 320) -> np.ndarray:
    """A copy of ``frame`` shrunk so its longer side is at most ``max_side`` (never enlarged)."""
    rgb = _as_rgb(frame)
    h, w = rgb.shape[:2]
    scale = max_side / max(w, h)
    if scale >= 1:
        return rgb.copy()
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def encode_png(frame: np.ndarray) -> bytes:
    """PNG bytes of an RGB (or grey/RGBA) uint8 frame."""
    rgb = _as_rgb(frame)
    ok, buf = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:  # pragma: no cover - OpenCV only fails here on impossible input
        raise MediaError("Could not encode a frame as PNG.")
    return buf.tobytes()


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Load a photo or still as uint8 RGB ``H×W×3``, upright per its EXIF orientation."""
    p = Path(path)
    if not p.is_file():
        raise MediaError(f"Could not open the image {p}: the file does not exist.")
    try:
        with Image.open(p) as img:
            img = ImageOps.exif_transpose(img)
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                # Transparent areas become white, as a viewer would show them, not black.
                base = Image.new("RGB", img.size, (255, 255, 255))
                rgba = img.convert("RGBA")
                base.paste(rgba, mask=rgba.getchannel("A"))
                img = base
            return np.asarray(img.convert("RGB"), dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise MediaError(f"Could not open the image {p}: it is not an image Pillow can read ({exc}).") from exc


def _as_rgb(frame: np.ndarray) -> np.ndarray:
    arr = np.asarray(frame)
    if arr.dtype != np.uint8:
        raise ValueError(f"frames must be uint8, got {arr.dtype}")
    if arr.ndim == 2:
        return np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim == 3 and arr.shape[2] == 3:
        return arr
    if arr.ndim == 3 and arr.shape[2] == 4:
        return np.ascontiguousarray(arr[:, :, :3])
    if arr.ndim == 3 and arr.shape[2] == 1:
        return np.repeat(arr, 3, axis=2)
    raise ValueError(f"expected an H×W×3 frame, got shape {arr.shape}")
