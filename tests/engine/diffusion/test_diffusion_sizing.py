"""The catalogue's VRAM per memory profile comes from the models' published configs.

Each component is built from its recorded config (studio/engine/diffusion/configs/) on the meta
device with the INSTALLED diffusers/transformers classes, its parameters counted, and the profile
arithmetic in sizing.py applied; the catalogue figures must equal the result.
"""

from __future__ import annotations

import pytest

from studio.engine.diffusion import sizing
from studio.engine.diffusion.catalogue import PROFILES, find_spec, video_models

pytestmark = pytest.mark.slow  # builds UMT5-XXL / T5-XXL on meta: seconds each


@pytest.mark.parametrize("model_id", sizing.config_models())
def test_catalogue_vram_is_derived_from_the_configs(model_id):
    spec = find_spec(model_id)
    assert spec is not None and spec.vram_source == "configs"
    derived = sizing.vram_by_profile(spec)
    assert set(derived) == set(PROFILES)
    assert spec.vram_gb == derived, f"{model_id}: catalogue {spec.vram_gb} != derived from configs {derived}"


def test_wan_1_3b_model_offload_includes_umt5_xxl_on_the_gpu():
    spec = find_spec("wan2.1-t2v-1.3b")
    sizes = {c.name: c for c in sizing.component_sizes(spec.id)}
    assert sizes["text_encoder"].class_name == "UMT5EncoderModel"
    te_gb = sizes["text_encoder"].params * 2 / 1e9
    assert 10.5 < te_gb < 12.0  # UMT5-XXL encoder in bf16
    assert 1.3e9 < sizes["transformer"].params < 1.5e9
    # Under model offload the text encoder is the biggest thing on the GPU, so it sets the figure.
    assert spec.vram_gb["model_offload"] >= te_gb
    # fp8 layerwise casting halves the transformer only: the saving is the transformer's bf16 bytes / 2.
    saving = spec.vram_gb["gpu"] - spec.vram_gb["fp8"]
    assert saving == pytest.approx(sizes["transformer"].params / 1e9, abs=0.11)


def test_models_without_recorded_configs_say_their_vram_is_an_estimate():
    recorded = set(sizing.config_models())
    for spec in video_models():
        assert (spec.vram_source == "configs") == (spec.id in recorded), spec.id


PUBLISHED = {
    # model id: {component: (class, published size in billions, tolerance in billions)}
    "wan2.2-ti2v-5b": {"transformer": ("WanTransformer3DModel", 5.0, 0.1)},
    "wan2.2-t2v-a14b": {"transformer": ("WanTransformer3DModel", 14.0, 0.4),
                        "transformer_2": ("WanTransformer3DModel", 14.0, 0.4)},
    "wan2.2-i2v-a14b": {"transformer": ("WanTransformer3DModel", 14.0, 0.4),
                        "transformer_2": ("WanTransformer3DModel", 14.0, 0.4)},
    "hunyuanvideo-1.5-480p-t2v": {"transformer": ("HunyuanVideo15Transformer3DModel", 8.3, 0.1),
                                  "text_encoder": ("Qwen2_5_VLTextModel", 7.07, 0.05)},
    "hunyuanvideo-1.5-720p-i2v": {"transformer": ("HunyuanVideo15Transformer3DModel", 8.3, 0.1),
                                  "image_encoder": ("SiglipVisionModel", 0.43, 0.01)},
    "skyreels-v2-df-1.3b-540p": {"transformer": ("SkyReelsV2Transformer3DModel", 1.3, 0.15)},
    "sana-video-2b-480p": {"transformer": ("SanaVideoTransformer3DModel", 2.0, 0.1),
                           "text_encoder": ("Gemma2Model", 2.61, 0.02)},
    "kandinsky5-t2v-lite-5s": {"transformer": ("Kandinsky5Transformer3DModel", 2.0, 0.05),
                               "text_encoder": ("Qwen2_5_VLForConditionalGeneration", 8.29, 0.02),
                               "text_encoder_2": ("CLIPTextModel", 0.123, 0.002)},
    "ltx-2": {"transformer": ("LTX2VideoTransformer3DModel", 19.0, 0.2),
              "text_encoder": ("Gemma3ForConditionalGeneration", 12.2, 0.1)},
    "ltx-2.3": {"transformer": ("LTX2VideoTransformer3DModel", 19.0, 0.2)},
}
"""Sizes the model authors publish (the names: Wan 2.2 "5B"/"A14B" experts, HunyuanVideo 1.5 "8.3 billion",
SANA-Video "2B", Kandinsky 5 "Lite 2B", LTX-2 "19B"; Qwen2.5-VL-7B 8.29 B, Gemma-2-2B 2.61 B, Gemma-3-12B)."""


@pytest.mark.parametrize("model_id", sorted(PUBLISHED))
def test_the_recorded_configs_build_the_published_model_sizes(model_id):
    sizes = {c.name: c for c in sizing.component_sizes(model_id)}
    for name, (class_name, billions, tolerance) in PUBLISHED[model_id].items():
        assert sizes[name].class_name == class_name
        assert abs(sizes[name].params / 1e9 - billions) <= tolerance, (model_id, name, sizes[name].params)


def test_wan_2_2_a14b_keeps_one_expert_on_the_gpu_under_model_offload_and_fp8_casts_both():
    spec = find_spec("wan2.2-t2v-a14b")
    sizes = {c.name: c for c in sizing.component_sizes(spec.id)}
    expert_gb = sizes["transformer"].params * 2 / 1e9
    assert spec.vram_gb["model_offload"] == pytest.approx(expert_gb + sizing.RUNTIME_GB, abs=0.06)
    saving = spec.vram_gb["gpu"] - spec.vram_gb["fp8"]
    assert saving == pytest.approx((sizes["transformer"].params + sizes["transformer_2"].params) / 1e9, abs=0.11)
