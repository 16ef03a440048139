"""WAV files for sound stems: 32-bit float stereo, written atomically."""

from __future__ import annotations

import os
import struct
import warnings
from pathlib import Path

import numpy as np

from studio.domain.timing import SAMPLE_RATE
from studio.media._atomic import atomic_output, describe_os_error, media_errors
from studio.media.errors import MediaError

__all__ = ["write_wav", "read_wav", "WavReader"]


def write_wav(path: str | os.PathLike[str], samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write float32 ``(S, 2)`` samples (mono ``(S,)`` is duplicated) as a 32-bit float WAV.

    Atomic like every media writer: a partial file never appears at ``path``.
    Returns the absolute destination path.
    """
    if isinstance(samples, np.memmap) and int(sample_rate) == SAMPLE_RATE and _is_whole_float_wav(samples):
        # A stem the sound design spooled to a WAV of its own (a long shot): copied, never read into memory.
        import shutil

        dest = Path(path).absolute()
        with atomic_output(dest) as tmp:
            with media_errors(dest, "write"):
                shutil.copyfile(samples.filename, tmp)  # type: ignore[arg-type]
        return dest
    data = np.asarray(samples, dtype=np.float32)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] not in (1, 2):
        raise ValueError(f"samples must be (S, 2) float32, got shape {np.shape(samples)}")
    if data.shape[1] == 1:
        data = np.repeat(data, 2, axis=1)
    if int(sample_rate) != sample_rate or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive integer, got {sample_rate!r}")
    from scipy.io import wavfile  # imported here: reading Studio's own stems (export) needs no SciPy

    dest = Path(path).absolute()
    with atomic_output(dest) as tmp:
        with media_errors(dest, "write"):
            wavfile.write(tmp, int(sample_rate), np.ascontiguousarray(data))
    return dest


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a WAV as float32 ``(S, 2)`` in [-1, 1] and its sample rate.

    Integer WAVs are scaled to [-1, 1]; mono is duplicated to both channels and
    only the first two channels of a multichannel file are kept.
    """
    p = Path(path)
    if not p.is_file():
        raise MediaError(f"Could not read {p}: the file does not exist.")
    own = _read_float_wav(p)
    if own is not None:
        return own
    from scipy.io import wavfile  # any other WAV: SciPy's reader knows the variants

    try:
        with warnings.catch_warnings():
            # scipy warns about chunks it skips (LIST, bext...); those are harmless.
            warnings.simplefilter("ignore", wavfile.WavFileWarning)
            sr, data = wavfile.read(p)
    except OSError as exc:
        raise MediaError(describe_os_error(exc, p, "read")) from exc
    except (ValueError, EOFError, IndexError, struct.error) as exc:
        # scipy reports a bad header, a truncated chunk or a non-RIFF file this way.
        raise MediaError(f"Could not read {p}: it is not a readable WAV file ({exc}).") from exc
    return _to_float_stereo(np.asarray(data), p), int(sr)


def _read_float_wav(path: Path) -> tuple[np.ndarray, int] | None:
    """The WAVs `write_wav` writes (RIFF/WAVE, 32-bit float fmt, then fact/data chunks), read with numpy
    alone; None for anything else or anything odd, which `read_wav` hands to SciPy's reader."""
    layout = _float_wav_layout(path)
    if layout is None:
        return None
    offset, channels, frames, rate = layout
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            raw = f.read(frames * channels * 4)
    except OSError:
        return None
    if len(raw) != frames * channels * 4:
        return None
    data = np.frombuffer(raw, dtype="<f4").reshape(-1, channels).astype(np.float32)
    return _to_float_stereo(data, path), rate


def _to_float_stereo(data: np.ndarray, path: Path) -> np.ndarray:
    if data.dtype == np.uint8:
        out = (data.astype(np.float32) - 128.0) / 128.0
    elif data.dtype == np.int16:
        out = data.astype(np.float32) / 32768.0
    elif data.dtype == np.int32:
        # 24-bit files come back from scipy left-aligned in int32, so one scale fits both.
        out = (data.astype(np.float64) / 2147483648.0).astype(np.float32)
    elif data.dtype in (np.float32, np.float64):
        out = data.astype(np.float32, copy=False)
    else:
        raise MediaError(f"Could not read {path}: unsupported WAV sample type {data.dtype}.")
    if out.ndim == 1:
        out = out[:, None]
    if out.shape[1] == 1:
        out = np.repeat(out, 2, axis=1)
    elif out.shape[1] > 2:
        out = out[:, :2]
    return np.ascontiguousarray(out)


class WavReader:
    """A WAV read by offset, never whole: ``read(a, b)`` is samples ``[a, b)`` as float32 ``(b - a, 2)``,
    zeros past the end of the file (a stem shorter than its shot is padded with silence).

    Studio's own stems (32-bit float, what `write_wav` writes) are read straight from the file
    each time (the page cache keeps them, not the process); any other WAV is decoded once
    by `read_wav` and held (imported sound, short).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise MediaError(f"Could not read {self.path}: the file does not exist.")
        layout = _float_wav_layout(self.path)
        self._whole: np.ndarray | None = None
        if layout is None:
            self._whole, self.sample_rate = read_wav(self.path)
            self.frames = int(self._whole.shape[0])
            self._offset, self._channels = 0, 2
        else:
            self._offset, self._channels, self.frames, self.sample_rate = layout

    def read(self, a: int, b: int) -> np.ndarray:
        a, b = max(0, int(a)), max(0, int(b))
        out = np.zeros((max(0, b - a), 2), np.float32)
        stop = min(b, self.frames)
        if stop <= a:
            return out
        if self._whole is not None:
            out[: stop - a] = self._whole[a:stop]
            return out
        with media_errors(self.path, "read"), open(self.path, "rb") as f:
            f.seek(self._offset + a * 4 * self._channels)
            data = np.fromfile(f, dtype="<f4", count=(stop - a) * self._channels).reshape(-1, self._channels)
        out[: data.shape[0]] = data  # broadcasts a mono file to both channels
        return out


def _is_whole_float_wav(samples: np.memmap) -> bool:
    """Whether ``samples`` maps the whole data chunk of a stereo 32-bit float WAV at 48 kHz, unchanged since."""
    filename = getattr(samples, "filename", None)
    if not filename or samples.dtype != np.float32 or samples.ndim != 2 or samples.shape[1] != 2:
        return False
    if not samples.flags.c_contiguous or samples.base is None:
        return False
    layout = _float_wav_layout(Path(filename))
    return layout is not None and layout == (samples.offset, 2, samples.shape[0], SAMPLE_RATE)


def _float_wav_layout(path: Path) -> tuple[int, int, int, int] | None:
    """(data offset, channels, frames, rate) of a 32-bit float WAV as `write_wav` writes it; None otherwise."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"RIFF" or len(f.read(4)) != 4 or f.read(4) != b"WAVE":
                return None
            fmt = None
            while True:
                header = f.read(8)
                if len(header) != 8:
                    return None
                kind, size = header[:4], struct.unpack("<I", header[4:])[0]
                if kind == b"fmt ":
                    body = f.read(size + (size & 1))
                    if size < 16:
                        return None
                    fmt = struct.unpack("<HHIIHH", body[:16])
                elif kind == b"data":
                    if fmt is None:
                        return None
                    tag, channels, rate, _, align, bits = fmt
                    if tag != 3 or bits != 32 or channels not in (1, 2) or align != 4 * channels or size % align:
                        return None
                    offset = f.tell()
                    if os.path.getsize(path) < offset + size:
                        return None  # truncated: read_wav reports it
                    return offset, channels, size // align, int(rate)
                else:
                    f.seek(size + (size & 1), os.SEEK_CUR)
    except (OSError, struct.error):
        return None
