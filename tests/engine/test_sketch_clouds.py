"""The drifting clouds: a long shot's sky repeats instead of growing with the shot.

A sky layer as wide as the clouds' whole drift grew ~0.16 MiB a second at 720p (732 -> 798 MiB
peak RSS from a 180 s to a 600 s export); past `CLOUD_PERIOD` frame widths of drift the clouds
are drawn repeating and the drift wraps, so the layer is the same width for any length.
"""

from __future__ import annotations

import numpy as np
import pytest

from studio.engine.sketch import engine as sketch_engine
from studio.engine.sketch.render import ShotRenderer, plan_shot
from studio.engine.sketch.scenery import CLOUD_PERIOD, CLOUD_SPEED, WIND_CLOUD_SPEED
from tests.engine.sketch_support import spec

SIZE = (160, 96)
FPS = 24
WINDY = "a windy day in the park"


def clouds(prompt: str, seconds: float, seed: int = 5):
    plan = plan_shot(spec(prompt, size=SIZE, frames=int(seconds * FPS), fps=FPS, seed=seed))
    return plan, plan.scenery.layer("clouds")


def test_a_short_shots_clouds_are_drawn_as_wide_as_their_drift():
    plan, layer = clouds(WINDY, 10)
    assert plan.scene.weather == "wind"
    assert layer.period == 0
    drift = WIND_CLOUD_SPEED * SIZE[0] * (10 * FPS - 1) / FPS
    x0, _, x1, _ = plan.camera.visible_rect(float("inf"), plan.camera.max_shake + 6, (layer.drift[0], 0.0))
    assert layer.rgba.shape[1] == pytest.approx(x1 - x0, abs=2)
    assert layer.rgba.shape[1] > SIZE[0] + drift - 2


@pytest.mark.parametrize("prompt, seconds", [(WINDY, 60), ("a ball bounces in the park", 200)])
def test_a_long_shots_clouds_repeat_and_their_layer_stops_growing(prompt, seconds):
    _, layer = clouds(prompt, seconds)
    _, longer = clouds(prompt, 3 * seconds)
    period = layer.period
    assert period == int(np.ceil(CLOUD_PERIOD * SIZE[0]))
    # the width is what the camera sees plus one period, whatever the length
    assert longer.rgba.shape == layer.rgba.shape
    assert layer.rgba.shape[1] <= SIZE[0] + 2 * 20 + period
    assert np.array_equal(longer.rgba, layer.rgba)
    # and the strip repeats exactly: a pixel a period along is the same pixel
    rgba = layer.rgba.astype(np.int16)
    assert rgba[:, :, 3].any(), "the clouds were drawn"
    assert np.abs(rgba[:, period:] - rgba[:, :-period]).max() <= 1


def test_the_drift_wraps_without_a_jump():
    """Around the frame where the drift passes a whole period, the picture moves as it always does."""
    plan, layer = clouds(WINDY, 60)
    wrap = int(np.ceil(layer.period / layer.drift[0]))
    renderer = ShotRenderer(plan)
    frames = [renderer.render_frame(i).astype(np.int16) for i in range(wrap - 3, wrap + 3)]
    steps = [np.abs(b - a).mean() for a, b in zip(frames, frames[1:])]
    across = steps[2]  # frame wrap-1 -> wrap
    assert across <= 1.5 * np.median(steps[:2] + steps[3:]) + 0.05
    s, tx, _ = plan.camera.layer_affine(float("inf"), layer.origin, wrap, layer.drift, layer.period)
    s0, tx0, _ = plan.camera.layer_affine(float("inf"), layer.origin, wrap - 1, layer.drift, layer.period)
    # the layer's place wraps back by exactly one period (less a frame's drift): the same pixels again
    assert tx0 - tx == pytest.approx(s * (layer.period - layer.drift[0]), abs=1e-6)
    # what the frame sees of the layer is still inside it at both ends of a period
    for i in (wrap - 1, wrap):
        s, tx, _ = plan.camera.layer_affine(float("inf"), layer.origin, i, layer.drift, layer.period)
        assert tx <= 0 and tx + s * layer.rgba.shape[1] >= SIZE[0]


def test_the_memory_check_stops_counting_the_sky_where_the_clouds_repeat():
    assert sketch_engine.SKY_GROWS_FOR_S == pytest.approx(CLOUD_PERIOD / CLOUD_SPEED)
    at = lambda s: sketch_engine.render_working_set(int(s * FPS), 1280, 720, FPS)
    assert at(600) == at(3600) > at(60)
