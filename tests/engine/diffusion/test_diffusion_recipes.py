"""Each model's recipe against the INSTALLED diffusers: its pipelines' real signatures and defaults,
its from_pretrained dtype mapping, and the facts the issue-10 reading found wrong.

These read `inspect.signature(<pipeline>.__call__)` from the diffusers in the venv, never a copy,
so a diffusers upgrade that adds a parameter or changes a default fails here before it can change
a render silently.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import diffusers
import pytest
import torch
from PIL import Image

from studio.engine.diffusion.catalogue import find_spec, video_models
from studio.engine.diffusion.engine import FAMILIES
from studio.engine.diffusion.job import DiffusionJob
from studio.engine.diffusion.recipe import call_for

ROOT = Path(__file__).resolve().parents[3]
SHOT_INPUTS = {"image"}
"""Given only when the shot has them (a start image); absent from a text-to-video call."""


def _job(spec, with_image: bool) -> DiffusionJob:
    w, h = spec.native_size
    return DiffusionJob(spec=spec, prompt="a lighthouse at dusk", negative_prompt="blurry", width=w, height=h,
                        num_frames=spec.frames.snap(49), fps=spec.fps, steps=spec.steps_for("standard"),
                        guidance=spec.guidance, generator=torch.Generator("cpu").manual_seed(0),
                        image=Image.new("RGB", (w, h)) if with_image else None,
                        max_sequence_length=spec.max_sequence_length)


def _calls():
    for spec in video_models():
        for class_name, with_image in ((spec.pipeline, False), (spec.image_pipeline, True)):
            if class_name:
                yield pytest.param(spec, class_name, with_image, id=f"{spec.id}-{class_name}")


def _params(class_name: str) -> dict[str, inspect.Parameter]:
    sig = inspect.signature(getattr(diffusers, class_name).__call__)
    return {k: p for k, p in sig.parameters.items() if k != "self" and p.kind is not p.VAR_KEYWORD}


@pytest.mark.parametrize("spec, class_name, with_image", list(_calls()))
def test_every_call_argument_is_known_and_none_is_left_to_a_pipeline_default(spec, class_name, with_image):
    family = FAMILIES[spec.family]
    assert class_name in family.PIPELINES
    params = _params(class_name)
    kwargs = call_for(family, _job(spec, with_image))
    unknown = set(kwargs) - set(params)
    assert not unknown, f"{class_name} (diffusers {diffusers.__version__}) has no parameter {sorted(unknown)}"
    assert family.NOT_APPLICABLE <= set(params) | {"image_embeds", "last_image", "conditions", "video",
                                                   "frame_index", "audio_latents", "min_seconds", "max_seconds",
                                                   "system_prompt", "prompt_max_new_tokens",
                                                   "prompt_enhancement_kwargs", "prompt_enhancement_seed",
                                                   "prompt_attention_mask", "negative_prompt_attention_mask"}
    left = set(params) - set(kwargs) - family.NOT_APPLICABLE - (set() if with_image else SHOT_INPUTS)
    assert not left, (f"{spec.id}: {class_name}'s {sorted(left)} would come from diffusers' defaults "
                      f"({ {k: params[k].default for k in left} }); put them in the catalogue recipe")


def test_ltx2_0_gets_its_own_recipe_not_the_ltx2_3_defaults():
    spec = find_spec("ltx-2")
    assert spec.repo == "Lightricks/LTX-2"
    params = _params("LTX2Pipeline")
    kwargs = call_for(FAMILIES["ltx2"], _job(spec, False))
    # The installed defaults are LTX-2.3's (cross-timestep on, STG on block 28): 2.0 must override them.
    assert params["use_cross_timestep"].default is True and kwargs["use_cross_timestep"] is False
    assert kwargs["spatio_temporal_guidance_blocks"] == [29] != params["spatio_temporal_guidance_blocks"].default
    expected = {"guidance_scale": 3.0, "stg_scale": 1.0, "modality_scale": 3.0, "guidance_rescale": 0.7,
                "audio_guidance_scale": 7.0, "num_inference_steps": 40}
    assert {k: kwargs[k] for k in expected} == expected
    assert spec.steps_for("high") == 40


def test_wan_vae_and_clip_image_encoder_load_in_float32_through_diffusers_dtype_mapping(tiny_models):
    from studio.engine.diffusion.loader import load_dtypes, load_pipeline, resolve_model

    for model_id in ("wan2.1-t2v-1.3b", "wan2.2-ti2v-5b", "wan2.1-i2v-14b-480p"):
        assert find_spec(model_id).component_dtypes.get("vae") == "float32", model_id
    assert find_spec("wan2.1-i2v-14b-480p").component_dtypes.get("image_encoder") == "float32"
    # The real loader hands the mapping to the installed diffusers, which must honour it per component.
    source = resolve_model(str(tiny_models["wan"]))
    spec = replace(source.spec, component_dtypes={"vae": "float32"})
    assert load_dtypes(spec, "bfloat16") == {"default": torch.bfloat16, "vae": torch.float32}
    pipe = load_pipeline(replace(source, spec=spec), spec.pipeline, "bfloat16")
    assert pipe.vae.dtype == torch.float32
    assert pipe.transformer.dtype == torch.bfloat16 and pipe.text_encoder.dtype == torch.bfloat16


def test_ltx_video_uses_a_timestep_conditioned_checkpoint_and_the_distilled_13b_recipe():
    # The installed LTXPipeline example loads the top-level Lightricks/LTX-Video folders (0.9.0, a VAE
    # without timestep conditioning); LTXConditionPipeline's example loads 0.9.5. A recipe with a decode
    # timestep needs the latter.
    src = Path(inspect.getfile(diffusers.LTXConditionPipeline)).read_text("utf-8")
    assert '"Lightricks/LTX-Video-0.9.5"' in src
    for spec in video_models():
        if spec.family == "ltx":
            assert spec.repo != "Lightricks/LTX-Video", f"{spec.id}: the top-level folders are LTX-Video 0.9.0"
            assert spec.call_defaults["decode_timestep"] == 0.05
    assert find_spec("ltx-video-distilled") is None
    d = find_spec("ltx-video-13b-0.9.7-distilled")
    assert "13B" in d.name and d.repo == "Lightricks/LTX-Video-0.9.7-distilled"
    kwargs = call_for(FAMILIES["ltx"], _job(d, True))
    assert kwargs["timesteps"] == [1000, 993, 987, 981, 975, 909, 725, 0.03]
    assert (kwargs["guidance_scale"], kwargs["guidance_rescale"], kwargs["image_cond_noise_scale"]) == (1.0, 0.7, 0.0)
    # These differ from the installed pipeline's defaults, so leaving them out would change the render.
    params = _params("LTXConditionPipeline")
    assert params["image_cond_noise_scale"].default != 0.0 and params["guidance_rescale"].default != 0.7


def test_cogvideox_frames_are_8n_plus_1_and_the_5b_i2v_makes_exactly_49_at_720x480():
    from diffusers import CogVideoXTransformer3DModel

    sample_frames = inspect.signature(CogVideoXTransformer3DModel.__init__).parameters["sample_frames"].default
    t2v = find_spec("cogvideox-2b")
    accepted = [n for n in range(1, 200) if t2v.frames.accepts(n)]
    assert accepted == [8 * k + 1 for k in range(7)] and accepted[-1] == sample_frames == 49
    i2v = find_spec("cogvideox-5b-i2v")
    i2v_default = _params("CogVideoXImageToVideoPipeline")["num_frames"].default
    assert [n for n in range(1, 200) if i2v.frames.accepts(n)] == [i2v_default] == [49]
    assert {i2v.frames.snap(n) for n in (1, 17, 49, 200)} == {49}
    assert i2v.fixed_size and i2v.snap_size(1920, 1080) == (720, 480)
    for spec in (t2v, i2v):
        assert spec.repo.startswith("zai-org/"), spec.repo


def _requirement(deps: list[str], name: str) -> str:
    return next(d for d in deps if re.match(rf"{name}\s*[<>=!~]", d))


def test_dependency_ranges_are_the_tested_ones():
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    diffusers_range = SpecifierSet(_requirement(deps, "diffusers")[len("diffusers"):])
    assert Version(diffusers.__version__) in diffusers_range
    # LTX2Pipeline's defaults changed at 0.40 (to LTX-2.3's recipe): older ones must not be allowed.
    assert not diffusers_range.contains("0.39.0") and not diffusers_range.contains("1.0.0")
    import transformers

    for name, module in (("torch", torch), ("transformers", transformers)):
        rng = SpecifierSet(_requirement(deps, name)[len(name):])
        installed = Version(module.__version__.split("+")[0])
        assert installed in rng, (name, installed, rng)
        assert not rng.contains(f"{installed.major + 1}.0.0" if name == "transformers" else "3.0.0")
