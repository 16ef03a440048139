"""The watermark looks for faces only where a face detector can find one.

Sketch frames are drawings: dlib's HOG detector (trained on photographs) finds no face in
them, so an export of Sketch takes places the mark by motion and saliency alone and never
loads the detector (~0.4 s) or runs it (~0.08 s a decision at 720p). Footage that is not
drawn (an imported clip) is still searched for faces.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.domain.model import CameraMove
from studio.engine.protocol import GenerateRequest
from studio.engine.sketch.render import ShotRenderer, ShotSpec, plan_shot
from studio.media import watermark as watermark_module
from studio.media.encode import write_mp4
from studio.persistence.bundle import save_project
from studio.services.export import ExportOptions, export_project
from studio.services.qt_import import import_video
from tests.support.projects import small_project


@pytest.fixture
def counted_faces(monkeypatch):
    calls: list[tuple[int, int]] = []
    real = watermark_module._faces

    def counting(frame):
        calls.append(frame.shape[:2])
        return real(frame)

    monkeypatch.setattr(watermark_module, "_faces", counting)
    return calls


def test_the_premise_dlib_finds_no_face_in_sketch_close_ups():
    pytest.importorskip("dlib")
    found = []
    for prompt, camera in (("close-up of Mei smiling", CameraMove.ZOOM_IN), ("a man talks to a woman", CameraMove.DOLLY_IN)):
        project = small_project(prompt, size=(1280, 720), frames=24, camera=camera)
        frames = ShotRenderer(plan_shot(ShotSpec.from_request(GenerateRequest.for_shot(project, project.shots[0])))).render()
        found += [watermark_module._faces(np.ascontiguousarray(f)) for f in frames[::11]]
    assert not any(found), found


def test_an_export_of_sketch_takes_never_runs_the_face_detector(tmp_path, counted_faces):
    project = small_project("Mei walks in the park", "a boy runs in the rain", size=(320, 180), frames=90)
    bundle = save_project(project, tmp_path / "p.studio")
    report = export_project(project, bundle, tmp_path / "out.mp4")
    assert report.frames == 180
    assert counted_faces == []
    # and once its takes exist, streaming them from their masters does not either
    export_project(report.project, bundle, tmp_path / "again.mp4")
    assert counted_faces == []


def test_an_imported_clip_is_still_searched_for_faces(tmp_path, counted_faces):
    from skimage import data

    face = np.asarray(Image.fromarray(data.astronaut()).resize((180, 180)))
    frame = np.zeros((180, 320, 3), np.uint8)
    frame[:, 70:250] = face
    clip = tmp_path / "astronaut.mp4"
    write_mp4(clip, [frame] * 96, fps=24, width=320, height=180)
    bundle = tmp_path / "p.studio"
    project = small_project("Mei walks", size=(320, 180), frames=24)
    project = project.with_shots([import_video(bundle, clip, fps=24)])
    save_project(project, bundle)
    export_project(project, bundle, tmp_path / "out.mp4", ExportOptions())
    assert len(counted_faces) >= 2  # the first anchor and the move after the first hold


def test_which_shots_count_as_drawn():
    from dataclasses import replace

    from studio.domain.model import resolve_shot
    from studio.services.export import shot_is_drawn

    project = small_project("Mei walks in the park", size=(320, 180), frames=24)
    shot = project.shots[0]
    mei = resolve_shot(shot, project.bible).characters[0]
    assert shot_is_drawn(project, shot, engine="sketch")
    assert not shot_is_drawn(project, shot, engine="diffusers")  # a video model's frames are photographic
    assert not shot_is_drawn(project, shot)  # no take yet, no engine named: not known to be drawn
    # Sketch pastes a cameo's face photo on its character's head: that face is searched for
    cast = replace(project.bible, characters=tuple(replace(c, cameo_id="cameo-1") if c.id == mei.id else c
                                                   for c in project.bible.characters))
    assert not shot_is_drawn(replace(project, bible=cast), shot, engine="sketch")
