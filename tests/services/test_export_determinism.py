"""Same project, same file: two exports at 1280×720, in two processes, carry the same encoded bytes.

The defect this catches: x264's bitstream depends on its thread count, and the count was
"auto" (1.5 × the CPUs the process may use), so a process restricted to fewer CPUs (a farm
worker, a container, ``taskset``) wrote other takes and another export: a fraction of a grey
level apart. One of the two processes here runs on a single CPU, the other on all of them.
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

_EXPORT = r"""
import hashlib, json, os, sys
from pathlib import Path
cpus = json.loads(sys.argv[2])
if cpus:
    os.sched_setaffinity(0, cpus)  # before FFmpeg and x264 count the CPUs
from studio.media.decode import mp4_boxes, read_all_frames
from studio.persistence.bundle import save_project
from studio.services.export import export_project
from tests.support.projects import small_project

folder = Path(sys.argv[1])
project = small_project("Mei runs in the park in the rain, a dog barks", size=(1280, 720), frames=12)
bundle = save_project(project, folder / "p.studio")
report = export_project(project, bundle, folder / "out.mp4")
data = report.path.read_bytes()
(mdat,) = [(start, size) for kind, start, size in mp4_boxes(report.path) if kind == "mdat"]
print(json.dumps({
    "mdat": hashlib.sha256(data[mdat[0]:mdat[0] + mdat[1]]).hexdigest(),
    "frames": hashlib.sha256(read_all_frames(report.path).tobytes()).hexdigest(),
    "affinity": sorted(os.sched_getaffinity(0)),
}))
"""


def _export_in_a_process(folder: Path, cpus: list[int]) -> dict:
    folder.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", _EXPORT, str(folder), json.dumps(cpus)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs two CPUs to run one export on fewer CPUs than the other")
def test_two_exports_of_the_same_project_at_720p_are_byte_identical(tmp_path):
    everything = sorted(os.sched_getaffinity(0))
    one = _export_in_a_process(tmp_path / "one_cpu", everything[:1])
    all_ = _export_in_a_process(tmp_path / "all_cpus", [])
    assert one["affinity"] == everything[:1] and all_["affinity"] == everything
    # Every encoded video and audio sample, in the order the muxer wrote them.
    assert one["mdat"] == all_["mdat"]
    assert one["frames"] == all_["frames"]
