"""Keep the window's memory from creeping up over a working session (glibc's allocator).

A take's frames, an export's buffers and a project's decoded stems are large blocks made and
freed by worker threads (engine, player, exporter, thumbnails, waveforms). glibc gives each
such thread its own arena (up to 8 per core) and keeps what is freed there; nothing stays
alive, yet the resident size only grew: the soak measured +35 to +75 MiB a loop with every
widget, pixmap and Python object count flat, and flat RSS with ``MALLOC_ARENA_MAX=2``.
`tune_allocator` caps the arenas (what the environment variable does) unless the user set
it; `release_free_memory` hands free pages back (``malloc_trim``) after a project opens and
after an export, on a helper thread.

A render does the same while its frames stream (`studio.heap.trimming`, every `FRAMES_PER_TRIM` frames): a
frame's buffers (the engine's, the export's copy, the encoders' YUV) are made on one thread and
freed on another, and glibc returns a heap's free memory only from its top, so the free holes
between them kept growing. Rendering one 1280x720 Sketch shot in an export grew ~10 KB a frame
(607 -> 639 MiB over 3,240 frames) with its Python memory flat (tracemalloc) and the same growth
under ``MALLOC_ARENA_MAX=2``; trimmed every 24 frames it stays flat (575 -> 584 MiB), ~7 ms a trim.
A fixed ``M_MMAP_THRESHOLD`` (every large buffer its own mapping) flattened it too, at four times
the system time (a page fault per 4 KB of every frame buffer). The sound design trims between its
30 s bed segments for the same reason (`studio.heap.trim_now`, below every layer).
"""

from __future__ import annotations

import logging
import os
import threading

from studio.heap import glibc as _glibc, trim_now

log = logging.getLogger(__name__)
_running = threading.Lock()


M_ARENA_MAX = -8
ARENAS = 2


def tune_allocator() -> bool:
    """Cap glibc's malloc arenas at ARENAS (before the worker threads start); False where not applied."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False  # the user's choice
    lib = _glibc()
    return bool(lib) and lib.mallopt(M_ARENA_MAX, ARENAS) == 1


def _trim() -> None:
    try:
        trim_now()
    finally:
        _running.release()


def release_free_memory() -> bool:
    """Start one trim on a helper thread (none while one runs); False where there is no glibc."""
    if not _glibc() or not _running.acquire(blocking=False):
        return False
    threading.Thread(target=_trim, name="studio-trim", daemon=True).start()
    return True
