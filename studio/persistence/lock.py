"""One writer per bundle: an advisory lock file that a crash cannot leave stuck.

Two `studio render` runs of one project used to each save their own copy of
project.json, so one run's takes vanished. A writer (an export, the window's
save) now holds ``NAME.studio/.studio.lock`` with ``fcntl.flock``: the kernel
drops the lock when the process ends, however it ends, so a killed render
never locks the project for good. The holder writes its pid and what it is
doing into the file, so the refused process can name it.

The lock is re-entrant within one process (the window's export thread and its
save share it).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Iterator

from studio.persistence.bundle import ProjectFileError, bundle_path

LOCK_FILE = ".studio.lock"

_held: dict[str, tuple[int, int]] = {}
"""realpath of a bundle -> (fd, depth) for the locks this process holds."""
_guard = threading.Lock()


class BundleBusy(ProjectFileError):
    """Another process is writing this bundle."""


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096).decode("utf-8") or "{}")
        return f"{info.get('what', 'another Studio process')} (pid {info.get('pid', '?')}, since {info.get('since', '?')})"
    except (OSError, ValueError, AttributeError):
        return "another Studio process"


def _open_lock(bundle: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(bundle / LOCK_FILE, flags, 0o600)
    except OSError as exc:
        raise ProjectFileError(bundle / LOCK_FILE, f"cannot open the project's lock file ({exc.strerror or exc})") from exc


@contextlib.contextmanager
def bundle_lock(path: str | os.PathLike[str], what: str) -> Iterator[None]:
    """Hold the bundle's write lock for the block, or raise BundleBusy naming the process that holds it."""
    import fcntl

    bundle = bundle_path(path)
    key = os.path.realpath(bundle)
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            owned = False
        else:
            fd = _open_lock(bundle)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fd)
                os.close(fd)
                raise BundleBusy(bundle, f"is being written by {holder}; wait for it to finish (or stop it), "
                                         "then try again — two writers at once would lose takes") from None
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps({"pid": os.getpid(), "what": what,
                                     "since": time.strftime("%Y-%m-%d %H:%M:%S")}).encode())
            _held[key] = (fd, 1)
            owned = True
    try:
        yield
    finally:
        with _guard:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                os.close(fd)  # closing the descriptor releases the flock
        del owned


def lock_holder(path: str | os.PathLike[str]) -> str | None:
    """Who holds the bundle's lock, when another process does (None when it is free or ours)."""
    import fcntl

    bundle = bundle_path(path)
    if os.path.realpath(bundle) in _held or not (bundle / LOCK_FILE).is_file():
        return None
    fd = _open_lock(bundle)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder(fd)
    finally:
        os.close(fd)
    return None
