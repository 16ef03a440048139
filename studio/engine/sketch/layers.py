"""Pre-rendered parallax layers and the fast compositor that places them every frame.

A layer is drawn once per shot into a premultiplied RGBA image that is larger
than the canvas (it covers everything the camera will see over the shot). Each
frame the camera gives it a scale and an offset: a pure offset is an array slice,
a scale is one ``cv2.warpAffine`` of the layer's visible part. Blending is
``dst * (255 - a) / 255 + premultiplied`` done with cv2's saturating uint8 ops,
which keeps a 720p frame at a few milliseconds.

Drawing on a zeroed 4-channel image with cv2's anti-aliased primitives yields
premultiplied colour for free: an edge pixel covered by k gets k·colour and k·255
alpha, and later shapes composite "over" the earlier ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import cv2
import numpy as np

SHIFT = 3
"""Sub-pixel bits for cv2 drawing: coordinates are multiplied by 2**SHIFT."""
_ONE = 1 << SHIFT

Point = tuple[float, float]
Color = Sequence[int]


def fixed(p: Point) -> tuple[int, int]:
    """A point in cv2's fixed-point sub-pixel coordinates."""
    return (int(round(p[0] * _ONE)), int(round(p[1] * _ONE)))


def fixed_poly(points: Iterable[Point]) -> np.ndarray:
    return np.round(np.asarray(list(points), np.float64) * _ONE).astype(np.int32)


class Painter:
    """Anti-aliased flat shapes on an image, in a coordinate system offset by ``origin``.

    Layers are drawn in the canvas's rest coordinates (the frame as the camera sees
    it before moving); the painter subtracts the layer's origin. Colours are RGB;
    on a 4-channel image they are drawn opaque (alpha 255) unless ``alpha`` is given.
    """

    def __init__(self, image: np.ndarray, origin: Point = (0.0, 0.0)) -> None:
        self.image = image
        self.ox, self.oy = origin
        self.channels = image.shape[2]

    def _c(self, color: Color, alpha: float = 1.0) -> tuple[int, ...]:
        c = tuple(int(v) for v in color[:3])
        if self.channels == 4:
            if alpha >= 1.0:
                return c + (255,)
            # Premultiplied: a translucent colour carries its alpha in every channel.
            return tuple(int(v * alpha) for v in c) + (int(255 * alpha),)
        return c

    def _p(self, p: Point) -> tuple[int, int]:
        return fixed((p[0] - self.ox, p[1] - self.oy))

    def poly(self, points: Iterable[Point], color: Color, alpha: float = 1.0) -> None:
        pts = fixed_poly((x - self.ox, y - self.oy) for x, y in points)
        if alpha < 1.0 and self.channels == 4:
            self._translucent(lambda img, col: cv2.fillPoly(img, [pts], col, cv2.LINE_AA, SHIFT), color, alpha)
            return
        cv2.fillPoly(self.image, [pts], self._c(color), cv2.LINE_AA, SHIFT)

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: Color, alpha: float = 1.0) -> None:
        """A filled axis-aligned rectangle, snapped to whole pixels so its edges stay crisp."""
        a = (int(round(x0 - self.ox)), int(round(y0 - self.oy)))
        b = (int(round(x1 - self.ox)) - 1, int(round(y1 - self.oy)) - 1)
        if b[0] < a[0] or b[1] < a[1]:
            return
        if alpha < 1.0 and self.channels == 4:
            self._translucent(lambda img, col: cv2.rectangle(img, a, b, col, -1), color, alpha)
            return
        cv2.rectangle(self.image, a, b, self._c(color), -1)

    def rounded_rect(self, x0: float, y0: float, x1: float, y1: float, r: float, color: Color) -> None:
        r = max(0.0, min(r, (x1 - x0) / 2, (y1 - y0) / 2))
        if r < 1:
            self.poly([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], color)
            return
        pts: list[Point] = []
        for cx, cy, a0 in ((x1 - r, y0 + r, -90), (x1 - r, y1 - r, 0), (x0 + r, y1 - r, 90), (x0 + r, y0 + r, 180)):
            for k in range(7):
                a = math.radians(a0 + k * 15)
                pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        self.poly(pts, color)

    def circle(self, c: Point, r: float, color: Color, alpha: float = 1.0) -> None:
        if r <= 0:
            return
        center, radius = self._p(c), int(round(r * _ONE))
        if alpha < 1.0 and self.channels == 4:
            self._translucent(lambda img, col: cv2.circle(img, center, radius, col, -1, cv2.LINE_AA, SHIFT), color, alpha)
            return
        cv2.circle(self.image, center, radius, self._c(color), -1, cv2.LINE_AA, SHIFT)

    def ellipse(self, c: Point, axes: Point, angle: float, color: Color, arc: tuple[float, float] = (0, 360)) -> None:
        if axes[0] <= 0 or axes[1] <= 0:
            return
        cv2.ellipse(self.image, self._p(c), fixed(axes), angle, arc[0], arc[1], self._c(color), -1, cv2.LINE_AA, SHIFT)

    def line(self, p0: Point, p1: Point, color: Color, thickness: float, alpha: float = 1.0) -> None:
        """A stroke with round caps; ``thickness`` in pixels (cv2 rounds it to an integer)."""
        t = max(1, int(round(thickness)))
        a, b = self._p(p0), self._p(p1)
        if alpha < 1.0 and self.channels == 4:
            self._translucent(lambda img, col: cv2.line(img, a, b, col, t, cv2.LINE_AA, SHIFT), color, alpha)
            return
        cv2.line(self.image, a, b, self._c(color), t, cv2.LINE_AA, SHIFT)

    def polyline(self, points: Sequence[Point], color: Color, thickness: float, closed: bool = False) -> None:
        pts = fixed_poly((x - self.ox, y - self.oy) for x, y in points)
        cv2.polylines(self.image, [pts], closed, self._c(color), max(1, int(round(thickness))), cv2.LINE_AA, SHIFT)

    def vertical_gradient(self, y0: float, y1: float, top: Color, bottom: Color, x0: float | None = None, x1: float | None = None) -> None:
        """Fill rows y0..y1 (rest coordinates) with an opaque top-to-bottom gradient."""
        h, w = self.image.shape[:2]
        r0 = max(0, int(math.floor(y0 - self.oy)))
        r1 = min(h, int(math.ceil(y1 - self.oy)))
        c0 = 0 if x0 is None else max(0, int(round(x0 - self.ox)))
        c1 = w if x1 is None else min(w, int(round(x1 - self.ox)))
        if r1 <= r0 or c1 <= c0:
            return
        rows = np.arange(r0, r1, dtype=np.float32) + self.oy
        t = np.clip((rows - y0) / max(1e-6, (y1 - y0)), 0, 1)[:, None]
        col = np.asarray(top[:3], np.float32) * (1 - t) + np.asarray(bottom[:3], np.float32) * t
        band = np.clip(col + 0.5, 0, 255).astype(np.uint8)
        self.image[r0:r1, c0:c1, :3] = band[:, None, :]
        if self.channels == 4:
            self.image[r0:r1, c0:c1, 3] = 255

    def glow(self, c: Point, radius: float, color: Color, strength: float = 1.0) -> None:
        """Additive soft light: brightens what is under it and, on a layer, what shows through.

        In premultiplied colour, light is colour without alpha, so this adds to RGB only.
        """
        h, w = self.image.shape[:2]
        cx, cy = c[0] - self.ox, c[1] - self.oy
        x0, x1 = max(0, int(cx - radius)), min(w, int(cx + radius) + 1)
        y0, y1 = max(0, int(cy - radius)), min(h, int(cy + radius) + 1)
        if x1 <= x0 or y1 <= y0:
            return
        ys = (np.arange(y0, y1, dtype=np.float32) - cy)[:, None]
        xs = (np.arange(x0, x1, dtype=np.float32) - cx)[None, :]
        d = np.sqrt(xs * xs + ys * ys) / radius
        fall = np.clip(1.0 - d, 0, 1) ** 2 * strength
        add = fall[:, :, None] * np.asarray(color[:3], np.float32)[None, None, :]
        roi = self.image[y0:y1, x0:x1, :3]
        roi[:] = np.clip(roi.astype(np.float32) + add, 0, 255).astype(np.uint8)

    def _translucent(self, draw, color: Color, alpha: float) -> None:
        """Draw a shape at partial opacity on a premultiplied layer ("over" compositing)."""
        mask = np.zeros(self.image.shape[:2], np.uint8)
        draw(mask, 255)
        ys, xs = np.nonzero(mask)
        if len(ys) == 0:
            return
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        cover = mask[y0:y1, x0:x1].astype(np.float32)[:, :, None] * (alpha / 255.0)
        src = np.asarray(tuple(color[:3]) + (255,), np.float32)[None, None, :]
        roi = self.image[y0:y1, x0:x1]
        roi[:] = np.clip(roi * (1 - cover) + src * cover + 0.5, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- layers


@dataclass
class Layer:
    """One depth plane of the scenery, pre-rendered once per shot.

    ``origin`` is where pixel (0, 0) of ``rgba`` sits in the canvas's rest
    coordinates; ``depth`` (scene units, ``math.inf`` for the sky) decides how the
    camera moves it. ``drift`` slides it on its own (clouds), in pixels per frame.
    ``period`` (pixels, 0 for none) says the picture repeats across that width, so a
    drift that has run ``period`` pixels starts again from where it began — what keeps
    a long shot's drifting sky the same width whatever the shot's length.
    """

    name: str
    depth: float
    rgba: np.ndarray
    origin: tuple[int, int]
    drift: tuple[float, float] = (0.0, 0.0)
    period: int = 0
    opaque: bool = False
    prem: np.ndarray = field(init=False, repr=False)
    inv3: np.ndarray = field(init=False, repr=False)
    bbox: tuple[int, int, int, int] = field(init=False)
    """(x0, y0, x1, y1) of the pixels with any alpha, in layer pixels."""
    solid_from: int = field(init=False)
    """First layer row from which every row down to the bottom is fully opaque: what
    lies behind those rows never needs compositing."""

    def __post_init__(self) -> None:
        self.finish()

    def finish(self) -> None:
        """Precompute what compositing needs; call again after drawing more into ``rgba``."""
        alpha = self.rgba[:, :, 3]
        rows = np.flatnonzero(alpha.any(axis=1))
        cols = np.flatnonzero(alpha.any(axis=0))
        if len(rows) == 0:
            self.bbox = (0, 0, 0, 0)
        else:
            self.bbox = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
        self.opaque = bool(alpha.min() == 255)
        full = (alpha == 255).all(axis=1)
        not_full = np.flatnonzero(~full)
        self.solid_from = int(not_full[-1]) + 1 if len(not_full) else 0
        self.prem = np.ascontiguousarray(self.rgba[:, :, :3])
        self.inv3 = cv2.cvtColor(cv2.bitwise_not(np.ascontiguousarray(alpha)), cv2.COLOR_GRAY2RGB)

    @property
    def size(self) -> tuple[int, int]:
        return self.rgba.shape[1], self.rgba.shape[0]


def new_layer_image(x0: float, y0: float, x1: float, y1: float) -> tuple[np.ndarray, tuple[int, int]]:
    """A zeroed (transparent) RGBA image covering the rest-coordinate box, and its origin."""
    ox, oy = int(math.floor(x0)), int(math.floor(y0))
    w, h = int(math.ceil(x1)) - ox, int(math.ceil(y1)) - oy
    return np.zeros((h, w, 4), np.uint8), (ox, oy)


def blend_into(dst: np.ndarray, prem: np.ndarray, inv3: np.ndarray) -> None:
    """``dst = dst·inv/255 + prem`` in place, with cv2's vectorised saturating uint8 ops."""
    cv2.multiply(dst, inv3, dst=dst, scale=1 / 255)
    cv2.add(dst, prem, dst=dst)


def solid_row(layer: Layer, scale: float, tx: float, ty: float) -> int:
    """Frame row from which ``layer``, placed so, covers every pixel below (frame height if none)."""
    if layer.solid_from >= layer.rgba.shape[0]:
        return 1 << 30
    if abs(scale - 1.0) < 1e-6:
        return layer.solid_from + int(round(ty))
    # One row of slack: a warped edge row is blended, not solid.
    return int(math.ceil(layer.solid_from * scale + ty)) + 1


def composite(frame: np.ndarray, layer: Layer, scale: float, tx: float, ty: float, max_row: int | None = None) -> None:
    """Place ``layer`` on ``frame``: layer pixel (j, i) lands at (scale·j + tx, scale·i + ty).

    A scale of one is done by slicing (offsets rounded to whole pixels); anything
    else warps only the part of the layer that can be seen. Rows from ``max_row``
    down are left alone (something opaque in front covers them).
    """
    H, W = frame.shape[:2]
    if max_row is not None:
        H = max(0, min(H, max_row))
    bx0, by0, bx1, by1 = layer.bbox
    if bx1 <= bx0:
        return
    if abs(scale - 1.0) < 1e-6:
        dx, dy = int(round(tx)), int(round(ty))
        fx0, fy0 = max(0, bx0 + dx), max(0, by0 + dy)
        fx1, fy1 = min(W, bx1 + dx), min(H, by1 + dy)
        if fx1 <= fx0 or fy1 <= fy0:
            return
        dst = frame[fy0:fy1, fx0:fx1]
        src = (slice(fy0 - dy, fy1 - dy), slice(fx0 - dx, fx1 - dx))
        if layer.opaque:
            dst[:] = layer.prem[src]
        else:
            blend_into(dst, layer.prem[src], layer.inv3[src])
        return
    # Visible rectangle of the scaled bbox, one pixel of slack for the filter.
    fx0 = max(0, int(math.floor(bx0 * scale + tx)) - 1)
    fy0 = max(0, int(math.floor(by0 * scale + ty)) - 1)
    fx1 = min(W, int(math.ceil(bx1 * scale + tx)) + 1)
    fy1 = min(H, int(math.ceil(by1 * scale + ty)) + 1)
    if fx1 <= fx0 or fy1 <= fy0:
        return
    # Warp only the source pixels that map into the visible rectangle.
    sx0 = max(0, int(math.floor((fx0 - tx) / scale)) - 2)
    sy0 = max(0, int(math.floor((fy0 - ty) / scale)) - 2)
    sx1 = min(layer.rgba.shape[1], int(math.ceil((fx1 - tx) / scale)) + 2)
    sy1 = min(layer.rgba.shape[0], int(math.ceil((fy1 - ty) / scale)) + 2)
    src = layer.rgba[sy0:sy1, sx0:sx1]
    m = np.float32([[scale, 0, scale * sx0 + tx - fx0], [0, scale, scale * sy0 + ty - fy0]])
    warped = cv2.warpAffine(src, m, (fx1 - fx0, fy1 - fy0), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    dst = frame[fy0:fy1, fx0:fx1]
    prem = cv2.cvtColor(warped, cv2.COLOR_RGBA2RGB)
    inv3 = cv2.cvtColor(cv2.bitwise_not(warped[:, :, 3].copy()), cv2.COLOR_GRAY2RGB)
    blend_into(dst, prem, inv3)
