"""Delivery encodes beside the H.264 export: H.265 and AV1 in MP4, ProRes 422 HQ in MOV, PNG sequences.

The same contract as `studio.media.encode.write_mp4` (frames streamed, exact frame
count, audio trimmed or padded to N / fps, string metadata kept, destination
replaced atomically), with the codecs PyAV ships: libx265, libsvtav1 and prores_ks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Mapping

import av
import numpy as np

from studio.domain.timing import SAMPLE_RATE, frame_to_sample
from studio.media._atomic import atomic_output, media_errors
from studio.media.encode import (
    _MP4_OPTIONS,
    output_container,
    _add_streams,
    audio_source,
    _AudioFeed,
    _check_frame,
    _check_metadata,
    _encode_frames,
)
from studio.media.errors import ExportCancelled


@dataclass(frozen=True)
class VideoCodec:
    name: str
    encoder: str
    container: str
    """The file suffix: mp4 or mov."""
    pix_fmt: str
    options: tuple[tuple[str, str], ...]
    audio: str
    """aac, or pcm_s24le (uncompressed, for editing)."""
    label: str


CODECS: dict[str, VideoCodec] = {
    "h264": VideoCodec("h264", "libx264", "mp4", "yuv420p", (("crf", "20"), ("preset", "medium")), "aac", "H.264 (MP4)"),
    "h265": VideoCodec("h265", "libx265", "mp4", "yuv420p", (("crf", "24"), ("preset", "fast"), ("x265-params", "log-level=error")),
                       "aac", "H.265 / HEVC (MP4)"),
    "av1": VideoCodec("av1", "libsvtav1", "mp4", "yuv420p", (("crf", "35"), ("preset", "10")), "aac", "AV1 (MP4)"),
    # prores_ks profile 3 is 422 HQ; 10-bit 4:2:2 as editors expect.
    "prores": VideoCodec("prores", "prores_ks", "mov", "yuv422p10le", (("profile", "3"), ("vendor", "apl0")),
                         "pcm_s24le", "ProRes 422 HQ (MOV)"),
}


def available_codecs() -> list[str]:
    """The delivery codecs whose encoders this PyAV build ships."""
    return [name for name, c in CODECS.items() if c.encoder in av.codecs_available] + ["png"]


def write_video(
    path: str | os.PathLike[str],
    frames: Iterable[np.ndarray],
    *,
    codec: str,
    fps: int,
    width: int,
    height: int,
    audio: np.ndarray | None = None,
    metadata: Mapping[str, str] | None = None,
    frame_count: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> Path:
    """Encode ``frames`` and ``audio`` with one of `CODECS` into ``path`` (atomically)."""
    spec = CODECS[codec]
    dest = Path(path)
    if spec.encoder not in av.codecs_available:
        raise ValueError(f"this PyAV build has no {spec.encoder} encoder for {spec.label}")
    tags = _check_metadata(metadata)
    with atomic_output(dest) as tmp:
        options = dict(_MP4_OPTIONS) if spec.container == "mp4" else {"movflags": "+faststart+use_metadata_tags"}
        with output_container(tmp, dest, format=spec.container, options=options) as container:
            _encode(container, dest, frames, spec, fps, width, height, audio, tags, frame_count, progress, should_cancel)
    return dest


def _encode(container, dest, frames, spec: VideoCodec, fps, width, height, audio, tags, frame_count, progress,
            should_cancel) -> int:
    video, sound = _add_streams(
        container, dest, encoder=spec.encoder, options=dict(spec.options), pix_fmt=spec.pix_fmt, fps=fps,
        width=width, height=height, tags=tags, audio_codec=spec.audio if audio is not None else None,
        sample_rate=SAMPLE_RATE,
    )
    feed = None
    if sound is not None:
        feed = _AudioFeed(container, sound, audio_source(audio), fps, SAMPLE_RATE, pcm=spec.audio != "aac")
    return _encode_frames(container, dest, video, feed, frames, fps=fps, width=width, height=height,
                          frame_count=frame_count, total=frame_count or 0, progress=progress,
                          should_cancel=should_cancel)


def write_png_sequence(
    folder: str | os.PathLike[str],
    frames: Iterable[np.ndarray],
    *,
    width: int,
    height: int,
    audio: np.ndarray | None,
    fps: int,
    metadata: Mapping[str, str] | None = None,
    frame_count: int | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> Path:
    """Frames as ``frame_000000.png``… in a new ``folder`` (written beside it, renamed at the end).

    The sound goes beside the frames as ``audio.wav`` (48 kHz) and the metadata
    (recipe) into every PNG's text chunks and ``metadata.json``.
    """
    import json
    import shutil
    import tempfile

    from PIL import Image, PngImagePlugin

    from studio.media.audio_io import write_wav

    dest = Path(folder)
    if dest.exists():
        raise ValueError(f"{dest}: already exists; choose a new folder for the image sequence")
    tags = _check_metadata(metadata)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        info = PngImagePlugin.PngInfo()
        for k, v in tags.items():
            info.add_itxt(k, v)
        written = 0
        for index, rgb in enumerate(frames):
            if should_cancel is not None and should_cancel():
                raise ExportCancelled(f"export of {dest} was cancelled")
            rgb = _check_frame(rgb, index, width, height)
            Image.fromarray(rgb).save(work / f"frame_{index:06d}.png", pnginfo=info, compress_level=3)
            written = index + 1
        if frame_count is not None and written != frame_count:
            raise ValueError(f"expected {frame_count} frames for {dest}, got {written}")
        if audio is not None:
            n = frame_to_sample(written, fps)
            out = np.zeros((n, 2), np.float32)
            out[: min(n, len(audio))] = audio[:n]
            write_wav(work / "audio.wav", out)
        (work / "metadata.json").write_text(json.dumps({"fps": fps, "frames": written, **tags}, ensure_ascii=False,
                                                       indent=1), "utf-8")
        os.rename(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dest


_ASS_HEADER = (
    "[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n[V4+ Styles]\n"
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, "
    "Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, "
    "MarginV, Encoding\n"
    "Style: Default,Noto Sans CJK JP,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n"
    "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
)
"""The mov_text encoder's required style header (a default bottom-centred style); players use their own font."""


def remux_with_captions(source: str | os.PathLike[str], destination: str | os.PathLike[str],
                        cues: Iterable[tuple[float, float, str]], *, language: str = "und") -> Path:
    """Copy ``source``'s streams and metadata into ``destination`` with a ``mov_text`` caption track.

    mov_text samples are a 16-bit big-endian length and UTF-8 text, so the packets are
    written directly (no re-encode of anything). Times are milliseconds.
    """
    import struct

    src_path, dest = Path(source), Path(destination)
    with atomic_output(dest) as tmp:
        with media_errors(src_path, "read"):
            src = av.open(str(src_path))
        try:
            with output_container(tmp, dest, format="mp4", options=_MP4_OPTIONS) as out:
                for k, v in src.metadata.items():
                    if k not in ("major_brand", "minor_version", "compatible_brands", "encoder"):
                        out.metadata[k] = v
                streams = {s.index: out.add_stream_from_template(s) for s in src.streams if s.type in ("video", "audio")}
                subs = out.add_stream("mov_text")
                subs.codec_context.time_base = Fraction(1, 1000)
                subs.codec_context.subtitle_header = _ASS_HEADER.encode()
                subs.time_base = Fraction(1, 1000)
                subs.metadata["language"] = language
                for packet in src.demux(*[s for s in src.streams if s.index in streams]):
                    if packet.dts is None:
                        continue
                    packet.stream = streams[packet.stream.index]
                    out.mux(packet)
                for start, end, text in cues:
                    data = text.encode("utf-8")[:65535]
                    packet = av.Packet(struct.pack(">H", len(data)) + data)
                    packet.stream = subs
                    packet.pts = packet.dts = int(round(start * 1000))
                    packet.duration = max(1, int(round((end - start) * 1000)))
                    packet.time_base = Fraction(1, 1000)
                    out.mux(packet)
        finally:
            src.close()
    return dest
