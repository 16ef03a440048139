"""Frames freed on another thread go back to the system while a render streams (glibc's heap).

A child process makes what a render makes: frame-sized buffers (2.7 MB, a 1280x720 RGB frame)
made on a worker thread, each beside a small buffer that outlives it (what the muxers and
Python keep), then freed on the main thread. glibc keeps such holes (it returns only a heap's
top), so the resident size stays up; `trim_now` hands them back, and `trimming` does it while
the frames pass, every `FRAMES_PER_TRIM` frames.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from studio.heap import FRAMES_PER_TRIM, trimming

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim (Linux)")

_CHILD = textwrap.dedent("""
    import json, sys, threading
    import numpy as np
    from studio.heap import trim_now, trimming

    def rss_mib():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) / 1024

    mode, count = sys.argv[1], int(sys.argv[2])
    frames, kept = [], []

    def make():
        # The first frame freed is a mapping of its own; freeing it raises glibc's mmap threshold
        # past a frame's size, so the next frames come from the thread's heap (as in a render).
        first = np.ones((720, 1280, 3), np.uint8)
        del first
        for i in range(count):
            frames.append(np.full((720, 1280, 3), i % 251, np.uint8))  # touched: resident
            kept.append(np.ones(4096, np.uint8))  # outlives the frame, past it in the heap

    t = threading.Thread(target=make)
    t.start()
    t.join()
    full = rss_mib()
    seen = []
    each = trimming(lambda frame: seen.append(int(frame[0, 0, 0])) if mode == "trimming" else None)
    while frames:
        frame = frames.pop(0)
        if mode == "trimming":
            each(frame)
        del frame
    freed = rss_mib()
    trimmed = trim_now() if mode == "trim" else None
    print(json.dumps({"full": full, "freed": freed, "after": rss_mib(), "trimmed": trimmed, "seen": seen}))
""")


def _child(mode: str, count: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", _CHILD, mode, str(count)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


FRAME_MIB = 720 * 1280 * 3 / 2**20


def test_freed_frame_buffers_stay_resident_until_trimmed():
    count = 60  # 158 MiB of frames
    plain = _child("none", count)
    trimmed = _child("trim", count)
    made = count * FRAME_MIB
    assert plain["full"] - plain["freed"] < 0.5 * made, plain  # freed, yet (mostly) still resident: the growth
    assert trimmed["trimmed"] is True
    assert trimmed["full"] - trimmed["after"] > 0.8 * made, trimmed  # handed back


def test_trimming_hands_back_as_the_frames_pass_and_sees_every_frame():
    count = 4 * FRAMES_PER_TRIM + 5
    out = _child("trimming", count)
    assert out["seen"] == [i % 251 for i in range(count)]  # every frame, in order, to the caller's callback
    # Trimmed every FRAMES_PER_TRIM frames: at most the frames since the last trim are left resident.
    assert out["full"] - out["freed"] > (count - FRAMES_PER_TRIM - 5) * FRAME_MIB, out


def test_trimming_without_a_callback_only_trims():
    each = trimming(None, every=2)
    for i in range(5):
        each(i)  # nothing to call; trims on the 2nd and 4th, and raises nothing
