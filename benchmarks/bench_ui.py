"""The window's responsiveness: start-up to the first painted frame, and UI-thread stalls while generating.

1. Start-up: a fresh Python process per run, from `python -c` to the first paint of
   the main window (an event filter records the first Paint event on it), beside a
   bare PySide6 QMainWindow started the same way. The ratio is what we own: the bare
   window is the floor that Python + Qt cost on this machine. Also says whether torch
   was imported on that path (it must not be).
2. Stalls: the window generates a storyboard with the Sketch engine while a 5 ms QTimer
   ticks on the UI thread; the gaps between ticks are the stalls a user would feel.

    python benchmarks/bench_ui.py [--runs 5] [--frames 96] [--size 640x360] [--skip-stalls]
    xvfb-run -a python benchmarks/bench_ui.py --skip-stalls    # a real X server: paint implies mapped

Runs offscreen (QT_QPA_PLATFORM=offscreen) unless a display is set. Read ratios, not
absolute numbers: the machines are shared. The CPU column (the process's CPU time,
all threads, at the first paint) is the steadier figure on a loaded machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_FIRST_PAINT = r"""
import sys, time
t0 = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint and not getattr(self, "done", False):
            self.done = True
            print("PAINT", time.time() - t0, "torch" in sys.modules, time.process_time(), "numpy" in sys.modules, flush=True)
            QTimer.singleShot(0, app.quit)
        return False
if sys.argv[2] == "studio":
    from studio.app import build_window, ensure_app
    app = ensure_app()
    w = build_window()
else:
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication([])
    w = QMainWindow(); w.resize(1440, 900)
f = FirstPaint(); w.installEventFilter(f)
w.show()
app.exec()
if sys.argv[2] == "studio":
    w.shutdown()
"""


def first_paint(kind: str, env: dict[str, str]) -> tuple[float, bool, float, bool]:
    """(wall s from `python -c` to the first Paint, torch imported, CPU s of the process by then, numpy imported)."""
    out = subprocess.run([sys.executable, "-c", _FIRST_PAINT, repr(time.time()), kind], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("PAINT")), None)
    if line is None:
        raise RuntimeError(f"{kind}: no paint\n{out.stderr[-2000:]}")
    _, seconds, torch, cpu, numpy = line.split()
    return float(seconds), torch == "True", float(cpu), numpy == "True"


def bench_startup(runs: int) -> None:
    env = dict(os.environ)
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = env.get("QT_QPA_PLATFORM") or "offscreen"
    env["STUDIO_CONFIG_DIR"] = tempfile.mkdtemp(prefix="studio-bench-cfg-")
    # Started as a user starts it: Python keeps the compiled modules (__pycache__) after the first run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    first_paint("bare", env)  # warm the OS file cache for both (and compile Studio's modules once)
    first_paint("studio", env)
    bare, studio, bare_cpu, studio_cpu, torch, numpy = [], [], [], [], False, False
    for _ in range(runs):  # interleaved, so load on the machine falls on both alike
        b = first_paint("bare", env)
        bare.append(b[0])
        bare_cpu.append(b[2])
        s = first_paint("studio", env)
        studio.append(s[0])
        studio_cpu.append(s[2])
        torch |= s[1]
        numpy |= s[3]
    mb, ms = statistics.median(bare), statistics.median(studio)
    cb, cs = statistics.median(bare_cpu), statistics.median(studio_cpu)
    platform = env.get("QT_QPA_PLATFORM") or f"xcb on {env.get('DISPLAY')}"
    print(f"| start-up to first paint ({platform}) | median wall s | min wall s | median CPU s | runs |")
    print("|---|---:|---:|---:|---:|")
    print(f"| bare PySide6 QMainWindow | {mb:.3f} | {min(bare):.3f} | {cb:.3f} | {runs} |")
    print(f"| Studio main window | {ms:.3f} | {min(studio):.3f} | {cs:.3f} | {runs} |")
    print(f"\nratio Studio / bare: **{ms / mb:.2f}×** wall (median), {min(studio) / min(bare):.2f}× (min), "
          f"{cs / cb:.2f}× CPU (median; the process's own work, whatever the machine's load); "
          f"torch imported on the way: {'YES' if torch else 'no'}; numpy: {'yes' if numpy else 'no'}\n")


def bench_stalls(frames: int, size: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["STUDIO_CONFIG_DIR"] = tempfile.mkdtemp(prefix="studio-bench-cfg-")
    import numpy as np
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from studio.app import build_window, ensure_app
    from studio.domain.model import Canvas
    from studio.domain.story import storyboard_from_story

    app = ensure_app()
    w = build_window()
    w.show()
    width, height = (int(x) for x in size.split("x"))
    project = storyboard_from_story("In the morning Mei walks to the university → she attends a lecture → "
                                    "at night she studies in a cafe", shot_seconds=frames / 24)
    from dataclasses import replace

    project = replace(project, canvas=Canvas(width, height))
    folder = Path(tempfile.mkdtemp(prefix="studio-bench-"))
    w.document.new(project, folder / "bench.studio")
    w._opened(w.document.bundle)
    w.timeline.select_all()

    clock, gaps, last = QElapsedTimer(), [], [0]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    loop = QEventLoop()
    pending = set(w.generate_selected())

    def done(job_id: str, *args) -> None:
        pending.discard(job_id)
        if not pending:
            loop.quit()

    w.engine.take_ready.connect(done)
    w.engine.job_failed.connect(done)
    t0 = time.perf_counter()
    clock.start()
    timer.start()
    loop.exec()
    timer.stop()
    wall = time.perf_counter() - t0
    g = np.asarray(gaps[1:], float)
    print(f"| UI thread while generating {len(project.shots)} shots × {frames} frames at {size} | value |")
    print("|---|---:|")
    print(f"| generation wall time | {wall:.1f} s |")
    print(f"| heartbeat ticks (5 ms timer) | {len(g)} |")
    print(f"| median gap | {np.median(g):.1f} ms |")
    print(f"| p99 gap (stall) | {np.percentile(g, 99):.1f} ms |")
    print(f"| worst gap | {g.max():.1f} ms |")
    print(f"| gaps over 50 ms | {(g > 50).sum()} |")
    w._ask_save_changes = lambda: "discard"
    w.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--frames", type=int, default=96)
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--skip-startup", action="store_true")
    ap.add_argument("--skip-stalls", action="store_true")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, Qt platform {os.environ.get('QT_QPA_PLATFORM') or 'default'}\n")
    if not args.skip_startup:
        bench_startup(args.runs)
    if not args.skip_stalls:
        bench_stalls(args.frames, args.size)


if __name__ == "__main__":
    main()
