"""Loudness promises on delivered files, and what the mastering path costs to import.

1. Import time, each in a fresh interpreter (best of --repeats): the mastering path
   (`studio.sound.mix`, which pulls `studio.sound.loudness`) side by side with the
   modules it imported before (pyloudnorm, scipy.signal, scipy.ndimage) and with
   numpy alone; and the per-call cost of the numpy meters beside pyloudnorm and
   scipy's resample_poly on the same programme.
2. Per delivery target (-14 LUFS / -1 dBTP streaming, EBU R128 -23 / -1, ATSC A/85
   -24 / -2): the bundled example's programme (rendered with the Sketch engine, or
   --bundle of one already rendered) mastered by `normalize_loudness` with the AAC
   round trip, written to an MP4 by `write_mp4` (the export's encoder), and measured
   by ffmpeg's ebur128 filter (an independent meter): target vs measured integrated
   loudness and true peak, and how much punch the foley hits lost (each hit's true
   peak over the loudness of the 400 ms around it, before vs after; median and worst).

    python benchmarks/bench_loudness.py [--bundle out/student_day_en.studio] [--repeats 5]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from studio.media.audio_codec import aac_round_trip  # noqa: E402
from studio.media.decode import read_audio  # noqa: E402
from studio.media.encode import write_mp4  # noqa: E402
from studio.persistence.bundle import load_project, save_project  # noqa: E402
from studio.services.export import ensure_takes  # noqa: E402
from studio.services.takes import load_take_stems  # noqa: E402
from studio.sound import loudness  # noqa: E402
from studio.sound.mix import join_shots, normalize_loudness, shot_stem_gains  # noqa: E402
from tests.support.ebur128 import ffmpeg_loudness, foley_hits, punch  # noqa: E402

TARGETS = (("streaming / YouTube / vertical", -14.0, -1.0), ("EBU R128", -23.0, -1.0), ("ATSC A/85", -24.0, -2.0))


def import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return float(out.stdout.strip().splitlines()[-1])


def bench_imports(repeats: int) -> None:
    statements = ("import studio.sound.mix", "import numpy, pyloudnorm, scipy.ndimage, scipy.signal", "import numpy")
    runs: dict[str, list[float]] = {s: [] for s in statements}
    for _ in range(repeats):  # interleaved, so a busy moment on the machine hits all three alike
        for s in statements:
            runs[s].append(import_seconds(s))
    ours, before, base = (min(runs[s]) for s in statements)
    print(f"\n## Import time of the mastering path (fresh interpreter, best of {repeats})\n")
    print("| import | seconds | vs before |")
    print("|---|---:|---:|")
    print(f"| studio.sound.mix (numpy-only loudness) | {ours:.3f} | {ours / before:.2f}x |")
    print(f"| numpy + pyloudnorm + scipy.signal + scipy.ndimage (what mix.py imported before) | {before:.3f} | 1.00x |")
    print(f"| numpy alone | {base:.3f} | {base / before:.2f}x |")


def bench_meters(program: np.ndarray, repeats: int) -> None:
    """Per-call cost of the numpy meters beside the SciPy-based ones they replace (same programme, same run)."""
    import pyloudnorm
    from scipy.signal import resample_poly

    x = program.astype(np.float64)

    def best(fn) -> float:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    ours_l = best(lambda: loudness.integrated_loudness(x))
    ref_l = best(lambda: pyloudnorm.Meter(48000).integrated_loudness(x))
    ours_p = best(lambda: loudness.true_peak(x))
    ref_p = best(lambda: np.abs(resample_poly(x, 4, 1, axis=0)).max())
    print(f"\n## Meter cost per call on the example programme ({x.shape[0] / 48000:.1f} s, best of {repeats})\n")
    print("| meter | ours (numpy) s | SciPy-based s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| integrated loudness (vs pyloudnorm) | {ours_l:.3f} | {ref_l:.3f} | {ours_l / ref_l:.2f}x |")
    print(f"| true peak 4x (vs scipy resample_poly) | {ours_p:.3f} | {ref_p:.3f} | {ours_p / ref_p:.2f}x |")


def example_programme(bundle: Path | None, folder: Path) -> tuple[np.ndarray, np.ndarray, int]:
    if bundle is None:
        bundle = folder / "student_day_en.studio"
        shutil.copytree(ROOT / "resources" / "examples" / "student_day_en.studio", bundle)
        project = load_project(bundle)
        t = time.perf_counter()
        project, _ = ensure_takes(project, bundle, list(project.shots))
        save_project(project, bundle)
        print(f"(rendered the example's takes in {time.perf_counter() - t:.1f} s)")
    project = load_project(bundle)
    takes = [(s, s.selected_take) for s in project.shots]
    stems = [load_take_stems(bundle, t, s.duration_frames, project.fps) for s, t in takes]
    program = join_shots(stems, shot_gains=[shot_stem_gains(s.engine_settings) for s, _ in takes])
    foley = join_shots([{"foley": s["foley"]} for s in stems])
    return program, foley, project.fps


def bench_targets(program: np.ndarray, foley: np.ndarray, fps: int, folder: Path) -> None:
    frames = program.shape[0] * fps // 48000
    hits = foley_hits(foley)
    before = np.array([punch(program, h) for h in hits])
    lufs0, tp0 = loudness.integrated_loudness(program), loudness.true_peak(program)
    print(f"\n## Delivered loudness of the bundled example ({program.shape[0] / 48000:.1f} s; "
          f"unmastered {lufs0:.1f} LUFS, {tp0:.1f} dBTP; {len(hits)} foley hits); measured by ffmpeg ebur128 on the MP4\n")
    print("| target | LUFS target | LUFS measured | dBTP ceiling | dBTP measured | foley punch lost, median / worst | mastering s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, target, ceiling in TARGETS:
        t = time.perf_counter()
        mastered = normalize_loudness(program, target, ceiling, codec=aac_round_trip)
        took = time.perf_counter() - t
        path = folder / f"{target:g}.mp4"
        black = np.zeros((64, 64, 3), np.uint8)
        write_mp4(path, (black for _ in range(frames)), fps=fps, width=64, height=64, audio=mastered, frame_count=frames)
        lufs, peak = ffmpeg_loudness(path)
        decoded, _ = read_audio(path)
        loss = before - np.array([punch(decoded[: program.shape[0]], h) for h in hits])
        ok = "" if peak <= ceiling and abs(lufs - target) <= 1.0 else " (MISSED)"
        print(f"| {name}{ok} | {target:.1f} | {lufs:.1f} | {ceiling:.1f} | {peak:.1f} | "
              f"{np.median(loss):.1f} / {loss.max():.1f} dB | {took:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", type=Path, help="an already rendered copy of the example (e.g. from `studio demo`)")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    bench_imports(args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        program, foley, fps = example_programme(args.bundle, Path(tmp))
        bench_meters(program, args.repeats)
        bench_targets(program, foley, fps, Path(tmp))


if __name__ == "__main__":
    main()
