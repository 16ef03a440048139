"""The diffusion benchmark's CPU smoke mode runs and prints its tables (speed itself is not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_bench_diffusion_smoke_mode_prints_the_comparison_table(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_diffusion.py"), "--smoke", "--repeats", "1",
                           "--speedups", "--json", str(tmp_path / "bench.json")], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "plain diffusers (same arguments) vs Studio's engine per speed preset" in out and "| cpu " in out
    assert "first-block cache" in out and "attention native" in out
    import json

    rows = json.loads((tmp_path / "bench.json").read_text())["rows"]
    assert [r["preset"] for r in rows] == ["quality", "balanced", "fast"]
    assert rows[0]["overhead_pct"] is not None and all(r["speedup"] > 0 for r in rows)
    assert rows[2]["steps"] < rows[0]["steps"] and "first_block" in rows[1]["settings"]


def test_bench_diffusion_without_cuda_says_so_and_fails():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_diffusion.py")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no CUDA GPU" in proc.stderr and "--smoke" in proc.stderr
    # It still prints what a GPU run would cover: every catalogue video model, per preset, with its recipe.
    from studio.engine.diffusion.catalogue import video_models

    assert "What a GPU run covers" in proc.stdout
    lines = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    for spec in video_models():
        presets = {line.split("|")[2].strip() for line in lines if line.split("|")[1].strip() == spec.id}
        assert presets == {"quality", "balanced", "fast"}, spec.id
    ltx2_fast = next(line for line in lines if line.split("|")[1].strip() == "ltx-2" and "| fast" in line)
    assert "LoRA Lightricks/LTX-2/" in ltx2_fast and "sigmas=[8 values]" in ltx2_fast
