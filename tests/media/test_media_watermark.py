"""The export watermark: moves, stays in its box, reads on any footage."""

from __future__ import annotations

import numpy as np
import pytest

from studio.media import watermark as watermark_module
from studio.media.watermark import Watermark

CANVASES = {"16:9": (1280, 720), "9:16": (720, 1280), "1:1": (720, 720)}


def inside(box, width, height):
    x, y, w, h = box
    return x >= 0 and y >= 0 and x + w <= width and y + h <= height


@pytest.mark.parametrize("aspect", sorted(CANVASES))
def test_box_moves_over_time_and_stays_on_the_canvas(aspect):
    width, height = CANVASES[aspect]
    mark = Watermark(width, height, fps=24)
    boxes = [mark.box(i) for i in range(0, mark.cycle_frames + 24)]
    assert all(inside(b, width, height) for b in boxes)
    corners = {b[:2] for b in boxes}
    assert len(corners) > 6  # visits several places and glides between them
    assert mark.box(0) != mark.box(4 * 24)  # has moved after four seconds
    assert mark.box(10) == mark.box(10 + mark.cycle_frames)  # deterministic, periodic
    xs, ys = [b[0] for b in boxes], [b[1] for b in boxes]
    assert max(xs) - min(xs) > width / 2 and max(ys) - min(ys) > height / 2  # crosses the frame
    # Holds still for ~3 s, then glides without jumps.
    assert len({mark.box(i) for i in range(mark.hold_frames)}) == 1
    steps = [abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in zip(boxes, boxes[1:])]
    assert max(steps) < (width + height) / 4


@pytest.mark.parametrize("aspect", sorted(CANVASES))
def test_size_follows_the_short_side(aspect):
    width, height = CANVASES[aspect]
    _, _, w, h = Watermark(width, height, fps=30).box(0)
    assert abs(h - 0.045 * min(width, height)) <= 2
    assert w < width * 0.5


def test_only_pixels_inside_the_box_change():
    rng = np.random.default_rng(5)
    frame = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    original = frame.copy()
    mark = Watermark(1280, 720, fps=24)
    for index in (0, 80, 150):
        out = mark.apply(frame, index)
        np.testing.assert_array_equal(frame, original)  # input untouched
        x, y, w, h = mark.box(index)
        changed = np.any(out != frame, axis=2)
        assert changed[y : y + h, x : x + w].mean() > 0.2
        changed[y : y + h, x : x + w] = False
        assert not changed.any()


@pytest.mark.parametrize("value", [0, 255])
@pytest.mark.parametrize("aspect", sorted(CANVASES))
def test_legible_on_white_and_on_black(aspect, value):
    width, height = CANVASES[aspect]
    mark = Watermark(width, height, fps=24)
    frame = np.full((height, width, 3), value, np.uint8)
    x, y, w, h = mark.box(0)
    region = mark.apply(frame, 0)[y : y + h, x : x + w].astype(int).mean(axis=2)
    # Strong contrast against the background somewhere in the mark...
    assert np.abs(region - value).max() > 90
    # ...over a decent share of its area (the letters), but still see-through (not opaque).
    assert (np.abs(region - value) > 40).mean() > 0.08
    assert np.abs(region - value).max() < 230


def test_in_place_saves_a_copy_and_gives_the_same_pixels():
    frame = np.full((720, 720, 3), 128, np.uint8)
    mark = Watermark(720, 720, fps=24)
    expected = mark.apply(frame, 33)
    same = frame.copy()
    assert mark.apply(same, 33, in_place=True) is same
    np.testing.assert_array_equal(same, expected)


def test_wrong_frame_shape_is_refused():
    with pytest.raises(ValueError):
        Watermark(640, 360, fps=24).apply(np.zeros((360, 641, 3), np.uint8), 0)


def test_falls_back_to_pillows_font_when_none_is_installed(monkeypatch):
    monkeypatch.setattr(watermark_module, "FONT_CANDIDATES", [])
    watermark_module._font.cache_clear()
    try:
        mark = Watermark(1280, 720, fps=24, text="Studio · AI")
        frame = np.zeros((720, 1280, 3), np.uint8)
        x, y, w, h = mark.box(0)
        assert mark.apply(frame, 0)[y : y + h, x : x + w].max() > 100
    finally:
        watermark_module._font.cache_clear()


def test_narrow_canvas_and_long_text_still_fit():
    mark = Watermark(96, 160, fps=12, text="Studio · AI — 日本語のテキストも入る長い透かし")
    assert all(inside(mark.box(i), 96, 160) for i in range(mark.cycle_frames))


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB uint8 pixels."""
    c = rgb.astype(np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def _contrast(a: float, b: float) -> float:
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("background", ["black", "white", "grey", "noise"])
def test_contrast_ratio_of_the_letters_against_their_outline_and_the_footage(background):
    """WCAG contrast, measured on the exported pixels: the light letters stand out from their dark
    outline on any footage (>= 3:1, the WCAG minimum for large text), and the mark as a whole from
    the background: the letters on dark footage, the outline on light footage."""
    width, height = 1280, 720
    mark = Watermark(width, height, fps=24)
    rng = np.random.default_rng(1)
    frame = {
        "black": np.zeros((height, width, 3), np.uint8),
        "white": np.full((height, width, 3), 255, np.uint8),
        "grey": np.full((height, width, 3), 128, np.uint8),
        "noise": rng.integers(0, 256, (height, width, 3), dtype=np.uint8),
    }[background]
    x, y, w, h = mark.box(0)
    out = mark.apply(frame, 0)[y : y + h, x : x + w]
    sprite = np.asarray(mark.sprite)
    # The sprite is straight RGBA as blended: letters light, the outline ring dark.
    letters = (sprite[..., :3].min(axis=2) > 150) & (sprite[..., 3] > 150)
    outline = (sprite[..., :3].max(axis=2) < 40) & (sprite[..., 3] > 150)
    assert letters.sum() > 50 and outline.sum() > 50
    lum_letters = float(_luminance(out[letters]).mean())
    lum_outline = float(_luminance(out[outline]).mean())
    assert _contrast(lum_letters, lum_outline) >= 3.0
    under = float(_luminance(frame[y : y + h, x : x + w][letters | outline]).mean())
    if background == "black":
        assert _contrast(lum_letters, under) >= 4.5
    if background == "white":
        assert _contrast(lum_outline, under) >= 3.0
    # Semi-transparent: the footage still shows through the letters.
    if background in ("black", "white"):
        assert 0.05 < lum_letters < 0.97 or 0.05 < lum_outline < 0.97


# ---------------------------------------------------------------------- off faces and the subject


def _overlaps(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _route(mark, frames_at) -> list[tuple[int, int, int, int]]:
    """Feed the mark a program in order (as export does); the box it holds at in each segment."""
    segment = mark.hold_frames + mark.move_frames
    held = []
    for index in range(6 * segment):
        mark.apply(frames_at(index), index, in_place=True)
        if index % segment == mark.hold_frames // 2:
            held.append(mark.box(index))
    return held


def test_the_mark_keeps_off_a_face_and_still_travels():
    from skimage import data
    from PIL import Image

    face = np.asarray(Image.fromarray(data.astronaut()).resize((560, 560)))[40:340, 120:420]
    frame = np.full((720, 1280, 3), 128, np.uint8)
    frame[0:300, 0:300] = face  # a face about 100 px wide where the usual route starts: top left
    faces = watermark_module._faces(frame)
    assert faces, "dlib finds the astronaut's face"
    x0, y0, x1, y1 = faces[0]
    face_box = (x0, y0, x1 - x0, y1 - y0)
    usual = Watermark(1280, 720, fps=24)
    assert _overlaps(usual.box(0), face_box)  # the fixed cycle would sit on it

    mark = Watermark(1280, 720, fps=24)
    held = _route(mark, lambda i: frame.copy())
    assert not any(_overlaps(box, face_box) for box in held), (held, face_box)
    assert all(a != b for a, b in zip(held, held[1:]))  # it moves on every segment
    assert len(set(held)) >= 3  # and keeps crossing the frame


def test_the_mark_keeps_off_a_moving_subject_in_the_middle():
    rng = np.random.default_rng(3)
    texture = rng.integers(0, 256, (260, 260, 3), dtype=np.uint8)
    yy, xx = np.mgrid[-130:130, -130:130]
    disc = (xx ** 2 + yy ** 2) < 130 ** 2

    def frame_at(index: int) -> np.ndarray:
        f = np.full((720, 1280, 3), 90, np.uint8)
        dx = int(40 * np.sin(index / 5.0))  # a subject that moves (a character's walk cycle)
        region = f[230:490, 510 + dx:770 + dx]
        region[disc] = texture[disc]
        return f

    mark = Watermark(1280, 720, fps=24)
    held = _route(mark, frame_at)
    subject_box = (470, 230, 340, 260)
    assert not any(_overlaps(box, subject_box) for box in held), held
    usual = Watermark(1280, 720, fps=24)
    assert any(_overlaps(usual.box(i * (usual.hold_frames + usual.move_frames)), subject_box) for i in range(6))


def test_on_flat_footage_the_route_is_the_fixed_cycle():
    mark = Watermark(1280, 720, fps=24)
    usual = Watermark(1280, 720, fps=24)
    flat = np.full((720, 1280, 3), 60, np.uint8)
    segment = mark.hold_frames + mark.move_frames
    for index in range(6 * segment):
        mark.apply(flat, index)
        assert mark.box(index) == usual.box(index), index
