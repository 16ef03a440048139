"""The encoder alone: the same frames give the same file whatever CPUs the process may use.

x264's bitstream depends on its thread count; "auto" (1.5 × the CPUs) made it differ
between a process on one CPU and one on all of them (see X264_THREADS).
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs two CPUs to run one encode on fewer CPUs than the other")
def test_the_encoded_stream_does_not_depend_on_the_cpus(tmp_path):
    script = r"""
import json, os, sys
cpus = json.loads(sys.argv[2])
if cpus:
    os.sched_setaffinity(0, cpus)
from tests.media.media_samples import smooth_frames
from studio.media.encode import write_mp4
import numpy as np
audio = np.sin(np.arange(48000, dtype=np.float32) / 9.0)[:, None].repeat(2, axis=1) * 0.3
write_mp4(sys.argv[1], smooth_frames(30, 640, 360), fps=24, width=640, height=360, audio=audio, preset="veryfast")
"""
    digests = []
    for name, cpus in (("one.mp4", sorted(os.sched_getaffinity(0))[:1]), ("all.mp4", [])):
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / name), json.dumps(cpus)], cwd=ROOT,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert digests[0] == digests[1]
