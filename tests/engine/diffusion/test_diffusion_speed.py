"""Speed presets on the tiny Wan: every preset runs on the CPU, the recipe spells out what it did,
and "fast" really evaluates the transformer's blocks fewer times."""

from __future__ import annotations

import numpy as np
import pytest

from studio.engine.diffusion.catalogue import find_spec
from studio.engine.diffusion.speed import plan_speed
from studio.engine.protocol import CancelToken, EngineError
from tests.engine.diffusion.test_diffusion_engine import make_request


def count_last_block(engine, request):
    """Run ``request``; (result, times the last transformer block's feed-forward really ran)."""
    calls = []
    result = None

    def hooked(module, args, out):
        calls.append(1)

    # Load first (a cheap call), then count on the loaded transformer.
    engine.generate(request, lambda e: None, CancelToken())
    transformer = next(iter(engine._loaded.pipes.values())).transformer
    handle = transformer.blocks[-1].ffn.register_forward_hook(hooked)
    try:
        result = engine.generate(request, lambda e: None, CancelToken())
    finally:
        handle.remove()
    return result, len(calls)


@pytest.mark.slow
def test_three_presets_run_record_their_settings_and_fast_does_less_work(engine, tiny_models):
    results = {}
    for preset in ("quality", "balanced", "fast"):
        results[preset] = count_last_block(engine, make_request(tiny_models["wan"], settings={"speed": preset}))
    for preset, (result, _) in results.items():
        extra = result.extra
        assert extra["speed"] == preset and extra["speed_attention"] == "native"
        assert extra["speed_compile"] is False and extra["speed_fp8"] is False  # the CPU: no compile, no fp8
        assert extra["speed_steps"] == extra["steps"]
        assert result.frame_array().shape == (12, 36, 64, 3)
    assert results["quality"][0].extra["speed_cache"] == "none"
    assert results["balanced"][0].extra["speed_cache"] == "first_block"
    assert results["fast"][0].extra["speed_cache_threshold"] == 0.12
    assert results["fast"][0].extra["steps"] < results["quality"][0].extra["steps"], "fast: the draft step count"
    quality_calls, fast_calls = results["quality"][1], results["fast"][1]
    assert 0 < fast_calls < quality_calls, (quality_calls, fast_calls)
    # The default is "quality": nothing skipped, the same frames as before presets existed.
    plain = engine.generate(make_request(tiny_models["wan"]), lambda e: None, CancelToken())
    assert np.array_equal(plain.frame_array(), results["quality"][0].frame_array())


@pytest.mark.slow
def test_the_block_cache_skips_blocks_at_the_same_step_count(engine, tiny_models):
    settings = {"steps": 6}
    _, full = count_last_block(engine, make_request(tiny_models["wan"], settings={**settings, "speed": "quality"}))
    result, cached = count_last_block(engine, make_request(tiny_models["wan"], settings={**settings, "speed": "fast"}))
    assert result.extra["steps"] == 6, "an explicit step count wins over the preset"
    assert cached < full, f"First Block Cache ran the last block {cached} times, no cache {full}"


@pytest.mark.slow
def test_regional_compile_is_done_once_and_kept_warm(tiny_models):
    from studio.engine.diffusion.engine import DiffusersEngine

    engine = DiffusersEngine()
    settings = {"compile": True, "compile_backend": "eager"}
    first = engine.generate(make_request(tiny_models["wan"], settings=settings), lambda e: None, CancelToken())
    second = engine.generate(make_request(tiny_models["wan"], settings=settings, seed=8), lambda e: None, CancelToken())
    transformer = next(iter(engine._loaded.pipes.values())).transformer
    assert first.extra["speed_compile"] is True and second.extra["speed_compile"] is True
    assert transformer._studio_compile_count == 1, "compiled once, reused by the next shot"
    assert any(type(b).__name__ == "OptimizedModule" or hasattr(b, "_orig_mod") or "_compiled_call_impl" in vars(b)
               and vars(b)["_compiled_call_impl"] is not None for b in transformer.blocks)
    engine.unload()


def test_fast_uses_the_catalogued_few_step_recipe_and_unknown_presets_are_refused(monkeypatch):
    import studio.engine.diffusion.speed as speed

    spec = find_spec("wan2.1-t2v-1.3b")
    monkeypatch.setattr(speed, "fast_recipe", lambda s: {"steps": 4, "guidance": 1.0, "lora": "lightx2v/Wan-4step"})
    plan = plan_speed("fast", spec, "cpu", None, 30, 5.0, steps_set=False)
    assert (plan.steps, plan.guidance, plan.lora, plan.cache) == (4, 1.0, "lightx2v/Wan-4step", "auto")
    assert plan.facts()["speed_lora"] == "lightx2v/Wan-4step"
    assert plan_speed("fast", spec, "cpu", None, 30, 5.0, steps_set=True).steps == 30
    with pytest.raises(EngineError, match="unknown speed preset 'turbo'"):
        plan_speed("turbo", spec, "cpu", None, 30, 5.0, steps_set=False)
