"""Cameo costs: the per-frame face analysis of the liveness check, and the likeness check after a render.

Side by side in one run (read the ratios; these machines are shared):

- analysis per frame at the capture size: detection alone, + 68 landmarks,
  + the 128-d descriptor (what `run_enrolment` does to every analysed frame),
  and the real-time factor at the check's 10 analysed frames a second;
- a Sketch render of a shot casting a cameo, against the likeness check
  (`measure_cameo_likeness`, 6 frames, detector upsampled once) on its frames.

    python benchmarks/bench_cameo.py [--repeats 3] [--frames 48]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--frames", type=int, default=48, help="frames of the Sketch shot")
    args = ap.parse_args()
    os.environ.setdefault("STUDIO_DATA_DIR", tempfile.mkdtemp(prefix="bench-cameo-"))

    from skimage import data

    from studio.cameo.faces import FaceAnalyzer
    from studio.cameo.vault import Biometrics, Vault
    from studio.cameo.consent import CONSENT_POINTS, give_consent
    from studio.domain.model import Canvas, Character, Project, Shot, StoryBible
    from studio.engine.protocol import CancelToken, GenerateRequest
    from studio.engine.sketch.engine import SketchEngine
    from studio.services.cameo_casting import cast_cameos, measure_cameo_likeness

    analyzer = FaceAnalyzer.shared()
    portrait = np.ascontiguousarray(data.astronaut()[20:340, 60:380])
    rows = []
    for side in (320, 640):
        import cv2

        img = cv2.resize(portrait, (side, side))
        det = best(lambda: analyzer._detector(img, 0), args.repeats * 3)
        lm = best(lambda: analyzer.analyse(img, embeddings=False), args.repeats * 3)
        full = best(lambda: analyzer.analyse(img), args.repeats * 3)
        rows.append((f"{side}x{side}", det, lm, full))
    print("Liveness analysis per frame (best of runs)")
    print(f"{'frame':<10} {'detect ms':>10} {'+landmarks ms':>14} {'+descriptor ms':>15} {'x real time @10 fps':>20}")
    for name, det, lm, full in rows:
        print(f"{name:<10} {det * 1e3:>10.1f} {lm * 1e3:>14.1f} {full * 1e3:>15.1f} {1 / (full * 10):>20.2f}")

    # A cameo in the vault, cast into a Sketch shot.
    faces = analyzer.analyse(portrait)
    crop = analyzer.aligned_crop(portrait, faces[0])
    vault = Vault()
    consent = give_consent("Bench", "Bench", [p.key for p in CONSENT_POINTS])
    cameo = vault.create("Bench", consent, Biometrics(faces[0].embedding, (crop,)))
    hero = Character("char_b", "Bench", "blue jumpsuit", cameo_id=cameo.id)
    shot = Shot(id="s", prompt="@Bench waves in the park", duration_frames=args.frames, characters=(hero.id,), seed=1)
    print(f"\nSketch shot of {args.frames} frames casting a cameo, and the likeness check after it")
    print(f"{'canvas':<10} {'render s':>9} {'render+face s':>14} {'check s':>8} {'check/render':>13} {'similarity':>11}")
    for size in ((640, 360), (1280, 720)):
        project = Project("bench", fps=24, canvas=Canvas(*size), bible=StoryBible((hero,)), shots=(shot,))
        plain = GenerateRequest.for_shot(project, shot)
        cast = cast_cameos(plain, vault)
        engine = SketchEngine()
        out = {}
        t_plain = best(lambda: engine.generate(replace(plain, cameo_references=()), lambda e: None, CancelToken()), args.repeats)
        t_face = best(lambda: out.setdefault("r", engine.generate(cast, lambda e: None, CancelToken())), args.repeats)
        frames = out["r"].frames
        t_check = best(lambda: out.__setitem__("m", measure_cameo_likeness(cast, frames, vault)), args.repeats)
        sim = out["m"][f"cameo.{cameo.id}.similarity"]
        print(f"{size[0]}x{size[1]:<5} {t_plain:>9.2f} {t_face:>14.2f} {t_check:>8.2f} {t_check / t_face:>13.2f} {sim:>11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
