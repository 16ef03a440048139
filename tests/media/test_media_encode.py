"""write_mp4 against real files decoded back with PyAV."""

from __future__ import annotations

import errno
import json
import os
import struct
from fractions import Fraction

import av
import numpy as np
import pytest
from media_samples import psnr, smooth_frame, smooth_frames

from studio.media import ExportCancelled, MediaError
from studio.media import _atomic
from studio.media.decode import probe, read_all_frames, read_audio, read_metadata
from studio.media.encode import write_mp4, write_take_video

W, H = 128, 96
SR = 48_000


def top_level_boxes(path) -> list[str]:
    """Box types at the top level of an MP4, read independently of the code under test."""
    kinds, data = [], open(path, "rb").read()
    offset = 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        kinds.append(kind.decode("latin-1"))
        offset += size
    return kinds


def leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if ".partial-" in name)


def test_round_trip_quality_codecs_and_layout(tmp_path):
    dest = tmp_path / "film.mp4"
    seen = []
    out = write_mp4(dest, smooth_frames(24, W, H), fps=24, width=W, height=H,
                    audio=np.zeros((SR, 2), np.float32), progress=lambda d, t: seen.append((d, t)), frame_count=24)
    assert out == dest.absolute() and dest.is_file()
    assert seen[0] == (1, 24) and seen[-1] == (24, 24)

    info = probe(dest)
    assert (info.width, info.height) == (W, H)
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert info.pix_fmt == "yuv420p" and info.sample_rate == SR and info.channels == 2
    with av.open(str(dest)) as c:
        assert c.streams.video[0].codec_context.profile == "High"

    decoded = read_all_frames(dest)
    assert decoded.shape == (24, H, W, 3) and decoded.dtype == np.uint8
    scores = [psnr(decoded[i], smooth_frame(i, W, H)) for i in range(24)]
    assert min(scores) > 35, scores
    # No colour shift from a BT.601/709 mix-up between writer and reader.
    assert np.abs(decoded.mean(axis=(0, 1, 2)) - np.stack(list(smooth_frames(24, W, H))).mean(axis=(0, 1, 2))).max() < 2.0

    kinds = top_level_boxes(dest)
    assert kinds[0] == "ftyp" and kinds.index("moov") < kinds.index("mdat"), kinds  # faststart


@pytest.mark.parametrize("fps", [24, 30])
def test_exact_frame_count_timestamps_and_duration(tmp_path, fps):
    n = fps + 7  # not a whole second, and not a multiple of the AAC frame size in samples
    dest = tmp_path / f"exact{fps}.mp4"
    long_audio = np.full((3 * SR, 2), 0.1, np.float32)  # longer than the video: must be trimmed
    write_mp4(dest, smooth_frames(n, W, H), fps=fps, width=W, height=H, audio=long_audio, preset="ultrafast")

    info = probe(dest)
    assert info.fps == fps and info.frame_count == n
    assert info.duration_seconds == pytest.approx(n / fps, abs=1e-6)
    with av.open(str(dest)) as c:
        stream = c.streams.video[0]
        times = [frame.pts * frame.time_base for frame in c.decode(stream)]
    assert times == [Fraction(i, fps) for i in range(n)]
    samples, sr = read_audio(dest)
    assert sr == SR and samples.shape == (n * SR // fps, 2)


def test_short_audio_is_padded_with_silence(tmp_path):
    dest = tmp_path / "pad.mp4"
    write_mp4(dest, smooth_frames(48, W, H), fps=24, width=W, height=H,
              audio=np.full((SR // 2, 2), 0.25, np.float32), preset="ultrafast")
    samples, _ = read_audio(dest)
    assert samples.shape == (2 * SR, 2)
    assert np.abs(samples[int(0.6 * SR):]).max() < 1e-3  # silence after the half second given
    assert np.abs(samples[1000:20000]).mean() > 0.1


def test_large_japanese_metadata_round_trips_exactly(tmp_path):
    recipe = {"title": "放課後の教室", "shots": [
        {"id": f"shot_{i:05d}", "prompt": f"夕方の教室で{i}番目の生徒が窓の外を見る — camera: dolly in", "seed": i * 7919}
        for i in range(2400)
    ]}
    value = json.dumps(recipe, ensure_ascii=False)
    assert len(value.encode("utf-8")) > 200_000
    tags = {"studio.recipe": value, "studio.version": "0.1.0", "キー": "値", "title": "テスト"}
    dest = tmp_path / "meta.mp4"
    write_mp4(dest, smooth_frames(3, W, H), fps=24, width=W, height=H, metadata=tags, preset="ultrafast")

    got = read_metadata(dest)
    for key, expected in tags.items():
        assert got[key] == expected, key
    assert json.loads(got["studio.recipe"]) == recipe
    assert probe(dest).metadata["studio.recipe"] == value


def test_audio_impulse_comes_back_within_a_millisecond(tmp_path):
    audio = np.zeros((2 * SR, 2), np.float32)
    left_at, right_at = 0.5137, 1.2409  # seconds, off any AAC frame boundary
    audio[round(left_at * SR), 0] = 0.95
    audio[round(right_at * SR), 1] = 0.95
    dest = tmp_path / "click.mp4"
    write_mp4(dest, smooth_frames(48, W, H), fps=24, width=W, height=H, audio=audio, preset="ultrafast")

    samples, sr = read_audio(dest)
    assert samples.shape == (2 * SR, 2)
    for channel, when in ((0, left_at), (1, right_at)):
        peak = int(np.argmax(np.abs(samples[:, channel])))
        assert abs(peak / sr - when) < 0.001, (channel, peak / sr, when)
    # Each impulse stays in its own channel.
    assert np.abs(samples[round(left_at * SR) - 50 : round(left_at * SR) + 50, 1]).max() < 0.1


def test_write_take_video_is_silent_and_faithful(tmp_path):
    frames = np.stack(list(smooth_frames(10, W, H)))
    dest = write_take_video(tmp_path / "take_abc.mp4", frames, fps=12)
    info = probe(dest)
    assert info.audio_codec is None and info.frame_count == 10 and info.fps == 12
    decoded = read_all_frames(dest)
    assert min(psnr(decoded[i], frames[i]) for i in range(10)) > 40


# --------------------------------------------------------------------------- atomicity


class Boom(RuntimeError):
    pass


def exploding_frames(folder, seen_partials):
    for i in range(30):
        if i == 15:
            seen_partials.extend(leftovers(folder))  # the partial file exists mid-write...
            raise Boom("engine crashed")
        yield smooth_frame(i, W, H)


def test_exception_midway_leaves_nothing(tmp_path):
    dest = tmp_path / "out.mp4"
    seen: list[str] = []
    with pytest.raises(Boom):
        write_mp4(dest, exploding_frames(tmp_path, seen), fps=24, width=W, height=H, preset="ultrafast")
    assert len(seen) == 1 and seen[0].startswith(".out.partial-") and seen[0].endswith(".mp4")
    assert not dest.exists()
    assert os.listdir(tmp_path) == []  # ...and is gone afterwards


def test_exception_midway_keeps_the_previous_file(tmp_path):
    dest = tmp_path / "out.mp4"
    write_mp4(dest, smooth_frames(5, W, H), fps=24, width=W, height=H, preset="ultrafast")
    before = dest.read_bytes()
    with pytest.raises(Boom):
        write_mp4(dest, exploding_frames(tmp_path, []), fps=24, width=W, height=H, preset="ultrafast")
    assert dest.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_cancel_raises_and_keeps_the_previous_file(tmp_path):
    dest = tmp_path / "out.mp4"
    dest.write_bytes(b"previous export")
    calls = []

    def should_cancel():
        calls.append(1)
        return len(calls) > 10

    with pytest.raises(ExportCancelled):
        write_mp4(dest, smooth_frames(40, W, H), fps=24, width=W, height=H,
                  audio=np.zeros((SR, 2), np.float32), should_cancel=should_cancel, preset="ultrafast")
    assert dest.read_bytes() == b"previous export"
    assert leftovers(tmp_path) == []


def test_replacing_an_existing_file_succeeds(tmp_path):
    dest = tmp_path / "out.mp4"
    dest.write_bytes(b"old")
    write_mp4(dest, smooth_frames(3, W, H), fps=24, width=W, height=H, preset="ultrafast")
    assert probe(dest).frame_count == 3
    assert sorted(os.listdir(tmp_path)) == ["out.mp4"]


def test_bad_frames_and_counts_are_value_errors_and_leave_nothing(tmp_path):
    dest = tmp_path / "bad.mp4"
    wrong = [smooth_frame(0, W, H), np.zeros((H, W + 2, 3), np.uint8)]
    with pytest.raises(ValueError, match="frame 1"):
        write_mp4(dest, wrong, fps=24, width=W, height=H, preset="ultrafast")
    with pytest.raises(ValueError, match="expected 5 frames"):
        write_mp4(dest, smooth_frames(3, W, H), fps=24, width=W, height=H, frame_count=5, preset="ultrafast")
    with pytest.raises(ValueError, match="no frames"):
        write_mp4(dest, [], fps=24, width=W, height=H)
    with pytest.raises(ValueError, match="even"):
        write_mp4(dest, [], fps=24, width=W + 1, height=H)
    assert os.listdir(tmp_path) == []


def test_missing_or_non_folder_destination_is_a_clear_error(tmp_path):
    missing = tmp_path / "no" / "such" / "film.mp4"
    with pytest.raises(MediaError, match="does not exist") as err:
        write_mp4(missing, smooth_frames(2, W, H), fps=24, width=W, height=H)
    assert "film.mp4" in str(err.value)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(MediaError, match="not a folder"):
        write_mp4(blocker / "film.mp4", smooth_frames(2, W, H), fps=24, width=W, height=H)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        # Root ignores permission bits; a read-only mount binds it too (CI runs as root).
        if os.system(f"mount -t tmpfs -o ro,size=64k tmpfs {folder} 2>/dev/null") != 0:
            pytest.skip("root, and no read-only mount possible here")
        undo = f"umount {folder}"
    else:
        folder.chmod(0o500)
        undo = None
    try:
        with pytest.raises(MediaError, match="not writable"):
            write_mp4(folder / "film.mp4", smooth_frames(2, W, H), fps=24, width=W, height=H)
        assert os.listdir(folder) == []
    finally:
        if undo:
            os.system(undo)
        else:
            folder.chmod(0o700)


def test_disk_full_at_flush_is_reported_and_cleaned_up(tmp_path, monkeypatch):
    # ENOSPC often surfaces only at fsync (delayed allocation); simulate that.
    def full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_atomic, "fsync_file", full)
    dest = tmp_path / "film.mp4"
    with pytest.raises(MediaError, match="disk is full") as err:
        write_mp4(dest, smooth_frames(3, W, H), fps=24, width=W, height=H, preset="ultrafast")
    assert "film.mp4" in str(err.value)
    assert os.listdir(tmp_path) == []


def test_disk_full_while_muxing_on_a_tiny_tmpfs(tmp_path):
    """A real ENOSPC from FFmpeg's writer, on a 256 KiB tmpfs (needs root; skipped otherwise)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or os.system(f"mount -t tmpfs -o size=256k tmpfs {mount} 2>/dev/null") != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (mount / "film.mp4").write_bytes(b"previous")
        rng = np.random.default_rng(1)
        noise = (rng.integers(0, 256, (H, W, 3), dtype=np.uint8) for _ in range(60))
        with pytest.raises(MediaError, match="disk is full"):
            write_mp4(mount / "film.mp4", noise, fps=24, width=W, height=H, crf=1, preset="ultrafast")
        assert sorted(os.listdir(mount)) == ["film.mp4"]
        assert (mount / "film.mp4").read_bytes() == b"previous"
    finally:
        os.system(f"umount {mount}")


@pytest.mark.parametrize("extra_seconds", [0.0, -0.4, 0.3])
def test_audio_given_as_blocks_writes_the_same_file_as_the_whole_array(tmp_path, extra_seconds):
    """A block iterator (uneven blocks, mono ones among them) is the same track as the joined array:
    same file byte for byte, whether the track is exact, short (padded) or long (trimmed)."""
    fps, n = 24, 30
    rng = np.random.default_rng(7)
    samples = int(round((n / fps + extra_seconds) * SR))
    track = (rng.standard_normal((samples, 2)) * 0.1).astype(np.float32)
    track[5000:9000, 1] = track[5000:9000, 0]  # where a mono block stands in, both channels agree
    whole = write_mp4(tmp_path / "whole.mp4", smooth_frames(n, W, H), fps=fps, width=W, height=H, audio=track)

    def blocks():
        edges = [0, 1, 1023, 1024, 5000, 9000, 9001, 30_000]
        edges = [e for e in edges if e < samples] + [samples]
        for a, b in zip(edges, edges[1:]):
            yield track[a:b, 0] if a == 5000 else track[a:b]
            if a == 1:
                yield np.zeros((0, 2), np.float32)  # an empty block is allowed and adds nothing

    streamed = write_mp4(tmp_path / "blocks.mp4", smooth_frames(n, W, H), fps=fps, width=W, height=H,
                         audio=blocks())
    assert streamed.read_bytes() == whole.read_bytes()
    decoded, rate = read_audio(streamed)
    assert rate == SR and abs(len(decoded) - round(n / fps * SR)) <= 1
