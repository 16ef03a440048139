"""Sketch engine through the engine protocol: events, cancel, the runner and the registry."""

import numpy as np
import pytest

from studio.domain.model import CameraMove
from studio.engine.protocol import (
    CancelledError, CancelToken, Engine, Finished, Preview, Progress, Started,
)
from studio.engine.registry import get_engine
from studio.engine.sketch.engine import SketchEngine

from sketch_support import HANA, request


def test_registered_as_the_sketch_engine():
    engine = get_engine("sketch")
    assert isinstance(engine, SketchEngine) and isinstance(engine, Engine)
    assert engine.name == "sketch" and engine.version


def test_cancel_from_the_emit_callback_stops_within_one_step():
    token = CancelToken()
    events = []

    def emit(ev):
        events.append(ev)
        if isinstance(ev, Progress) and sum(isinstance(e, Progress) for e in events) == 5:
            token.cancel()

    req = request("Hana walks in the city", cast=(HANA,), frames=40)
    with pytest.raises(CancelledError):
        SketchEngine().generate(req, emit, token)
    progress = [e for e in events if isinstance(e, Progress)]
    assert len(progress) == 5
    assert [p.step for p in progress] == [1, 2, 3, 4, 5]
    assert isinstance(events[0], Started)


def test_cancelled_before_starting_renders_nothing():
    token = CancelToken()
    token.cancel()
    events = []
    with pytest.raises(CancelledError):
        SketchEngine().generate(request("a park", frames=10), events.append, token)
    assert not any(isinstance(e, Progress) for e in events)


@pytest.fixture
def sound():
    return pytest.importorskip("studio.sound.design")


def test_generate_returns_frames_stems_events_and_a_recipe_line(sound):
    events = []
    req = request("Hana walks in the park at evening, a ball bounces {sfx: ball bounce}", cast=(HANA,),
                  frames=30, camera=CameraMove.PAN_LEFT, style="watercolour")
    result = SketchEngine().generate(req, events.append, CancelToken())
    assert result.frame_array().shape == (30, 180, 320, 3) and result.frame_array().dtype == np.uint8
    assert result.engine == "sketch" and result.engine_version == SketchEngine.version and result.seed == req.seed
    assert {"ambience", "foley"} <= set(result.stems)
    assert all(s.dtype == np.float32 and s.ndim == 2 for s in result.stems.values())
    assert any(e.kind == "bounce" for e in result.events)
    assert result.mixdown().any()  # the events were heard
    text = result.composed_prompt
    assert "park" in text and "evening" in text and "Hana" in text and "pan left" in text and "watercolour" in text
    assert result.extra["place"] == "park" and result.extra["time_of_day"] == "evening"
    # Progress: one step per frame, then the sound; a preview every dozen frames.
    progress = [e for e in events if isinstance(e, Progress)]
    assert [p.step for p in progress] == list(range(1, 32))
    assert [p.stage for p in progress][-1] == "sound" and {p.total for p in progress} == {31}
    previews = [e for e in events if isinstance(e, Preview)]
    assert [p.frame_index for p in previews][:3] == [0, 12, 24]
    assert np.array_equal(previews[1].frame, result.frame_array()[12])


def test_runner_delivers_started_progress_then_finished(sound):
    from studio.engine.runner import run_request

    events = []
    result = run_request(request("Hana jumps in the park", cast=(HANA,), frames=20, job_id="job_42"), events.append)
    assert result is not None
    assert isinstance(events[0], Started) and events[0].job_id == "job_42" and events[0].engine == "sketch"
    assert isinstance(events[-1], Finished) and events[-1].result is result
    middle = events[1:-1]
    assert middle and all(isinstance(e, (Progress, Preview)) for e in middle)
    steps = [e.step for e in middle if isinstance(e, Progress)]
    assert steps == sorted(steps) and steps[-1] == events[0].total_steps


def test_same_request_same_result(sound):
    req = request("夜、雨のカフェで勉強する", frames=12, seed=21)
    a = SketchEngine().generate(req, lambda e: None, CancelToken())
    b = SketchEngine().generate(req, lambda e: None, CancelToken())
    assert np.array_equal(a.frame_array(), b.frame_array())
    assert a.events == b.events
    for name in a.stems:
        assert np.array_equal(a.stems[name], b.stems[name])


def test_the_sound_is_designed_beside_the_frames_and_matches_designing_it_alone(sound, monkeypatch):
    """The stems are made on their own thread while the frames are drawn, from the same plan: the
    same samples as `design_sound` called on its own after the picture."""
    import threading

    from studio.engine.sketch.render import ShotSpec, plan_shot
    from studio.media import master as master_module

    drawn: list[int] = []
    real_add = master_module.MasterWriter.add
    monkeypatch.setattr(master_module.MasterWriter, "add", lambda self, f: (drawn.append(1), real_add(self, f))[1])
    seen: dict[str, object] = {}
    real_design = sound.design_sound

    def design(*args, **kwargs):
        seen["thread"], seen["frames_drawn_at_start"] = threading.current_thread().name, len(drawn)
        return real_design(*args, **kwargs)

    monkeypatch.setattr(sound, "design_sound", design)
    req = request("Hana kicks a ball in the park {sfx: ball bounce}", cast=(HANA,), frames=24, seed=5)
    result = SketchEngine().generate(req, lambda e: None, CancelToken())
    assert seen["thread"] == "sketch-sound"
    assert seen["frames_drawn_at_start"] < 24  # started before the picture was finished
    plan = plan_shot(ShotSpec.from_request(req))
    resolved = req.resolved()
    alone = real_design(plan.scene, plan.events, 24, req.fps, req.seed, dialogue=resolved.dialogue,
                        sfx_cues=tuple(c for c in resolved.sound_cues if c.kind.value == "sfx"))
    assert alone.keys() == result.stems.keys()
    for name in alone:
        assert np.array_equal(alone[name], result.stems[name]), name


def test_a_sound_design_that_fails_fails_the_render_and_leaves_no_master(sound, monkeypatch, tmp_path):
    from studio.engine.protocol import MasterSpool

    def broken(*args, **kwargs):
        raise RuntimeError("espeak-ng vanished")

    monkeypatch.setattr(sound, "design_sound", broken)
    with pytest.raises(RuntimeError, match="espeak-ng vanished"):
        SketchEngine().generate(request("Hana walks", cast=(HANA,), frames=6), lambda e: None, CancelToken(),
                                sink=MasterSpool(tmp_path))
    import gc

    gc.collect()  # a finished master nobody adopted removes its file when dropped
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_long_shot_stops_designing_its_sound_and_leaves_no_stem_files(sound, monkeypatch, tmp_path):
    import tempfile

    from studio.engine.sketch.render import ShotSpec, plan_shot

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the spooled stems go
    req = request("Hana walks in the rain", cast=(HANA,), frames=24 * 40, seed=2)  # > 30 s: designed in blocks
    plan = plan_shot(ShotSpec.from_request(req))
    checks = []

    def check():
        checks.append(1)
        if len(checks) == 3:
            raise CancelledError()

    with pytest.raises(CancelledError):
        sound.design_sound(plan.scene, plan.events, req.frames, req.fps, req.seed, check=check)
    assert len(checks) == 3  # stopped at the third block of ~15
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("studio-stem-")] == []
