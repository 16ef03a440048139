"""Scene plans: time to read a prompt into a plan vs the old keyword scan, side by side.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_plan.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.domain.scene import describe_scene  # noqa: E402
from studio.understanding import plan_scene  # noqa: E402
from tests.understanding.test_scene_plan import EN, JA  # noqa: E402


def _time(fn, prompts, repeat=5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for p in prompts:
            fn(p)
        best = min(best, time.perf_counter() - t0)
    return best / len(prompts)


def main() -> None:
    plan_scene("猫")  # load the dictionary once, outside the timing
    print("| prompts | scene plan, ms/prompt | keyword scan, ms/prompt | ratio |")
    print("| --- | --- | --- | --- |")
    for name, rows in (("English", EN), ("Japanese", JA)):
        prompts = [r[0] for r in rows]
        plan = _time(plan_scene, prompts)
        scan = _time(describe_scene, prompts)
        print(f"| {name} ({len(prompts)}) | {plan * 1e3:.2f} | {scan * 1e3:.3f} | {plan / scan:.3f}× |")


if __name__ == "__main__":
    main()
