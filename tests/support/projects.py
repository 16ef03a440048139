"""Builders for small projects the tests render quickly."""

from __future__ import annotations

from studio.domain.model import CameraMove, Canvas, Character, Project, Shot, StoryBible


def small_project(*prompts: str, size=(320, 180), fps: int = 24, frames: int = 24, camera=CameraMove.STATIC) -> Project:
    hero = Character("char_hero", "Mei", "navy coat, red backpack, long black hair")
    shots = tuple(
        Shot(id=f"shot_{i}", prompt=p, duration_frames=frames, camera=camera, characters=(hero.id,), seed=100 + i)
        for i, p in enumerate(prompts or ("Mei walks in the park in the morning",))
    )
    return Project("test", fps=fps, canvas=Canvas(*size), bible=StoryBible((hero,), style="", setting=""), shots=shots,
                   id="project_test")
