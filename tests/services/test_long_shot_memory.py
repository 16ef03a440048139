"""A long shot renders and exports in bounded memory: its peak RSS does not grow with its length.

Each export runs in a child process (its peak resident set from wait4's ru_maxrss):
one Sketch shot of 60 s and of 180 s, both long enough for the sound design to go in
30 s segments (a shorter shot is designed whole, another working set). The picture
streams into the take's master and the encoder; the sound is designed, stored, mixed and
mastered in blocks, and what each frame and bed segment frees goes back to the system
(`studio.services.memory`), so three times the length costs no more memory.
The delivered file still keeps its true-peak promise, measured by ffmpeg's meter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.ebur128 import ffmpeg_loudness

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SHORT_S, LONG_S = 60, 180
MAX_GROWTH_MIB = 50
"""Most the peak RSS may grow from a 60 s to a 180 s shot. Measured (320x180, this test's shot):
+2 MiB (437 -> 439) on the branch that added the trims, but +27 to +39 MiB in 4 of 7 runs of the
same tree since (e.g. 355 -> 383, 360 -> 390), under +25 in the others: glibc's heap layout
swings the peak by ~35 MiB from run to run, so a bound of 25 failed by chance. +48 MiB before
freed frame buffers and bed segments were trimmed (428 -> 476) is within that noise here (the
per-frame trim is asserted exactly by tests/services/test_heap_trim.py); what this catches is
whole-length sound (about +1200 MiB), or anything else that grows by more than ~0.4 MiB a
second of shot."""

_CHILD = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from studio.persistence.bundle import save_project
    from studio.services.export import export_project
    from tests.support.projects import small_project

    folder, seconds = Path(sys.argv[1]), float(sys.argv[2])
    project = small_project('Mei says "good morning, everyone" and walks across the park {sfx: footsteps} '
                            '{ambience: birds}', frames=int(seconds * 24), size=(320, 180))
    bundle = save_project(project, folder / "long.studio")
    report = export_project(project, bundle, folder / "long.mp4")
    print(json.dumps({"lufs": report.loudness_lufs, "peak": report.true_peak_db, "seconds": report.seconds}))
""")


def _export_in_child(folder: Path, seconds: float) -> tuple[int, dict]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), STUDIO_DATA_DIR=str(folder / "data"),
               STUDIO_LOG_DIR=str(folder / "logs"), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(folder), str(seconds)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()  # type: ignore[union-attr]
    assert os.waitstatus_to_exitcode(status) == 0, err[-3000:]
    return usage.ru_maxrss * 1024, json.loads(out.strip().splitlines()[-1])


def test_a_long_shot_exports_in_bounded_memory(tmp_path):
    (tmp_path / "short").mkdir()
    (tmp_path / "long").mkdir()
    short_rss, _ = _export_in_child(tmp_path / "short", SHORT_S)
    long_rss, report = _export_in_child(tmp_path / "long", LONG_S)
    growth = (long_rss - short_rss) / 2**20
    assert growth < MAX_GROWTH_MIB, (f"peak RSS {short_rss / 2**20:.0f} MiB at {SHORT_S} s, "
                                     f"{long_rss / 2**20:.0f} MiB at {LONG_S} s")
    # The delivered sound: the whole length, under the true-peak ceiling, as loud as the report says.
    from studio.media.decode import read_audio

    decoded, rate = read_audio(tmp_path / "long" / "long.mp4")
    assert abs(decoded.shape[0] / rate - LONG_S) < 0.05
    lufs, peak = ffmpeg_loudness(tmp_path / "long" / "long.mp4")
    assert peak <= -1.0
    assert report["peak"] <= -1.0 and lufs == pytest.approx(report["lufs"], abs=0.5)
