"""Export encode speed: Studio's `write_mp4` (PyAV) against the ffmpeg command line.

Both encode the same synthetic frames with the same settings (libx264 crf 18,
preset medium, High profile, yuv420p with BT.709 tags, AAC 192k 48 kHz stereo,
faststart) into a temporary folder; the ffmpeg run is fed raw RGB on stdin and
the sound as a WAV, the way a subprocess-based exporter would do it. Times are
best-of-N wall clock, measured side by side in one run: read the ratio, not the
absolute numbers (these machines are shared). The CPU seconds each side used are
printed too (Studio's process; ffmpeg's child process), with the load average, so a
run on a busy machine can be read: equal CPU and unequal wall time is a pipeline
that leaves cores idle, unequal CPU is extra work. Also times `Watermark.apply`.

    python benchmarks/bench_export.py [--frames 240] [--repeats 2] [--sizes 1280x720,1920x1080]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import imageio_ffmpeg  # noqa: E402

from studio.media.audio_io import write_wav  # noqa: E402
from studio.media.decode import probe  # noqa: E402
from studio.media.encode import write_mp4  # noqa: E402
from studio.media.watermark import Watermark  # noqa: E402

FPS = 24
SR = 48_000


def synthetic_frames(count: int, width: int, height: int, seed: int = 0) -> np.ndarray:
    """A moving colour gradient with a little noise (so x264 has real work to do)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    frames = np.empty((count, height, width, 3), np.uint8)
    for i in range(count):
        r = 128 + 100 * np.sin((xx + 6 * i) / (width / 5))
        g = 40 + 180 * yy / height
        b = 128 + 90 * np.cos((xx + yy - 4 * i) / (height / 3))
        frame = np.stack([r, g, b], axis=-1)
        frame += rng.normal(0, 6, frame.shape).astype(np.float32)
        frames[i] = frame.clip(0, 255).astype(np.uint8)
    return frames


def synthetic_audio(count: int) -> np.ndarray:
    t = np.arange(count * SR // FPS) / SR
    tone = 0.2 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.5 * t))
    return np.stack([tone, np.roll(tone, 100)], axis=1).astype(np.float32)


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_studio(path: Path, frames: np.ndarray, audio: np.ndarray) -> tuple[float, float]:
    """Wall and CPU seconds of one `write_mp4` (all of this process's threads)."""
    height, width = frames.shape[1:3]
    cpu = _cpu(resource.RUSAGE_SELF)
    start = time.perf_counter()
    write_mp4(path, iter(frames), fps=FPS, width=width, height=height, audio=audio,
              crf=18, preset="medium", frame_count=len(frames))
    return time.perf_counter() - start, _cpu(resource.RUSAGE_SELF) - cpu


def run_ffmpeg(path: Path, frames: np.ndarray, wav: Path) -> tuple[float, float]:
    """Wall and CPU seconds (of the ffmpeg process) of one ffmpeg run fed raw RGB on stdin."""
    height, width = frames.shape[1:3]
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(FPS), "-i", "pipe:0",
        "-i", str(wav),
        "-map", "0:v", "-map", "1:a",
        "-vf", "scale=out_color_matrix=bt709:out_range=tv",
        "-c:v", "libx264", "-crf", "18", "-preset", "medium", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
        "-c:a", "aac", "-b:a", "192k", "-ar", str(SR), "-ac", "2",
        "-shortest", "-movflags", "+faststart", str(path),
    ]
    cpu = _cpu(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for frame in frames:  # one frame at a time, as a streaming exporter would
        proc.stdin.write(frame.tobytes())
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError(f"ffmpeg failed with exit code {proc.returncode}")
    return time.perf_counter() - start, _cpu(resource.RUSAGE_CHILDREN) - cpu


def time_watermark(width: int, height: int, frames: int = 300) -> tuple[float, float]:
    mark = Watermark(width, height, FPS)
    frame = np.full((height, width, 3), 128, np.uint8)
    start = time.perf_counter()
    for i in range(frames):
        mark.apply(frame, i)
    copy_ms = (time.perf_counter() - start) / frames * 1e3
    start = time.perf_counter()
    for i in range(frames):
        mark.apply(frame, i, in_place=True)
    inplace_ms = (time.perf_counter() - start) / frames * 1e3
    return copy_ms, inplace_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=240)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]

    print(f"machine: {os.cpu_count()} CPUs; ffmpeg {imageio_ffmpeg.get_ffmpeg_version()}; "
          f"best of {args.repeats}; libx264 crf 18 preset medium, AAC 192k; "
          f"load average {os.getloadavg()[0]:.1f} at the start\n")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_export_") as tmp:
        folder = Path(tmp)
        for width, height in sizes:
            frames = synthetic_frames(args.frames, width, height)
            audio = synthetic_audio(args.frames)
            wav = write_wav(folder / "sound.wav", audio)
            studio_times, ffmpeg_times = [], []
            for _ in range(args.repeats):  # alternate, so drift hits both alike
                studio_times.append(run_studio(folder / "studio.mp4", frames, audio))
                ffmpeg_times.append(run_ffmpeg(folder / "ffmpeg.mp4", frames, wav))
                print(f"  {width}x{height}: studio {studio_times[-1][0]:.2f} s ({studio_times[-1][1]:.2f} s CPU), "
                      f"ffmpeg {ffmpeg_times[-1][0]:.2f} s ({ffmpeg_times[-1][1]:.2f} s CPU), "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
            for name in ("studio.mp4", "ffmpeg.mp4"):
                info = probe(folder / name)
                assert info.frame_count == args.frames, (name, info.frame_count)
            sizes_kb = [(folder / n).stat().st_size // 1024 for n in ("studio.mp4", "ffmpeg.mp4")]
            (s, scpu), (f, fcpu) = min(studio_times), min(ffmpeg_times)
            rows.append((f"{width}x{height}", args.frames, args.frames / s, args.frames / f, f / s, scpu, fcpu, *sizes_kb))

    print("\n| resolution | frames | studio fps | ffmpeg fps | ratio (studio/ffmpeg) | studio CPU s | ffmpeg CPU s "
          "| studio KiB | ffmpeg KiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for res, n, sfps, ffps, ratio, scpu, fcpu, skb, fkb in rows:
        print(f"| {res} | {n} | {sfps:.1f} | {ffps:.1f} | {ratio:.2f} | {scpu:.1f} | {fcpu:.1f} | {skb} | {fkb} |")
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")

    print("\n| watermark canvas | apply (copy) ms/frame | apply (in place) ms/frame |")
    print("|---|---:|---:|")
    for width, height in [(1280, 720), (1920, 1080), (1080, 1920)]:
        copy_ms, inplace_ms = time_watermark(width, height)
        print(f"| {width}x{height} | {copy_ms:.3f} | {inplace_ms:.3f} |")


if __name__ == "__main__":
    main()
