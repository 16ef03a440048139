"""Once the window is up, full garbage collections do not walk what it imported (Qt, PyAV, numpy, ...)."""

from __future__ import annotations

import gc
import threading


def test_the_settled_window_keeps_its_imports_out_of_full_collections(window, qtbot):
    qtbot.waitUntil(lambda: not any(t.name == "warm-imports" for t in threading.enumerate()), timeout=30000)
    frozen = gc.get_freeze_count()
    walked = len(gc.get_objects(generation=2))
    # Every module the window and the first take need is imported and frozen by now; what a
    # full pass still walks is what the window made since, a fraction of it.
    assert frozen > 50_000 and walked < frozen / 2, (frozen, walked)
