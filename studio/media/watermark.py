"""The visible mark every export carries: a logo glyph and "Studio · AI", gliding.

It is rendered once into a premultiplied RGBA sprite (white letters at 65 %
opacity in a dark soft outline ring at 78 %, so it reads on snow and on night
footage alike: the letters carry it on dark footage, the outline on light
footage, and letters against outline keep at least 3:1 WCAG contrast on any
background) and
blended per frame into only the rectangle it covers. It moves between fixed
anchor points — the four corners, inset, and two central ones — holding each
for about three seconds and easing between them in half a second, so it cannot
be cropped away by cutting one corner. Its position is a pure function of the
frame index, so any frame of an export can be reproduced on its own.
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

    @property
    def cycle_frames(self) -> int:
        """Frames before the mark is back where it started."""
        return len(self.positions) * (self.hold_frames + self.move_frames)

    def position(self, frame_index: int) -> tuple[int, int]:
        """Top-left corner of the mark at ``frame_index`` (deterministic)."""
        segment = self.hold_frames + self.move_frames
        k, r = divmod(int(frame_index) % self.cycle_frames, segment)
        x0, y0 = self.positions[k]
        if r < self.hold_frames:
            x, y = x0, y0
        else:
            x1, y1 = self.positions[(k + 1) % len(self.positions)]
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

    def apply(self, frame: np.ndarray, frame_index: int, *, in_place: bool = False) -> np.ndarray:
        """The frame with the mark blended in at its place for ``frame_index``.

        Returns a new array unless ``in_place`` (then ``frame`` itself is changed
        and returned, which saves a full-frame copy in the export loop). Only the
        mark's rectangle is touched.
        """
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(
                f"frame is {frame.shape} {frame.dtype}, expected ({self.height}, {self.width}, 3) uint8"
            )
        out = frame if in_place else frame.copy()
        x, y, w, h = self.box(frame_index)
        region = out[y : y + h, x : x + w]
        blended = region.astype(np.float32)
        blended *= self._inv_alpha
        blended += self._colour
        np.rint(blended, out=blended)
        region[...] = blended.astype(np.uint8)  # values stay within 0..255 by construction
        return out


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
