"""Once the window is up, a full garbage collection walks a bounded number of objects, whatever was imported."""

from __future__ import annotations

import gc
import threading

from studio.engine.runner import FULL_PASS_OBJECTS


def test_the_settled_window_keeps_full_collections_short(window, qtbot):
    qtbot.waitUntil(lambda: window._editor_built, timeout=30000)  # built right after the first frame
    qtbot.waitUntil(lambda: not any(t.name == "warm-imports" for t in threading.enumerate()), timeout=30000)
    # In a process that imported torch and diffusers (the test process, after the diffusion tests) the
    # oldest generation held ~450,000 objects and a full pass took over a second on the UI thread;
    # after the window settles, what a full pass walks stays under the bound.
    walked = len(gc.get_objects(generation=2))
    assert walked < FULL_PASS_OBJECTS * 1.5, (walked, gc.get_freeze_count())
