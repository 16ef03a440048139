"""How fast the Sketch engine draws a shot: frames per second and × real time.

Prints a Markdown table. "picture" times planning (layers painted once) plus
drawing every frame into a buffer that already exists; "engine" times the whole
``SketchEngine.generate`` call: a fresh frames array, the picture, and the sound
design. Numbers drift on shared machines: compare rows of one run.

    python benchmarks/bench_sketch.py            # 240 frames (10 s at 24 fps)
    python benchmarks/bench_sketch.py --frames 48 --no-engine
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from studio.domain.model import CameraMove, Canvas, Character, Shot, StoryBible
from studio.engine.protocol import CancelToken, GenerateRequest
from studio.engine.sketch.engine import SketchEngine
from studio.engine.sketch.render import ShotRenderer, ShotSpec, plan_shot

FPS = 24
HANA = Character("char_hana", "Hana", "red coat, long black hair, backpack")
PROMPTS = [
    ("Hana walks in the city in the morning", CameraMove.STATIC, (HANA,)),
    ("rain at night in a cafe, Hana studies", CameraMove.STATIC, (HANA,)),
    ("a ball bounces in the park", CameraMove.ORBIT, ()),
    ("Hana runs through the snowy forest", CameraMove.DOLLY_IN, (HANA,)),
]
SIZES = [(1280, 720, "720p"), (1920, 1080, "1080p"), (720, 1280, "9:16 720×1280")]


def make_request(prompt: str, camera: CameraMove, cast, size, frames: int) -> GenerateRequest:
    shot = Shot(id="shot_bench", prompt=prompt, duration_frames=frames, camera=camera, characters=tuple(c.id for c in cast), seed=7)
    return GenerateRequest(shot=shot, bible=StoryBible(characters=cast), canvas=Canvas(*size), fps=FPS, seed=7, engine="sketch")


def time_picture(req: GenerateRequest, buffer: np.ndarray) -> tuple[float, float]:
    """(planning seconds, total seconds) for the picture alone."""
    t0 = time.perf_counter()
    plan = plan_shot(ShotSpec.from_request(req))
    renderer = ShotRenderer(plan)
    t1 = time.perf_counter()
    renderer.render(buffer)
    return t1 - t0, time.perf_counter() - t0


def time_engine(req: GenerateRequest) -> float:
    t0 = time.perf_counter()
    SketchEngine().generate(req, lambda event: None, CancelToken())
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=240)
    parser.add_argument("--no-engine", action="store_true", help="time the picture only")
    args = parser.parse_args()
    n = args.frames

    print(f"Sketch engine {SketchEngine.version}: {n} frames at {FPS} fps ({n / FPS:.0f} s), "
          f"{os.cpu_count()} cores, Python {platform.python_version()}\n")
    header = "| canvas | prompt | camera | plan s | picture fps | picture × real time |"
    rule = "|---|---|---|---:|---:|---:|"
    if not args.no_engine:
        header += " engine fps (with sound) | engine × real time |"
        rule += "---:|---:|"
    print(header)
    print(rule)
    for w, h, label in SIZES:
        buffer = np.empty((n, h, w, 3), np.uint8)
        buffer.fill(0)  # touched once, so first-touch page faults don't count as drawing
        # One short warm-up so first-call costs (imports, thread pools) stay out of the table.
        time_picture(make_request(PROMPTS[0][0], CameraMove.STATIC, (HANA,), (w, h), 4), buffer[:4])
        for prompt, camera, cast in PROMPTS:
            req = make_request(prompt, camera, cast, (w, h), n)
            plan_s, total = time_picture(req, buffer)
            fps = n / total
            row = f"| {label} | {prompt} | {camera.value} | {plan_s:.2f} | {fps:.0f} | {fps / FPS:.1f}× |"
            if not args.no_engine:
                engine_fps = n / time_engine(req)
                row += f" {engine_fps:.0f} | {engine_fps / FPS:.1f}× |"
            print(row, flush=True)
        del buffer


if __name__ == "__main__":
    main()
