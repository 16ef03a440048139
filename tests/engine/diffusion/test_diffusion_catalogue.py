"""The model catalogue: the issue's models are there, their rules snap sizes and lengths correctly."""

from __future__ import annotations

import json

import pytest

from studio.engine.diffusion.catalogue import (
    PROFILES,
    CatalogueError,
    FrameRule,
    find_spec,
    load_catalogue,
    spec_for_folder,
)

REQUIRED = {
    "wan2.1-t2v-1.3b": ("WanPipeline", None),
    "wan2.2-ti2v-5b": ("WanPipeline", "WanImageToVideoPipeline"),
    "ltx-video-2b": ("LTXPipeline", "LTXImageToVideoPipeline"),
    "ltx-video-13b-0.9.7-distilled": ("LTXConditionPipeline", "LTXConditionPipeline"),
    "ltx-2": ("LTX2Pipeline", "LTX2ImageToVideoPipeline"),
    "cogvideox-2b": ("CogVideoXPipeline", None),
}


def test_the_issue_models_and_their_image_variants_are_catalogued():
    for model_id, (t2v, i2v) in REQUIRED.items():
        spec = find_spec(model_id)
        assert spec is not None, model_id
        assert (spec.pipeline, spec.image_pipeline) == (t2v, i2v)
        assert spec.repo.count("/") == 1
        assert spec.download_gb > 0
        assert set(spec.vram_gb) == set(PROFILES), f"{model_id} must state VRAM for every profile"
        assert spec.steps_for("draft") <= spec.steps_for("standard") <= spec.steps_for("high")
        assert spec.native_size[0] % spec.size_multiple == 0 and spec.native_size[1] % spec.size_multiple == 0
    assert find_spec("ltx-2").has_audio and not find_spec("wan2.1-t2v-1.3b").has_audio
    i2v_only = [s for s in load_catalogue() if s.needs_image]
    assert {s.id for s in i2v_only} >= {"wan2.1-i2v-14b-480p", "cogvideox-5b-i2v"}
    audio = {s.id for s in load_catalogue() if s.kind == "audio"}
    assert audio == {"stable-audio-open-1.0", "audioldm2"}


@pytest.mark.parametrize(
    "rule, wanted, expected",
    [
        (FrameRule(4, 1, 81), 1, 1),
        (FrameRule(4, 1, 81), 2, 5),
        (FrameRule(4, 1, 81), 50, 53),
        (FrameRule(4, 1, 81), 81, 81),
        (FrameRule(4, 1, 81), 500, 81),
        (FrameRule(8, 1, 257), 96, 97),
        (FrameRule(8, 1, 257), 97, 97),
        (FrameRule(8, 1, 100), 1000, 97),
    ],
)
def test_frame_counts_snap_up_to_the_models_rule(rule, wanted, expected):
    assert rule.snap(wanted) == expected
    assert rule.accepts(expected)


def test_sizes_keep_the_canvas_aspect_at_the_native_pixel_count():
    wan = find_spec("wan2.1-t2v-1.3b")
    assert wan.snap_size(1280, 720) == (848, 480)
    w, h = wan.snap_size(720, 1280)
    assert (w % 16, h % 16) == (0, 0) and h > w
    ltx = find_spec("ltx-video-2b")
    w, h = ltx.snap_size(1280, 720)
    assert (w % 32, h % 32) == (0, 0)
    assert abs(w / h - 16 / 9) < 0.1
    # CogVideoX 2B was trained at one size only.
    assert find_spec("cogvideox-2b").snap_size(720, 1280) == (720, 480)


def test_a_malformed_catalogue_names_the_entry_and_field(tmp_path):
    bad = tmp_path / "catalogue.json"
    bad.write_text(json.dumps({"models": [{"id": "x", "steps": {"standard": 2}}]}), "utf-8")
    with pytest.raises(CatalogueError, match=r"models\[0\].*family"):
        load_catalogue.__wrapped__(bad)


def test_a_model_folder_card_overrides_its_base_entry(tiny_models):
    spec = spec_for_folder(tiny_models["wan"])
    assert spec.local and spec.id == "tiny-wan"
    assert spec.native_size == (64, 32)
    assert spec.image_pipeline == "WanImageToVideoPipeline"  # from its base, Wan 2.2 TI2V
    assert spec.repo == str(tiny_models["wan"])


def test_a_folder_that_is_not_a_pipeline_is_refused(tmp_path):
    with pytest.raises(CatalogueError, match="model_index.json"):
        spec_for_folder(tmp_path)
