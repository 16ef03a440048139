"""Cover-fit, thumbnails, PNG bytes and image loading."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.media import MediaError
from studio.media.frames import encode_png, fit_frame, load_image, thumbnail


def marked_frame(width: int, height: int) -> np.ndarray:
    """Grey frame with a red square at its centre."""
    frame = np.full((height, width, 3), 90, np.uint8)
    cx, cy, r = width // 2, height // 2, max(2, min(width, height) // 10)
    frame[cy - r : cy + r, cx - r : cx + r] = (255, 0, 0)
    return frame


@pytest.mark.parametrize("src", [(1920, 1080), (1080, 1920), (800, 800), (333, 201)])
@pytest.mark.parametrize("dst", [(1280, 720), (720, 1280), (720, 720), (64, 48)])
def test_fit_frame_covers_exactly_and_keeps_the_centre(src, dst):
    out = fit_frame(marked_frame(*src), *dst)
    assert out.shape == (dst[1], dst[0], 3) and out.dtype == np.uint8
    centre = out[dst[1] // 2, dst[0] // 2]
    assert centre[0] > 200 and centre[1] < 60  # the red mark is still in the middle
    assert tuple(out[0, 0]) == (90, 90, 90) or tuple(out[-1, -1]) == (90, 90, 90)


def test_fit_frame_is_identity_when_the_size_matches():
    frame = marked_frame(64, 48)
    assert fit_frame(frame, 64, 48) is frame


def test_fit_frame_crops_instead_of_stretching():
    # Left half black, right half white, wide source into a square: the crop keeps both halves equal.
    frame = np.zeros((100, 400, 3), np.uint8)
    frame[:, 200:] = 255
    out = fit_frame(frame, 100, 100)
    assert out[:, :48].max() == 0 and out[:, 52:].min() == 255


def test_thumbnail_limits_the_long_side_and_never_enlarges():
    assert thumbnail(marked_frame(1280, 720)).shape == (180, 320, 3)
    assert thumbnail(marked_frame(720, 1280), max_side=160).shape == (160, 90, 3)
    small = marked_frame(100, 50)
    thumb = thumbnail(small)
    assert thumb.shape == small.shape and thumb is not small


def test_png_round_trip_through_load_image(tmp_path):
    frame = np.random.default_rng(0).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    data = encode_png(frame)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    path = tmp_path / "still.png"
    path.write_bytes(data)
    np.testing.assert_array_equal(load_image(path), frame)


def test_load_image_handles_grey_and_transparency(tmp_path):
    Image.new("L", (10, 8), 77).save(tmp_path / "grey.png")
    rgba = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    rgba.save(tmp_path / "clear.png")
    assert load_image(tmp_path / "grey.png").shape == (8, 10, 3)
    assert tuple(load_image(tmp_path / "clear.png")[0, 0]) == (255, 255, 255)


def test_load_image_errors_name_the_file(tmp_path):
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (tmp_path / "empty.png").write_bytes(b"")
    for name in ("broken.jpg", "empty.png", "missing.png"):
        with pytest.raises(MediaError) as err:
            load_image(tmp_path / name)
        assert name in str(err.value)
