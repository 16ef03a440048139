"""One source of truth for a shot's camera: a [camera: …] mark in the prompt sets it, the field agrees."""

from __future__ import annotations

from studio.domain.model import CameraMove, Shot, StoryBible, effective_camera, resolve_shot, with_camera


def _shot(prompt: str, camera=CameraMove.PAN_RIGHT) -> Shot:
    return Shot(id="s1", prompt=prompt, duration_frames=24, camera=camera, seed=1)


def test_a_prompt_mark_sets_the_camera_the_render_uses():
    shot = _shot("The hall [camera: dolly in] at noon")
    assert effective_camera(shot) == (CameraMove.DOLLY_IN, "prompt")
    assert resolve_shot(shot, StoryBible()).camera is CameraMove.DOLLY_IN


def test_without_a_mark_the_field_counts():
    assert effective_camera(_shot("The hall at noon")) == (CameraMove.PAN_RIGHT, "field")
    assert effective_camera(_shot("The hall [camera: nonsense]")) == (CameraMove.PAN_RIGHT, "field")


def test_choosing_a_camera_rewrites_the_mark_so_both_agree():
    shot = with_camera(_shot("The hall [camera: dolly in] at noon"), CameraMove.ORBIT)
    assert shot.prompt == "The hall [camera: orbit] at noon"
    assert shot.camera is CameraMove.ORBIT
    assert effective_camera(shot) == (CameraMove.ORBIT, "prompt")
    plain = with_camera(_shot("The hall"), CameraMove.TILT_UP)
    assert plain.prompt == "The hall" and effective_camera(plain) == (CameraMove.TILT_UP, "field")
