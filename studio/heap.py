"""The process's C heap (glibc's malloc): hand its free pages back to the system.

Below every layer (the standard library only), so that the sound design, which frees a
30 s bed segment at a time, and the services, which stream a render's frames, trim the
same way. `studio.services.memory` explains why Studio trims and where.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Callable, TypeVar

log = logging.getLogger(__name__)
_libc = None


def glibc():
    """glibc's C library (``malloc_trim`` and ``mallopt`` typed), or False where there is none."""
    global _libc
    if _libc is None:
        _libc = False
        if sys.platform.startswith("linux"):
            try:
                lib = ctypes.CDLL("libc.so.6")
                lib.malloc_trim.argtypes = [ctypes.c_size_t]
                lib.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
                _libc = lib
            except (OSError, AttributeError):
                pass
    return _libc


def trim_now() -> bool:
    """Hand glibc's free pages back to the system now, on this thread; False where there is no glibc."""
    lib = glibc()
    if not lib:
        return False
    try:
        lib.malloc_trim(0)
    except Exception as exc:  # never worth more than a log line
        log.debug("malloc_trim failed: %s", exc)
        return False
    return True


FRAMES_PER_TRIM = 24
"""Frames between two trims while a render streams its frames (one second of video at 24 fps)."""

_T = TypeVar("_T")


def trimming(on_frame: Callable[[_T], None] | None, every: int = FRAMES_PER_TRIM) -> Callable[[_T], None]:
    """``on_frame`` (or nothing), then `trim_now` after every ``every``-th frame: a render's frame
    callback under which its resident size stays flat however long the shot (see `studio.services.memory`)."""
    count = 0

    def each(frame: _T) -> None:
        nonlocal count
        if on_frame is not None:
            on_frame(frame)
        count += 1
        if count % every == 0:
            trim_now()

    return each
