"""The visible mark every export carries: a logo glyph and "Studio · AI", gliding.

It is rendered once into a premultiplied RGBA sprite (white letters at 65 %
opacity in a dark soft outline ring at 78 %, so it reads on snow and on night
footage alike: the letters carry it on dark footage, the outline on light
footage, and letters against outline keep at least 3:1 WCAG contrast on any
background) and
blended per frame into only the rectangle it covers. It moves between fixed
anchor points — the four corners, inset, and two central ones — holding each
for about three seconds and easing between them in half a second, so it cannot
be cropped away by cutting one corner.

Where it goes next is chosen from the picture, so it stays off faces and the
subject where the frame allows: when a move starts, the frame then (and the one a
few frames before it) is read for faces (dlib's detector), motion and visual
saliency, and the mark glides to the anchor that covers least of them — never
the one it leaves, and preferring the usual crossing order and anchors it has not
just visited, so it keeps travelling. The route is a pure function of the frames
the export feeds it in order (and of whether each is drawn, below); with no frames
seen (or flat footage) it is the fixed cycle.

Frames the caller marks as drawn (``faces=False``: the Sketch engine's animatic
figures, when no cameo's face photo is pasted on one) skip the face detector: dlib's HOG detector is trained on photographs and
finds no face in a drawn head (none in 102 Sketch frames at 1280×720, close-ups and
zooms included), while it costs ~0.08 s a decision and ~0.4 s to load; motion and
saliency find the drawn figures.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = ["Watermark", "FONT_CANDIDATES"]

FONT_CANDIDATES: list[str] = [
    # Noto CJK first so a Japanese mark text renders too; DejaVu covers Latin.
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/System/Library/Fonts/Helvetica.ttc",
    "C:/Windows/Fonts/arialbd.ttf",
]
"""Fonts tried in order; Pillow's built-in font is the last resort."""

HEIGHT_FRACTION = 0.045  # sprite height as a share of the canvas's short side
INSET_FRACTION = 0.04  # distance from the edges, as a share of the short side
OPACITY = 0.65  # the letters and glyph: the footage still shows through
OUTLINE_OPACITY = 0.78  # the outline is stronger, or white letters wash out on white footage
HOLD_SECONDS = 3.0
MOVE_SECONDS = 0.5
_SUPERSAMPLE = 4  # draw big, shrink with Lanczos: anti-aliased edges for free
_WHITE = np.array([255.0, 255.0, 255.0], dtype=np.float32)
_SHADOW = np.array([16.0, 16.0, 22.0], dtype=np.float32)


class Watermark:
    """The moving "Studio · AI" mark for a ``width×height`` canvas at ``fps``."""

    def __init__(self, width: int, height: int, fps: int, text: str = "Studio · AI") -> None:
        if width < 8 or height < 8:
            raise ValueError(f"canvas {width}x{height} is too small for a watermark")
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.width, self.height, self.fps, self.text = int(width), int(height), int(fps), text
        short = min(self.width, self.height)
        inset = max(2, round(INSET_FRACTION * short))
        sprite_h = max(10, round(HEIGHT_FRACTION * short))
        rgba = _render_sprite(text, sprite_h)
        # A long text on a narrow canvas: shrink the sprite until it fits between the insets.
        room = self.width - 2 * inset
        if rgba.width > room:
            scale = room / rgba.width
            rgba = rgba.resize((max(1, int(rgba.width * scale)), max(1, int(rgba.height * scale))), Image.LANCZOS)
        self.sprite = rgba
        """The mark as it is blended (opacities included), as a Pillow RGBA image."""
        arr = np.asarray(rgba, dtype=np.float32) / 255.0
        alpha = arr[:, :, 3:4]
        # Premultiplied: out = under * (1 - alpha) + colour, two numpy ops per frame.
        self._alpha = alpha
        self._inv_alpha = 1.0 - alpha
        self._colour = arr[:, :, :3] * 255.0 * alpha
        self.sprite_size = (rgba.width, rgba.height)

        w, h = self.sprite_size
        left, top = inset, inset
        right, bottom = self.width - w - inset, self.height - h - inset
        cx = (self.width - w) / 2
        # Visiting order crosses the frame each time, so no region stays clean for long.
        self.positions: list[tuple[float, float]] = [
            (left, top),
            (right, bottom),
            (right, top),
            (cx, self.height * 0.62 - h / 2),
            (left, bottom),
            (cx, self.height * 0.38 - h / 2),
        ]
        self.hold_frames = max(1, round(HOLD_SECONDS * self.fps))
        self.move_frames = max(1, round(MOVE_SECONDS * self.fps))
        self.route: dict[int, int] = {}
        """Anchor chosen for segment k (hold k, then the move to k+1), decided from the frames."""
        self._before: np.ndarray | None = None  # the small grey frame a few frames before a decision

    @property
    def cycle_frames(self) -> int:
        """Frames before the mark is back where it started (on the fixed cycle)."""
        return len(self.positions) * (self.hold_frames + self.move_frames)

    def anchor(self, segment: int) -> int:
        """Index into ``positions`` of where the mark holds in ``segment``."""
        return self.route.get(segment, segment % len(self.positions))

    def position(self, frame_index: int) -> tuple[int, int]:
        """Top-left corner of the mark at ``frame_index`` (deterministic given the frames applied)."""
        segment = self.hold_frames + self.move_frames
        k, r = divmod(int(frame_index), segment)
        x0, y0 = self.positions[self.anchor(k)]
        if r < self.hold_frames:
            x, y = x0, y0
        else:
            x1, y1 = self.positions[self.anchor(k + 1)]
            # Strictly between 0 and 1, so the first and last moving frames differ from the holds.
            t = (r - self.hold_frames + 1) / (self.move_frames + 1)
            e = 0.5 - 0.5 * math.cos(math.pi * t)  # ease in and out
            x, y = x0 + (x1 - x0) * e, y0 + (y1 - y0) * e
        w, h = self.sprite_size
        return (
            int(min(max(round(x), 0), self.width - w)),
            int(min(max(round(y), 0), self.height - h)),
        )

    def box(self, frame_index: int) -> tuple[int, int, int, int]:
        """The rectangle ``(x, y, w, h)`` the mark covers at ``frame_index``."""
        x, y = self.position(frame_index)
        return x, y, self.sprite_size[0], self.sprite_size[1]

    def apply(self, frame: np.ndarray, frame_index: int, *, in_place: bool = False, faces: bool = True) -> np.ndarray:
        """The frame with the mark blended in at its place for ``frame_index``.

        Returns a new array unless ``in_place`` (then ``frame`` itself is changed
        and returned, which saves a full-frame copy in the export loop). Only the
        mark's rectangle is touched. ``faces=False`` for drawn frames: no face detection.
        """
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(
                f"frame is {frame.shape} {frame.dtype}, expected ({self.height}, {self.width}, 3) uint8"
            )
        self._observe(frame, int(frame_index), faces)
        out = frame if in_place else frame.copy()
        x, y, w, h = self.box(frame_index)
        region = out[y : y + h, x : x + w]
        blended = region.astype(np.float32)
        blended *= self._inv_alpha
        blended += self._colour
        np.rint(blended, out=blended)
        region[...] = blended.astype(np.uint8)  # values stay within 0..255 by construction
        return out


    # ------------------------------------------------------------------ placement
    def _observe(self, frame: np.ndarray, index: int, faces: bool = True) -> None:
        """Read the frames the route is decided from: at a move's start, and a few frames before it."""
        segment = self.hold_frames + self.move_frames
        k, r = divmod(index, segment)
        if index == 0 and 0 not in self.route:
            self.route[0] = self._choose(frame, current=None, segment=0, faces=faces)
        elif r == self.hold_frames - _MOTION_LAG:
            self._before = _small_grey(frame)
        if r == self.hold_frames and k + 1 not in self.route:
            self.route[k + 1] = self._choose(frame, current=self.anchor(k), segment=k + 1, faces=faces)
            self._before = None

    def _choose(self, frame: np.ndarray, *, current: int | None, segment: int, faces: bool = True) -> int:
        """The anchor for ``segment`` that covers least of the subject in ``frame``."""
        subject = subject_map(frame, self._before, faces=faces)
        usual = segment % len(self.positions)
        recent = {self.route.get(segment - 2), self.route.get(segment - 3)}
        best, best_cost = usual, math.inf
        for i in range(len(self.positions)):
            if i == current:
                continue  # it always moves on
            cost = _coverage(subject, self._anchor_box(i), self.width, self.height)
            cost += 0.0 if i == usual else 0.04  # the usual crossing order, all else equal
            cost += 0.08 if i in recent else 0.0  # and keep travelling
            if cost < best_cost:
                best, best_cost = i, cost
        return best

    def _anchor_box(self, i: int) -> tuple[int, int, int, int]:
        x, y = self.positions[i]
        w, h = self.sprite_size
        return int(min(max(round(x), 0), self.width - w)), int(min(max(round(y), 0), self.height - h)), w, h


_MOTION_LAG = 3  # frames between the two frames motion is read from
_ANALYSIS_WIDTH = 192


def _small_grey(frame: np.ndarray) -> np.ndarray:
    """``frame`` as float32 luma about ``_ANALYSIS_WIDTH`` pixels wide (the mean of 2×2 samples per cell)."""
    h, w = frame.shape[:2]
    step = max(1, w // _ANALYSIS_WIDTH)
    rows, cols = h // step, w // step
    offsets = (0, step // 2) if step > 1 else (0,)
    cells = [frame[dy : rows * step : step, dx : cols * step : step] for dy in offsets for dx in offsets]
    rgb = sum(c.astype(np.float32) for c in cells) / len(cells)
    return rgb @ np.array([0.299, 0.587, 0.114], np.float32)


def subject_map(frame: np.ndarray, before: np.ndarray | None = None, *, faces: bool = True) -> np.ndarray:
    """Where the subject is, in [0, 1] at the analysis scale: faces, then motion, then saliency.

    Faces (dlib's frontal detector, when installed and ``faces``) count fully; what moved between ``before``
    (a `_small_grey` frame) and ``frame`` counts up to 0.8; spectral-residual saliency (Hou &
    Zhang 2007: what stands out from the picture's average spectrum) up to 0.5.
    """
    grey = _small_grey(frame)
    out = 0.5 * _saliency(grey)
    if before is not None and before.shape == grey.shape:
        moved = _box_blur(np.abs(grey - before), 2)
        top = float(np.percentile(moved, 99.5))
        if top > 4.0:  # a few grey levels of noise is not motion
            out = np.maximum(out, 0.8 * np.clip(moved / top, 0.0, 1.0))
    scale = grey.shape[1] / frame.shape[1]
    for x0, y0, x1, y1 in (_faces(frame) if faces else ()):
        # The head and hair around the detected face, in analysis pixels.
        pad_x, pad_y = 0.35 * (x1 - x0), 0.5 * (y1 - y0)
        a, b = int(max(0, (y0 - pad_y) * scale)), int(min(grey.shape[0], (y1 + pad_y) * scale) + 1)
        c, d = int(max(0, (x0 - pad_x) * scale)), int(min(grey.shape[1], (x1 + pad_x) * scale) + 1)
        out[a:b, c:d] = 1.0
    return out


def _saliency(grey: np.ndarray) -> np.ndarray:
    small = grey[::2, ::2] if grey.shape[1] > 96 else grey
    spectrum = np.fft.fft2(small)
    log_amp = np.log1p(np.abs(spectrum))
    residual = log_amp - _box_blur(log_amp, 1)
    sal = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    sal = _box_blur(sal, 2)
    top = float(sal.max())
    sal = sal / top if top > 0 else sal
    if small is not grey:
        sal = np.repeat(np.repeat(sal, 2, axis=0), 2, axis=1)[: grey.shape[0], : grey.shape[1]]
        sal = np.pad(sal, ((0, grey.shape[0] - sal.shape[0]), (0, grey.shape[1] - sal.shape[1])), mode="edge")
    return sal.astype(np.float32)


def _box_blur(a: np.ndarray, radius: int) -> np.ndarray:
    if radius <= 0:
        return a
    k = 2 * radius + 1
    padded = np.pad(a, radius, mode="edge")
    c = padded.cumsum(axis=0).cumsum(axis=1)
    c = np.pad(c, ((1, 0), (1, 0)))
    return (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)


def _faces(frame: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Face rectangles ``(x0, y0, x1, y1)`` in frame pixels; none when dlib is not installed."""
    detector = _face_detector()
    if detector is None:
        return []
    h, w = frame.shape[:2]
    step = max(1, w // 960)  # 720p at full size, 1080p at half: the detector finds faces from 80 px
    small = np.ascontiguousarray(frame[::step, ::step])
    return [(r.left() * step, r.top() * step, r.right() * step, r.bottom() * step) for r in detector(small, 0)]


@lru_cache(maxsize=1)
def _face_detector():
    try:
        import dlib
    except ImportError:
        return None
    return dlib.get_frontal_face_detector()


def _coverage(subject: np.ndarray, box: tuple[int, int, int, int], width: int, height: int) -> float:
    """How much of the subject map the mark's rectangle (grown by half its height) covers: mean, 0..1."""
    x, y, w, h = box
    grow = h // 2
    sy, sx = subject.shape[0] / height, subject.shape[1] / width
    a, b = int(max(0, (y - grow) * sy)), int(min(subject.shape[0], (y + h + grow) * sy) + 1)
    c, d = int(max(0, (x - grow) * sx)), int(min(subject.shape[1], (x + w + grow) * sx) + 1)
    region = subject[a:b, c:d]
    return float(region.mean()) if region.size else 0.0


# --------------------------------------------------------------------------- drawing


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            try:
                return ImageFont.truetype(candidate, size)
            except OSError:
                continue
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def _render_sprite(text: str, height: int) -> Image.Image:
    """Draw the mark ``height`` pixels tall: glyph + text, white over a soft dark outline."""
    s = _SUPERSAMPLE
    big_h = height * s
    font = _font(max(6, round(big_h * 0.60)))
    pad = round(big_h * 0.2)  # room for the outline and blur
    glyph_d = big_h - 2 * pad
    gap = round(big_h * 0.22)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), text, font=font)
    text_w, text_h = right - left, bottom - top
    big_w = pad + glyph_d + gap + text_w + pad
    mask = Image.new("L", (big_w, big_h), 0)
    draw = ImageDraw.Draw(mask)

    # Logo: a disc with a rounded play triangle knocked out of it.
    gx, gy = pad, pad
    draw.ellipse((gx, gy, gx + glyph_d, gy + glyph_d), fill=255)
    r = glyph_d / 2
    cx, cy = gx + r * 1.08, gy + r  # the triangle's centroid sits a little right of centre
    tri = [
        (cx - r * 0.34, cy - r * 0.46),
        (cx - r * 0.34, cy + r * 0.46),
        (cx + r * 0.48, cy),
    ]
    knock = Image.new("L", mask.size, 0)
    ImageDraw.Draw(knock).polygon(tri, fill=255)
    knock = knock.filter(ImageFilter.GaussianBlur(max(1, glyph_d * 0.03)))  # rounds its corners
    knock = knock.point(lambda v: 255 if v > 110 else 0)
    mask = Image.composite(Image.new("L", mask.size, 0), mask, knock)
    draw = ImageDraw.Draw(mask)

    # Text, vertically centred on the glyph.
    tx = pad + glyph_d + gap - left
    ty = (big_h - text_h) / 2 - top
    draw.text((tx, ty), text, font=font, fill=255)

    # Outline: the shape grown by a few pixels, then softened.
    grow = max(3, round(big_h * 0.06)) | 1
    shadow = mask.filter(ImageFilter.MaxFilter(grow)).filter(ImageFilter.GaussianBlur(big_h * 0.035))

    size = (max(1, round(big_w / s)), height)
    fg = np.asarray(mask.resize(size, Image.LANCZOS), dtype=np.float32) / 255.0
    sh = np.asarray(shadow.resize(size, Image.LANCZOS), dtype=np.float32) / 255.0
    # The outline is a ring around the letters, not a plate under them: under see-through letters a
    # dark plate would grey them out on light footage and cost the letters their contrast.
    sh = np.clip(sh, 0.0, 1.0) * (1.0 - fg) * OUTLINE_OPACITY
    fg = fg * OPACITY
    # "Over" compositing of the see-through letters on the dark outline, kept as straight RGBA.
    alpha = fg + sh * (1.0 - fg)
    premul = _WHITE * fg[..., None] + _SHADOW * (sh * (1.0 - fg))[..., None]
    rgb = np.where(alpha[..., None] > 1e-6, premul / np.maximum(alpha[..., None], 1e-6), 0.0)
    rgba = np.dstack([np.clip(rgb, 0, 255), np.clip(alpha * 255.0, 0, 255)]).round().astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")
