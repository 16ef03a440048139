"""Take masters: the engine's frames stored exactly, streamed in and out.

A take's master is the one copy of a generated shot that every later step reads
(export, player, thumbnails, continuity, sync-check, the farm's transfer). It is
lossless — H.264 in RGB at ``qp 0`` (libx264rgb, High 4:4:4 Predictive) in an MP4,
so it decodes to exactly the bytes the engine made — and written one frame at a
time as the engine makes them, so a take is never held whole in memory. The
format was chosen by `benchmarks/bench_master.py` (write + read speed and size at
720p on Sketch frames, side by side with FFV1, Ut Video, MagicYUV and raw).

Old projects keep working unchanged: their takes are lossy H.264 MP4s under the
same ``take_<id>.mp4`` names, and every reader decodes both the same way.

`MasterWriter` writes into a hidden partial file (``.NAME.partial-<hex>.mp4``, the
name the bundle sweep knows) and `MasterWriter.finish` turns it into a
`TakeMaster`: a small handle (path, frame count, size, fps, the last frame) that
owns the file until `TakeMaster.adopt` renames it to its final name. A writer
left by an error or a cancel removes its partial file; a handle dropped without
being adopted removes its file too. Pickled (a farm worker returning its result)
a handle carries the file's bytes, and is restored into a local spool file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from studio.media._atomic import atomic_output, check_destination_folder, fsync_file, media_errors, partial_path
from studio.media.errors import MediaError

if TYPE_CHECKING:  # PyAV and numpy load with the first frame written or read, not with the engine protocol
    import numpy as np

__all__ = ["MASTER_CODEC", "MasterSpool", "MasterWriter", "TakeMaster", "write_master", "is_lossless_master"]

MASTER_CODEC = "libx264rgb"
MASTER_OPTIONS = {"qp": "0", "preset": "ultrafast"}
"""Lossless (qp 0) and the fastest preset: Sketch frames are flat drawings, which compress well anyway."""

_SPOOL_NAME = "take_master"


def _spool_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / f"studio-masters-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class TakeMaster:
    """A finished master file: ``frames`` frames of ``width``×``height`` at ``fps``.

    ``last_frame`` is kept (small, and what the next shot's continuity starts from).
    Until `adopt` is called the handle owns its file and deletes it when dropped.
    """

    def __init__(self, path: Path, *, frames: int, width: int, height: int, fps: int,
                 last_frame: np.ndarray | None = None, owned: bool = True) -> None:
        self.path = Path(path)
        self.frames = int(frames)
        self.width = int(width)
        self.height = int(height)
        self.fps = int(fps)
        self.last_frame = last_frame
        self._finalizer = weakref.finalize(self, _unlink_quietly, str(self.path)) if owned else None

    def __repr__(self) -> str:
        return f"TakeMaster({self.path.name}, {self.frames} frames, {self.width}x{self.height} @ {self.fps})"

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size

    @property
    def owned(self) -> bool:
        return self._finalizer is not None and self._finalizer.alive

    def read(self, *, max_frames: int | None = None) -> Iterator[np.ndarray]:
        """The frames in order, one at a time (decoded as they are asked for)."""
        from studio.media.decode import read_frames

        return read_frames(self.path, max_frames=max_frames)

    def frames_at(self, indices: Iterable[int]) -> dict[int, np.ndarray]:
        """Only the frames at ``indices`` (one pass over the file; the others are not kept)."""
        wanted = set(int(i) for i in indices)
        out: dict[int, np.ndarray] = {}
        if not wanted:
            return out
        last = max(wanted)
        for i, frame in enumerate(self.read(max_frames=last + 1)):
            if i in wanted:
                out[i] = frame
        return out

    def read_all(self) -> np.ndarray:
        """Every frame as one N×H×W×3 array: for tests and tiny takes only (a long take does not fit)."""
        import numpy as np
        return np.stack(list(self.read()))

    def adopt(self, destination: str | os.PathLike[str]) -> Path:
        """Move the file to ``destination`` (atomically; copied when on another disk) and stop owning it."""
        dest = Path(destination).absolute()
        if not self.owned:
            raise MediaError(f"Could not store {self.path}: this master was already stored as {self.path.name}.")
        check_destination_folder(dest)
        try:
            os.replace(self.path, dest)
        except OSError:
            # Another filesystem (the spool folder is in /tmp): copy beside the destination, then rename.
            with atomic_output(dest) as tmp:
                with media_errors(dest, "write"):
                    shutil.copyfile(self.path, tmp)
            _unlink_quietly(str(self.path))
        assert self._finalizer is not None
        self._finalizer.detach()
        self.path = dest
        return dest

    def discard(self) -> None:
        """Delete the file now (when the handle owns it)."""
        if self._finalizer is not None:
            self._finalizer()

    def __reduce__(self):
        # Crossing a process boundary (a farm worker's result): the bytes travel with the handle.
        with media_errors(self.path, "read"):
            data = self.path.read_bytes()
        return (_restore_master, (data, self.frames, self.width, self.height, self.fps, self.last_frame))


def _restore_master(data: bytes, frames: int, width: int, height: int, fps: int,
                    last_frame: np.ndarray | None) -> TakeMaster:
    path = partial_path(_spool_folder() / f"{_SPOOL_NAME}.mp4")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except BaseException:
        _unlink_quietly(str(path))
        raise
    return TakeMaster(path, frames=frames, width=width, height=height, fps=fps, last_frame=last_frame)


class MasterWriter:
    """Encodes frames into a master as they arrive; `finish` hands over the file, `abort` removes it.

    Used as a context manager, an exception (a cancel included) aborts.
    """

    def __init__(self, folder: str | os.PathLike[str] | None, width: int, height: int, fps: int, *,
                 on_frame: Callable[[np.ndarray], None] | None = None) -> None:
        from fractions import Fraction  # here with PyAV: the window's start imports this module, not them

        import av
        import numpy

        self._av, self._np = av, numpy  # for the per-frame `add`, without an import statement per frame
        if width < 1 or height < 1 or fps < 1:
            raise ValueError(f"a master needs a positive size and frame rate, got {width}x{height} @ {fps}")
        self._time_base = Fraction(1, fps)
        folder = Path(folder) if folder is not None else _spool_folder()
        self.width, self.height, self.fps = int(width), int(height), int(fps)
        self.path = partial_path(folder.absolute() / f"{_SPOOL_NAME}.mp4")
        self.count = 0
        self._on_frame = on_frame
        self._last = None  # the last frame's own copy, as the encoder got it (a VideoFrame)
        self._done = False
        check_destination_folder(self.path)
        with media_errors(self.path, "write"):
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            os.close(fd)
        try:
            with media_errors(self.path, "write"):
                # No faststart: that would rewrite the whole file once more at the end. The
                # movie timescale is the frame rate, so N frames last exactly N / fps seconds.
                self._container = av.open(str(self.path), mode="w", format="mp4",
                                          options={"movie_timescale": str(self.fps)})
                stream = self._container.add_stream(MASTER_CODEC, rate=self.fps, options=dict(MASTER_OPTIONS))
                stream.width, stream.height, stream.pix_fmt = self.width, self.height, "rgb24"
                ctx = stream.codec_context
                ctx.time_base = self._time_base
                ctx.thread_count = 0
                ctx.thread_type = "FRAME"
                self._stream = stream
        except BaseException:
            _unlink_quietly(str(self.path))
            raise

    def __enter__(self) -> "MasterWriter":
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is not None:
            self.abort()

    def add(self, frame: np.ndarray) -> None:
        """Encode one H×W×3 uint8 RGB frame (copied: the caller may reuse its buffer)."""
        av, np = self._av, self._np
        if self._done:
            raise ValueError(f"the master {self.path.name} is already finished")
        rgb = np.asarray(frame)
        if rgb.shape != (self.height, self.width, 3) or rgb.dtype != np.uint8:
            raise ValueError(f"frame {self.count} is {rgb.shape} {rgb.dtype}, expected ({self.height}, {self.width}, 3) uint8")
        with media_errors(self.path, "write"):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            vf.pts = self.count
            vf.time_base = self._time_base
            for packet in self._stream.encode(vf):
                self._container.mux(packet)
        self._last = vf  # its pixels are a copy: the caller may draw over ``rgb`` as soon as this returns
        self.count += 1
        if self._on_frame is not None:
            self._on_frame(rgb)  # e.g. an export encoding the frames as they are drawn

    def add_many(self, frames: Iterable[np.ndarray]) -> None:
        for frame in frames:
            self.add(frame)

    def finish(self) -> TakeMaster:
        """Flush and close; the file becomes a `TakeMaster` (which owns it from now on)."""
        np = self._np
        if self._done:
            raise ValueError(f"the master {self.path.name} is already finished")
        if self.count == 0:
            self.abort()
            raise ValueError("a take needs at least one frame")
        try:
            with media_errors(self.path, "write"):
                for packet in self._stream.encode(None):
                    self._container.mux(packet)
                self._container.close()
                fsync_file(self.path)
        except BaseException:
            self.abort()
            raise
        self._done = True
        last = np.array(self._last.to_ndarray(format="rgb24"), copy=True)
        self._last = None
        return TakeMaster(self.path, frames=self.count, width=self.width, height=self.height, fps=self.fps,
                          last_frame=last)

    def abort(self) -> None:
        """Stop and remove the partial file (nothing is left behind)."""
        if self._done:
            return
        self._done = True
        try:
            self._container.close()
        except Exception:
            pass
        _unlink_quietly(str(self.path))


class MasterSpool:
    """Where an engine's writers put their masters until a take adopts them (``None``: a private temp folder).

    The services layer points it at the bundle's media folder, so storing the take is a rename.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None, *,
                 on_frame: Callable[[np.ndarray], None] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.on_frame = on_frame
        """Called with each frame once it is in the master (on the engine's thread; it must not keep the array)."""

    def open(self, width: int, height: int, fps: int) -> MasterWriter:
        if self.folder is not None:
            if self.folder.is_symlink():  # never write through a link out of the project
                raise MediaError(f"Could not write a take into {self.folder}: it is a link; Studio writes only inside the project.")
            with media_errors(self.folder, "write"):
                self.folder.mkdir(exist_ok=True)
        return MasterWriter(self.folder, width, height, fps, on_frame=self.on_frame)


def write_master(folder: str | os.PathLike[str] | None, frames: Iterable[np.ndarray], fps: int, *,
                 width: int | None = None, height: int | None = None,
                 should_stop: Callable[[], None] | None = None) -> TakeMaster:
    """A master of ``frames`` (any iterable; sized from the first frame when no size is given)."""
    import numpy as np
    it = iter(frames)
    first = next(it, None)
    if first is None:
        raise ValueError("a take needs at least one frame")
    first = np.asarray(first)
    h, w = (height, width) if width and height else first.shape[:2]
    with MasterWriter(folder, w, h, fps) as writer:
        writer.add(first)
        for frame in it:
            if should_stop is not None:
                should_stop()
            writer.add(frame)
        return writer.finish()


def is_lossless_master(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a lossless RGB master (new takes) rather than a lossy H.264 take (old projects)."""
    from studio.media.decode import probe

    info = probe(path)
    return info.video_codec == "h264" and (info.pix_fmt or "").startswith("gbr")
