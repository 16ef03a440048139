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
    if not bundle.is_dir():
        raise ProjectFileError(bundle, "no such project" if not bundle.exists() else "not a Studio project (a file, not a folder)")
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


# --------------------------------------------------------------------------- stale temporary files

import re  # noqa: E402

_PARTIAL = re.compile(r"\.(?P<stem>.+)\.partial-[0-9a-f]{12}(?P<suffix>\.[A-Za-z0-9]+)?")
"""studio.media._atomic.partial_path: ``.NAME.partial-<12 hex>.EXT``."""
_TMP = re.compile(r"\.(?P<name>[^/]+)\.[A-Za-z0-9_]{8}\.tmp")
"""studio.persistence.bundle.atomic_write_bytes (mkstemp): ``.NAME.<8 chars>.tmp``."""
STALE_AFTER_S = 120.0
"""A temporary file this old is no writer's work in progress (writers keep writing, or finish in seconds)."""


def _sweep(folder: Path, match, now: float, min_age: float) -> list[str]:
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        try:
            if not match(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime < min_age:
                continue
            os.unlink(entry.path)
            removed.append(entry.name)
        except OSError:
            continue  # gone already, or not ours to delete: never fail a load or an export for it
    return removed


def sweep_stale_temp_files(path: str | os.PathLike[str], *, min_age: float = STALE_AFTER_S) -> list[str]:
    """Delete the temporary files killed saves and renders left in a bundle (``.partial-*``, ``.tmp``).

    Only Studio's own temporary names, only regular files (never links), only in the bundle folder and
    its real (not linked) media/ folder, only when this process holds the bundle's lock or can take it.
    """
    bundle = bundle_path(path)
    if not bundle.is_dir() or lock_holder(bundle) is not None:
        return []
    now = time.time()

    def ours(name: str) -> bool:
        return bool(_PARTIAL.fullmatch(name) or _TMP.fullmatch(name))

    removed = _sweep(bundle, ours, now, min_age)
    media = bundle / "media"
    if media.is_dir() and not media.is_symlink():
        removed += [f"media/{n}" for n in _sweep(media, ours, now, min_age)]
    return removed


def sweep_stale_partials(destination: Path, *, min_age: float = STALE_AFTER_S) -> list[str]:
    """Delete stale partial files of an export to ``destination`` (its own name only) left by a killed export."""
    destination = Path(destination).absolute()

    def ours(name: str) -> bool:
        m = _PARTIAL.fullmatch(name)
        return bool(m and m["stem"] == destination.stem and (m["suffix"] or "") == destination.suffix)

    return _sweep(destination.parent, ours, time.time(), min_age)
