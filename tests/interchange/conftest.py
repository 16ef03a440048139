"""A rendered project shared by the interchange tests."""

from dataclasses import replace

import pytest

from studio.domain.model import DialogueLine
from studio.persistence.bundle import save_project
from tests.support.projects import small_project


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A rendered three-shot project (tiny Sketch takes), one shot with a dialogue line."""
    from studio.services.export import ensure_takes

    folder = tmp_path_factory.mktemp("cut")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_DATA_DIR", str(folder / "data"))
        mp.setenv("STUDIO_LOG_DIR", str(folder / "logs"))
        project = small_project("Mei walks in the park", "Mei drinks tea {ambience: rain}", "Mei runs home",
                                frames=12, size=(128, 72))
        shots = list(project.shots)
        shots[0] = replace(shots[0], title="Park", dialogue=(DialogueLine("Good morning", "char_hero", 3),))
        shots[2] = replace(shots[2], duration_frames=17)
        project = project.with_shots(shots)
        bundle = save_project(project, folder / "p")
        project, _ = ensure_takes(project, bundle, list(project.shots))
        save_project(project, bundle)
    return project, bundle, folder
