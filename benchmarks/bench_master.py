"""Take master candidates side by side: write + read speed and size on Sketch frames at 720p.

Each candidate stores the same Sketch frames (the example's first shot, rendered once),
then decodes them back to RGB; `exact` says whether every byte came back. Chosen for
`studio.media.master`: libx264rgb qp 0 preset ultrafast in MP4 (see its docstring).

    python benchmarks/bench_master.py [--frames 72]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
import numpy as np  # noqa: E402

from studio.cli import example_project  # noqa: E402
from studio.engine.sketch.render import ShotRenderer, ShotSpec, plan_shot  # noqa: E402
from studio.engine.protocol import GenerateRequest  # noqa: E402
from studio.persistence.bundle import load_project  # noqa: E402

CANDIDATES = [
    # name, codec, pixel format given to the encoder, container
    ("libx264rgb qp0 ultrafast mp4", "libx264rgb", "rgb24", "mp4", {"qp": "0", "preset": "ultrafast"}),
    ("libx264rgb qp0 ultrafast mkv", "libx264rgb", "rgb24", "matroska", {"qp": "0", "preset": "ultrafast"}),
    ("libx264rgb qp0 superfast mkv", "libx264rgb", "rgb24", "matroska", {"qp": "0", "preset": "superfast"}),
    ("ffv1 bgr0 mkv", "ffv1", "bgr0", "matroska", {"slices": "4"}),
    ("utvideo gbrp avi", "utvideo", "gbrp", "avi", {}),
    ("magicyuv gbrp avi", "magicyuv", "gbrp", "avi", {}),
    ("rawvideo rgb24 nut", "rawvideo", "rgb24", "nut", {}),
]


def sketch_frames(count: int) -> np.ndarray:
    project = load_project(example_project("en"))
    shot = replace(project.shots[0], duration_frames=count)
    request = GenerateRequest.for_shot(project, shot)
    return ShotRenderer(plan_shot(ShotSpec.from_request(request))).render()


def write(path: str, frames: np.ndarray, codec: str, pix: str, fmt: str, options: dict) -> None:
    height, width = frames.shape[1:3]
    container = av.open(path, "w", format=fmt)
    stream = container.add_stream(codec, rate=24, options=dict(options))
    stream.width, stream.height, stream.pix_fmt = width, height, pix
    stream.codec_context.thread_count = 0
    stream.codec_context.thread_type = "FRAME" if codec.startswith("libx264") else "AUTO"
    for i, rgb in enumerate(frames):
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        if pix != "rgb24":
            frame = frame.reformat(format=pix)
        frame.pts = i
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()


def read_back(path: str, frames: np.ndarray) -> bool:
    container = av.open(path)
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    exact, count = True, 0
    for i, frame in enumerate(container.decode(stream)):
        exact &= np.array_equal(frame.to_ndarray(format="rgb24"), frames[i])
        count += 1
    container.close()
    return exact and count == len(frames)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=72)
    args = ap.parse_args()
    frames = sketch_frames(args.frames)
    n, h, w = frames.shape[:3]
    print(f"{os.cpu_count()} CPUs, {n} Sketch frames at {w}x{h}")
    print(f"{'candidate':30} {'write fps':>9} {'read fps':>9} {'kB/frame':>9} {'exact':>6}")
    with tempfile.TemporaryDirectory(prefix="bench-master-") as tmp:
        for i, (name, codec, pix, fmt, options) in enumerate(CANDIDATES):
            path = os.path.join(tmp, f"c{i}")
            start = time.perf_counter()
            write(path, frames, codec, pix, fmt, options)
            wrote = time.perf_counter() - start
            start = time.perf_counter()
            exact = read_back(path, frames)
            read = time.perf_counter() - start
            size = os.path.getsize(path)
            print(f"{name:30} {n / wrote:9.1f} {n / read:9.1f} {size / n / 1e3:9.1f} {str(exact):>6}", flush=True)
            os.unlink(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
