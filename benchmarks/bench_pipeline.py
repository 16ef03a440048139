"""The whole Sketch path, process start to finished file, and its memory on long shots.

(a) End to end: `studio render` of a fresh copy of the bundled example (no takes) as a
    subprocess, against the same program frames (watermarked, read back from the takes
    it stored) and the same mixed sound encoded alone by `write_mp4` with the same x264
    and AAC settings (quality "standard": crf 20, preset medium). ratio = encode alone /
    end to end (1.0 would mean rendering costs nothing on top of the final encode);
    rt = seconds of video per second of wall clock. At 1280x720 and 1920x1080.
(b) Peak memory: `studio render` of a project with one Sketch shot of 30, 180 and 600 s
    at 1280x720 (a subprocess; its peak RSS from wait4's ru_maxrss).

Measured side by side in one run on whatever machine runs it: read the ratios.

    python benchmarks/bench_pipeline.py [--sizes 1280x720,1920x1080] [--seconds 30,180,600]
                                        [--skip-e2e] [--skip-rss]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from studio.cli import example_project  # noqa: E402
from studio.domain.model import Canvas  # noqa: E402
from studio.persistence.bundle import load_project, save_project  # noqa: E402


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def render_subprocess(bundle: Path, out: Path) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in bytes, CPU seconds) of `python -m studio render BUNDLE -o OUT -q`."""
    cmd = [sys.executable, "-m", "studio", "render", str(bundle), "-o", str(out), "-q"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"studio render failed ({proc.returncode}): {err[-2000:]}")
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime  # Linux reports kilobytes


def fresh_example(folder: Path, width: int, height: int, *, seconds: float | None = None) -> Path:
    """A copy of the bundled example with no takes (optionally one shot of ``seconds``), at ``width``x``height``."""
    bundle = folder / "example.studio"
    shutil.copytree(example_project("en"), bundle)
    project = load_project(bundle)
    project = replace(project, canvas=Canvas(width, height))
    if seconds is not None:
        shot = replace(project.shots[0], duration_frames=int(round(seconds * project.fps)))
        project = project.with_shots([shot])
    save_project(project, bundle)
    return bundle


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def encode_alone(bundle: Path, folder: Path) -> tuple[float, int, int, float]:
    """(seconds, frames, fps, CPU seconds) to encode the rendered program alone: frames from a raw file on disk,
    the mix in memory."""
    from studio.media.encode import write_mp4
    from studio.services.export import QUALITY_PRESETS, ExportOptions, _program_frames, mix_program

    project = load_project(bundle)
    takes = [(s, s.selected_take) for s in project.shots]
    canvas, fps = project.canvas, project.fps
    total = sum(s.duration_frames for s, _ in takes)
    raw = folder / "program.rgb"
    store = np.lib.format.open_memmap(raw, mode="w+", dtype=np.uint8, shape=(total, canvas.height, canvas.width, 3))
    for i, frame in enumerate(_program_frames(bundle, takes, canvas, fps, project)):  # type: ignore[arg-type]
        store[i] = frame
    store.flush()
    audio = mix_program(bundle, takes, fps, ExportOptions())  # type: ignore[arg-type]
    frames = np.load(raw, mmap_mode="r")
    for frame in frames:  # into the page cache, so the timed run reads memory, not the disk
        frame.sum()
    crf, preset = QUALITY_PRESETS["standard"]
    start, cpu = time.perf_counter(), _cpu()
    write_mp4(folder / "alone.mp4", iter(frames), fps=fps, width=canvas.width, height=canvas.height, audio=audio,
              crf=crf, preset=preset, frame_count=total)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    del frames, store
    raw.unlink()
    return seconds, total, fps, cpu


def bench_e2e(sizes: list[tuple[int, int]]) -> None:
    print("(a) end to end: `studio render` of the example (fresh copy, no takes) vs its frames encoded alone")
    print("    cpu ratio = CPU seconds alone / CPU seconds end to end: where it equals ratio, the stages already")
    print("    overlap fully and only less work (not more overlap) can raise the ratio")
    print(f"{'size':>10} {'video s':>8} {'render s':>9} {'alone s':>8} {'ratio':>6} {'rt':>6} "
          f"{'cpu render':>10} {'cpu alone':>9} {'cpu ratio':>9}")
    for width, height in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
            folder = Path(tmp)
            bundle = fresh_example(folder, width, height)
            wall, _, cpu = render_subprocess(bundle, folder / "out.mp4")
            alone, frames, fps, cpu_alone = encode_alone(bundle, folder)
            video = frames / fps
            print(f"{width}x{height:<5} {video:8.1f} {wall:9.2f} {alone:8.2f} {alone / wall:6.2f} {video / wall:6.2f} "
                  f"{cpu:10.2f} {cpu_alone:9.2f} {cpu_alone / cpu:9.2f}", flush=True)


def bench_rss(seconds: list[float]) -> None:
    print("(b) peak RSS of `studio render` of one 1280x720 Sketch shot (target: flat, <= 2 GB)")
    print(f"{'shot s':>7} {'frames':>7} {'wall s':>8} {'peak RSS':>10}")
    for s in seconds:
        with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
            folder = Path(tmp)
            bundle = fresh_example(folder, 1280, 720, seconds=s)
            wall, rss, _ = render_subprocess(bundle, folder / "out.mp4")
            print(f"{s:7.0f} {int(round(s * 24)):7d} {wall:8.1f} {rss / 2**20:8.0f} MiB", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1280x720,1920x1080")
    ap.add_argument("--seconds", default="30,180,600")
    ap.add_argument("--skip-e2e", action="store_true")
    ap.add_argument("--skip-rss", action="store_true")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs")
    if not args.skip_e2e:
        bench_e2e([tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")])  # type: ignore[misc]
    if not args.skip_rss:
        bench_rss([float(s) for s in args.seconds.split(",")])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
