"""Sketch engine: every visible contact is a sound event on the first frame that shows it."""

import numpy as np
import pytest

from studio.domain.model import CameraMove

from sketch_support import HANA, KEN, motion, render


def kinds(plan, kind):
    return [e for e in plan.events if e.kind == kind]


def test_walk_has_footsteps_at_regular_intervals():
    plan, _ = render("Hana walks in the park", cast=(HANA,), frames=72, seed=2)
    steps = kinds(plan, "footstep")
    assert len(steps) >= 5
    assert all(e.source == HANA.id for e in steps)
    frames = [e.frame for e in steps]
    gaps = np.diff(frames)
    # About two steps a second at 24 fps, evenly spaced (one frame of rounding).
    assert 9 <= np.median(gaps) <= 16
    assert np.all(np.abs(gaps - np.median(gaps)) <= 1)
    assert all(-1.0 <= e.pan <= 1.0 and e.strength > 0 for e in steps)


def test_running_steps_come_faster_and_harder_than_walking():
    walk, _ = render("Hana walks in the park", cast=(HANA,), frames=48, seed=2)
    run, _ = render("Hana runs in the park", cast=(HANA,), frames=48, seed=2)
    gap = lambda p: np.median(np.diff([e.frame for e in kinds(p, "footstep")]))  # noqa: E731
    assert gap(run) < gap(walk)
    assert np.mean([e.strength for e in kinds(run, "footstep")]) > np.mean([e.strength for e in kinds(walk, "footstep")])


def test_footstep_pan_follows_the_walker_across_the_frame():
    plan, _ = render("Hana walks in the park", cast=(HANA,), frames=72, seed=4)
    pans = [e.pan for e in kinds(plan, "footstep")]
    direction = plan.choreo.actors[0].poses[0].facing
    assert direction in (-1, 1)
    # Walking right the sound moves right; walking left it moves left.
    assert np.sign(pans[-1] - pans[0]) == direction


def test_two_characters_each_make_their_own_footsteps():
    plan, _ = render("Hana and Ken walk in the city", cast=(HANA, KEN), frames=48, seed=3)
    assert {e.source for e in kinds(plan, "footstep")} == {HANA.id, KEN.id}
    xa = plan.choreo.actors[0].poses[0].x
    xb = plan.choreo.actors[1].poses[0].x
    assert abs(xa - xb) > 0.3 * plan.layout.figure_h  # they walk apart, not on top of each other


def test_ball_bounces():
    plan, _ = render("a ball bounces in the park", frames=72, seed=1)
    bounces = kinds(plan, "bounce")
    assert len(bounces) >= 3
    assert all(e.source == "ball" for e in bounces)
    # Each bounce is weaker than the one before, within one throw.
    assert bounces[1].strength < bounces[0].strength


def test_jump_lands_with_an_impact():
    plan, _ = render("Hana jumps in the park", cast=(HANA,), frames=48, seed=1)
    impacts = kinds(plan, "impact")
    assert impacts and impacts[0].source == HANA.id
    actor = plan.choreo.actors[0]
    f = impacts[0].frame
    # Airborne the frame before, feet on the ground on the impact frame.
    assert actor.poses[f - 1].lift > 0 and actor.poses[f].lift == 0


def test_fall_ends_lying_on_the_ground_with_an_impact():
    plan, _ = render("Hana trips and falls in the street", cast=(HANA,), frames=48, seed=1)
    impacts = kinds(plan, "impact")
    assert len(impacts) == 1
    actor = plan.choreo.actors[0]
    assert abs(abs(actor.poses[impacts[0].frame].tip) - np.pi / 2) < 1e-6
    assert abs(actor.poses[impacts[0].frame - 1].tip) < np.pi / 2


def test_door_slam_event_is_the_first_closed_frame():
    plan, _ = render("she enters and the door slams in the room", frames=48, seed=1)
    doors = kinds(plan, "door")
    assert len(doors) == 1
    opening = plan.choreo.door.opening
    f = doors[0].frame
    assert opening[f] == 0 and opening[f - 1] > 0 and opening.max() == 1


@pytest.mark.parametrize("prompt,kind", [
    ("a ball bounces in the park", "bounce"),
    ("Hana jumps on the beach", "impact"),
    ("Hana falls in the office", "impact"),
    ("a door slams in the classroom", "door"),
    ("at night in the rain a ball bounces in the city", "bounce"),
])
def test_motion_spikes_exactly_on_each_event_frame(prompt, kind):
    plan, frames = render(prompt, cast=(HANA,) if "Hana" in prompt else (), frames=72, seed=7)
    events = kinds(plan, kind)
    assert events
    d = motion(frames)
    base = np.median(d[1:])
    for e in events:
        if e.frame < 3 or e.frame > len(d) - 3:
            continue
        window = d[e.frame - 2:e.frame + 3]
        assert d[e.frame] == window.max(), (e, np.round(window, 2))
        assert d[e.frame] > 3 * max(base, 0.05), (e, d[e.frame], base)


def test_fast_camera_move_whooshes_on_its_first_moving_frame():
    plan, _ = render("a city street", frames=36, camera=CameraMove.ORBIT)
    whooshes = kinds(plan, "whoosh")
    assert len(whooshes) == 1
    w = whooshes[0]
    assert w.source == "camera"
    cam = plan.camera
    # Still before, moving from the whoosh frame on.
    assert cam.state(w.frame) == cam.state(0)
    assert cam.state(w.frame + 1) != cam.state(w.frame)
    slow, _ = render("a city street", frames=240, camera=CameraMove.ORBIT, size=(96, 64))
    assert not kinds(slow, "whoosh")


def test_events_are_in_frame_order_and_inside_the_shot():
    plan, _ = render("Hana runs and jumps in the park, a ball bounces", cast=(HANA,), frames=60, seed=9)
    frames = [e.frame for e in plan.events]
    assert frames == sorted(frames)
    assert all(0 <= f < 60 for f in frames)
