"""The long soak: the real window driven through working-session loops for N minutes; prints its figures.

    QT_QPA_PLATFORM=offscreen nice python benchmarks/bench_soak.py --minutes 20 [--canvas 320x180]

Runs tests/ui/soak.py in a child process (a crash is reported as an exit status) on the
English example at its own 1280×720 unless --canvas says otherwise. Prints loops done,
RSS at start / end of loop 1 / end of the last loop, growth, the None refcount per loop,
and the worst UI-thread gaps (wall clock, and the UI thread's own CPU in a gap) with the
step they fell in. Read the figures, not a verdict: the machines are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ui.soak import parse_report  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--canvas", default="", help="WxH (default: the example's own size)")
    ap.add_argument("--json", default="", help="also write the full report here")
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    cmd = [sys.executable, "-m", "tests.ui.soak", "--seconds", str(args.minutes * 60)]
    if args.canvas:
        cmd += ["--canvas", args.canvas]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    report = parse_report(proc.stdout)
    if report is None:
        print(f"DIED: exit {proc.returncode} after {wall:.0f} s\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        return 1
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))
    mib = lambda k: f"{k / 1024:.0f} MiB" if k is not None else "-"  # noqa: E731
    refs = report["none_refs_per_loop"]
    print(f"exit {proc.returncode}, ok={report['ok']}, {report['loops']} loops in {wall / 60:.1f} min "
          f"(canvas {report['canvas'] or 'example 1280x720'})")
    print(f"RSS: start {mib(report['rss_start_kib'])}, end of loop 1 {mib(report['rss_first_loop_kib'])}, "
          f"end of last loop {mib(report['rss_last_loop_kib'])}, growth {mib(report['rss_growth_kib'])}; "
          f"per loop {[round(k / 1024) for k in report['rss_per_loop_kib']]}")
    per_loop = [round((b - a) / 1024) for a, b in zip(report["rss_per_loop_kib"], report["rss_per_loop_kib"][1:])]
    print(f"RSS change loop to loop (MiB): {per_loop}")
    if report.get("widgets_per_loop"):
        print(f"per loop: widgets (less the feed's cards) {report['widgets_per_loop']}, QLabels {report['labels_per_loop']}, "
              f"QPixmaps {report['pixmaps_per_loop']}, feed cards {report['feed_items_per_loop']}")
    print(f"None refcount: first {refs[0] if refs else '-'}, last {refs[-1] if refs else '-'}, "
          f"drift {report['none_drift']}, largest fall loop to loop {min((b - a for a, b in zip(refs, refs[1:])), default=0)}")
    print(f"UI thread: worst wall gap {report['worst_gap_wall_ms']} ms ({report['worst_gap_wall_step']}), "
          f"{report['gaps_over_100_wall']} wall gaps > 100 ms; worst UI-thread CPU in a gap {report['worst_gap_cpu_ms']} ms "
          f"({report['worst_gap_cpu_step']}), {len(report['gaps_over_100_cpu'])} CPU gaps > 100 ms")
    print(f"steps (s): {report['step_seconds']}")
    print(f"where the UI thread was during late heartbeats: {report['stall_stacks'][:5]}")
    if report["errors"]:
        print("errors:", *report["errors"], sep="\n")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
