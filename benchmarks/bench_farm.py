"""The render farm against in-process rendering, side by side, and a simulation for more GPUs.

Measures a 12-shot Sketch project (CPU workers) and a 4-shot tiny-model project (a tiny Wan
pipeline on fake-GPU workers; continuity off so its shots are independent) rendered
in-process, on a 1-worker and on a 2-worker local Ray cluster (loopback only). Every farm
configuration is run once to warm its workers (imports, pipeline load), then timed, so the
figures are the steady state of a farm that keeps its pipelines loaded. Prints ratios.

Then a simulation (no Ray): a 40-shot film whose shots use 3 models in story order, placed on
1, 4 and 8 GPUs, with the measured per-shot time and model-load time (from the tiny model's
first shot, or --load-s and --shot-s for a real model), with and without grouping by model.

    PYTHONPATH=. python benchmarks/bench_farm.py
    PYTHONPATH=. python benchmarks/bench_farm.py --shot-s 300 --load-s 120   # a 14B model, on paper only
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _project(n: int, size, frames: int, fps: int = 24):
    from tests.support.projects import small_project

    prompts = [f"Mei walks in the park {i}" if i % 2 else f"rain at night in a cafe {i}" for i in range(n)]
    return small_project(*prompts, size=size, frames=frames, fps=fps)


def _render(project, address: str | None, root: Path, tag: str, **kw) -> float:
    from studio.persistence.bundle import save_project
    from studio.services.export import ensure_takes
    from studio.services.farm_render import ensure_takes_on_farm

    bundle = root / f"{tag}.studio"
    if bundle.exists():
        shutil.rmtree(bundle)
    save_project(project, bundle)
    t0 = time.perf_counter()
    if address is None:
        ensure_takes(project, bundle, project.shots, **kw)
    else:
        ensure_takes_on_farm(project, bundle, project.shots, address, **kw)
    return time.perf_counter() - t0


def simulate(shots: list[str], gpus: int, shot_s: float, load_s: float, grouped: bool) -> tuple[float, int]:
    """Wall time of ``shots`` (model names, in story order) on ``gpus`` workers that keep one model loaded."""
    free_at = [0.0] * gpus
    loaded: list[str | None] = [None] * gpus
    pending = list(shots)
    loads = 0
    while pending:
        g = min(range(gpus), key=lambda i: free_at[i])
        pick = 0
        if grouped and loaded[g] is not None:
            same = [i for i, m in enumerate(pending) if m == loaded[g]]
            if same:
                pick = same[0]
            else:
                # A model no other worker holds, so two workers do not both load the same one.
                held = {m for j, m in enumerate(loaded) if j != g}
                other = [i for i, m in enumerate(pending) if m not in held]
                pick = other[0] if other else 0
        model = pending.pop(pick)
        loads += loaded[g] != model
        cost = shot_s + (load_s if loaded[g] != model else 0.0)
        loaded[g] = model
        free_at[g] += cost
    return max(free_at), loads


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shots", type=int, default=12)
    ap.add_argument("--frames", type=int, default=24)
    ap.add_argument("--shot-s", type=float, help="per-shot time for the simulation (default: measured, tiny model)")
    ap.add_argument("--load-s", type=float, help="model-load time for the simulation (default: measured, tiny model)")
    ap.add_argument("--no-tiny", action="store_true", help="skip the tiny diffusers model")
    ap.add_argument("--repeat", type=int, default=3,
                    help="timed runs of each configuration, in-process and farm alternating; the best of each is "
                    "reported (a shared machine's load comes and goes)")
    args = ap.parse_args()

    import ray

    from studio.farm.cluster import connect
    from studio.farm.runner import FarmRunner
    from studio.services import farm_render

    root = Path(tempfile.mkdtemp(prefix="bench_farm_"))
    rows = []
    print(f"# bench_farm — {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}), Python {sys.version.split()[0]}, Ray {ray.__version__}\n")
    sketch = _project(args.shots, (320, 180), args.frames)
    t0 = time.perf_counter()
    connect("local", num_cpus=2, num_gpus=2)
    cluster_start = time.perf_counter() - t0

    tiny = None
    if not args.no_tiny:
        from tests.support.tiny_models import build_wan

        folder = build_wan(root / "tiny_wan")
        tiny = replace(_project(4, (64, 32), 8, fps=8))
        tiny_kw = dict(engine="diffusers", settings={"model": str(folder), "continuity": False})

    # In-process: warm once (imports, the pipeline), then time.
    _render(sketch, None, root, "warm_inproc")
    inproc_sketch = _render(sketch, None, root, "inproc")
    inproc_tiny = first_tiny = None
    if tiny is not None:
        from studio.engine.registry import _instances

        _instances.pop("diffusers", None)  # a fresh engine: the first shot pays the load
        t0 = time.perf_counter()
        _render(replace(tiny, shots=tiny.shots[:1]), None, root, "tiny_first", **tiny_kw)
        first_tiny = time.perf_counter() - t0
        inproc_tiny = _render(tiny, None, root, "tiny_inproc", **tiny_kw)

    for workers in (1, 2):
        runner = FarmRunner(cpu_workers=workers, gpu_workers=workers)
        farm_render._session = farm_render.FarmSession("local", type("C", (), {"started_here": False})(), runner)
        t0 = time.perf_counter()
        _render(sketch, "local", root, f"warm{workers}")
        warm_s = time.perf_counter() - t0
        # Side by side: in-process and farm runs alternate, so both see the same machine load.
        farm_s = float("inf")
        for _ in range(max(1, args.repeat)):
            inproc_sketch = min(inproc_sketch, _render(sketch, None, root, "inproc"))
            farm_s = min(farm_s, _render(sketch, "local", root, f"farm{workers}"))
        rows.append(("Sketch", args.shots, workers, inproc_sketch, farm_s, warm_s))
        if tiny is not None:
            t0 = time.perf_counter()
            _render(tiny, "local", root, f"tiny_warm{workers}", **tiny_kw)
            warm_t = time.perf_counter() - t0
            farm_t = float("inf")
            for _ in range(max(1, args.repeat)):
                inproc_tiny = min(inproc_tiny, _render(tiny, None, root, "tiny_inproc", **tiny_kw))
                farm_t = min(farm_t, _render(tiny, "local", root, f"tiny_farm{workers}", **tiny_kw))
            rows.append(("tiny Wan", len(tiny.shots), workers, inproc_tiny, farm_t, warm_t))
        runner.shutdown()
        farm_render._session = None
    ray.shutdown()

    print(f"local cluster start: {cluster_start:.1f} s (once per session); best of {max(1, args.repeat)} timed runs each\n")
    print("| project | shots | workers | in-process s | farm s | farm / in-process | overhead per shot s | first (cold) farm run s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, n, w, a, b, warm in rows:
        print(f"| {name} | {n} | {w} | {a:.2f} | {b:.2f} | {b / a:.2f} | {(b - a) / n:+.3f} | {warm:.1f} |")

    shot_s = args.shot_s or (inproc_tiny / len(tiny.shots) if tiny is not None else inproc_sketch / args.shots)
    load_s = args.load_s if args.load_s is not None else (max(0.0, first_tiny - shot_s) if first_tiny else 0.0)
    film = [("A", "B", "C")[(i // 2) % 3] for i in range(40)]  # story order: two shots of a model, then the next
    base, _ = simulate(film, 1, shot_s, load_s, grouped=False)
    print(f"\nSimulation: 40 shots over 3 models in story order, {shot_s:.2f} s per shot, {load_s:.2f} s per model load")
    print("(speed-up against one GPU rendering in story order, reloading at each change of model)\n")
    print("| GPUs | speed-up, ungrouped | loads | speed-up, grouped by model | loads |")
    print("|---|---|---|---|---|")
    for g in (1, 4, 8):
        ungrouped, lu = simulate(film, g, shot_s, load_s, grouped=False)
        grouped, lg = simulate(film, g, shot_s, load_s, grouped=True)
        print(f"| {g} | {base / ungrouped:.2f}× | {lu} | {base / grouped:.2f}× | {lg} |")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
