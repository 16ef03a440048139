"""The diffusion benchmark's CPU smoke mode runs and prints its tables (speed itself is not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_bench_diffusion_smoke_mode_prints_the_comparison_table():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_diffusion.py"), "--smoke", "--repeats", "1",
                           "--speedups"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "Plain diffusers vs Studio's engine" in out and "| cpu " in out
    assert "first-block cache" in out and "attention native" in out
