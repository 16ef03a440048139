"""Captions burned into the picture, with a CJK-capable font, never under the watermark.

Each cue's lines are drawn once into an RGBA sprite (white text on a translucent dark
box). Per frame the sprite goes to the lowest of a few bands — above the bottom
corners where the watermark holds, else near the top, else the middle — whose
rectangle does not meet the watermark's rectangle in that frame (the watermark's
position is a pure function of the frame index, so this is exact).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from studio.media.watermark import FONT_CANDIDATES, Watermark

CJK_FONTS = [f for f in FONT_CANDIDATES if "CJK" in f] + [f for f in FONT_CANDIDATES if "CJK" not in f]


@lru_cache(maxsize=8)
def caption_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The first font that exists, Noto CJK first (Japanese needs it)."""
    for path in CJK_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def render_caption(lines: Sequence[str], height: int) -> Image.Image:
    """An RGBA sprite of ``lines`` at a line height of ``height`` pixels."""
    font = caption_font(max(8, int(height * 0.8)))
    pad = max(2, height // 4)
    widths = [int(font.getlength(line)) for line in lines] or [0]
    w = max(widths) + 2 * pad
    h = len(lines) * height + 2 * pad
    img = Image.new("RGBA", (max(1, w), max(1, h)), (0, 0, 0, 150))
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        x = (w - widths[i]) // 2
        draw.text((x, pad + i * height), line, font=font, fill=(255, 255, 255, 255))
    return img


def _meets(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


class CaptionBurner:
    """``burner(frame, index)`` draws the cue showing at that frame, clear of the watermark."""

    def __init__(self, width: int, height: int, fps: int, cues: Sequence[tuple[float, float, Sequence[str]]],
                 watermark: Watermark | None = None) -> None:
        self.width, self.height, self.fps = width, height, fps
        self.cues = [(int(round(a * fps)), int(round(b * fps)), tuple(lines)) for a, b, lines in cues]
        self.watermark = watermark or Watermark(width, height, fps)
        self.line_height = max(10, round(min(width, height) * 0.055))
        self._sprites: dict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = {}
        self.last_box: tuple[int, int, int, int] | None = None
        """Where the last drawn caption went (x, y, w, h), for checks."""

    def _sprite(self, lines: tuple[str, ...]):
        if lines not in self._sprites:
            img = render_caption(lines, self.line_height)
            if img.width > self.width - 4:
                scale = (self.width - 4) / img.width
                img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.LANCZOS)
            arr = np.asarray(img, np.float32) / 255.0
            self._sprites[lines] = (arr[:, :, 3:4], arr[:, :, :3] * 255.0 * arr[:, :, 3:4])
        return self._sprites[lines]

    def place(self, size: tuple[int, int], index: int) -> tuple[int, int, int, int] | None:
        """The caption's rectangle at ``index``: the first band clear of the watermark (None if none is)."""
        w, h = size
        mark = self.watermark.box(index)
        _, _, _, mh = mark
        inset = max(2, round(0.04 * min(self.width, self.height)))
        x = (self.width - w) // 2
        for y in (self.height - inset - mh - h - 4, inset + mh + 4, (self.height - h) // 2, self.height - h - 2, 2):
            y = int(min(max(y, 0), self.height - h))
            box = (x, y, w, h)
            if not _meets(box, mark):
                return box
        return None

    def __call__(self, frame: np.ndarray, index: int) -> np.ndarray:
        self.last_box = None
        lines = next((c[2] for c in self.cues if c[0] <= index < c[1]), None)
        if not lines:
            return frame
        alpha, colour = self._sprite(lines)
        box = self.place((alpha.shape[1], alpha.shape[0]), index)
        if box is None:
            return frame
        x, y, w, h = box
        out = frame.copy()
        region = out[y:y + h, x:x + w].astype(np.float32)
        out[y:y + h, x:x + w] = np.clip(region * (1.0 - alpha) + colour, 0, 255).astype(np.uint8)
        self.last_box = box
        return out
