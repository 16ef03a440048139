"""The diffusers engine on tiny random pipelines of every family, loaded through the real loader."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from studio.domain.model import Canvas, Character, DialogueLine, Project, Shot, StoryBible
from studio.domain.timing import frames_to_samples
from studio.engine.diffusion.engine import resample_frames, to_stereo_48k
from studio.engine.protocol import (
    CancelledError,
    CancelToken,
    EngineError,
    GenerateRequest,
    Preview,
    Progress,
    Started,
)

FAMILIES = ["wan", "ltx", "ltx2", "cogvideox", "skyreels", "sana_video"]


def make_request(model, *, seed=7, frames=12, fps=12, canvas=(64, 36), prompt="@Mei walks in the rain at night",
                 settings=None, start_image=None, quality="standard"):
    mei = Character("c1", "Mei", "short black hair, red coat")
    shot = Shot(id="shot_a", prompt=prompt, duration_frames=frames, seed=seed, engine="diffusers",
                engine_settings=(("model", str(model)),), dialogue=(DialogueLine("good morning", "c1"),))
    project = Project(title="t", fps=fps, canvas=Canvas(*canvas), bible=StoryBible((mei,), setting="city"),
                      shots=(shot,), quality=quality)
    request = GenerateRequest.for_shot(project, shot, settings=settings)
    if start_image is not None:
        from dataclasses import replace

        request = replace(request, start_image=start_image)
    return request


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_makes_a_shot_with_progress_previews_and_sound(engine, tiny_models, family):
    request = make_request(tiny_models[family])
    events = []
    result = engine.generate(request, events.append, CancelToken())

    # The take matches its shot: the project's fps, the shot's length, the canvas.
    assert result.frame_array().shape == (12, 36, 64, 3) and result.frame_array().dtype == np.uint8
    assert result.fps == 12
    assert result.frame_array().std() > 1.0, "a random model still draws something, not a flat frame"
    # Snapped values are recorded.
    steps = result.extra["steps"]
    assert isinstance(events[0], Started) and events[0].total_steps == steps + 2
    renders = [e.step for e in events if isinstance(e, Progress) and e.stage == "render"]
    assert renders == list(range(2, steps + 2)), "one progress event per denoising step"
    previews = [e for e in events if isinstance(e, Preview)]
    assert len(previews) >= 1, "the first preview is always made (it tells what one costs)"
    h, w = result.extra["model_height"], result.extra["model_width"]
    assert previews[0].frame.shape == (h, w, 3) and previews[0].frame.dtype == np.uint8
    assert result.extra["model_frames"] >= 8 and result.extra["seed_policy"]
    shown = [e.stage for e in events if isinstance(e, Progress) and e.step == 1]
    assert shown == [f"{w}×{h} · {result.extra['model_frames']} f · {result.extra['model_fps']} fps · cpu"]
    # Sound: LTX-2 makes its own; the others get the sound design.
    n = frames_to_samples(12, 12)
    assert all(s.shape == (n, 2) and s.dtype == np.float32 for s in result.stems.values())
    if family == "ltx2":
        assert set(result.stems) == {"ambience"} and result.extra["sound"] == "model"
        assert np.sqrt(np.mean(result.stems["ambience"] ** 2)) > 1e-6, "the model's audio is not silence"
        assert 'Mei says: "good morning"' in result.composed_prompt
    else:
        assert {"ambience", "foley", "dialogue"} <= set(result.stems)
        assert result.extra["sound"] == "sound design"
    assert "short black hair, red coat" in result.composed_prompt and "city" in result.composed_prompt


def test_same_seed_same_video_other_seed_other_video(engine, tiny_models):
    a = engine.generate(make_request(tiny_models["wan"], seed=3), lambda e: None, CancelToken())
    b = engine.generate(make_request(tiny_models["wan"], seed=3), lambda e: None, CancelToken())
    c = engine.generate(make_request(tiny_models["wan"], seed=4), lambda e: None, CancelToken())
    assert np.array_equal(a.frame_array(), b.frame_array())
    assert not np.array_equal(a.frame_array(), c.frame_array())


def test_the_pipeline_loads_once_and_is_kept_between_jobs(engine, tiny_models, monkeypatch):
    engine.generate(make_request(tiny_models["cogvideox"]), lambda e: None, CancelToken())
    from studio.engine.diffusion import engine as engine_module

    def no_reload(*args, **kwargs):
        raise AssertionError("the pipeline was loaded again")

    monkeypatch.setattr(engine_module, "load_pipeline", no_reload)
    result = engine.generate(make_request(tiny_models["cogvideox"], seed=9), lambda e: None, CancelToken())
    assert result.frame_array().shape[0] == 12


def test_quality_presets_choose_the_steps_and_a_setting_overrides_them(engine, tiny_models):
    draft = engine.generate(make_request(tiny_models["cogvideox"], quality="draft"), lambda e: None, CancelToken())
    high = engine.generate(make_request(tiny_models["cogvideox"], quality="high"), lambda e: None, CancelToken())
    assert (draft.extra["steps"], high.extra["steps"]) == (2, 3)
    forced = engine.generate(make_request(tiny_models["cogvideox"], settings={"steps": 1}), lambda e: None, CancelToken())
    assert forced.extra["steps"] == 1


def test_cancel_stops_within_one_step_and_the_engine_still_works(engine, tiny_models):
    token = CancelToken()
    events = []

    def emit(event):
        events.append(event)
        if isinstance(event, Progress) and event.stage == "render" and event.step == 2:
            token.cancel()  # during the first denoising step

    with pytest.raises(CancelledError):
        engine.generate(make_request(tiny_models["wan"], settings={"steps": 4}), emit, token)
    renders = [e.step for e in events if isinstance(e, Progress) and e.stage == "render"]
    assert renders == [2], "nothing ran after the step that saw the cancel"
    again = engine.generate(make_request(tiny_models["wan"]), lambda e: None, CancelToken())
    assert again.frame_array().shape[0] == 12


def test_out_of_memory_is_reported_with_a_hint_and_the_app_survives(engine, tiny_models, monkeypatch):
    import torch

    engine.generate(make_request(tiny_models["wan"]), lambda e: None, CancelToken())
    pipe = next(iter(engine._loaded.pipes.values()))

    def oom(self, *args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(type(pipe), "__call__", oom)
    with pytest.raises(EngineError) as info:
        engine.generate(make_request(tiny_models["wan"]), lambda e: None, CancelToken())
    assert "ran out of memory" in info.value.message and "cpu memory profile" in info.value.message
    assert info.value.hint
    assert engine.loaded_key is None, "the model that did not fit was unloaded"
    monkeypatch.undo()
    assert engine.generate(make_request(tiny_models["wan"]), lambda e: None, CancelToken()).frame_array().shape[0] == 12


def test_the_out_of_memory_hint_names_a_profile_that_fits():
    from studio.engine.diffusion.catalogue import find_spec
    from studio.engine.diffusion.device import choose_profile, profile_that_fits
    from studio.engine.diffusion.engine import DiffusersEngine
    from studio.engine.diffusion.job import SizePlan

    spec = find_spec("wan2.1-t2v-1.3b")
    assert choose_profile(spec, "cuda", 80.0) == "gpu"
    # Model offload needs the text encoder (UMT5-XXL, ~11 GB bf16) on the GPU: 12.9 GB, derived from the configs.
    assert choose_profile(spec, "cuda", 15.0) == "model_offload"
    assert choose_profile(spec, "cuda", 10.0) == "group_offload"
    assert choose_profile(spec, "cuda", 4.0) == "sequential_offload"
    assert choose_profile(spec, "cpu", None) == "cpu"
    assert choose_profile(spec, "cuda", 80.0, requested="group_offload") == "group_offload"
    with pytest.raises(EngineError, match="unknown memory profile"):
        choose_profile(spec, "cuda", 80.0, requested="turbo")
    assert profile_that_fits(spec, 15.0, "gpu") == "model_offload"
    plan = SizePlan(832, 480, 81, 16, 30, 5.0, 81, False)
    error = DiffusersEngine._oom_error(spec, "gpu", 15.0, plan, "generating")
    assert "gpu memory profile" in error.message and "832×480, 81 frames" in error.message
    assert "model_offload" in error.hint and "12.9 GB" in error.hint


# (LTX-Video's image-to-video shares this code path; its tiny VAE is the slowest on CPU, so it is left out.)
@pytest.mark.parametrize("family", ["wan", "ltx2"])
def test_a_shot_can_start_from_the_last_frame_of_the_previous_one(engine, tiny_models, family):
    rng = np.random.default_rng(0)
    last_frame = rng.integers(0, 255, (36, 64, 3), dtype=np.uint8)
    plain = engine.generate(make_request(tiny_models[family], seed=5), lambda e: None, CancelToken())
    started = engine.generate(make_request(tiny_models[family], seed=5, start_image=last_frame), lambda e: None, CancelToken())
    assert started.extra["start_image"] == "start image"
    assert started.extra["pipeline"].endswith("ImageToVideoPipeline")
    assert not np.array_equal(plain.frame_array(), started.frame_array()), "the start frame changed the video"
    off = engine.generate(make_request(tiny_models[family], seed=5, start_image=last_frame,
                                       settings={"continuity": False}), lambda e: None, CancelToken())
    assert off.extra["start_image"] == "none" and np.array_equal(off.frame_array(), plain.frame_array())


def test_a_text_only_model_ignores_a_start_image(engine, tiny_models):
    image = np.zeros((36, 64, 3), np.uint8)
    result = engine.generate(make_request(tiny_models["cogvideox"], start_image=image), lambda e: None, CancelToken())
    assert result.extra["start_image"] == "none" and result.extra["pipeline"] == "CogVideoXPipeline"


def test_missing_and_partial_models_say_which_command_fixes_them(engine, tiny_models, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    with pytest.raises(EngineError) as info:
        engine.generate(make_request("wan2.1-t2v-1.3b"), lambda e: None, CancelToken())
    assert "not installed" in info.value.message
    assert info.value.hint.startswith("run: studio models install wan2.1-t2v-1.3b")

    broken = tmp_path / "broken"
    shutil.copytree(tiny_models["cogvideox"], broken)
    for weights in (broken / "transformer").glob("*.safetensors"):
        weights.unlink()
    with pytest.raises(EngineError, match="incomplete: transformer/ has no weights"):
        engine.generate(make_request(broken), lambda e: None, CancelToken())
    with pytest.raises(EngineError, match="unknown model 'nope'"):
        engine.generate(make_request("nope"), lambda e: None, CancelToken())


def test_an_image_only_model_without_an_image_is_refused_clearly(engine, tiny_models, tmp_path):
    import json

    folder = tmp_path / "i2v_only"
    shutil.copytree(tiny_models["wan"], folder)
    card = json.loads((folder / "studio_model.json").read_text())
    card["needs_image"] = True
    (folder / "studio_model.json").write_text(json.dumps(card))
    with pytest.raises(EngineError, match="starts from an image"):
        engine.generate(make_request(folder), lambda e: None, CancelToken())


def test_time_resampling_and_model_audio_conversion():
    clip = np.arange(9)[:, None, None, None] * np.ones((1, 2, 2, 3), np.uint8)
    out = resample_frames(clip, 8, 12, 12)  # 9 frames at 8 fps shown for 1 s at 12 fps
    assert [int(f[0, 0, 0]) for f in out] == [0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7]
    stretched = resample_frames(clip, 8, 24, 12)  # a 2 s shot from a 1.1 s clip: spread over the shot
    assert int(stretched[-1, 0, 0, 0]) == 8 and int(stretched[0, 0, 0, 0]) == 0
    tone = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)[:, None].astype(np.float32)
    stereo = to_stereo_48k(tone, 16000, 48000)
    assert stereo.shape == (48000, 2) and stereo.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(stereo[:, 0]))
    assert abs(np.argmax(spectrum) - 440) <= 1


@pytest.mark.cuda
@pytest.mark.parametrize("profile", ["gpu", "model_offload", "group_offload", "sequential_offload", "fp8"])
def test_memory_profiles_on_cuda_give_the_same_shape(tiny_models, profile):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("needs an NVIDIA GPU")
    from studio.engine.diffusion.engine import DiffusersEngine

    engine = DiffusersEngine()
    result = engine.generate(make_request(tiny_models["wan"], settings={"memory_profile": profile, "device": "cuda"}),
                             lambda e: None, CancelToken())
    assert result.extra["memory_profile"] == profile and result.extra["device"] == "cuda"
    assert result.frame_array().shape == (12, 36, 64, 3)


def test_silent_models_get_sound_designed_from_their_picture(engine, tiny_models, monkeypatch):
    """A model without sound: the picture's impacts (optical flow) get foley on their frames."""
    import studio.engine.diffusion.engine as engine_module

    # Replace the random model's frames by a picture with known impacts: a block that
    # moves right and reverses on frames 8 and 16 (so the test controls where sound belongs).
    def bouncing(raw, plan, request):
        frames = np.full((request.frames, request.canvas.height, request.canvas.width, 3), 40, np.uint8)
        x = 4
        for i in range(request.frames):
            step = 3 if (i // 8) % 2 == 0 else -3
            x += step
            frames[i, 10:26, x : x + 10] = (240, 220, 60)
        return frames

    monkeypatch.setattr(engine_module.DiffusersEngine, "_finish_frames", lambda self, raw, plan, req: bouncing(raw, plan, req))
    request = make_request(tiny_models["wan"], frames=24, fps=12, prompt="a ball bounces {sfx: bounce}")
    result = engine.generate(request, lambda e: None, CancelToken())
    assert result.extra["sound"] == "sound design"
    hits = sorted(e.frame for e in result.events if e.kind != "whoosh")
    assert hits and all(any(abs(h - t) <= 1 for t in (8, 16)) for h in hits), hits
    foley = result.stems["foley"]
    n = frames_to_samples(24, 12)
    assert foley.shape == (n, 2)
    # The foley stem is silent before the first impact and sounds at it.
    first = frames_to_samples(hits[0], 12)
    assert np.abs(foley[: max(0, first - 200)]).max() < 1e-4
    assert np.abs(foley[first : first + 4800]).max() > 0.01


def test_a_text_to_audio_model_voices_the_cues_aligned_to_the_picture(engine, tiny_models, tiny_audio_models):
    request = make_request(tiny_models["wan"], prompt="@Mei opens the door {sfx: door slam}",
                           settings={"audio_model": str(tiny_audio_models["stable_audio"])})
    result = engine.generate(request, lambda e: None, CancelToken())
    assert result.extra["sound"] == "generated + sound design"
    assert result.extra["audio_model"] and "audio_shift_ms" in result.extra
    n = frames_to_samples(12, 12)
    foley = result.stems["foley"]
    assert foley.shape == (n, 2) and foley.dtype == np.float32
    assert np.sqrt(np.mean(foley**2)) > 1e-6, "the generated sound is in the foley stem"
    assert {"ambience", "dialogue"} <= set(result.stems)
