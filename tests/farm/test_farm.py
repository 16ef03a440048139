"""The render farm on a real Ray cluster, on loopback only, with a fake GPU declared.

One cluster for the module (starting Ray costs seconds): 2 CPUs, 1 fake GPU with a
declared memory resource, 2 CPU workers for Sketch shots and 1 GPU worker. It is shut
down at the end by the fixture that started it. The test that kills a worker runs last.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip("ray")

from studio.engine.protocol import CancelledError, CancelToken, Finished, Progress  # noqa: E402
from studio.persistence.bundle import load_project, save_project  # noqa: E402
from tests.support.projects import small_project  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def farm():
    from studio.farm.cluster import connect
    from studio.services.farm_render import close_farm, open_farm

    if ray.is_initialized():
        ray.shutdown()
    connect("local", num_cpus=2, num_gpus=1, resources={"studio_vram_gb": 24.0})
    session = open_farm("local", cpu_workers=2)
    try:
        yield session
    finally:
        close_farm()
        ray.shutdown()


def _digest(frames: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(frames).tobytes()).hexdigest()


def _engine_frames_in_process(project, bundle, **kw) -> dict[str, str]:
    from studio.services.takes import render_shot

    out: dict[str, str] = {}
    for shot in project.shots:
        def on_event(e, sid=shot.id):
            if isinstance(e, Finished):
                out[sid] = _digest(e.result.frame_array())
        project, _ = render_shot(project, bundle, project.shot(shot.id), on_event=on_event, **kw)
    return out


def _engine_frames_on_farm(project, bundle, **kw):
    from studio.services.farm_render import ensure_takes_on_farm

    out: dict[str, str] = {}
    placed = []

    def on_event(e):
        if isinstance(e, Finished):
            out[e.job_id] = _digest(e.result.frame_array())

    project, rendered = ensure_takes_on_farm(project, bundle, project.shots, "local", on_event=on_event,
                                             on_placed=placed.append, **kw)
    return out, project, rendered, placed


def test_sketch_shots_render_the_same_frames_on_cpu_workers(farm, tmp_path):
    project = small_project("Mei walks in the park", "a boy runs in the rain", "night city street",
                            size=(160, 90), frames=8)
    save_project(project, tmp_path / "a.studio")
    save_project(project, tmp_path / "b.studio")
    local = _engine_frames_in_process(project, tmp_path / "a.studio")
    remote, updated, rendered, placed = _engine_frames_on_farm(project, tmp_path / "b.studio")
    assert remote == local and len(set(local.values())) == 3
    assert rendered == [s.id for s in project.shots]
    # Sketch shots went to CPU workers, and every placement names its node.
    assert {p.node.rsplit("/", 1)[1][:3] for p in placed} == {"cpu"} and all("/" in p.node for p in placed)
    # The takes were written by this process into this bundle, and saved.
    reloaded = load_project(tmp_path / "b.studio")
    assert all(s.selected_take is not None for s in reloaded.shots)
    assert all((tmp_path / "b.studio" / "media" / s.selected_take.video).is_file() for s in reloaded.shots)


@pytest.fixture(scope="module")
def tiny_wan(tmp_path_factory):
    from tests.support.tiny_models import build_wan

    return build_wan(tmp_path_factory.mktemp("farm_models") / "tiny_wan")


def test_a_tiny_diffusers_model_renders_the_same_frames_on_the_gpu_worker_with_continuity(farm, tiny_wan, tmp_path):
    project = small_project("Mei walks in the park", "Mei reads in a cafe", size=(64, 32), fps=8, frames=8)
    settings = {"model": str(tiny_wan)}
    save_project(project, tmp_path / "a.studio")
    save_project(project, tmp_path / "b.studio")
    local = _engine_frames_in_process(project, tmp_path / "a.studio", engine="diffusers", settings=settings)
    remote, updated, _, placed = _engine_frames_on_farm(project, tmp_path / "b.studio", engine="diffusers",
                                                        settings=settings)
    assert remote == local and len(local) == 2
    assert {p.node.rsplit("/", 1)[1] for p in placed} == {"gpu0"}
    second = dict(updated.shots[1].selected_take.recipe.settings)
    assert second["start_image"] == "start image"  # waited for the first shot's take, started from its last frame


def test_a_model_missing_on_the_cluster_is_reported_before_any_work(farm, tmp_path):
    from studio.farm.errors import FarmError
    from studio.services.farm_render import ensure_takes_on_farm

    project = small_project("Mei walks", size=(64, 32), fps=8, frames=8)
    save_project(project, tmp_path / "m.studio")
    events = []
    with pytest.raises(FarmError) as info:
        ensure_takes_on_farm(project, tmp_path / "m.studio", project.shots, "local", engine="diffusers",
                             settings={"model": str(tmp_path / "no_such_model")}, on_event=events.append,
                             on_placed=events.append)
    assert "no farm node can load the model" in info.value.message and "/gpu0" in info.value.message
    assert "no_such_model" in info.value.message and "every node" in info.value.hint
    assert events == []  # no shot was placed, no event came back
    assert not (tmp_path / "m.studio" / "media").exists() or not any((tmp_path / "m.studio" / "media").iterdir())


def test_cancel_mid_render_stops_every_shot_and_adds_no_take(farm, tmp_path):
    from studio.services.farm_render import ensure_takes_on_farm

    project = small_project("Mei walks in the park", "a boy runs", size=(640, 360), frames=600)
    bundle = tmp_path / "c.studio"
    save_project(project, bundle)
    cancel = CancelToken()
    last_step: dict[str, int] = {}
    placed = threading.Event()
    nodes: list[str] = []

    def on_event(e):
        if isinstance(e, Progress) and e.stage == "render":
            last_step[e.job_id] = e.step

    def on_placed(p):
        nodes.append(p.node)
        if len(nodes) == 2:
            placed.set()

    outcome: list[BaseException] = []

    def render():
        try:
            ensure_takes_on_farm(project, bundle, project.shots, "local", cancel=cancel, on_event=on_event,
                                 on_placed=on_placed)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            outcome.append(exc)

    thread = threading.Thread(target=render)
    thread.start()
    assert placed.wait(60)
    while len(last_step) < 2:  # both shots are rendering
        time.sleep(0.05)
    cancel.cancel()
    t0 = time.monotonic()
    thread.join(60)
    print(f"cancel returned after {time.monotonic() - t0:.2f}s at steps {last_step}")
    assert not thread.is_alive() and len(outcome) == 1 and isinstance(outcome[0], CancelledError)
    assert all(step < 600 for step in last_step.values())  # neither shot reached its end
    # Both workers answer at once: their shots stopped.
    ray.get([w.handle.info.remote() for w in farm.runner.workers], timeout=30)
    reloaded = load_project(bundle)
    assert all(not s.takes for s in reloaded.shots)
    media = bundle / "media"
    assert not media.exists() or not any(media.iterdir())


def _decode(path: Path) -> np.ndarray:
    from studio.media.decode import read_all_frames

    return read_all_frames(path)


def test_studio_render_farm_local_writes_the_same_mp4_frames_as_in_process(farm, tmp_path, capsys):
    from studio.cli import main

    project = small_project("Mei walks in the park", "a boy runs in the rain", size=(160, 90), frames=8)
    save_project(project, tmp_path / "a.studio")
    save_project(project, tmp_path / "b.studio")
    assert main(["render", str(tmp_path / "a.studio"), "-o", str(tmp_path / "a.mp4"), "-q"]) == 0
    assert main(["render", str(tmp_path / "b.studio"), "-o", str(tmp_path / "b.mp4"), "--farm", "local", "-q"]) == 0, \
        capsys.readouterr().err
    a, b = _decode(tmp_path / "a.mp4"), _decode(tmp_path / "b.mp4")
    assert a.shape == b.shape and a.shape[0] == 16
    assert np.array_equal(a, b)


def test_an_unreachable_address_fails_with_a_clear_error_within_seconds(tmp_path):
    import socket

    project = small_project("Mei walks", size=(64, 32), frames=4)
    save_project(project, tmp_path / "u.studio")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("RAY_ADDRESS", None)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "studio", "render", str(tmp_path / "u.studio"), "-o",
                           str(tmp_path / "u.mp4"), "--farm", f"127.0.0.1:{port}", "-q"],
                          capture_output=True, text=True, timeout=60, env=env)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 1, proc.stderr
    assert f"no Ray cluster answers at 127.0.0.1:{port}" in proc.stderr and "ray start --head" in proc.stderr
    assert elapsed < 30  # seconds (mostly Python start-up), not a hang
    assert not (tmp_path / "u.mp4").exists()


def test_the_window_queue_shows_the_node_that_renders_each_shot_and_stores_the_farms_take(farm, tmp_path, qtbot):
    """Settings → Render on: local farm. Generate goes to the farm; each queue row names its node."""
    from studio.media.decode import read_all_frames
    from studio.services.jobs import JobQueue, JobState
    from studio.services.qt_engine import EngineBridge
    from studio.services.settings import Settings
    from studio.ui.queue_panel import QueuePanel

    project = small_project("Mei walks in the park", "a boy runs in the rain", size=(160, 90), frames=8)
    bundle = tmp_path / "w.studio"
    save_project(project, bundle)
    jobs = JobQueue()
    bridge = EngineBridge(jobs)
    bridge.settings_source = lambda: Settings(render_farm="local")
    panel = QueuePanel(jobs)
    qtbot.addWidget(panel)
    seen_nodes: dict[str, set[str]] = {}
    takes: dict[str, object] = {}

    def on_change(job_id):  # what the row shows while the job runs, not only at the end
        info, row = jobs.get(job_id), panel.row(job_id)
        if info is not None and info.node and row is not None and info.state is JobState.RUNNING:
            seen_nodes.setdefault(job_id, set()).add(row.node.text())

    jobs.job_changed.connect(on_change)
    bridge.take_ready.connect(lambda j, s, t: takes.__setitem__(j, (s, t)))
    try:
        ids = [bridge.submit(project, bundle, shot) for shot in project.shots]
        qtbot.waitUntil(lambda: len(takes) == 2, timeout=90_000)
    finally:
        bridge.shutdown()
    names = {w.name for w in farm.runner.workers}
    for job_id, shot in zip(ids, project.shots):
        info = jobs.get(job_id)
        assert info.state is JobState.DONE and info.node in names and info.node.startswith("127.0.0.1/cpu")
        assert seen_nodes[job_id] == {f"on {info.node}"}
        assert panel.row(job_id).node.isVisibleTo(panel)
        # The farm's take, stored by this process, holds the frames an in-process render writes.
        shot_id, take = takes[job_id]
        assert shot_id == shot.id
        local_bundle = tmp_path / f"local_{shot.id}.studio"
        save_project(project, local_bundle)
        from studio.services.takes import render_shot

        _, local_take = render_shot(project, local_bundle, project.shot(shot.id))
        assert np.array_equal(read_all_frames(bundle / "media" / take.video),
                              read_all_frames(local_bundle / "media" / local_take.video))


def test_zz_a_worker_killed_mid_shot_is_retried_elsewhere_and_the_export_completes(farm, tmp_path):
    """Runs last in the module: it kills one of the CPU workers (the farm starts a replacement)."""
    from studio.services.export import ExportOptions, export_project

    project = small_project("Mei walks in the park", "a boy runs", size=(160, 90), frames=72)
    bundle = tmp_path / "k.studio"
    save_project(project, bundle)
    from studio.services import farm_render

    workers = {w.name: w for w in farm.runner.workers}
    killed: list[str] = []
    messages: list[str] = []
    lock = threading.Lock()
    placed_on: dict[str, str] = {}
    original_run = farm.runner.run

    def run(requests, emit, **kw):
        placed_cb = kw.get("on_placed")

        def on_placed(p):
            placed_on[p.job_id] = p.node
            if placed_cb:
                placed_cb(p)

        def spy(e):
            if isinstance(e, Progress) and "died while rendering" in e.stage:
                messages.append(e.stage)
            if isinstance(e, Progress) and e.stage == "render" and e.step == 3 and e.job_id == "shot_1":
                with lock:
                    if not killed:
                        name = placed_on[e.job_id]
                        killed.append(name)
                        os.kill(workers[name].pid, signal.SIGKILL)
            emit(e)

        kw["on_placed"] = on_placed
        return original_run(requests, spy, **kw)

    farm.runner.run = run
    try:
        report = export_project(project, bundle, tmp_path / "k.mp4", ExportOptions(farm="local"))
    finally:
        farm.runner.run = original_run
    assert killed and messages
    assert killed[0] in messages[0] and "shot_1" in messages[0] and "attempt 2 of 3" in messages[0]
    assert placed_on["shot_1"] != killed[0] or len({w.pid for w in farm.runner.workers}) == 3
    frames = _decode(tmp_path / "k.mp4")
    assert frames.shape[0] == 144 == report.frames
    reloaded = load_project(bundle)
    assert [len(s.takes) for s in reloaded.shots] == [1, 1]  # nothing half-written, no duplicate take
    assert len(list((bundle / "media").glob("*.mp4"))) == 2
    assert farm_render._session is farm
