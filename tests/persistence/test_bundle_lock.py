"""Issue 16 item 7: two writers of one project: the second is refused, naming the first; a crash frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from studio.cli import main as cli_main
from studio.persistence.bundle import load_project, save_project
from studio.persistence.lock import BundleBusy, LOCK_FILE, bundle_lock, lock_holder
from studio.services.export import export_project
from tests.support.projects import small_project

HOLDER = """
import sys, time
from studio.persistence.lock import bundle_lock
with bundle_lock(sys.argv[1], "studio render (test holder)"):
    print("locked", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def held(tmp_path):
    """A bundle whose lock another process holds; yields (bundle, process)."""
    bundle = save_project(small_project("a ball bounces", frames=4, size=(64, 64)), tmp_path / "p.studio")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(bundle)], stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield bundle, proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_a_second_render_is_refused_naming_the_other_process(held, tmp_path, capsys):
    bundle, proc = held
    before = (bundle / "project.json").read_bytes()
    with pytest.raises(BundleBusy) as info:
        export_project(load_project(bundle), bundle, tmp_path / "out.mp4")
    assert f"pid {proc.pid}" in info.value.message
    assert cli_main(["render", str(bundle), "-o", str(tmp_path / "out.mp4"), "-q"]) == 1
    assert f"pid {proc.pid}" in capsys.readouterr().err
    assert (bundle / "project.json").read_bytes() == before and not (tmp_path / "out.mp4").exists()
    assert not list((bundle / "media").iterdir())  # nothing rendered on the way
    assert f"pid {proc.pid}" in lock_holder(bundle)


def test_a_killed_holder_leaves_no_stuck_lock(held, tmp_path):
    bundle, proc = held
    os.kill(proc.pid, signal.SIGKILL)  # a crash: no cleanup runs
    proc.wait(10)
    assert (bundle / LOCK_FILE).exists() and lock_holder(bundle) is None
    report = export_project(load_project(bundle), bundle, tmp_path / "out.mp4")
    assert report.path.is_file() and load_project(bundle).shots[0].selected_take is not None


def test_the_lock_is_reentrant_in_one_process(tmp_path):
    bundle = save_project(small_project("a ball bounces", frames=4, size=(64, 64)), tmp_path / "q.studio")
    with bundle_lock(bundle, "outer"), bundle_lock(bundle, "inner"):
        assert lock_holder(bundle) is None
    with bundle_lock(bundle, "again"):
        pass
