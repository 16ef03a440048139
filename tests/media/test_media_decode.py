"""Reading real files back, and refusing bad ones with a MediaError that names them."""

from __future__ import annotations

import numpy as np
import pytest
from media_samples import smooth_frame, smooth_frames

from studio.media import MediaError
from studio.media.audio_io import write_wav
from studio.media.decode import mp4_boxes, probe, read_all_frames, read_audio, read_frames, read_metadata
from studio.media.encode import write_mp4

W, H = 96, 64
READERS = {
    "probe": probe,
    "read_frames": lambda p: list(read_frames(p)),
    "read_all_frames": read_all_frames,
    "read_audio": read_audio,
    "read_metadata": read_metadata,
}


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp("decode") / "clip.mp4"
    audio = np.zeros((48_000, 2), np.float32)
    write_mp4(path, smooth_frames(20, W, H), fps=20, width=W, height=H, audio=audio,
              metadata={"studio.recipe": "{}"}, preset="ultrafast")
    return path


def test_read_frames_every_and_max(video):
    all_frames = read_all_frames(video)
    assert all_frames.shape == (20, H, W, 3)
    picked = list(read_frames(video, every=3))
    assert len(picked) == 7  # frames 0, 3, ..., 18
    np.testing.assert_array_equal(picked[2], all_frames[6])
    assert len(list(read_frames(video, max_frames=4))) == 4
    assert len(list(read_frames(video, every=5, max_frames=2))) == 2
    assert list(read_frames(video, max_frames=0)) == []
    # The first frame is decoded faithfully enough to recognise.
    assert np.abs(all_frames[0].astype(int) - smooth_frame(0, W, H)).mean() < 4


def test_probe_reports_metadata_and_audio(video):
    info = probe(video)
    assert info.has_audio and info.metadata["studio.recipe"] == "{}"
    assert info.frame_count == 20 and info.duration_seconds == pytest.approx(1.0)


def test_silent_video_has_no_sound_to_read(tmp_path):
    path = tmp_path / "silent.mp4"
    write_mp4(path, smooth_frames(2, W, H), fps=24, width=W, height=H, preset="ultrafast")
    with pytest.raises(MediaError, match="no audio stream") as err:
        read_audio(path)
    assert "silent.mp4" in str(err.value)


def bad_files(tmp_path, video):
    data = video.read_bytes()
    files = {
        "missing": tmp_path / "missing.mp4",
        "empty": tmp_path / "empty.mp4",
        "half": tmp_path / "half.mp4",
        "random": tmp_path / "random.mp4",
        "text": tmp_path / "notes.mp4",
        "wav": tmp_path / "sound.wav",
        "folder": tmp_path / "folder.mp4",
    }
    files["empty"].write_bytes(b"")
    files["half"].write_bytes(data[: len(data) // 2])
    files["random"].write_bytes(np.random.default_rng(7).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    files["text"].write_text("this is not a video\n" * 100)
    write_wav(files["wav"], np.zeros((4800, 2), np.float32))  # real media, but no video
    files["folder"].mkdir()
    return files


@pytest.mark.parametrize("reader", sorted(READERS))
def test_bad_files_raise_media_error_naming_the_file(tmp_path, video, reader):
    files = bad_files(tmp_path, video)
    for kind, path in files.items():
        if kind == "wav" and reader == "read_metadata":
            continue  # a WAV is a fine place to read tags from
        if kind == "wav" and reader == "read_audio":
            continue  # ...and to read sound from
        with pytest.raises(MediaError) as err:
            READERS[reader](path)
        assert path.name in str(err.value), (kind, str(err.value))


def test_messages_say_what_is_wrong(tmp_path, video):
    files = bad_files(tmp_path, video)
    expectations = {
        "missing": "does not exist",
        "empty": "empty",
        "half": "truncated",
        "random": "not a media file",
        "wav": "no video stream",
        "folder": "folder",
    }
    for kind, phrase in expectations.items():
        with pytest.raises(MediaError, match=phrase):
            probe(files[kind])


def test_truncation_inside_the_moov_is_caught_too(tmp_path, video):
    data = video.read_bytes()
    boxes = dict((kind, (offset, size)) for kind, offset, size in mp4_boxes(video))
    offset, size = boxes["moov"]
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: offset + size // 2])
    with pytest.raises(MediaError, match="truncated"):
        probe(cut)


def test_wav_audio_reads_through_the_same_reader(tmp_path):
    samples = np.zeros((4800, 2), np.float32)
    samples[1000, 0] = 0.5
    path = write_wav(tmp_path / "click.wav", samples)
    got, sr = read_audio(path)
    assert sr == 48_000 and got.shape == (4800, 2)
    np.testing.assert_allclose(got, samples, atol=1e-6)
