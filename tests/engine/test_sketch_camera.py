"""Sketch engine: camera moves, and parallax between the pre-rendered layers."""

import numpy as np
import pytest

from studio.domain.model import CameraMove
from studio.engine.sketch.render import ShotRenderer, plan_shot

from sketch_support import render, spec

MOVES = [m for m in CameraMove if m is not CameraMove.STATIC]


def renderer(move: CameraMove, frames: int = 48) -> ShotRenderer:
    return ShotRenderer(plan_shot(spec("a city street in the morning", camera=move, frames=frames, seed=4)))


def screen_x(r: ShotRenderer, layer: str, i: int, rest_x: float) -> float:
    """Where a point drawn at rest x on ``layer`` appears on frame i."""
    s, tx, _ = r.layer_transform(layer, i)
    origin = r.layers[layer].origin[0]
    return s * (rest_x - origin) + tx


@pytest.mark.parametrize("move", MOVES, ids=lambda m: m.value)
def test_camera_moves_change_the_picture_over_time(move):
    _, frames = render("a city street in the morning", camera=move, frames=32, seed=4)
    change = np.abs(frames[-1].astype(np.int16) - frames[0].astype(np.int16)).mean()
    assert change > 4, move


def test_static_camera_keeps_the_picture_still():
    _, frames = render("a city street in the morning", frames=32, seed=4)
    change = np.abs(frames[-1].astype(np.int16) - frames[0].astype(np.int16)).mean()
    assert change < 1.0  # only the clouds drift


def test_dolly_in_scales_near_layers_more_than_far_ones():
    r = renderer(CameraMove.DOLLY_IN)
    last = r.plan.spec.frames - 1
    scales = {name: r.layer_transform(name, last)[0] for name in ("sky", "far", "mid", "near", "fore")}
    assert scales["sky"] == pytest.approx(1.0)
    assert 1.0 < scales["far"] < scales["mid"] < scales["near"] < scales["fore"]
    # A point at the frame edge slides outward further on the near layer: parallax.
    W = r.W
    near_shift = screen_x(r, "near", last, W * 0.9) - screen_x(r, "near", 0, W * 0.9)
    far_shift = screen_x(r, "far", last, W * 0.9) - screen_x(r, "far", 0, W * 0.9)
    assert near_shift > 3 * far_shift > 0


def test_zoom_scales_every_layer_alike():
    r = renderer(CameraMove.ZOOM_IN)
    last = r.plan.spec.frames - 1
    scales = {r.layer_transform(name, last)[0] for name in ("sky", "far", "mid", "near", "fore")}
    assert len({round(s, 9) for s in scales}) == 1
    assert scales.pop() == pytest.approx(1.3)


def test_orbit_slides_near_and_far_layers_in_opposite_directions():
    r = renderer(CameraMove.ORBIT)
    last = r.plan.spec.frames - 1
    move = {name: screen_x(r, name, last, 0.0) - screen_x(r, name, 0, 0.0) for name in ("far", "mid", "near", "fore")}
    assert move["near"] == pytest.approx(0.0, abs=1.0)  # the action plane is the pivot
    assert np.sign(move["fore"]) == -np.sign(move["far"]) != 0
    assert abs(move["far"]) > abs(move["mid"])


def test_pan_moves_near_layers_further_than_far_ones():
    r = renderer(CameraMove.PAN_RIGHT)
    last = r.plan.spec.frames - 1
    move = {name: screen_x(r, name, last, 0.0) - screen_x(r, name, 0, 0.0) for name in ("sky", "far", "near", "fore")}
    assert all(v < 0 for v in move.values())  # panning right, the scene slides left
    assert abs(move["fore"]) > abs(move["near"]) > abs(move["far"]) > abs(move["sky"]) - 1


def test_moves_are_smooth_ease_in_out():
    r = renderer(CameraMove.PAN_LEFT, frames=60)
    xs = np.array([r.layer_transform("near", i)[1] for i in range(60)])
    v = np.diff(xs)
    assert abs(v[0]) < 1e-9 and abs(v[-1]) < 1e-9  # holds at both ends
    peak = int(np.argmax(np.abs(v)))
    assert 20 < peak < 40  # fastest in the middle
    assert np.all(np.abs(np.diff(v)) < 0.2 * np.abs(v).max())  # no jumps in speed


def test_layers_cover_the_canvas_on_every_frame_of_every_move():
    for move in CameraMove:
        _, frames = render("a beach at evening", camera=move, frames=12, seed=2, size=(160, 96))
        # Pure black would mean a layer's edge came into view.
        assert (frames.reshape(len(frames), -1, 3).max(axis=2) > 8).all(), move
