"""Writing MP4 files: H.264 + AAC through PyAV, streamed, exact, atomic.

The contract every caller relies on:

- frames are uint8 RGB ``H×W×3`` arrays, consumed one at a time (never held);
- the video stream has exactly as many frames as were given, frame ``i`` at
  ``i / fps`` seconds, and the audio stream is trimmed or zero-padded to exactly
  ``N / fps`` seconds, so shot lengths add up to the frame;
- string metadata with arbitrary keys survives a round trip (``use_metadata_tags``);
- the ``moov`` box is at the front (``faststart``) so players and browsers can
  start before the whole file is read;
- the destination is replaced atomically, or not touched at all;
- the same frames and sound give the same bytes on any machine, run after run
  (the encoder's thread count is fixed, never derived from the CPUs).

Frames are converted to YUV on the caller's thread while an encoder thread runs
x264 and the muxer (`_encode_frames`), the way the ffmpeg command line overlaps them.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import threading
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sized

import av
import numpy as np
from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc, VideoReformatter

from studio.domain.timing import SAMPLE_RATE, frame_to_sample
from studio.media._atomic import atomic_output, media_errors
from studio.media.errors import ExportCancelled

__all__ = ["write_mp4", "add_sound", "encode_sound", "write_take_video", "AAC_FRAME_SIZE"]

AAC_FRAME_SIZE = 1024
"""Samples per AAC-LC frame; audio is handed to the encoder in chunks of this size."""

AUDIO_BITRATE = 192_000

# Muxer flags: moov first, and store metadata as free-form 'mdta' keys so any
# string key (e.g. "studio.recipe") survives instead of only the iTunes set.
_MP4_OPTIONS = {"movflags": "+faststart+use_metadata_tags"}


def write_mp4(
    path: str | os.PathLike[str],
    frames: Iterable[np.ndarray],
    *,
    fps: int,
    width: int,
    height: int,
    audio: np.ndarray | Iterable[np.ndarray] | None = None,
    sample_rate: int = SAMPLE_RATE,
    metadata: Mapping[str, str] | None = None,
    crf: int = 18,
    preset: str = "medium",
    frame_count: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> Path:
    """Encode ``frames`` (and optional ``audio``) into an H.264/AAC MP4 at ``path``.

    ``frames`` yields uint8 RGB arrays of shape ``(height, width, 3)``; they are
    encoded as they arrive. ``audio`` is float32 ``(S, 2)`` in [-1, 1] at
    ``sample_rate`` (mono ``(S,)`` or ``(S, 1)`` is duplicated to both channels),
    or an iterator of such blocks in order (read forward as the video needs them, so
    the whole programme never has to be in memory); it is trimmed or zero-padded to exactly ``N / fps`` seconds for the ``N``
    frames written. ``metadata`` keys and values are stored as strings in the
    container. ``frame_count``, when given, is the number of frames expected:
    it is the total reported to ``progress(done, total)`` and a different count
    is an error (total is ``len(frames)`` for a sized input, else 0 = unknown).
    ``should_cancel()`` is polled before every frame; when it returns True the
    encode stops with `ExportCancelled`.

    The file is written to a hidden ``.NAME.partial-<random>.mp4`` beside the
    destination, fsynced and renamed over it; on any error or cancel the partial
    file is removed and an existing destination is left untouched. Returns the
    absolute destination path. Raises `MediaError` for file problems (folder
    missing or read-only, disk full) and ValueError for bad arguments or frames.
    """
    fps = _check_int("fps", fps, minimum=1)
    width = _check_int("width", width, minimum=2)
    height = _check_int("height", height, minimum=2)
    if width % 2 or height % 2:
        raise ValueError(f"width and height must be even for yuv420p, got {width}x{height}")
    sample_rate = _check_int("sample_rate", sample_rate, minimum=8000)
    if not 1 <= crf <= 51:
        # x264 can only do lossless (crf 0) in the High 4:4:4 profile, which many players refuse.
        raise ValueError(f"crf must be between 1 and 51 for H.264 High profile, got {crf}")
    if frame_count is not None:
        frame_count = _check_int("frame_count", frame_count, minimum=1)
    stereo = audio_source(audio) if audio is not None else None
    tags = _check_metadata(metadata)
    total = frame_count if frame_count is not None else (len(frames) if isinstance(frames, Sized) else 0)

    dest = Path(path).absolute()
    with atomic_output(dest) as tmp:
        # The edit lists are written in the movie timescale (FFmpeg's default is 1000,
        # which would cut N/fps seconds down to whole milliseconds); pick one in
        # which both the frame and the sample durations are whole numbers.
        options = dict(_MP4_OPTIONS, movie_timescale=str(math.lcm(fps, int(sample_rate))))
        with output_container(tmp, dest, format="mp4", options=options) as container:
            _encode_into(
                container, dest, frames,
                fps=fps, width=width, height=height, audio=stereo, sample_rate=sample_rate,
                tags=tags, crf=crf, preset=preset, frame_count=frame_count, total=total,
                progress=progress, should_cancel=should_cancel,
            )
    return dest


def encode_sound(
    path: str | os.PathLike[str],
    audio: np.ndarray | Iterable[np.ndarray],
    *,
    fps: int,
    frames: int,
    sample_rate: int = SAMPLE_RATE,
) -> Path:
    """The AAC track `add_sound` would encode for ``frames`` frames at ``fps``, alone in an MP4 at ``path``.

    The same encoder, bit rate, 1024-sample frames and trim/pad as `write_mp4` and `add_sound`
    (exactly ``frames / fps`` seconds), so ``add_sound(video, out, encoded=path)`` copies it
    packet for packet into a file that decodes to the same samples as ``add_sound(video, out,
    audio=audio)``: an export encodes its sound while the picture encoder is still busy.
    Atomic like `write_mp4`; ``audio`` as in `write_mp4` (an array or blocks in order).
    """
    for _ in encode_sound_steps(path, audio, fps=fps, frames=frames, sample_rate=sample_rate):
        pass
    return Path(path).absolute()


def encode_sound_steps(
    path: str | os.PathLike[str],
    audio: np.ndarray | Iterable[np.ndarray],
    *,
    fps: int,
    frames: int,
    sample_rate: int = SAMPLE_RATE,
    on_packet: Callable[[av.Packet, av.CodecContext], None] | None = None,
    step_frames: int | None = None,
) -> Iterator[int]:
    """`encode_sound` a step at a time: yields the frames' worth of sound encoded so far after every
    ``step_frames`` (about a second by default); the file is at ``path`` once the generator is
    exhausted, and nothing is there if it is closed before. ``on_packet(packet, codec_context)``
    sees each packet before it is written (a decoder reading the track as it is made: see
    `studio.media.audio_codec.decoded_track`). The packets are those `encode_sound` writes.
    """
    fps = _check_int("fps", fps, minimum=1)
    frames = _check_int("frames", frames, minimum=1)
    sample_rate = _check_int("sample_rate", sample_rate, minimum=8000)
    step = max(1, int(step_frames) if step_frames is not None else fps)
    stereo = audio_source(audio)
    dest = Path(path).absolute()
    with atomic_output(dest) as tmp:
        options = dict(_MP4_OPTIONS, movie_timescale=str(int(sample_rate)))
        with output_container(tmp, dest, format="mp4", options=options) as container:
            with media_errors(dest, "write"):
                sound = container.add_stream("aac", rate=sample_rate, layout="stereo")
                sound.codec_context.bit_rate = AUDIO_BITRATE
                sink = container if on_packet is None else _Tapped(container, sound.codec_context, on_packet)
                feed = _AudioFeed(sink, sound, stereo, fps, sample_rate)
            for done in range(step, frames, step):
                with media_errors(dest, "write"):
                    feed.advance(done, final=False)
                yield done
            with media_errors(dest, "write"):
                feed.finish(frames)
    yield frames


class _Tapped:
    """A container whose ``mux`` shows each packet to ``tap(packet, codec_context)`` first."""

    def __init__(self, container, codec_context, tap) -> None:
        self.container, self.codec_context, self.tap = container, codec_context, tap

    def mux(self, packet) -> None:
        self.tap(packet, self.codec_context)
        self.container.mux(packet)


def add_sound(
    video: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    fps: int,
    audio: np.ndarray | Iterable[np.ndarray] | None = None,
    encoded: str | os.PathLike[str] | None = None,
    sample_rate: int = SAMPLE_RATE,
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """A new MP4 at ``path``: the H.264 stream of ``video`` (as `write_mp4` wrote it, without
    sound) copied packet for packet, with ``audio`` encoded beside it and ``metadata``.

    How an export encodes its picture while the shots are still rendering and adds the
    sound once the whole programme is mastered: the video is never encoded twice. The
    audio follows `write_mp4`'s contract (trimmed or padded to exactly ``N / fps`` seconds
    for the ``N`` frames) and is interleaved in step with the video, so the result is laid
    out like a file `write_mp4` writes in one go. Atomic like `write_mp4`.

    ``encoded`` instead of ``audio``: a track `encode_sound` made for these frames, copied
    packet for packet (interleaved the same way); nothing is encoded here.
    """
    fps = _check_int("fps", fps, minimum=1)
    sample_rate = _check_int("sample_rate", sample_rate, minimum=8000)
    if audio is not None and encoded is not None:
        raise ValueError("give the sound as audio or as an encoded track, not both")
    stereo = audio_source(audio) if audio is not None else None
    tags = _check_metadata(metadata)
    source_path = Path(video).absolute()
    dest = Path(path).absolute()
    with contextlib.ExitStack() as inputs:
        with media_errors(source_path, "read"):
            source = inputs.enter_context(contextlib.closing(av.open(str(source_path))))
        track = None
        if encoded is not None:
            with media_errors(Path(encoded), "read"):
                track = inputs.enter_context(contextlib.closing(av.open(str(Path(encoded).absolute()))))
        picture = source.streams.video[0]
        with atomic_output(dest) as tmp:
            options = dict(_MP4_OPTIONS, movie_timescale=str(math.lcm(fps, int(sample_rate))))
            with output_container(tmp, dest, format="mp4", options=options) as container:
                with media_errors(dest, "write"):
                    for key, value in tags.items():
                        container.metadata[key] = value
                    copy = container.add_stream_from_template(picture)
                    sound = None
                    if stereo is not None:
                        sound = container.add_stream("aac", rate=sample_rate, layout="stereo")
                        sound.codec_context.bit_rate = AUDIO_BITRATE
                    elif track is not None:
                        sound = container.add_stream_from_template(track.streams.audio[0])
                if stereo is not None:
                    feed: _AudioFeed | _TrackCopy | None = _AudioFeed(container, sound, stereo, fps, sample_rate)
                elif track is not None:
                    feed = _TrackCopy(container, sound, track, fps, sample_rate)
                else:
                    feed = None
                written = 0
                with media_errors(dest, "write"):
                    for packet in source.demux(picture):
                        if packet.size == 0:
                            continue  # the demuxer's end-of-stream marker
                        packet.stream = copy
                        container.mux(packet)
                        written += 1
                        if feed is not None:
                            feed.advance(written, final=False)
                    if written == 0:
                        raise ValueError(f"{source_path} has no video to add sound to")
                    if feed is not None:
                        feed.finish(written)
    return dest


class _TrackCopy:
    """`_AudioFeed`'s interleaving for an already encoded track: after the video's ``N``-th frame,
    the track's packets that start before ``N / fps`` seconds are copied in."""

    def __init__(self, container, stream, track, fps: int, sample_rate: int) -> None:
        self.container, self.stream, self.fps, self.sample_rate = container, stream, fps, sample_rate
        source = track.streams.audio[0]
        self._scale = source.time_base * sample_rate  # packet time -> samples
        self._packets = (p for p in track.demux(source) if p.size)
        self._next = next(self._packets, None)

    def advance(self, frames_written: int, *, final: bool) -> None:
        until = frame_to_sample(frames_written, self.fps, self.sample_rate)
        while self._next is not None and (final or self._next.pts * self._scale < until):
            packet, self._next = self._next, next(self._packets, None)
            packet.stream = self.stream
            self.container.mux(packet)

    def finish(self, frames_written: int) -> None:
        self.advance(frames_written, final=True)


@contextlib.contextmanager
def output_container(tmp: Path, dest: Path, *, format: str, options: Mapping[str, str]) -> Iterator[av.container.OutputContainer]:
    """An output container on the temporary file ``tmp``, closed (trailer, faststart pass) when the
    block ends; after an error or a cancel it is closed quietly (the doomed file is removed by
    `atomic_output`) and the block's error is raised. Errors name ``dest``, never the temp file."""
    with media_errors(dest, "write"):
        container = av.open(str(tmp), mode="w", format=format, options=dict(options))
    try:
        yield container
    except BaseException:
        try:
            container.close()  # writes a trailer into the doomed temp file; what that says does not matter
        except Exception:
            pass
        raise
    with media_errors(dest, "write"):
        container.close()


def write_take_video(path: str | os.PathLike[str], frames: Iterable[np.ndarray], fps: int) -> Path:
    """Write a take's frames (``N×H×W×3`` uint8, or any iterable of frames) as its lossless master.

    The frames are stored exactly (see `studio.media.master`), streamed one at a time; the
    write is atomic like `write_mp4`.
    """
    from studio.media.master import write_master

    if isinstance(frames, np.ndarray) and (frames.ndim != 4 or frames.shape[-1] != 3):
        raise ValueError(f"take frames must be N×H×W×3, got shape {frames.shape}")
    dest = Path(path).absolute()
    return write_master(dest.parent, frames, fps).adopt(dest)


# --------------------------------------------------------------------------- internals

X264_THREADS = 3
"""x264 frame threads, fixed: x264's bitstream depends on its thread count, and its
default ("auto") is 1.5 × the CPUs the process may use, so the same frames gave a
different file on another machine, in a CPU-restricted process (a farm worker, a
container, ``taskset``) or at another size. Three is what "auto" picks on two cores
(the ffmpeg command line's setting there); bigger machines give up some speed for
"same seed, same file" everywhere."""

X264_AVX512_FREE = "asm=AVX2"
"""x264's instruction sets on a CPU with AVX-512: everything up to AVX2, not its AVX-512 kernels.

With them (x264 core 165, chosen by itself on an AVX-512 CPU such as AMD Zen 4 or Intel
Skylake-X and later), the same frames encoded again gave another bitstream now and then —
2 to 5 % of the encodes of a 16-frame 160x90 export, and so other decoded frames, up to 18
grey levels apart — whatever the thread count (1 or 3), and never with ``MALLOC_PERTURB_``
set (which fills new and freed memory with one byte): so its output depends on what its
buffers held before. Up to AVX2 the file is the
same every time and is the file AVX-512 gives when it does not stray
(tests/media/test_encode_repeatable.py). The lossless masters (libx264rgb, ultrafast) did not
stray in the same measurement, and decode to the same frames whatever their bitstream."""


def x264_params() -> dict[str, str]:
    """Options for an x264 encoder that make its output repeatable on this CPU.

    ``{"x264-params": X264_AVX512_FREE}`` where the CPU has the AVX-512 subsets x264 uses (F, CD,
    BW, DQ, VL) and the AVX2 set it then falls back to; nothing elsewhere (x264 picks as before).
    Naming an instruction set the CPU lacks would crash the encoder, so only what is there is named.
    """
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as cpu  # numpy >= 2
    except ImportError:
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as cpu  # type: ignore[no-redef]
        except ImportError:
            return {}
    avx512 = ("AVX512F", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512VL")
    avx2 = ("SSE42", "AVX", "FMA3", "AVX2", "BMI", "BMI2", "LZCNT")
    if all(cpu.get(f) for f in avx512) and all(cpu.get(f) for f in avx2):
        return {"x264-params": X264_AVX512_FREE}
    return {}


SWS_THREADS = 2
"""swscale slice threads for RGB → YUV (its output does not depend on this; fixed anyway
so that nothing in the encode depends on the machine)."""

_QUEUE_FRAMES = 4
"""Converted frames waiting for the encoder thread (about 1.4 MB each at 720p, 3 MB at 1080p)."""


def _add_streams(
    container: av.container.OutputContainer,
    dest: Path,
    *,
    encoder: str,
    options: Mapping[str, str],
    pix_fmt: str,
    fps: int,
    width: int,
    height: int,
    tags: Mapping[str, str],
    audio_codec: str | None,
    sample_rate: int,
) -> tuple[av.video.stream.VideoStream, av.audio.stream.AudioStream | None]:
    """Add the video stream (BT.709, limited range, tagged) and the optional stereo audio stream.

    The one encoder set-up of every writer here (`write_mp4`, `studio.media.delivery`).
    """
    with media_errors(dest, "write"):
        for key, value in tags.items():
            container.metadata[key] = value
        if encoder == "libx264":
            options = {**x264_params(), **options}  # repeatable on an AVX-512 CPU: see X264_AVX512_FREE
        video = container.add_stream(encoder, rate=fps, options=dict(options))
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        ctx = video.codec_context
        ctx.time_base = Fraction(1, fps)
        if encoder == "libx264":
            # Frame threads, as the ffmpeg CLI uses: PyAV's default thread_type (SLICE) would
            # switch x264 to sliced threads, slower and less efficient. A fixed count: see X264_THREADS.
            ctx.thread_count = X264_THREADS
            ctx.thread_type = "FRAME"
        # Tag what we convert with: HD players assume BT.709 for untagged video.
        ctx.colorspace = Colorspace.ITU709
        ctx.color_primaries = ColorPrimaries.BT709
        ctx.color_trc = ColorTrc.BT709
        ctx.color_range = ColorRange.MPEG
        sound = None
        if audio_codec is not None:
            sound = container.add_stream(audio_codec, rate=sample_rate, layout="stereo")
            if audio_codec == "aac":
                sound.codec_context.bit_rate = AUDIO_BITRATE
    return video, sound


def _encode_into(
    container: av.container.OutputContainer,
    dest: Path,
    frames: Iterable[np.ndarray],
    *,
    fps: int,
    width: int,
    height: int,
    audio: np.ndarray | None,
    sample_rate: int,
    tags: dict[str, str],
    crf: int,
    preset: str,
    frame_count: int | None,
    total: int,
    progress: Callable[[int, int], None] | None,
    should_cancel: Callable[[], bool] | None,
) -> int:
    """Encode and mux everything; return the number of video frames written."""
    video, sound = _add_streams(
        container, dest, encoder="libx264", options={"crf": str(int(crf)), "preset": preset, "profile": "high"},
        pix_fmt="yuv420p", fps=fps, width=width, height=height, tags=tags,
        audio_codec="aac" if audio is not None else None, sample_rate=sample_rate,
    )
    feed = _AudioFeed(container, sound, audio, fps, sample_rate) if sound is not None else None
    return _encode_frames(container, dest, video, feed, frames, fps=fps, width=width, height=height,
                          frame_count=frame_count, total=total, progress=progress, should_cancel=should_cancel)


def _encode_frames(
    container: av.container.OutputContainer,
    dest: Path,
    video: av.video.stream.VideoStream,
    feed: _AudioFeed | None,
    frames: Iterable[np.ndarray],
    *,
    fps: int,
    width: int,
    height: int,
    frame_count: int | None,
    total: int,
    progress: Callable[[int, int], None] | None,
    should_cancel: Callable[[], bool] | None,
) -> int:
    """Convert ``frames`` to the stream's pixel format and encode them, with the sound, as a pipeline.

    Two stages, like the ffmpeg command line's threads: this (the caller's) thread takes each
    frame from ``frames``, checks it and converts it from RGB (swscale, which lets go of the
    GIL); an encoder thread hands the converted frames to the encoder, muxes the packets and
    keeps the sound in step. The encoder sees the same frames in the same order as a serial
    loop would, so the file is the same byte for byte. ``should_cancel`` and ``progress`` run
    on this thread, before and after each frame is handed over. Returns the frames written.
    """
    reformatter = VideoReformatter()
    pix_fmt = video.codec_context.pix_fmt
    worker = _EncoderThread(container, dest, video, feed)
    written = 0
    try:
        for index, rgb in enumerate(frames):
            if should_cancel is not None and should_cancel():
                raise ExportCancelled(f"export of {dest} was cancelled")
            if frame_count is not None and index >= frame_count:
                raise ValueError(f"more frames than frame_count={frame_count} were given for {dest}")
            rgb = _check_frame(rgb, index, width, height)
            with media_errors(dest, "write"):
                # A view of the caller's array, not a copy: swscale reads it before we return
                # to the caller, and its output is a new frame the encoder thread owns.
                source = av.VideoFrame.from_numpy_buffer(rgb, format="rgb24")
                frame = reformatter.reformat(source, format=pix_fmt, dst_colorspace=Colorspace.ITU709,
                                             dst_color_range=ColorRange.MPEG, threads=SWS_THREADS)
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            del source, rgb
            worker.put(frame)
            written = index + 1
            if progress is not None:
                progress(written, total)

        if should_cancel is not None and should_cancel():
            raise ExportCancelled(f"export of {dest} was cancelled")
        if frame_count is not None and written != frame_count:
            raise ValueError(f"expected {frame_count} frames for {dest}, got {written}")
        if written == 0:
            raise ValueError(f"no frames were given for {dest}")
        worker.finish()
    finally:
        worker.stop()  # a no-op after finish(); on any error, the encoder thread ends before the caller closes
    return written


_END = object()
"""Queue item: no more frames, flush the encoders."""


class _EncoderThread:
    """The encoder stage of `_encode_frames`: one thread that owns the codecs and the muxer."""

    def __init__(self, container, dest: Path, video, feed: _AudioFeed | None) -> None:
        self._container, self._dest, self._video, self._feed = container, dest, video, feed
        self._queue: queue.Queue = queue.Queue(maxsize=_QUEUE_FRAMES)
        self._error: BaseException | None = None
        self._abandon = False
        self._done = False
        self._thread = threading.Thread(target=self._run, name="studio-encode", daemon=True)
        self._thread.start()

    def put(self, frame: av.VideoFrame) -> None:
        """Queue one converted frame (waits while the queue is full); raises what the encoder raised."""
        self._raise_error()
        self._queue.put(frame)

    def finish(self) -> None:
        """Flush the encoders and wait for the last packet to be muxed; raises what the encoder raised."""
        self._queue.put(_END)
        self._thread.join()
        self._done = True
        self._raise_error()

    def stop(self) -> None:
        """End the thread without flushing (after an error or a cancel); the frames still queued are dropped."""
        if self._done:
            return
        self._abandon = True
        self._queue.put(_END)  # the thread takes items until it sees this, so there is room soon
        self._thread.join()
        self._done = True

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        written = 0
        while True:
            item = self._queue.get()
            if item is _END:
                break
            if self._error is not None or self._abandon:
                continue  # keep taking frames so the producer never waits on a dead encoder
            try:
                with media_errors(self._dest, "write"):
                    for packet in self._video.encode(item):
                        self._container.mux(packet)
                    written += 1
                    if self._feed is not None:
                        # Keep audio in step with video so the muxer interleaves finely
                        # instead of buffering a whole stream.
                        self._feed.advance(written, final=False)
            except BaseException as exc:  # re-raised on the caller's thread
                self._error = exc
        if self._error is not None or self._abandon:
            return
        try:
            with media_errors(self._dest, "write"):
                for packet in self._video.encode(None):
                    self._container.mux(packet)
                if self._feed is not None:
                    self._feed.finish(written)
        except BaseException as exc:
            self._error = exc


class _AudioFeed:
    """Hands a float32 ``(S, 2)`` track to its encoder in step with the video frames written.

    Samples past the end of ``audio`` are silence, which is how a short track is padded;
    samples past ``N / fps`` seconds for the ``N`` frames written are never fed, which is
    how a long one is trimmed. ``pcm`` feeds whole spans as 24-bit PCM (in s32) instead of
    AAC-sized frames.
    """

    def __init__(self, container, stream, audio: np.ndarray, fps: int, sample_rate: int, *, pcm: bool = False) -> None:
        self.container, self.stream, self.audio = container, stream, audio
        self.fps, self.sample_rate, self.pcm = fps, sample_rate, pcm
        self.fed = 0

    def advance(self, frames_written: int, *, final: bool) -> None:
        until = frame_to_sample(frames_written, self.fps, self.sample_rate)
        if self.pcm:
            self.fed = _feed_pcm(self.container, self.stream, self.audio, self.fed, until, self.sample_rate)
        else:
            self.fed = _feed_audio(self.container, self.stream, self.audio, self.fed, until, self.sample_rate,
                                   final=final)

    def finish(self, frames_written: int) -> None:
        self.advance(frames_written, final=True)
        for packet in self.stream.encode(None):
            self.container.mux(packet)


def _feed_audio(
    container: av.container.OutputContainer,
    stream: av.audio.stream.AudioStream,
    audio: np.ndarray,
    fed: int,
    until: int,
    sample_rate: int,
    *,
    final: bool,
) -> int:
    """Encode audio samples ``[fed, until)`` in whole AAC frames (plus the short tail if ``final``)."""
    while until - fed >= AAC_FRAME_SIZE or (final and until > fed):
        n = min(AAC_FRAME_SIZE, until - fed)
        chunk = np.zeros((2, n), dtype=np.float32)
        have = audio[fed : fed + n]
        chunk[:, : len(have)] = have.T
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate = sample_rate
        frame.pts = fed
        frame.time_base = Fraction(1, sample_rate)
        for packet in stream.encode(frame):
            container.mux(packet)
        fed += n
    return fed


def _feed_pcm(container, stream, audio: np.ndarray, fed: int, until: int, sample_rate: int) -> int:
    """24-bit PCM for editing masters: samples [fed, until) as s32 frames (the encoder keeps 24 bits)."""
    if until <= fed:
        return fed
    chunk = np.zeros((until - fed, 2), np.float32)
    have = audio[fed:until]
    chunk[: len(have)] = have
    ints = (np.clip(chunk, -1.0, 1.0 - 2 ** -23) * 2 ** 31).astype(np.int32)
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(ints.reshape(1, -1)), format="s32", layout="stereo")
    frame.sample_rate = sample_rate
    frame.pts = fed
    frame.time_base = Fraction(1, sample_rate)
    for packet in stream.encode(frame):
        container.mux(packet)
    return until


def _check_int(name: str, value: int, *, minimum: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_frame(rgb: np.ndarray, index: int, width: int, height: int) -> np.ndarray:
    rgb = np.asarray(rgb)
    if rgb.shape != (height, width, 3):
        raise ValueError(f"frame {index} has shape {rgb.shape}, expected ({height}, {width}, 3)")
    if rgb.dtype != np.uint8:
        raise ValueError(f"frame {index} has dtype {rgb.dtype}, expected uint8")
    return np.ascontiguousarray(rgb)


class _AudioBlocks:
    """A track given as an iterator of ``(n, 2)`` blocks, sliced forward like an array.

    ``blocks[a:b]`` returns samples ``[a, b)`` (shorter, or empty, past the end of the
    track); each slice must start at or after the previous one's start, which is how
    `_AudioFeed` reads. Only the samples not yet handed out are kept, so memory is one
    block plus one AAC frame whatever the track's length.
    """

    def __init__(self, blocks: Iterable[np.ndarray]) -> None:
        self._blocks = iter(blocks)
        self._start = 0  # sample index of self._buffer[0]
        self._buffer = np.zeros((0, 2), np.float32)
        self._ended = False

    def __getitem__(self, span: slice) -> np.ndarray:
        a, b = span.start or 0, span.stop
        if a < self._start:
            raise ValueError(f"audio blocks are read forward only: sample {a} was already handed out")
        while not self._ended and self._start + len(self._buffer) < b:
            block = next(self._blocks, None)
            if block is None:
                self._ended = True
            elif len(block):
                self._buffer = np.concatenate([self._buffer, _as_stereo(block)])
        self._buffer = self._buffer[a - self._start:]
        self._start = a
        return self._buffer[: max(0, b - a)]


def audio_source(audio: np.ndarray | Iterable[np.ndarray]) -> np.ndarray | _AudioBlocks:
    """A whole track as a float32 stereo array, or an iterator of blocks as a forward reader."""
    if isinstance(audio, (np.ndarray, list, tuple)):
        return _as_stereo(audio)
    return _AudioBlocks(audio)


def _as_stereo(audio: np.ndarray) -> np.ndarray:
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.ndim != 2 or samples.shape[1] not in (1, 2):
        raise ValueError(f"audio must be (samples, 2) float32, got shape {np.shape(audio)}")
    if samples.shape[1] == 1:
        samples = np.repeat(samples, 2, axis=1)
    return samples


def _check_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    tags: dict[str, str] = {}
    for key, value in (metadata or {}).items():
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise ValueError(f"metadata must map non-empty strings to strings, got {key!r}: {type(value).__name__}")
        if "\x00" in key or "\x00" in value:
            # FFmpeg's dictionaries are C strings; a NUL would silently cut the value.
            raise ValueError(f"metadata {key!r} contains a NUL character")
        tags[key] = value
    return tags

