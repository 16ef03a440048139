"""WAV stems: exact float round trip, conversions, atomic writes, clear errors."""

from __future__ import annotations

import os

import numpy as np
import pytest
from scipy.io import wavfile

from studio.media import MediaError
from studio.media.audio_io import read_wav, write_wav


def test_float_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(3)
    samples = rng.uniform(-1, 1, (12_345, 2)).astype(np.float32)
    path = write_wav(tmp_path / "stem.wav", samples)
    got, sr = read_wav(path)
    assert sr == 48_000 and got.dtype == np.float32
    np.testing.assert_array_equal(got, samples)
    assert os.listdir(tmp_path) == ["stem.wav"]


def test_mono_and_integer_files_become_float_stereo(tmp_path):
    path = tmp_path / "int16.wav"
    wavfile.write(path, 44_100, np.array([0, 16384, -32768], np.int16))
    got, sr = read_wav(path)
    assert sr == 44_100 and got.shape == (3, 2)
    np.testing.assert_allclose(got[:, 0], [0.0, 0.5, -1.0])
    np.testing.assert_array_equal(got[:, 0], got[:, 1])
    mono = write_wav(tmp_path / "mono.wav", np.linspace(-1, 1, 100, dtype=np.float32))
    assert read_wav(mono)[0].shape == (100, 2)


def test_bad_wav_files_raise_media_error(tmp_path):
    (tmp_path / "junk.wav").write_bytes(b"RIFF\x00\x00junkjunkjunk")
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "text.wav").write_text("hello")
    for name in ("junk.wav", "empty.wav", "text.wav", "missing.wav"):
        with pytest.raises(MediaError) as err:
            read_wav(tmp_path / name)
        assert name in str(err.value)


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "stem.wav"
    write_wav(path, np.zeros((10, 2), np.float32))
    before = path.read_bytes()

    def half_then_crash(target, rate, data):
        with open(target, "wb") as fh:
            fh.write(b"RIFF half a file")
        raise RuntimeError("power cut")

    monkeypatch.setattr(wavfile, "write", half_then_crash)
    with pytest.raises(RuntimeError):
        write_wav(path, np.ones((10, 2), np.float32))
    monkeypatch.undo()
    assert path.read_bytes() == before
    with pytest.raises(MediaError, match="does not exist"):
        write_wav(tmp_path / "nope" / "stem.wav", np.zeros((10, 2), np.float32))
    assert os.listdir(tmp_path) == ["stem.wav"]


def test_studio_stems_read_back_without_scipy(tmp_path):
    # Export reads every take's stems: the WAVs write_wav makes are parsed with numpy alone
    # (SciPy costs ~0.4 s to import on a cold start), bit-exactly what SciPy reads.
    import subprocess
    import sys

    from scipy.io import wavfile

    from studio.media.audio_io import read_wav, write_wav

    samples = (np.random.default_rng(0).standard_normal((4801, 2)) * 0.3).astype(np.float32)
    path = write_wav(tmp_path / "stem.wav", samples)
    out, sr = read_wav(path)
    assert sr == 48000 and np.array_equal(out, samples) and np.array_equal(out, wavfile.read(path)[1])
    code = ("import sys\nfrom studio.media.audio_io import read_wav\n"
            f"x, sr = read_wav({str(path)!r})\nassert x.shape == (4801, 2)\n"
            "assert not [m for m in sys.modules if m.startswith('scipy')]\n")
    subprocess.run([sys.executable, "-c", code], check=True)
