"""The export mix applies each shot's stem balance (the stem mixer) without regenerating anything."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from studio.domain.timing import frame_to_sample
from studio.media.decode import read_audio
from studio.persistence.bundle import save_project
from studio.services.export import export_project
from studio.sound.mix import STEM_NAMES, with_stem_gain
from tests.support.projects import small_project

pytestmark = pytest.mark.slow


def test_muted_shot_is_silent_and_takes_are_reused(tmp_path):
    project = small_project("a ball bounces in the park", "Mei walks in the city in the rain", frames=36)
    bundle = save_project(project, tmp_path / "p")
    first = export_project(project, bundle, tmp_path / "a.mp4")
    project = first.project
    takes = [s.selected_take_id for s in project.shots]
    settings = project.shots[1].engine_settings
    for stem in STEM_NAMES:
        settings = with_stem_gain(settings, stem, muted=True)
    project = project.with_shot(replace(project.shots[1], engine_settings=settings))
    second = export_project(project, bundle, tmp_path / "b.mp4")
    assert second.rendered_shots == ()  # the balance changed, no take was made again
    assert [s.selected_take_id for s in second.project.shots] == takes
    audio, sr = read_audio(second.path)
    cut = frame_to_sample(36, 24)
    # The first shot still sounds; the second (all stems muted) is silent but for the
    # 100 ms half-crossfade of the first shot's bed and the codec's tail.
    assert np.sqrt(np.mean(audio[: cut - 4800] ** 2)) > 0.01
    assert np.max(np.abs(audio[cut + 9600 :])) < 1e-3
    before, _ = read_audio(first.path)
    assert np.sqrt(np.mean(before[cut + 9600 :] ** 2)) > 0.005
