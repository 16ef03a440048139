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
