"""The newest open leaders (LTX-2.3, Wan 2.2 A14B, HunyuanVideo 1.5, SkyReels-V2 DF, SANA-Video,
Kandinsky 5 Lite) against the INSTALLED diffusers: their pipeline classes and components, the
authors' recipes where the installed source states them, and the mechanisms their families need
(a guider instead of guidance_scale, no step callback, per-preset recipes)."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import diffusers
import pytest
import torch

from studio.engine.diffusion.catalogue import find_spec
from studio.engine.diffusion.engine import FAMILIES
from studio.engine.diffusion.recipe import SchedulerStepHook, accepts_step_callback, call_for, set_scheduler
from studio.engine.diffusion.speed import plan_speed
from studio.engine.diffusion.windows import continuation, plan_windows
from tests.engine.diffusion.test_diffusion_recipes import _job, _params

LEADERS = {
    "ltx-2.3": ("LTX2Pipeline", "LTX2ImageToVideoPipeline"),
    "ltx-2-19b-distilled": ("LTX2Pipeline", "LTX2ImageToVideoPipeline"),
    "wan2.2-t2v-a14b": ("WanPipeline", None),
    "wan2.2-i2v-a14b": (None, "WanImageToVideoPipeline"),
    "wan2.2-ti2v-5b": ("WanPipeline", "WanImageToVideoPipeline"),
    "hunyuanvideo-1.5-480p-t2v": ("HunyuanVideo15Pipeline", None),
    "hunyuanvideo-1.5-480p-i2v": (None, "HunyuanVideo15ImageToVideoPipeline"),
    "hunyuanvideo-1.5-720p-t2v": ("HunyuanVideo15Pipeline", None),
    "hunyuanvideo-1.5-720p-i2v": (None, "HunyuanVideo15ImageToVideoPipeline"),
    "skyreels-v2-df-1.3b-540p": ("SkyReelsV2DiffusionForcingPipeline", "SkyReelsV2DiffusionForcingImageToVideoPipeline"),
    "sana-video-2b-480p": ("SanaVideoPipeline", "SanaImageToVideoPipeline"),
    "kandinsky5-t2v-lite-5s": ("Kandinsky5T2VPipeline", None),
    "kandinsky5-t2v-lite-distilled-5s": ("Kandinsky5T2VPipeline", None),
}
OPTIONAL_COMPONENTS = {"transformer_2", "image_encoder", "image_processor", "feature_extractor", "processor",
                       "prompt_enhancer", "duration_head", "latent_upsampler", "guider"}


@pytest.mark.parametrize("model_id", sorted(LEADERS))
def test_each_leader_is_catalogued_with_an_installed_pipeline_and_downloads_every_component(model_id):
    spec = find_spec(model_id)
    assert spec is not None, model_id
    assert (spec.pipeline, spec.image_pipeline) == LEADERS[model_id]
    assert spec.recipe_source, f"{model_id}: say where the recipe comes from"
    family = FAMILIES[spec.family]
    for class_name in filter(None, (spec.pipeline, spec.image_pipeline)):
        cls = getattr(diffusers, class_name)  # the installed diffusers runs it
        assert class_name in family.PIPELINES
        components = set(inspect.signature(cls.__init__).parameters) - {"self"}
        patterns = {p.split("/")[0] for p in spec.allow_patterns}
        required = {c for c in components if inspect.signature(cls.__init__).parameters[c].default is inspect._empty}
        # Folders the repo must bring: every required component (the guider has a folder on the hub when present).
        missing = (required - OPTIONAL_COMPONENTS) - patterns - {"boundary_ratio", "expand_timesteps"}
        assert not missing, f"{model_id}: {class_name} needs {sorted(missing)} but allow_patterns fetches {sorted(patterns)}"
    assert spec.vram_source == "configs", f"{model_id}: VRAM per profile must come from its recorded configs"


def test_wan_2_2_a14b_recipes_are_the_official_configs_and_use_both_experts():
    # Wan-Video/Wan2.2 wan/configs: T2V A14B shift 12, 40 steps, guide (3.0 low noise, 4.0 high noise);
    # I2V A14B shift 5, 40 steps, guide (3.5, 3.5). diffusers: guidance_scale for `transformer` (the high-noise
    # expert, timesteps >= boundary), guidance_scale_2 for `transformer_2`.
    src = inspect.getsource(diffusers.WanPipeline.__init__) + inspect.getdoc(diffusers.WanPipeline)
    assert "boundary_ratio" in src and "transformer_2" in src
    assert "guidance_scale_2" in _params("WanPipeline")
    t2v, i2v = find_spec("wan2.2-t2v-a14b"), find_spec("wan2.2-i2v-a14b")
    k = call_for(FAMILIES["wan"], _job(t2v, False))
    assert (k["guidance_scale"], k["guidance_scale_2"], t2v.flow_shift, t2v.steps_for("high")) == (4.0, 3.0, 12.0, 40)
    k = call_for(FAMILIES["wan"], _job(i2v, True))
    assert (k["guidance_scale"], k["guidance_scale_2"], i2v.flow_shift, i2v.steps_for("high")) == (3.5, 3.5, 5.0, 40)
    assert "transformer_2/*" in t2v.allow_patterns and "transformer_2/*" in i2v.allow_patterns
    assert t2v.fps == i2v.fps == 16 and t2v.frames.max == 81


def test_ltx_2_3_gets_the_recipe_the_installed_pipeline_recommends_for_it():
    doc = inspect.getsource(diffusers.LTX2Pipeline.__call__)
    assert "`[28]` is recommended for LTX-2.3" in doc and "`True` is the LTX-2.3/2.5 behavior" in doc
    spec = find_spec("ltx-2.3")
    k = call_for(FAMILIES["ltx2"], _job(spec, False))
    expected = {"guidance_scale": 3.0, "stg_scale": 1.0, "spatio_temporal_guidance_blocks": [28], "modality_scale": 3.0,
                "guidance_rescale": 0.7, "audio_guidance_scale": 7.0, "audio_stg_scale": 1.0, "audio_modality_scale": 3.0,
                "audio_guidance_rescale": 0.7, "use_cross_timestep": True, "num_inference_steps": 30}
    assert {key: k[key] for key in expected} == expected
    assert spec.has_audio and spec.repo != find_spec("ltx-2").repo


def test_the_distilled_ltx_2_runs_the_installed_distilled_sigmas_unguided_and_unshifted():
    from diffusers.pipelines.ltx2.utils import DISTILLED_SIGMA_VALUES

    spec = find_spec("ltx-2-19b-distilled")
    k = call_for(FAMILIES["ltx2"], _job(spec, False))
    assert k["sigmas"] == DISTILLED_SIGMA_VALUES and k["num_inference_steps"] == len(DISTILLED_SIGMA_VALUES)
    assert (k["guidance_scale"], k["stg_scale"], k["modality_scale"], k["audio_guidance_scale"]) == (1.0, 0.0, 1.0, 1.0)
    assert spec.scheduler == {"use_dynamic_shifting": False, "shift_terminal": None}
    # LTX-2.0's fast preset is the same recipe through Lightricks' distilled LoRA.
    plan = plan_speed("fast", find_spec("ltx-2"), "cpu", None, 40, 3.0, steps_set=False, lora_available=lambda s: True)
    assert plan.lora.startswith("Lightricks/LTX-2/") and plan.call["sigmas"] == DISTILLED_SIGMA_VALUES
    assert plan.scheduler["use_dynamic_shifting"] is False and plan.steps == 8 and plan.guidance == 1.0
    k = call_for(FAMILIES["ltx2"], _job(find_spec("ltx-2"), False), plan)
    assert k["sigmas"] == DISTILLED_SIGMA_VALUES and k["stg_scale"] == 0.0
    # Without the LoRA downloaded, fast falls back to the draft steps and the model's own recipe.
    plan = plan_speed("fast", find_spec("ltx-2"), "cpu", None, 40, 3.0, steps_set=False, lora_available=lambda s: False)
    assert plan.call == {} and plan.lora == "" and plan.steps == 20
    assert plan.facts()["speed_call"] == ""


def test_a_presets_scheduler_overrides_are_undone_for_the_next_shot():
    from diffusers import FlowMatchEulerDiscreteScheduler

    loaded = FlowMatchEulerDiscreteScheduler(use_dynamic_shifting=True, shift_terminal=0.1)
    pipe = SimpleNamespace(scheduler=loaded)
    set_scheduler(pipe, {"use_dynamic_shifting": False, "shift_terminal": None})
    assert pipe.scheduler is not loaded and pipe.scheduler.config.use_dynamic_shifting is False
    assert pipe.scheduler.config.shift_terminal is None
    set_scheduler(pipe, {})
    assert pipe.scheduler is loaded and loaded.config.use_dynamic_shifting is True


def test_hunyuan_video_1_5_guidance_goes_on_the_guider_and_the_shift_on_the_scheduler():
    from diffusers import FlowMatchEulerDiscreteScheduler
    from diffusers.guiders import ClassifierFreeGuidance

    assert "guidance_scale" not in _params("HunyuanVideo15Pipeline")
    assert "guider" in inspect.signature(diffusers.HunyuanVideo15Pipeline.__init__).parameters
    fam = FAMILIES["hunyuan15"]
    for model_id, shift in (("hunyuanvideo-1.5-480p-t2v", 5.0), ("hunyuanvideo-1.5-720p-t2v", 9.0),
                            ("hunyuanvideo-1.5-720p-i2v", 7.0)):
        spec = find_spec(model_id)
        pipe = SimpleNamespace(scheduler=FlowMatchEulerDiscreteScheduler(shift=1.0),
                               guider=ClassifierFreeGuidance(guidance_scale=2.0, guidance_rescale=0.3))
        fam.prepare(pipe, _job(spec, spec.needs_image))
        assert pipe.scheduler.config.shift == shift == spec.flow_shift
        assert pipe.guider.config.guidance_scale == 6.0 == spec.guidance
        assert pipe.guider.config.guidance_rescale == 0.0
    i2v = call_for(fam, _job(find_spec("hunyuanvideo-1.5-480p-i2v"), True))
    assert "height" not in i2v and "width" not in i2v and i2v["image"] is not None


def test_a_pipeline_without_a_step_callback_still_reports_every_scheduler_step():
    from diffusers import FlowMatchEulerDiscreteScheduler

    assert not accepts_step_callback(object.__new__(diffusers.HunyuanVideo15Pipeline))
    assert accepts_step_callback(object.__new__(diffusers.WanPipeline))
    scheduler = FlowMatchEulerDiscreteScheduler()
    scheduler.set_timesteps(3)
    pipe = SimpleNamespace(scheduler=scheduler)
    seen = []
    latents = torch.zeros(1, 4, 2, 2)
    with SchedulerStepHook(pipe, lambda p, i, t, kw: seen.append((i, float(t), kw["latents"].shape))):
        for t in scheduler.timesteps:
            latents = scheduler.step(torch.ones_like(latents), t, latents, return_dict=False)[0]
    assert [s[0] for s in seen] == [0, 1, 2] and all(s[2] == latents.shape for s in seen)
    assert "step" not in vars(scheduler), "the class's own step is back after the call"

    def cancel(p, i, t, kw):
        raise RuntimeError("cancelled")

    scheduler.set_timesteps(3)
    with pytest.raises(RuntimeError, match="cancelled"), SchedulerStepHook(pipe, cancel):
        scheduler.step(torch.ones_like(latents), scheduler.timesteps[0], latents)
    assert "step" not in vars(scheduler)


def test_skyreels_df_continues_by_diffusion_forcing_inside_one_call():
    spec = find_spec("skyreels-v2-df-1.3b-540p")
    params = _params("SkyReelsV2DiffusionForcingPipeline")
    assert continuation(spec) == "diffusion_forcing"
    k = call_for(FAMILIES["skyreels"], _job(spec, False))
    assert k["base_num_frames"] == params["base_num_frames"].default == 97
    assert (k["overlap_history"], k["addnoise_condition"], k["ar_step"], k["causal_block_size"]) == (17, 20, 5, 5)
    assert k["fps"] == spec.fps == 24 and spec.flow_shift == 8.0
    # A 10 s shot is one call: the pipeline itself slides its 97-frame context along.
    assert [w.frames for w in plan_windows(spec, 241)] == [241]
    plan = plan_speed("fast", spec, "cpu", None, 30, 6.0, steps_set=False)
    assert plan.call == {"ar_step": 0, "causal_block_size": None}  # synchronous: the faster mode


def test_sana_video_names_its_frames_and_passes_the_authors_instruction():
    spec = find_spec("sana-video-2b-480p")
    params = _params("SanaVideoPipeline")
    assert "frames" in params and "num_frames" not in params
    k = call_for(FAMILIES["sana_video"], _job(spec, False))
    assert k["frames"] == spec.frames.snap(49) and "num_frames" not in k
    assert k["complex_human_instruction"] == params["complex_human_instruction"].default
    assert k["use_resolution_binning"] is False  # the engine snaps the size itself (multiples of 32)
    assert spec.native_size == (832, 480) and spec.size_multiple == 32 and spec.fps == 16


def test_kandinsky_5_lite_and_its_distilled_checkpoint_follow_the_official_configs():
    sft, distilled = find_spec("kandinsky5-t2v-lite-5s"), find_spec("kandinsky5-t2v-lite-distilled-5s")
    assert (sft.steps_for("high"), sft.guidance) == (50, 5.0)
    assert (distilled.steps_for("standard"), distilled.guidance) == (16, 1.0)
    assert sft.frames.snap(500) == 121 and sft.fps == 24 and sft.native_size == (768, 512)
    plan = plan_speed("fast", distilled, "cpu", None, 16, 1.0, steps_set=False)
    assert (plan.steps, plan.guidance) == (16, 1.0)


def test_every_fast_recipe_names_only_call_arguments_its_pipelines_take():
    from studio.engine.diffusion.catalogue import video_models
    from studio.engine.diffusion.speed import fast_recipe

    with_fast = 0
    for spec in video_models():
        recipe = fast_recipe(spec)
        if not recipe:
            continue
        with_fast += 1
        assert recipe.get("source"), spec.id
        for class_name in filter(None, (spec.pipeline, spec.image_pipeline)):
            unknown = set(recipe.get("call") or {}) - set(_params(class_name))
            assert not unknown, f"{spec.id}: {class_name} takes no {sorted(unknown)}"
        scheduler_keys = set(recipe.get("scheduler") or {})
        assert scheduler_keys <= set(diffusers.FlowMatchEulerDiscreteScheduler().config), spec.id
    assert with_fast >= 6


@pytest.mark.slow
def test_skyreels_df_renders_a_shot_longer_than_its_context_and_its_fast_preset_through_the_engine(engine, tiny_models):
    from studio.engine.protocol import CancelToken
    from tests.engine.diffusion.test_diffusion_engine import make_request

    # 30 frames at 12 fps from a model whose longest call is 21 frames at 8 fps (2.6 s): windows, the
    # later ones through the diffusion-forcing image-to-video pipeline, each starting from the last frames.
    long = engine.generate(make_request(tiny_models["skyreels"], frames=40, fps=12), lambda e: None, CancelToken())
    frames = long.frame_array()  # read back from the take's master
    assert frames.shape == (40, 36, 64, 3)
    assert long.extra["windows"] >= 2 and long.extra["continuation"] == "diffusion_forcing"
    distinct = len({f.tobytes() for f in frames})
    assert distinct >= 0.5 * len(frames), f"{distinct} distinct frames of {len(frames)}: not a stretch"
    fast = engine.generate(make_request(tiny_models["skyreels"], settings={"speed": "fast"}), lambda e: None,
                           CancelToken())
    assert fast.extra["speed"] == "fast" and '"ar_step": 0' in fast.extra["speed_call"]
