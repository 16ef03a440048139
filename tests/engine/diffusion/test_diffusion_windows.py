"""Shots longer than one clip: a plan of windows, joined at overlapped, colour-matched, crossfaded seams."""

from __future__ import annotations

import numpy as np
import pytest

from studio.domain.timing import frames_to_samples
from studio.engine.diffusion.catalogue import find_spec
from studio.engine.diffusion.windows import Window, join_audio, join_frames, match_colour, plan_windows, seam_samples
from studio.engine.protocol import CancelToken, EngineError, Progress, Started
from tests.engine.diffusion.test_diffusion_engine import make_request


def distinct(frames: np.ndarray) -> int:
    return len({f.tobytes() for f in frames})


def test_a_plan_covers_the_shot_with_overlapping_windows_each_a_legal_clip():
    spec = find_spec("wan2.1-t2v-1.3b")  # at most 81 frames at 16 fps (4k+1)
    windows = plan_windows(spec, 160, overlap=9)
    assert [w.frames for w in windows] == [81, 81, 17] and [w.start for w in windows] == [0, 72, 144]
    assert all(spec.frames.accepts(w.frames) for w in windows)
    assert windows[-1].start + windows[-1].frames >= 160 and windows[1].overlap == 9
    assert plan_windows(spec, 49) == [Window(0, 0, 49, 0)]


def test_seams_are_colour_matched_and_crossfaded():
    rng = np.random.default_rng(0)
    a = rng.uniform(0.2, 0.6, (10, 4, 4, 3)).astype(np.float32)
    b = np.clip(a[6:] * 0.5 + 0.3, 0, 1)  # the same moments, another exposure
    b = np.concatenate([b, rng.uniform(0.2, 0.6, (6, 4, 4, 3)).astype(np.float32) * 0.5 + 0.3])
    windows = [Window(0, 0, 10, 0), Window(1, 6, 10, 4)]
    joined = join_frames(windows, [a, b], 16)
    assert joined.shape[0] == 16
    matched = match_colour(b, a[6:], b[:4])
    assert np.allclose(matched[:4], a[6:], atol=1e-3), "an affine exposure change is undone exactly"
    # Without matching, the seam's mean brightness jumps; with it, it does not.
    plain = join_frames(windows, [a, b], 16, match=False)
    jump = lambda clip: abs(clip[10].mean() - clip[9].mean())  # noqa: E731 - first frame after the seam
    assert jump(joined) < jump(plain)


def test_sound_windows_are_crossfaded_at_the_pictures_seams_and_stay_in_step():
    fps, rate = 8, 800
    windows = [Window(0, 0, 9, 0), Window(1, 7, 9, 2), Window(2, 14, 9, 2)]
    # Each window's sound: a tone of its own phase (a plain cut would click) plus a click on its frame 4.
    clips = []
    for k in range(3):
        t = np.arange(round(9 / fps * rate)) / rate
        clip = 0.5 * np.sin(2 * np.pi * 5 * t + 3.0 * k)
        clip[round(4 / fps * rate)] += 0.4
        clips.append(np.stack([clip, clip], 1))
    total = round(23 / fps * rate)
    joined = join_audio(windows, clips, fps, rate, total)
    assert joined.shape == (total, 2)
    for k, w in enumerate(windows):
        click = round((w.start + 4) / fps * rate)
        assert abs(np.diff(joined[:, 0])[click - 1]) > 0.3, f"window {k + 1}'s click is at its own frame's instant"
    naive = np.concatenate([clips[0][: round(7 / fps * rate)], clips[1]])[:, 0]
    step_naive = abs(np.diff(naive)[round(7 / fps * rate) - 1])
    for start, end in seam_samples(windows, fps, rate):
        steps = np.abs(np.diff(joined[start - 2: end + 2, 0]))
        assert steps.max() < 0.1 < step_naive, "no click at a crossfaded seam (a plain cut clicks)"


@pytest.mark.slow
def test_a_ten_second_wan_shot_is_windows_of_distinct_frames(engine, tiny_models):
    # The tiny Wan makes at most 21 frames at 8 fps; the shot is 10 s at the model's frame rate.
    request = make_request(tiny_models["wan"], frames=80, fps=8, canvas=(64, 32), settings={"steps": 2})
    events = []
    result = engine.generate(request, events.append, CancelToken())
    assert result.frame_array().shape == (80, 32, 64, 3)
    n = result.extra["windows"]
    assert n >= 4 and result.extra["continuation"] == "image" and result.extra["stretched"] is False
    assert distinct(result.frame_array()) >= 0.9 * 80, f"{distinct(result.frame_array())} distinct frames of 80"
    stages = [e.stage for e in events if isinstance(e, Progress) and e.stage.startswith("render")]
    assert f"render · window 2 of {n}" in stages and stages[-1] == f"render · window {n} of {n}"
    assert isinstance(events[0], Started) and events[0].total_steps == n * 2 + 2
    steps = [e.step for e in events if isinstance(e, Progress) and e.stage.startswith("render")]
    assert steps == sorted(steps) and len(set(steps)) == n * 2, "one progress step per denoising step of every window"
    # The seams follow from the last frames: each window's first frame is close to the frame it continues.
    seam = [int(w) for w in str(result.extra["window_frames"]).split(",")]
    assert len(seam) == n


@pytest.mark.slow
def test_a_ten_second_ltx2_shot_has_its_sound_in_step_across_windows(engine, tiny_models):
    request = make_request(tiny_models["ltx2"], frames=80, fps=8, canvas=(32, 32), settings={"steps": 1})
    result = engine.generate(request, lambda e: None, CancelToken())
    n = result.extra["windows"]
    assert n >= 2 and result.extra["sound"] == "model"
    assert distinct(result.frame_array()) >= 0.9 * 80
    audio = result.stems["ambience"]
    assert audio.shape == (frames_to_samples(80, 8), 2), "the sound lasts exactly as long as the picture"
    # Every window contributed sound where its picture is (no silent stretch after the first clip).
    per_second = [float(np.sqrt(np.mean(audio[i * 48000:(i + 1) * 48000] ** 2))) for i in range(10)]
    assert min(per_second) > 1e-6, per_second


def test_a_model_that_cannot_continue_refuses_a_long_shot_before_any_work(engine, tiny_models, monkeypatch):
    import studio.engine.diffusion.engine as engine_module

    def no_load(*a, **k):
        raise AssertionError("the pipeline must not be loaded")

    monkeypatch.setattr(engine_module, "load_pipeline", no_load)
    monkeypatch.setattr(engine_module.DiffusersEngine, "_pipeline", no_load)
    events = []
    with pytest.raises(EngineError) as info:  # tiny CogVideoX: text-to-video only, at most 9 frames (1.1 s)
        engine.generate(make_request(tiny_models["cogvideox"], frames=80, fps=8), events.append, CancelToken())
    assert "at most 9 frames (1.1 s)" in info.value.message and "cannot continue" in info.value.message
    assert "slow_motion" in info.value.hint and events == []


def test_slow_motion_only_when_asked(engine, tiny_models):
    result = engine.generate(make_request(tiny_models["cogvideox"], frames=24, fps=8, settings={"slow_motion": True}),
                             lambda e: None, CancelToken())
    assert result.extra["stretched"] is True and result.extra["windows"] == 1 and result.frame_array().shape[0] == 24
