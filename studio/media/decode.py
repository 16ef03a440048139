"""Reading media files: probe, frames, audio aligned to video time, metadata.

Every entry point opens the file eagerly and turns any failure (missing, empty,
truncated, not a video) into a `MediaError` that names the file, so a bad file
is reported where it is opened rather than deep inside an iteration.
"""

from __future__ import annotations

import errno
import os
import struct
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av
import numpy as np

from studio.media._atomic import describe_os_error, media_errors, open_regular
from studio.media.errors import MediaError

__all__ = ["MediaInfo", "probe", "read_frames", "read_all_frames", "read_audio", "read_metadata", "mp4_boxes"]


@dataclass(frozen=True)
class MediaInfo:
    """What `probe` learns about a video file."""

    width: int
    height: int
    fps: Fraction
    frame_count: int
    duration_seconds: float
    video_codec: str
    audio_codec: str | None
    sample_rate: int | None
    channels: int | None
    pix_fmt: str | None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Describe the video (and first audio) stream of ``path``.

    ``frame_count`` comes from the container's sample table when it has one and
    is otherwise counted exactly by demuxing the video packets.
    """
    p = Path(path)
    container = _open(p)
    try:
        with media_errors(p, "read"):
            video = _video_stream(container, p)
            ctx = video.codec_context
            fps = Fraction(video.average_rate or video.guessed_rate or video.base_rate or 0)
            frame_count = int(video.frames or 0)
            if frame_count <= 0:
                frame_count = _count_packets(p, video.index)
            if video.duration is not None and video.time_base is not None:
                duration = float(video.duration * video.time_base)
            elif container.duration is not None:
                duration = container.duration / av.time_base
            else:
                duration = float(frame_count / fps) if fps else 0.0
            audio = container.streams.audio[0] if container.streams.audio else None
            return MediaInfo(
                width=ctx.width,
                height=ctx.height,
                fps=fps,
                frame_count=frame_count,
                duration_seconds=duration,
                video_codec=ctx.name,
                audio_codec=audio.codec_context.name if audio is not None else None,
                sample_rate=audio.codec_context.sample_rate if audio is not None else None,
                channels=audio.codec_context.channels if audio is not None else None,
                pix_fmt=ctx.pix_fmt,
                metadata=dict(container.metadata),
            )
    finally:
        container.close()


def read_frames(path: str | os.PathLike[str], *, max_frames: int | None = None, every: int = 1) -> Iterator[np.ndarray]:
    """Iterate over the video frames of ``path`` as uint8 RGB ``H×W×3`` arrays.

    ``every=k`` yields every k-th frame (0, k, 2k, ...); ``max_frames`` caps how
    many are yielded. The file is opened (and checked) immediately; it is closed
    when the iterator is exhausted or garbage-collected. A file that ends before
    the frame count its header promises raises `MediaError` (truncated).
    """
    if every < 1:
        raise ValueError(f"every must be >= 1, got {every}")
    if max_frames is not None and max_frames < 0:
        raise ValueError(f"max_frames must be >= 0, got {max_frames}")
    p = Path(path)
    container = _open(p)
    try:
        with media_errors(p, "read"):
            video = _video_stream(container, p)
            video.thread_type = "AUTO"
    except BaseException:
        container.close()
        raise
    return _iter_frames(container, video, p, max_frames, every)


def _iter_frames(container, video, path: Path, max_frames: int | None, every: int) -> Iterator[np.ndarray]:
    expected = int(video.frames or 0)
    decoded = 0
    yielded = 0
    try:
        if max_frames == 0:
            return
        with media_errors(path, "read"):
            for frame in container.decode(video):
                if decoded % every == 0:
                    yield frame.to_ndarray(format="rgb24")
                    yielded += 1
                    if max_frames is not None and yielded >= max_frames:
                        return
                decoded += 1
        if decoded == 0:
            raise MediaError(f"Could not read {path}: it contains no decodable video frames.")
        if expected and decoded < expected:
            raise MediaError(f"Could not read {path}: the file is truncated ({decoded} of {expected} frames).")
    finally:
        container.close()


def read_all_frames(path: str | os.PathLike[str]) -> np.ndarray:
    """All frames of ``path`` as one ``N×H×W×3`` uint8 array."""
    frames = list(read_frames(path))
    return np.stack(frames)


def read_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """The first audio stream of ``path`` as float32 ``(S, 2)`` and its sample rate.

    Sample 0 is video time 0: each decoded frame is placed by its own pts, so
    the AAC encoder's priming (normally dropped by the demuxer's edit list, but
    seen as negative pts in files without one) is cut, a stream that starts late
    is padded with silence at the front, and the tail is trimmed to the stream's
    declared duration (the last AAC frame is always decoded whole).
    """
    p = Path(path)
    container = _open(p)
    try:
        with media_errors(p, "read"):
            if not container.streams.audio:
                raise MediaError(f"Could not read the sound of {p}: it has no audio stream.")
            stream = container.streams.audio[0]
            sr = int(stream.codec_context.sample_rate)
            origin = Fraction(0)
            if container.streams.video:
                video = container.streams.video[0]
                if video.start_time is not None and video.time_base is not None:
                    origin = video.start_time * video.time_base
            end: int | None = None
            if stream.duration is not None and stream.time_base is not None:
                start = (stream.start_time or 0) * stream.time_base
                end = round((start + stream.duration * stream.time_base - origin) * sr)

            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=sr)
            pieces: list[tuple[int, np.ndarray]] = []
            running = 0  # where a frame without pts goes
            for frame in container.decode(stream):
                if frame.pts is not None and frame.time_base is not None:
                    pos = round((frame.pts * frame.time_base - origin) * sr)
                else:
                    pos = running
                data = _stereo_planes(frame, resampler)
                pieces.append((pos, data))
                running = pos + data.shape[1]
    finally:
        container.close()
    if not pieces:
        raise MediaError(f"Could not read the sound of {p}: the audio stream has no decodable frames.")

    length = max(pos + data.shape[1] for pos, data in pieces)
    if end is not None:
        length = min(length, end)
    length = max(length, 0)
    samples = np.zeros((length, 2), dtype=np.float32)
    for pos, data in pieces:
        lo, hi = max(pos, 0), min(pos + data.shape[1], length)
        if hi > lo:
            samples[lo:hi] = data[:, lo - pos : hi - pos].T
    return samples, sr


def read_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The container-level metadata tags of ``path`` (as FFmpeg reports them)."""
    p = Path(path)
    container = _open(p)
    try:
        with media_errors(p, "read"):
            return dict(container.metadata)
    finally:
        container.close()


def mp4_boxes(path: str | os.PathLike[str]) -> list[tuple[str, int, int]]:
    """The top-level ISO-BMFF boxes of an MP4/MOV file as ``(type, offset, size)``.

    Raises `MediaError` when a box claims more bytes than the file holds, i.e.
    the file was cut short (a faststart MP4 truncated after its ``moov`` still
    opens in FFmpeg, so this is the cheap way to notice).
    """
    p = Path(path)
    boxes: list[tuple[str, int, int]] = []
    with media_errors(p, "read"):
        size_total = p.stat().st_size
        with open(p, "rb") as fh:
            offset = 0
            while offset < size_total:
                fh.seek(offset)
                header = fh.read(16)
                if len(header) < 8:
                    raise MediaError(f"Could not read {p}: the file is truncated (a box header is cut off).")
                size, kind = struct.unpack(">I4s", header[:8])
                if size == 1:
                    if len(header) < 16:
                        raise MediaError(f"Could not read {p}: the file is truncated (a box header is cut off).")
                    size = struct.unpack(">Q", header[8:16])[0]
                elif size == 0:
                    size = size_total - offset  # "to the end of the file"
                if size < 8:
                    raise MediaError(f"Could not read {p}: the file is damaged (a box has an impossible size).")
                if offset + size > size_total:
                    raise MediaError(
                        f"Could not read {p}: the file is truncated ({size_total} bytes, "
                        f"but its '{kind.decode('latin-1')}' box needs {offset + size})."
                    )
                boxes.append((kind.decode("latin-1"), offset, size))
                offset += size
    return boxes


# --------------------------------------------------------------------------- internals


def _open(path: Path):
    """Open ``path`` for reading, or raise a `MediaError` that says why not."""
    if not path.exists():
        raise MediaError(f"Could not read {path}: the file does not exist.")
    if path.is_dir():
        raise MediaError(f"Could not read {path}: it is a folder, not a media file.")
    with media_errors(path, "read"):
        with open_regular(path) as fh:  # a FIFO or device would block FFmpeg forever
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(12)
    if size == 0:
        raise MediaError(f"Could not read {path}: the file is empty (0 bytes).")
    if head[4:8] in (b"ftyp", b"styp"):
        mp4_boxes(path)  # raises on truncation
    try:
        # metadata_errors: a title or tag that is not UTF-8 (another tool wrote it) must not make the file unreadable.
        return av.open(str(path), mode="r", metadata_errors="replace")
    except av.error.FFmpegError as exc:
        if getattr(exc, "errno", None) in (errno.EACCES, errno.EPERM):
            raise MediaError(describe_os_error(exc, path, "read")) from exc
        raise MediaError(f"Could not read {path}: it is not a media file FFmpeg understands ({exc.strerror or exc}).") from exc
    except OSError as exc:
        raise MediaError(describe_os_error(exc, path, "read")) from exc


def _video_stream(container, path: Path):
    if not container.streams.video:
        raise MediaError(f"Could not read {path}: it has no video stream.")
    return container.streams.video[0]


def _count_packets(path: Path, index: int) -> int:
    container = _open(path)
    try:
        with media_errors(path, "read"):
            stream = container.streams[index]
            return sum(1 for packet in container.demux(stream) if packet.size)
    finally:
        container.close()


def _stereo_planes(frame: av.AudioFrame, resampler: av.AudioResampler) -> np.ndarray:
    """A decoded frame as float32 ``(2, n)``; AAC's native fltp stereo needs no conversion."""
    if frame.format.name == "fltp" and frame.layout.nb_channels == 2:
        return frame.to_ndarray()
    out = [f.to_ndarray() for f in resampler.resample(frame)]
    if not out:
        return np.zeros((2, 0), dtype=np.float32)
    return np.concatenate(out, axis=1).astype(np.float32, copy=False)
