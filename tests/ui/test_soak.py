"""Soak: the real window, in its own process, through at least 2 minutes and 3 loops of a working session.

Each loop (see tests/ui/soak.py) opens a fresh copy of the English example, generates
every shot with the Sketch engine, plays, seeks, cancels a job mid-render, undoes and
redoes, switches to Japanese and back, opens the Feed and goes back, and exports an MP4.
The example renders at 320×180 here so that several loops fit in CI; the 20-minute run
(benchmarks/bench_soak.py) uses its own 1280×720.

Bounds (measured first: tests/ui/soak.py and README's figures):
- alive: exit 0 and a final report, with exactly 3 loops done (the same span on an idle or a
  loaded machine);
- nothing of one loop is kept by the next: from the end of loop 2 to the end of loop 3 the
  window's widgets (less the Feed's video cards: the feed rightly grows by one video per
  export) and QLabels do not grow at all, and the QPixmaps Python holds by at most
  PIXMAP_SLACK (a preview or thumbnail in flight). Before the fix the pixmaps grew ~45 a loop
  (every take's thumbnail, every drawn tile and waveform of earlier projects was kept);
- RSS growth from the end of loop 2 to the end of loop 3 under RSS_PER_LOOP_BOUND_KIB (40 MiB),
  and from loop 1 to loop 3 under RSS_GROWTH_BOUND_KIB (150 MiB: loop 1 → 2 warms the Feed, the
  exporter and the Japanese fonts once). Measured after the fix at 320×180: 418, 413, 414 MiB
  at the ends of loops 1-3 (before: +57 to +74 MiB a loop); the 10-minute run at 640×360 stays at
  406 MiB over 14 loops (before: +34 MiB a loop);
- the None refcount never falls from one loop to the next by more than 1000 (PySide6 6.12
  on Python 3.11 drops about one per void Qt call: tens of thousands per loop);
- no gap of the 5 ms UI-thread heartbeat in which the UI thread itself spent > 100 ms of CPU,
  outside opening a project and switching the language (a gap is named by every step it spans;
  the driver's own per-loop counting is not charged to the window) (one-off, user-initiated work that
  reads a project or rebuilds every widget's text; reported, see README). Generating is
  covered: the engine bridge coalesces progress and previews per job, so a UI thread held
  off the core handles one update per job, not a backlog each with its repaint. Wall-clock
  gaps are reported, not asserted: on a shared 2-core machine the OS holds the process off
  the core for longer than that without any of our code running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.soak import parse_report

ROOT = Path(__file__).resolve().parents[2]
KNOWN_BLOCKING_STEPS = ("open_project", "to_japanese", "to_english")
RSS_GROWTH_BOUND_KIB = 150 * 1024
RSS_PER_LOOP_BOUND_KIB = 40 * 1024
PIXMAP_SLACK = 4


@pytest.mark.slow
def test_the_window_survives_a_soak(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    proc = subprocess.run([sys.executable, "-m", "tests.ui.soak", "--seconds", "120", "--min-loops", "3", "--max-loops", "3",
                           "--canvas", "320x180"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    report = parse_report(proc.stdout)
    print(json.dumps(report, indent=1))  # shown when the test fails
    tail = (proc.stdout[-3000:] + proc.stderr[-3000:])
    assert proc.returncode == 0 and report is not None, f"the window died (exit {proc.returncode}):\n{tail}"
    assert report["ok"] and not report["errors"], report["errors"]
    assert report["loops"] >= 3, report
    assert report["rss_growth_kib"] < RSS_GROWTH_BOUND_KIB, report["rss_per_loop_kib"]
    refs = report["none_refs_per_loop"]
    assert all(b - a > -1000 for a, b in zip(refs, refs[1:])), refs
    # Loop 2 -> loop 3: a loop leaves nothing behind.
    widgets, labels, pixmaps = report["widgets_per_loop"], report["labels_per_loop"], report["pixmaps_per_loop"]
    assert widgets[-1] - widgets[1] <= 0, ("widgets kept from loop to loop", widgets)
    assert labels[-1] - labels[1] <= 0, ("QLabels kept from loop to loop", labels)
    assert pixmaps[-1] - pixmaps[1] <= PIXMAP_SLACK, ("QPixmaps kept from loop to loop", pixmaps)
    rss = report["rss_per_loop_kib"]
    assert rss[-1] - rss[1] < RSS_PER_LOOP_BOUND_KIB, rss
    stalls = [(ms, step) for ms, step in report["gaps_over_100_cpu"]
              if not any(part.endswith(KNOWN_BLOCKING_STEPS) for part in step.split(" > "))]
    assert not stalls, (stalls, report["cpu_stall_stacks"])
