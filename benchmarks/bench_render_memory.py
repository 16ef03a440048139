"""What a Sketch render really holds in memory, against what the pre-check counts.

Each case renders one shot into a fresh bundle (`studio.services.takes.render_shot`: the
engine's frames, its sound, the take's H.264 encode) in its own process and reads the
process's peak resident set (ru_maxrss) above what it held before the render. The
pre-check (`studio.engine.sketch.engine.render_working_set`) must not count less than
that, or a render it lets through can still exhaust memory.

    python benchmarks/bench_render_memory.py [--quick]

Prints one row per case: measured peak growth, the pre-check's figure, and their ratio
(pre-check / measured: at least 1.0, and not far above).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASE = r"""
import json, resource, sys, tempfile
from pathlib import Path
from studio.domain.model import Canvas
from studio.persistence.bundle import save_project
from studio.services.takes import render_shot
from studio.engine.sketch.engine import render_working_set
from tests.support.projects import small_project

w, h, frames, fps = map(int, sys.argv[1:5])
project = small_project("Mei walks in the park in the morning {sfx: footsteps}", size=(w, h), fps=fps, frames=frames)
with tempfile.TemporaryDirectory() as tmp:
    bundle = save_project(project, Path(tmp) / "p.studio")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    render_shot(project, bundle, project.shots[0])
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"measured": after - before, "predicted": render_working_set(frames, w, h, fps)}))
"""

CASES = [(320, 180, 48, 24), (640, 360, 48, 24), (1280, 720, 24, 24), (1280, 720, 96, 24), (1920, 1080, 24, 24),
         (1920, 1080, 72, 24), (960, 960, 240, 24), (160, 96, 1440, 24), (160, 96, 2880, 24),
         (1280, 720, 24 * 180, 24)]
QUICK = [(320, 180, 48, 24), (1280, 720, 24, 24), (1280, 720, 96, 24)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="three small cases")
    args = ap.parse_args()
    print("| canvas | frames | measured peak growth MB | pre-check MB | pre-check / measured |")
    print("|---|---:|---:|---:|---:|")
    for w, h, frames, fps in QUICK if args.quick else CASES:
        out = subprocess.run([sys.executable, "-c", CASE, str(w), str(h), str(frames), str(fps)], cwd=ROOT,
                             capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                                   "STUDIO_DATA_DIR": "/tmp/bench_render_memory_data"})
        if out.returncode != 0:
            print(f"| {w}x{h} | {frames} | failed: {out.stderr.strip().splitlines()[-1]} | | |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {w}x{h} | {frames} | {r['measured'] / 1e6:.0f} | {r['predicted'] / 1e6:.0f} | "
              f"{r['predicted'] / max(1, r['measured']):.2f} |")


if __name__ == "__main__":
    main()
