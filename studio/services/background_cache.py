"""A keyed cache whose misses are computed on one daemon thread, bounded by an LRU capacity.

The window's thumbnails (a take's first frame) and the timeline's waveforms (a stem's
peaks) are both "read a file named by its id, once, off the UI thread": ``request(key)``
returns the cached value or None and queues the key; one background thread runs
``compute(key)``; the result comes back to the cache's own thread by a queued signal,
where ``convert`` may turn it into what only that thread may build (a QPixmap), is
stored, and ``ready(key)`` is emitted. A key is computed once however often it is asked
for while pending. The cache keeps at most ``capacity`` values, dropping the least
recently used: a working session opens project after project, and each take's files are
new keys.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class BackgroundCache(QObject):
    """``request(key)`` returns the cached value or None, and computes it on one background thread."""

    ready = Signal(str)
    """The key whose value is now cached (emitted on the cache's thread)."""
    _computed = Signal(str, object)

    def __init__(self, compute: Callable[[str], Any], *, name: str, capacity: int,
                 convert: Callable[[str, Any], Any] | None = None, parent: QObject | None = None) -> None:
        """``compute(key)`` runs on the background thread and returns the value, or None for
        "nothing to cache" (no ``ready`` then); an exception it raises is logged and counts as None.
        ``convert(key, value)`` runs on the cache's thread before the value is stored."""
        super().__init__(parent)
        self._compute = compute
        self._convert = convert
        self._name = name
        self.capacity = capacity
        self._cache: "OrderedDict[str, Any]" = OrderedDict()
        self._pending: set[str] = set()
        self._queue: "queue.Queue[str | None]" = queue.Queue()
        self._thread: threading.Thread | None = None
        self._computed.connect(self._store)

    def __len__(self) -> int:
        return len(self._cache)

    def keys(self) -> list[str]:
        return list(self._cache)

    def get(self, key: str) -> Any:
        """The cached value (None when absent); does not compute."""
        return self._cache.get(key)

    def request(self, key: str) -> Any:
        """The cached value, or None after queueing its computation (once per key)."""
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        if key not in self._pending:
            self._pending.add(key)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put(key)
        return None

    def put(self, key: str, value: Any) -> Any:
        """Store ``value`` under ``key`` now (made on this thread); returns it."""
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > self.capacity:
            self._cache.popitem(last=False)
        return value

    def discard(self, key: str) -> None:
        self._cache.pop(key, None)

    def discard_where(self, predicate: Callable[[str], bool]) -> int:
        """Drop every cached key for which ``predicate(key)`` is true; how many were dropped."""
        gone = [k for k in self._cache if predicate(k)]
        for k in gone:
            del self._cache[k]
        return len(gone)

    def pending(self) -> int:
        return len(self._pending)

    def shutdown(self) -> None:
        """Stop the background thread (a later ``request`` starts a new one)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(2.0)
            self._thread = None

    def _run(self) -> None:  # the background thread
        while True:
            key = self._queue.get()
            if key is None:
                return
            try:
                value = self._compute(key)
            except Exception as exc:  # one unreadable file never stops the others
                log.info("%s: %s failed: %s", self._name, key, exc)
                value = None
            self._computed.emit(key, value)

    def _store(self, key: str, value: Any) -> None:
        self._pending.discard(key)
        if value is None:
            return
        if self._convert is not None:
            value = self._convert(key, value)
        self.put(key, value)
        self.ready.emit(key)
