"""Sound analysis speed and sync accuracy.

1. Analysis speed at 720p: `analyse_motion` (dense optical flow, acceleration,
   cuts, onsets) in frames per second, side by side with the frame-difference
   `visual_onsets` it replaces as the picture side of sync checks (same frames,
   same run: read the ratio; these machines are shared).
2. Sync errors: generated test clips (a ball bouncing at random frames, on a
   still or panning camera) with a soundtrack (a random ambience bed, random
   foley kind) shifted by a random known offset within ±200 ms, encoded to
   H.264/AAC MP4, then measured from the decoded file alone by
   `studio.sound.sync.measure_sync`. Reports the error distribution.
3. Optionally (--exports N), Sketch-engine storyboards exported by Studio and
   measured the same way (their true offset is 0).

    python benchmarks/bench_sound.py [--frames 120] [--clips 24] [--exports 2] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.domain.scene import AMBIENCE_BEDS  # noqa: E402
from studio.media.decode import read_audio, read_frames  # noqa: E402
from studio.media.encode import write_mp4  # noqa: E402
from studio.sound.analysis import visual_onsets  # noqa: E402
from studio.sound.motion import analyse_motion  # noqa: E402
from studio.sound.sync import measure_sync  # noqa: E402
from tests.sound.clips import bouncing_ball_clip, impact_soundtrack  # noqa: E402

FPS = 24
KINDS = ("bounce", "impact", "footstep", "thud", "door", "clap", "generic")


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_speed(frames: int, repeats: int) -> None:
    impacts = list(range(10, frames - 5, 17))
    clip = bouncing_ball_clip(impacts, frames, size=(1280, 720), pan_camera=6.0)
    flow_s = best_of(lambda: analyse_motion(clip, FPS), repeats)
    diff_s = best_of(lambda: visual_onsets(clip, FPS), repeats)
    print(f"\n## Analysis speed, 1280x720, {frames} frames (best of {repeats})\n")
    print("| analysis | frames/s | ms/frame | relative |")
    print("|---|---:|---:|---:|")
    print(f"| analyse_motion (DIS flow at 256 px, acceleration, cuts, onsets) | {frames / flow_s:.1f} | {1000 * flow_s / frames:.1f} | {flow_s / diff_s:.2f}x |")
    print(f"| visual_onsets (frame difference, reference) | {frames / diff_s:.1f} | {1000 * diff_s / frames:.1f} | 1.00x |")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip720.mp4"
        write_mp4(path, clip, fps=FPS, width=1280, height=720, crf=23, preset="veryfast")
        decode_s = best_of(lambda: sum(1 for _ in read_frames(path)), repeats)
        both_s = best_of(lambda: analyse_motion(read_frames(path), FPS), repeats)
    print(f"| decode the H.264 file alone (PyAV) | {frames / decode_s:.1f} | {1000 * decode_s / frames:.1f} | {decode_s / diff_s:.2f}x |")
    print(f"| decode + analyse_motion (what sync-check does for the picture) | {frames / both_s:.1f} | {1000 * both_s / frames:.1f} | {both_s / diff_s:.2f}x |")


def _row(name: str, errors_ms: np.ndarray, conf: np.ndarray, fps: float = FPS) -> str:
    frame_ms = 1000 / fps
    a = np.abs(errors_ms)
    return (f"| {name} | {a.size} | {np.median(a):.1f} | {np.percentile(a, 90):.1f} | {a.max():.1f} | "
            f"{np.mean(a <= frame_ms / 2) * 100:.0f} % | {np.mean(a <= frame_ms) * 100:.0f} % | {np.median(conf):.2f} |")


def bench_sync(clips: int, seed: int, folder: Path) -> None:
    rng = np.random.default_rng(seed)
    errors, conf, pans = [], [], []
    t0 = time.perf_counter()
    for i in range(clips):
        n = int(rng.integers(96, 168))
        gaps = rng.integers(9, 24, 12)
        impacts = [int(x) for x in np.cumsum(gaps) + int(rng.integers(4, 12)) if x < n - 6]
        pan = float(rng.choice([0.0, 0.0, 2.0, 4.0]))
        offset = float(rng.uniform(-200, 200))
        bed = str(rng.choice(AMBIENCE_BEDS))
        kind = str(rng.choice(KINDS))
        clip = bouncing_ball_clip(impacts, n, seed=i, pan_camera=pan)
        audio = impact_soundtrack(impacts, n, FPS, offset_ms=offset, bed=bed, kind=kind, seed=i + 1)
        path = folder / f"clip{i}.mp4"
        write_mp4(path, clip, fps=FPS, width=clip.shape[2], height=clip.shape[1], audio=audio, crf=23, preset="veryfast")
        sound, sr = read_audio(path)
        est = measure_sync(read_frames(path), sound, FPS, sr)
        errors.append(est.offset_ms - offset)
        conf.append(est.confidence)
        pans.append(pan)
    elapsed = time.perf_counter() - t0
    e, c, p = np.asarray(errors), np.asarray(conf), np.asarray(pans)
    print(f"\n## Sync error, {clips} generated clips (320x180, {FPS} fps, offsets uniform in ±200 ms, MP4 round trip; {elapsed:.0f} s)\n")
    print("| clips | n | median abs error ms | p90 ms | max ms | within ½ frame | within 1 frame | median confidence |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(_row("all", e, c))
    if np.any(p == 0):
        print(_row("still camera", e[p == 0], c[p == 0]))
    if np.any(p > 0):
        print(_row("panning camera", e[p > 0], c[p > 0]))


def bench_exports(count: int, folder: Path) -> None:
    from studio.persistence.bundle import save_project
    from studio.services.export import export_project
    from tests.support.projects import small_project

    prompts = [
        ("a ball bounces on the floor of an empty room", "Mei jumps in the park"),
        ("a ball bounces in the park in the morning",),
        ("Mei jumps on the beach", "a ball bounces in the city at night"),
        ("a ball bounces in a cafe in the rain",),
    ]
    errors, conf, matched = [], [], []
    for i in range(count):
        project = small_project(*prompts[i % len(prompts)], frames=72)
        bundle = save_project(project, folder / f"export{i}")
        report = export_project(project, bundle, folder / f"export{i}.mp4")
        sound, sr = read_audio(report.path)
        est = measure_sync(read_frames(report.path), sound, project.fps, sr)
        errors.append(est.offset_ms)
        conf.append(est.confidence)
        matched.append(est.matched)
    print(f"\n## Sync error of Studio exports (Sketch engine, true offset 0), {count} storyboards\n")
    print("| clips | n | median abs error ms | p90 ms | max ms | within ½ frame | within 1 frame | median confidence |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(_row("exports", np.asarray(errors), np.asarray(conf)))
    print(f"\nmatched picture events per export: {matched}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=120, help="frames for the 720p speed test")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--clips", type=int, default=24, help="generated clips for the sync error table")
    ap.add_argument("--exports", type=int, default=2, help="Sketch storyboards to export and check")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    bench_speed(args.frames, args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        if args.clips:
            bench_sync(args.clips, args.seed, Path(tmp))
        if args.exports:
            bench_exports(args.exports, Path(tmp))


if __name__ == "__main__":
    main()
