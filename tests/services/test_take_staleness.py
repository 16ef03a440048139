"""A take is out of date when the cameos cast onto its shot's characters change."""

from __future__ import annotations

from dataclasses import replace

from studio.domain.model import Take, TakeRecipe
from studio.engine.protocol import GenerateRequest
from studio.services.takes import take_is_current
from tests.support.projects import small_project


def _take_for(project, shot, cameos=()) -> Take:
    req = GenerateRequest.for_shot(project, shot)
    settings = tuple(sorted({f"cameo.{cam}.character": ch for ch, cam in cameos}.items()))
    recipe = TakeRecipe(engine=req.engine, engine_version="1", seed=req.seed, prompt=shot.prompt, composed_prompt=shot.prompt,
                        width=project.canvas.width, height=project.canvas.height, fps=project.fps, frames=req.frames,
                        camera=req.resolved().camera.value, settings=settings)
    return Take(id="take_1", created_at="2026-01-01T00:00:00+00:00", video="take_1.mp4", stems=(), events=(),
                recipe=recipe, frames=req.frames)


def _cast(project, cameo_id):
    mei = project.bible.characters[0]
    bible = replace(project.bible, characters=(replace(mei, cameo_id=cameo_id),) + project.bible.characters[1:])
    return replace(project, bible=bible), mei.id


def test_casting_a_cameo_makes_the_characters_takes_stale():
    p = small_project("@Mei walks in the park", frames=12)
    shot = p.shots[0]
    take = _take_for(p, shot)
    assert take_is_current(take, GenerateRequest.for_shot(p, shot))
    cast, mei = _cast(p, "cameo_abc")
    assert not take_is_current(take, GenerateRequest.for_shot(cast, shot))
    with_face = _take_for(cast, shot, cameos=[(mei, "cameo_abc")])
    assert take_is_current(with_face, GenerateRequest.for_shot(cast, shot))
    # Taking the cameo off again, or casting another one, needs a new take too.
    assert not take_is_current(with_face, GenerateRequest.for_shot(p, shot))
    other, _ = _cast(p, "cameo_xyz")
    assert not take_is_current(with_face, GenerateRequest.for_shot(other, shot))
