"""LoRAs on the tiny Wan: a real adapter file changes the frames with its weight, weight 0 is the base
model exactly, and a missing or foreign LoRA is refused before any model loads."""

from __future__ import annotations

import numpy as np
import pytest
from safetensors.torch import load_file, save_file

from studio.engine.diffusion.lora import parse_loras, read_header
from studio.engine.protocol import CancelToken, EngineError
from tests.engine.diffusion.test_diffusion_engine import make_request
from tests.support.tiny_loras import build_lora


@pytest.fixture(scope="module")
def wan_lora(tiny_models, tmp_path_factory):
    return build_lora(tiny_models["wan"], tmp_path_factory.mktemp("lora_wan"))


def _no_load(monkeypatch):
    import studio.engine.diffusion.engine as engine_module

    def no_load(*a, **k):
        raise AssertionError("no model may load before the LoRA is checked")

    monkeypatch.setattr(engine_module, "load_pipeline", no_load)
    monkeypatch.setattr(engine_module.DiffusersEngine, "_pipeline", no_load)


def test_parse_loras():
    refs = parse_loras("a/b.safetensors@0.8; owner/name ;x@y.safetensors")
    assert [(r.source, r.weight) for r in refs] == [("a/b.safetensors", 0.8), ("owner/name", 1.0),
                                                     ("x@y.safetensors", 1.0)]


@pytest.mark.slow
def test_a_lora_changes_the_frames_with_its_weight_and_weight_zero_is_the_base(engine, tiny_models, wan_lora):
    wan = tiny_models["wan"]
    assert any(".lora_A." in k for k in read_header(wan_lora))
    base = engine.generate(make_request(wan), lambda e: None, CancelToken())
    zero = engine.generate(make_request(wan, settings={"loras": f"{wan_lora}@0"}), lambda e: None, CancelToken())
    half = engine.generate(make_request(wan, settings={"loras": f"{wan_lora}@0.5"}), lambda e: None, CancelToken())
    full = engine.generate(make_request(wan, settings={"loras": f"{wan_lora}@1.0"}), lambda e: None, CancelToken())
    after = engine.generate(make_request(wan), lambda e: None, CancelToken())
    assert np.array_equal(zero.frame_array(), base.frame_array()), "weight 0 is exactly the base model"
    d_half = np.abs(half.frame_array().astype(int) - base.frame_array()).mean()
    d_full = np.abs(full.frame_array().astype(int) - base.frame_array()).mean()
    assert 0 < d_half < d_full, (d_half, d_full)
    assert np.array_equal(after.frame_array(), base.frame_array()), "a shot without LoRAs runs the base model again"
    assert full.extra["loras"] == f"{wan_lora}@1" and len(str(full.extra["lora_sha256"])) == 64
    assert base.extra["loras"] == ""


def test_a_missing_lora_is_refused_before_loading(engine, tiny_models, tmp_path, monkeypatch):
    _no_load(monkeypatch)
    with pytest.raises(EngineError, match="does not exist"):
        engine.generate(make_request(tiny_models["wan"], settings={"loras": str(tmp_path / "nope.safetensors")}),
                        lambda e: None, CancelToken())
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    with pytest.raises(EngineError) as info:
        engine.generate(make_request(tiny_models["wan"], settings={"loras": "someone/wan-style-lora@0.7"}),
                        lambda e: None, CancelToken())
    assert "not downloaded" in info.value.message and "hf download someone/wan-style-lora" in info.value.hint


def test_a_lora_for_another_model_or_rank_is_refused_before_loading(engine, tiny_models, tmp_path, wan_lora,
                                                                    monkeypatch):
    ltx_lora = build_lora(tiny_models["ltx"], tmp_path / "ltx")  # LTX-Video's transformer_blocks, widths 32
    _no_load(monkeypatch)
    with pytest.raises(EngineError) as info:
        engine.generate(make_request(tiny_models["wan"], settings={"loras": str(ltx_lora)}), lambda e: None,
                        CancelToken())
    assert "does not fit WanTransformer3DModel" in info.value.message and "another base model" in info.value.hint
    # The right module names with the wrong widths (a LoRA for a bigger Wan): refused by shape.
    state = load_file(str(wan_lora))
    wide = {k: (v.repeat(1, 2) if ".lora_A." in k else v) for k, v in state.items()}
    save_file(wide, str(tmp_path / "wide.safetensors"))
    with pytest.raises(EngineError, match=r"is 24→24 but the LoRA's matrices are 48→4"):
        engine.generate(make_request(tiny_models["wan"], settings={"loras": str(tmp_path / "wide.safetensors")}),
                        lambda e: None, CancelToken())


def test_the_content_credentials_name_each_lora_and_the_speed_preset():
    from studio.domain.model import Canvas, Project, Shot, Take, TakeRecipe
    from studio.provenance.content_credentials import GENERATION_LABEL, build_manifest

    recipe = TakeRecipe("diffusers", "1.0", 7, "p", "p", 64, 36, 12, 12, "static", model="tiny-wan",
                        settings=(("loras", "style.safetensors@0.8;owner/char@1"), ("lora_sha256", "ab;cd"),
                                  ("speed", "fast")))
    shot = Shot(id="s1", prompt="p", duration_frames=12, engine="diffusers")
    take = Take("t1", "2026-01-01T00:00:00Z", "t1.mp4", (), (), recipe, 12)
    manifest = build_manifest(Project(title="t", fps=12, canvas=Canvas(64, 36), shots=(shot,)), [(shot, take)])
    generation = next(a["data"] for a in manifest["assertions"] if a["label"] == GENERATION_LABEL)
    assert generation["shots"][0]["loras"] == [{"source": "style.safetensors", "weight": 0.8, "sha256": "ab"},
                                               {"source": "owner/char", "weight": 1.0, "sha256": "cd"}]
    assert generation["shots"][0]["speed"] == "fast"


@pytest.mark.slow
def test_a_project_lora_is_saved_with_the_project_and_applied_with_the_shots_own(engine, tiny_models, wan_lora,
                                                                                  tmp_path):
    from dataclasses import replace

    from studio.domain.model import Canvas, Project, Shot
    from studio.engine.protocol import GenerateRequest
    from studio.persistence.bundle import load_project, save_project

    wan = tiny_models["wan"]
    shot = Shot(id="shot_a", prompt="a girl walks in the rain", duration_frames=12, seed=7, engine="diffusers",
                engine_settings=(("model", str(wan)),))
    project = Project(title="t", fps=12, canvas=Canvas(64, 36), shots=(shot,),
                      engine_settings=(("loras", f"{wan_lora}@1"),))
    reloaded = load_project(save_project(project, tmp_path / "p.studio"))
    assert dict(reloaded.engine_settings) == {"loras": f"{wan_lora}@1"}
    request = GenerateRequest.for_shot(reloaded, reloaded.shots[0])
    assert request.setting("project_loras") == f"{wan_lora}@1" and request.setting("loras") is None
    with_project = engine.generate(request, lambda e: None, CancelToken())
    assert with_project.extra["loras"] == f"{wan_lora}@1"
    plain = engine.generate(GenerateRequest.for_shot(replace(reloaded, engine_settings=()), reloaded.shots[0]),
                            lambda e: None, CancelToken())
    assert not np.array_equal(with_project.frame_array(), plain.frame_array()), "the project's LoRA reached the model"
    # A shot's own LoRA adds to the project's.
    shot_b = replace(reloaded.shots[0], engine_settings=(("model", str(wan)), ("loras", f"{wan_lora}@0.5")))
    both = GenerateRequest.for_shot(reloaded, shot_b)
    assert both.setting("project_loras") == f"{wan_lora}@1" and both.setting("loras") == f"{wan_lora}@0.5"
