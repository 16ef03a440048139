"""New places and weather of the scene plan, as the Sketch engine draws them: measured on rendered frames."""

from __future__ import annotations

import numpy as np
import pytest

from sketch_support import render
from studio.domain.model import Character


def _near(frame: np.ndarray, colour, tol: int = 14) -> np.ndarray:
    return np.abs(frame.astype(np.int16) - np.array(colour, np.int16)).max(axis=-1) < tol


def _box(frame: np.ndarray, box) -> np.ndarray:
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    return frame[y0 + 2:y1 - 1, x0 + 2:x1 - 2]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_bedroom_has_a_bed_with_a_blue_quilt_where_the_room_has_none(seed):
    plan, bedroom = render("the bedroom in the afternoon", frames=1, seed=seed)
    assert (plan.scene.place, plan.scene.indoor) == ("bedroom", True)
    bed, quilt = plan.scenery.facts["bed"], plan.scenery.facts["quilt"]
    assert _near(_box(bedroom[0], bed), quilt).mean() > 0.8
    _, room = render("the room in the afternoon", frames=1, seed=seed)
    assert _near(_box(room[0], bed), quilt).mean() < 0.05  # the default room has no quilt there
    assert _near(room[0], quilt).mean() < 0.01
    assert np.abs(bedroom[0].astype(np.int16) - room[0].astype(np.int16)).mean() > 3


@pytest.mark.parametrize("prompt", ["寝室で猫が眠る", "A woman opens the window of the bedroom"])
def test_the_plans_bedroom_is_drawn(prompt):
    plan, frames = render(prompt, frames=2, seed=4)
    assert plan.scene.place == "bedroom" and plan.scene.indoor
    assert _near(_box(frames[0], plan.scenery.facts["bed"]), plan.scenery.facts["quilt"]).mean() > 0.5


def test_a_station_has_a_yellow_platform_edge():
    plan, station = render("駅で男が待つ", frames=1, seed=2)
    assert plan.scene.place == "station" and not plan.scene.indoor
    assert [a.id for a in plan.choreo.actors] == ["man"]
    f = station[0].astype(np.int16)
    yellow = (f[..., 0] > 190) & (f[..., 1] > 150) & (f[..., 2] < 120)
    rows = yellow.mean(axis=1)
    edge = int(np.argmax(rows))
    assert rows[edge] > 0.6  # a yellow line across the platform (the man covers a little of it)
    assert plan.scenery.near_top < edge < plan.scenery.near_top + station.shape[1] * 0.2  # at the near edge
    _, park = render("公園で男が待つ", frames=1, seed=2)
    p = park[0].astype(np.int16)
    assert ((p[..., 0] > 190) & (p[..., 1] > 150) & (p[..., 2] < 120)).mean(axis=1).max() < 0.3


def test_a_grey_sky_is_greyer_than_a_clear_one():
    plan, grey = render("Under a grey sky, a dog runs in the park", frames=1, seed=5)
    assert plan.scene.weather == "overcast" and plan.scene.place == "park"
    _, clear = render("A dog runs in the park", frames=1, seed=5)

    def sky_saturation(frame):
        top = frame[: frame.shape[0] // 6].astype(np.float32)
        return float((top.max(axis=-1) - top.min(axis=-1)).mean())

    assert sky_saturation(grey[0]) < sky_saturation(clear[0]) - 20


def test_she_hands_him_the_cup_draws_two_people_not_three():
    """The cast protagonist is "she"; "him" is a man: no third, default figure beside them."""
    aoi = Character("aoi", "Aoi", "young woman, long dark hair, navy coat, white shirt, red backpack")
    plan, frames = render("She hands him the cup", cast=(aoi,), frames=2, seed=1)
    assert sorted(a.id for a in plan.choreo.actors) == ["aoi", "man"]
    assert plan.scene_plan.actor("aoi").actions[0].recipient == "man"


@pytest.mark.parametrize("prompt,seed", [("The kitchen in the morning", 1), ("台所で猫がテーブルから飛び降りる", 2),
                                         ("In the kitchen she hands him the cup", 3)])
def test_a_kitchen_has_a_worktop_along_its_back_wall_where_a_room_has_none(prompt, seed):
    plan, kitchen = render(prompt, frames=1, seed=seed, size=(960, 540))
    assert (plan.scene.place, plan.scene.indoor) == ("kitchen", True)
    top, colour = plan.scenery.facts["worktop"], plan.scenery.facts["worktop_colour"]
    x0, y0, x1, y1 = int(np.ceil(top[0])), int(np.ceil(top[1])), int(top[2]), int(top[3])
    strip = kitchen[0][y0:y1, x0 + 2:x1 - 2]
    assert _near(strip, colour).mean() > 0.3  # where the scenery says (people, light and shade may cross it)
    _, room = render(prompt.replace("kitchen", "room").replace("台所", "部屋"), frames=1, seed=seed, size=(960, 540))
    assert _near(room[0][y0:y1, x0 + 2:x1 - 2], colour).mean() < 0.05
    assert _near(room[0], colour).mean() < 0.005
