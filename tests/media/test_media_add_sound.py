"""Sound added beside an encoded picture: as `write_mp4` would have written it, or copied from `encode_sound`."""

from __future__ import annotations

import av
import numpy as np
import pytest

from studio.media.decode import probe, read_all_frames, read_audio
from studio.media.encode import add_sound, encode_sound, write_mp4
from media_samples import smooth_frames

FPS, W, H, N = 24, 96, 64, 60  # 2.5 s


def _track(seconds: float, seed: int = 3) -> np.ndarray:
    """Noise bursts and a tone: something AAC has to work on, in float32 stereo."""
    rng = np.random.default_rng(seed)
    n = int(seconds * 48000)
    t = np.arange(n) / 48000
    x = 0.3 * np.sin(2 * np.pi * 440 * t)[:, None] + 0.1 * rng.standard_normal((n, 2)) * (np.sin(7 * t) > 0)[:, None]
    return x.astype(np.float32)


@pytest.fixture(scope="module")
def picture(tmp_path_factory):
    path = tmp_path_factory.mktemp("pic") / "picture.mp4"
    write_mp4(path, smooth_frames(N, W, H), fps=FPS, width=W, height=H, frame_count=N)
    return path


@pytest.mark.parametrize("seconds", [2.5, 4.0, 1.2])  # exact, trimmed, padded
def test_added_sound_decodes_like_the_one_write_mp4_encodes_in_one_go(tmp_path, picture, seconds):
    audio = _track(seconds)
    whole = write_mp4(tmp_path / "whole.mp4", smooth_frames(N, W, H), fps=FPS, width=W, height=H, audio=audio)
    added = add_sound(picture, tmp_path / "added.mp4", fps=FPS, audio=audio)
    a, _ = read_audio(whole)
    b, _ = read_audio(added)
    assert a.shape == b.shape == (N * 48000 // FPS, 2)
    assert np.array_equal(a, b)
    assert np.array_equal(read_all_frames(added), read_all_frames(picture))  # the picture is copied, not re-encoded


@pytest.mark.parametrize("seconds", [2.5, 4.0, 1.2])
def test_an_encoded_track_copied_in_decodes_to_the_same_samples(tmp_path, picture, seconds):
    audio = _track(seconds, seed=9)
    reference = add_sound(picture, tmp_path / "ref.mp4", fps=FPS, audio=audio)
    blocks = (audio[i : i + 5000] for i in range(0, len(audio), 5000))  # any chunking
    track = encode_sound(tmp_path / "track.m4a", blocks, fps=FPS, frames=N)
    copied = add_sound(picture, tmp_path / "copied.mp4", fps=FPS, encoded=track, metadata={"title": "copied"})
    a, _ = read_audio(reference)
    b, _ = read_audio(copied)
    assert np.array_equal(a, b)
    info = probe(copied)
    assert info.frame_count == N and info.duration_seconds == pytest.approx(N / FPS, abs=1e-3)
    assert info.metadata.get("title") == "copied"
    # interleaved with the picture, not appended after it
    with av.open(str(copied)) as container:
        order = [p.stream.type for p in container.demux() if p.size]
    first_audio, last_video = order.index("audio"), len(order) - 1 - order[::-1].index("video")
    assert first_audio < last_video / 4, order


def test_sound_given_twice_is_refused(tmp_path, picture):
    track = encode_sound(tmp_path / "t.m4a", _track(1.0), fps=FPS, frames=N)
    with pytest.raises(ValueError, match="not both"):
        add_sound(picture, tmp_path / "x.mp4", fps=FPS, audio=_track(1.0), encoded=track)
    assert not (tmp_path / "x.mp4").exists()
