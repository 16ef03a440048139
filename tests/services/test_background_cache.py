"""The keyed background cache shared by thumbnails and waveforms: computed once off the UI thread, LRU-bounded."""

from __future__ import annotations

import threading

from studio.services.background_cache import BackgroundCache


def test_computes_each_key_once_on_one_background_thread_and_keeps_the_most_recent(qtbot):
    calls: list[tuple[str, str]] = []

    def compute(key: str):
        calls.append((key, threading.current_thread().name))
        return None if key == "nothing" else key.upper()

    cache = BackgroundCache(compute, name="test-cache", capacity=2)
    try:
        assert cache.request("a") is None and cache.request("a") is None  # pending: asked twice, computed once
        with qtbot.waitSignals([cache.ready, cache.ready], timeout=5000):
            cache.request("b")
        assert cache.get("a") == "A" and cache.request("b") == "B"
        assert [k for k, _ in calls] == ["a", "b"]
        assert {name for _, name in calls} == {"test-cache"}  # never the caller's thread
        cache.request("a")  # touched: "b" is now the least recently used
        with qtbot.waitSignal(cache.ready, timeout=5000):
            cache.request("c")
        assert sorted(cache.keys()) == ["a", "c"] and len(cache) == 2
        # None means "nothing to cache": no ready, nothing stored, not pending any more.
        cache.request("nothing")
        qtbot.waitUntil(lambda: cache.pending() == 0, timeout=5000)
        assert cache.get("nothing") is None
        assert cache.discard_where(lambda k: k != "c") == 1 and cache.keys() == ["c"]
    finally:
        cache.shutdown()


def test_a_failing_compute_is_logged_and_the_thread_goes_on(qtbot):
    def compute(key: str):
        if key == "bad":
            raise OSError("unreadable")
        return 1

    cache = BackgroundCache(compute, name="test-cache-2", capacity=8)
    try:
        cache.request("bad")
        with qtbot.waitSignal(cache.ready, timeout=5000) as ready:
            cache.request("good")
        assert ready.args == ["good"] and cache.get("bad") is None and cache.pending() == 0
    finally:
        cache.shutdown()
