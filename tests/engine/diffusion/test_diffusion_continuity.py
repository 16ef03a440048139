"""Continuity: which requests get a start frame, and from where (the services layer's small helper)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from studio.domain.model import Canvas, Project, Shot, StoryBible
from studio.engine.protocol import GenerateRequest
from studio.services.continuity import previous_last_frame, with_continuity


def _project(model, engine="diffusers"):
    shots = tuple(Shot(id=f"s{i}", prompt="Mei walks", duration_frames=6, seed=i, engine=engine,
                       engine_settings=(("model", str(model)),)) for i in range(2))
    return Project("c", fps=12, canvas=Canvas(64, 36), bible=StoryBible(), shots=shots)


def test_previous_take_last_frame_becomes_the_start_of_an_image_capable_model(tiny_models, tmp_path):
    from studio.engine.runner import run_request
    from studio.media.decode import read_all_frames
    from studio.persistence.bundle import media_path
    from studio.services.takes import store_take

    bundle = tmp_path / "c.studio"
    project = _project(tiny_models["wan"])
    first = project.shots[0]
    assert previous_last_frame(project, bundle, first.id) is None  # the first shot has nothing before it
    request = GenerateRequest.for_shot(project, first)
    assert with_continuity(project, bundle, request).start_image is None
    result = run_request(request, lambda e: None)
    take = store_take(bundle, request, result)
    project = project.with_shot(first.with_take(take))

    second = GenerateRequest.for_shot(project, project.shots[1])
    started = with_continuity(project, bundle, second)
    last = read_all_frames(media_path(bundle, take.video))[-1]
    assert started.start_image is not None and started.start_image.shape == (36, 64, 3)
    assert np.array_equal(started.start_image, last)
    # Off by setting; and not for the Sketch engine or a text-only model (nothing is decoded for them).
    off = replace(second, settings=second.settings + (("continuity", False),))
    assert with_continuity(project, bundle, off).start_image is None
    assert with_continuity(project, bundle, replace(second, engine="sketch")).start_image is None
    text_only = replace(second, settings=(("model", str(tiny_models["cogvideox"])),))
    assert with_continuity(project, bundle, text_only).start_image is None
