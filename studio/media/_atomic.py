"""Atomic file replacement shared by every writer in the media layer.

A writer produces its output in a hidden temporary file beside the destination
(same folder, so the final ``os.replace`` is a rename on one filesystem), the
temporary file is fsynced, then renamed over the destination. Whatever goes
wrong before the rename, the temporary file is removed and a file already at
the destination is untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path
from typing import Iterator


from studio.media.errors import MediaError

_PERMISSION_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


def open_regular(path: Path):
    """``path`` opened for binary reading, only if it is a regular file (never blocks on a FIFO).

    A FIFO, socket or device in media/ used to hang `info` and `render` forever in open():
    the file is opened non-blocking, checked with fstat, and only then read normally.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise MediaError(describe_os_error(exc, path, "read")) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "a FIFO, socket or device"
            raise MediaError(f"Could not read {path}: it is {what}, not a regular file; Studio reads only regular files.")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def describe_os_error(exc: BaseException, path: Path, action: str = "write") -> str:
    """A user-facing sentence for an OS-level failure on ``path``."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"Could not {action} {path}: the disk is full. Free some space and try again."
    if code in _PERMISSION_ERRNOS and action == "read":
        return f"Could not read {path}: permission denied."
    if code in _PERMISSION_ERRNOS:
        return f"Could not {action} {path}: permission denied (the folder is read-only or not yours). Choose another folder."
    if code == errno.ENOENT:
        missing = "file" if action == "read" else "folder"
        return f"Could not {action} {path}: the {missing} does not exist."
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"Could not {action} {path}: {reason}."


@contextlib.contextmanager
def media_errors(path: Path, action: str = "write") -> Iterator[None]:
    """Turn FFmpeg and OS errors raised inside the block into a `MediaError` naming ``path``."""
    try:
        yield
    except MediaError:
        raise
    except OSError as exc:  # av.error.OSError (e.g. ENOSPC from a mux) is an OSError too
        raise MediaError(describe_os_error(exc, path, action)) from exc
    except Exception as exc:
        av = sys.modules.get("av")  # an FFmpeg error can only come from PyAV once it is loaded (not imported here:
        if av is not None and isinstance(exc, av.error.FFmpegError):  # the window's first frame needs no PyAV)
            raise MediaError(f"Could not {action} {path}: {exc.strerror or exc}.") from exc
        raise


def check_destination_folder(dest: Path) -> None:
    """Fail early, with a clear message, when ``dest`` cannot be created in its folder."""
    folder = dest.parent
    if not folder.exists():
        raise MediaError(f"Could not write {dest}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise MediaError(f"Could not write {dest}: {folder} is not a folder.")
    if dest.is_dir():
        raise MediaError(f"Could not write {dest}: a folder with that name is in the way.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise MediaError(f"Could not write {dest}: the folder {folder} is not writable. Choose another folder.")


def fsync_file(path: Path) -> None:
    """Flush a file's data to the disk (delayed-allocation errors such as ENOSPC surface here)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; some filesystems refuse, which is harmless.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def partial_path(dest: Path) -> Path:
    """A fresh hidden temporary name beside ``dest``: ``.NAME.partial-<random>.EXT``."""
    return dest.with_name(f".{dest.stem}.partial-{os.urandom(6).hex()}{dest.suffix}")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically.

    On any exception (including KeyboardInterrupt and cancels) the temporary file
    is deleted and the exception propagates; ``path`` is left as it was.
    """
    dest = Path(path).absolute()
    check_destination_folder(dest)
    tmp = partial_path(dest)
    try:
        # Create it exclusively now, so the name is ours and a permission problem shows up early.
        with media_errors(dest, "write"):
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies, like any new file
            os.close(fd)
        yield tmp
        with media_errors(dest, "write"):
            fsync_file(tmp)
            if dest.exists():
                # Keep the permissions of the file being replaced.
                os.chmod(tmp, dest.stat().st_mode & 0o7777)
            os.replace(tmp, dest)
        _fsync_folder(dest.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
