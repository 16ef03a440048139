"""Continuity from the window: the start frame is decoded on the engine's worker thread, not the UI thread."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

from studio.domain.model import Canvas, Project, Shot, StoryBible
from studio.engine.protocol import EngineResult, GenerateRequest
from studio.services.continuity import start_frame, with_continuity, with_deferred_continuity


@pytest.fixture(scope="module")
def tiny_wan(tmp_path_factory):
    from tests.support.tiny_models import build_wan

    return build_wan(tmp_path_factory.mktemp("deferred") / "wan")


def _project_with_first_take(bundle, model):
    """Two diffusers shots; the first has a stored take whose last frame is a known colour."""
    from studio.services.takes import store_take

    shots = tuple(Shot(id=f"s{i}", prompt="Mei walks", duration_frames=6, seed=i, engine="diffusers",
                       engine_settings=(("model", str(model)),)) for i in range(2))
    project = Project("c", fps=12, canvas=Canvas(64, 36), bible=StoryBible(), shots=shots)
    frames = np.zeros((6, 36, 64, 3), np.uint8)
    frames[:, :, :, 0] = 40
    frames[-1] = (200, 60, 30)  # the last frame: what the next shot starts from
    request = GenerateRequest.for_shot(project, shots[0])
    result = EngineResult(frames=frames, fps=12, stems={}, events=(), engine="diffusers", engine_version="t",
                          seed=0, composed_prompt="Mei walks")
    take = store_take(bundle, request, result)
    return project.with_shot(shots[0].with_take(take))


@pytest.fixture
def decodes(monkeypatch):
    """Threads on which a take was decoded."""
    import studio.media.decode as decode

    seen = []
    real = decode.read_frames

    def spy(*args, **kwargs):
        seen.append(threading.current_thread())
        yield from real(*args, **kwargs)

    monkeypatch.setattr(decode, "read_frames", spy)
    return seen


def test_deferred_continuity_reads_nothing_until_the_loader_runs(tmp_path, tiny_wan, decodes):
    bundle = tmp_path / "c.studio"
    project = _project_with_first_take(bundle, tiny_wan)
    request = GenerateRequest.for_shot(project, project.shots[1])
    deferred = with_deferred_continuity(project, bundle, request)
    assert decodes == [] and deferred.start_image is None and deferred.start_image_loader is not None
    frame = deferred.start_image_loader()
    assert len(decodes) == 1
    eager = with_continuity(project, bundle, request).start_image  # the command line's path, unchanged
    assert np.array_equal(frame, eager)
    assert frame.shape == (36, 64, 3) and abs(int(frame[18, 32, 0]) - 200) < 12
    # No loader where nothing could use one: another engine, continuity off, or a frame already given.
    assert with_deferred_continuity(project, bundle, replace(request, engine="sketch")).start_image_loader is None
    off = replace(request, settings=request.settings + (("continuity", False),))
    assert with_deferred_continuity(project, bundle, off).start_image_loader is None
    given = replace(request, start_image=np.zeros((36, 64, 3), np.uint8))
    assert with_deferred_continuity(project, bundle, given).start_image_loader is None
    assert start_frame(project, bundle, GenerateRequest.for_shot(project, project.shots[0])) is None


def test_a_broken_loader_costs_continuity_not_the_take(tiny_wan, caplog):
    from studio.engine.diffusion.engine import DiffusersEngine
    from studio.engine.protocol import CancelToken
    from tests.engine.diffusion.test_diffusion_engine import make_request

    def broken():
        raise OSError("take file vanished")

    request = replace(make_request(tiny_wan, settings={"steps": 1}), start_image_loader=broken)
    result = DiffusersEngine().generate(request, lambda e: None, CancelToken())
    assert result.extra["start_image"] == "none" and result.frame_array().shape[0] == 12
    assert "could not be loaded" in caplog.text


def test_window_bridge_decodes_the_last_frame_on_the_worker_thread(qtbot, tmp_path, tiny_wan, decodes, monkeypatch):
    from studio.engine.diffusion.engine import DiffusersEngine
    from studio.services.qt_engine import EngineBridge

    starts = []
    real_start = DiffusersEngine._start_image

    def spy(request, spec):
        image, origin = real_start(request, spec)
        starts.append((image, origin))
        return image, origin

    monkeypatch.setattr(DiffusersEngine, "_start_image", staticmethod(spy))

    bundle = tmp_path / "c.studio"
    project = _project_with_first_take(bundle, tiny_wan)
    shot = project.shots[1]
    shot = replace(shot, engine_settings=shot.engine_settings + (("steps", 1),))
    project = project.with_shot(shot)
    bridge = EngineBridge()
    try:
        with qtbot.waitSignal(bridge.take_ready, timeout=120000) as ready:
            bridge.submit(project, bundle, shot)
            assert decodes == [], "submit returned without decoding anything"
        assert ready.args[1] == shot.id
    finally:
        bridge.shutdown()
    assert decodes and all(t is not threading.main_thread() for t in decodes)
    (image, origin), = starts
    assert origin == "start image" and image.shape == (36, 64, 3) and abs(int(image[18, 32, 0]) - 200) < 12


class _CapturingWorker:
    def __init__(self) -> None:
        self.requests = []

    def submit(self, request, spool=None):
        self.requests.append(request)
        return request.job_id


def test_bridge_puts_the_saved_memory_profile_into_each_request(qtbot, tmp_path):
    from studio.services.qt_engine import EngineBridge
    from studio.services.settings import Settings

    project = Project("c", fps=12, canvas=Canvas(64, 36), bible=StoryBible(),
                      shots=(Shot(id="a", prompt="x", duration_frames=6, engine="diffusers"),
                             Shot(id="b", prompt="y", duration_frames=6, engine="diffusers",
                                  engine_settings=(("memory_profile", "gpu"),))))
    bridge = EngineBridge()
    worker = bridge._worker = _CapturingWorker()
    bridge.submit(project, tmp_path / "c.studio", project.shots[0])  # no settings source: nothing added
    current = {"s": Settings(memory_profile="sequential_offload")}
    bridge.settings_source = lambda: current["s"]
    bridge.submit(project, tmp_path / "c.studio", project.shots[0])
    bridge.submit(project, tmp_path / "c.studio", project.shots[1])  # the shot's own choice wins
    current["s"] = Settings()
    bridge.submit(project, tmp_path / "c.studio", project.shots[0])  # auto: the engine decides
    bridge._worker = None
    assert [r.setting("memory_profile") for r in worker.requests] == [None, "sequential_offload", "gpu", None]
