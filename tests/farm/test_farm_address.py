"""`studio render --farm ADDRESS` against a cluster started separately with `ray start` (loopback only).

The head runs as `ray start --head --block` in its own process group, bound to 127.0.0.1,
with its own temp folder; the fixture stops it by that group's id (never `ray stop`, which
would stop every Ray on the machine) and checks that none of its processes is left.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ray")

from studio.persistence.bundle import save_project  # noqa: E402
from tests.support.projects import small_project  # noqa: E402

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_alive(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "pid=,pgid=,comm=", "-e"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.split()[1:2] == [str(pgid)]]


@pytest.fixture(scope="module")
def head():
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="rayh", dir="/tmp")  # short: Ray's socket paths live under it
    # The cluster's own auth token (a studio copies the head's token to each submitting machine);
    # a file of its own, not the ~/.ray/auth_token that local test clusters share.
    token = Path(temp) / "auth_token"
    token.write_text(secrets.token_hex(32), "utf-8")
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}
    env = {**os.environ, **auth, "PYTHONPATH": str(ROOT), "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    env.pop("RAY_ADDRESS", None)
    ray_cli = Path(sys.executable).with_name("ray")
    proc = subprocess.Popen(
        [str(ray_cli), "start", "--head", "--block", "--node-ip-address", "127.0.0.1", "--port", str(port),
         "--num-cpus", "2", "--num-gpus", "0", "--include-dashboard", "false", "--disable-usage-stats",
         "--temp-dir", temp],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        started = threading.Event()

        def read_output() -> None:  # and keep draining it, so the head never blocks on a full pipe
            for line in proc.stdout:
                if "block forever" in line:  # started, and watching its processes
                    started.set()
            started.set()

        threading.Thread(target=read_output, daemon=True).start()
        assert started.wait(180) and proc.poll() is None, "ray start --head did not start"
        with socket.create_connection(("127.0.0.1", port), timeout=10):
            pass
        yield f"127.0.0.1:{port}", auth
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the head's own process group, by its id
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            pass
        for _ in range(40):
            if not _group_alive(proc.pid):
                break
            time.sleep(0.5)
        if _group_alive(proc.pid):  # a loaded machine: its workers had not stopped yet
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
            time.sleep(2)
        left = _group_alive(proc.pid)
        shutil.rmtree(temp, ignore_errors=True)
        assert not left, f"the Ray head left processes behind: {left}"


def _decode(path: Path) -> np.ndarray:
    from studio.media.decode import read_all_frames

    return read_all_frames(path)


@pytest.mark.parametrize("how", ["--farm", "RAY_ADDRESS"])
def test_render_with_farm_address_writes_the_same_mp4_frames_as_in_process(head, tmp_path, how):
    from studio.cli import main

    address, auth = head
    project = small_project("Mei walks in the park", "a boy runs in the rain", size=(160, 90), frames=8)
    save_project(project, tmp_path / "a.studio")
    save_project(project, tmp_path / "b.studio")
    assert main(["render", str(tmp_path / "a.studio"), "-o", str(tmp_path / "a.mp4"), "-q"]) == 0
    env = {**os.environ, **auth, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "studio", "render", str(tmp_path / "b.studio"), "-o", str(tmp_path / "b.mp4")]
    if how == "--farm":
        env.pop("RAY_ADDRESS", None)
        args += ["--farm", address]
    else:
        env["RAY_ADDRESS"] = address
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "127.0.0.1/cpu" in proc.stderr + proc.stdout  # the progress named the node of each shot
    a, b = _decode(tmp_path / "a.mp4"), _decode(tmp_path / "b.mp4")
    assert a.shape == b.shape and a.shape[0] == 16
    assert np.array_equal(a, b)
