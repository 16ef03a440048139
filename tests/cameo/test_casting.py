"""Casting a cameo: the Sketch render shows the person's face, the take records the likeness, the ledger the use."""

from dataclasses import replace

import numpy as np
import pytest

from studio.cameo.enrol import create_cameo
from studio.cameo.faces import FaceAnalyzer, face_distance
from studio.cameo.vault import Vault
from studio.domain.model import Canvas, Character, Project, Shot, StoryBible
from studio.media.decode import read_all_frames
from studio.persistence.bundle import media_path, save_project
from studio.services import takes as takes_module
from studio.services.takes import RenderFailed, render_shot

pytestmark = pytest.mark.slow


def _project(cameo_id):
    eileen = Character("char_eileen", "Eileen", "blue jumpsuit, short brown hair", cameo_id=cameo_id)
    shot = Shot(id="shot_1", prompt="@Eileen waves in the park", duration_frames=12, characters=(eileen.id,), seed=7)
    return Project("cameo test", fps=12, canvas=Canvas(640, 360), bible=StoryBible((eileen,)), shots=(shot,), id="project_cameo")


@pytest.fixture
def cameo(live_enrolment):
    consent, result = live_enrolment
    return create_cameo(Vault(), consent, result)


def test_render_shows_the_face_and_records_similarity(cameo, tmp_path):
    project = _project(cameo.id)
    bundle = save_project(project, tmp_path / "p")
    project, take = render_shot(project, bundle, project.shots[0])
    settings = dict(take.recipe.settings)
    key = f"cameo.{cameo.id}"
    assert settings[f"{key}.character"] == "char_eileen"
    assert settings[f"{key}.frames_with_face"] == settings[f"{key}.frames_checked"] == 6
    assert settings[f"{key}.similarity"] > 0.6

    # Independently: decode the stored MP4 and find the person in it.
    frames = read_all_frames(media_path(bundle, take.video))
    identity = Vault().biometrics(cameo.id).embedding
    analyzer = FaceAnalyzer.shared()
    distances = [min(face_distance(f.embedding, identity) for f in faces)
                 for faces in (analyzer.analyse(frames[i], upsample=1) for i in (0, 5, 11)) if faces]
    assert len(distances) == 3 and max(distances) < 0.45

    ledger = [e for e in Vault().ledger(cameo.id) if e["kind"] == "render"]
    assert len(ledger) == 1 and ledger[0]["take"] == take.id and ledger[0]["similarity"] == settings[f"{key}.similarity"]


def test_without_the_cameo_there_is_no_face(tmp_path):
    project = _project(None)
    bundle = save_project(project, tmp_path / "p")
    _, take = render_shot(project, bundle, project.shots[0])
    frames = read_all_frames(media_path(bundle, take.video))
    assert FaceAnalyzer.shared().analyse(frames[5], upsample=1) == []
    assert not any(k.startswith("cameo.") for k, _ in take.recipe.settings)


def test_revoked_cameo_is_refused_before_any_work(cameo, tmp_path, monkeypatch):
    Vault().revoke(cameo.id)
    started = []
    monkeypatch.setattr(takes_module, "run_request", lambda *a, **k: started.append(a))
    project = _project(cameo.id)
    bundle = save_project(project, tmp_path / "p")
    with pytest.raises(RenderFailed) as info:
        render_shot(project, bundle, project.shots[0])
    assert "revoked" in info.value.message and "story bible" in info.value.hint
    assert started == []
    assert Vault().ledger(cameo.id)[-1]["kind"] == "refused"


def test_unknown_or_unpermitted_cameo_is_refused(cameo, tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(takes_module, "run_request", lambda *a, **k: started.append(a))
    project = _project("cameo_000000000000")
    bundle = save_project(project, tmp_path / "p")
    with pytest.raises(RenderFailed, match="not in this machine's vault"):
        render_shot(project, bundle, project.shots[0])
    # Someone else's cameo, shared with "approved" people only, after the approval was withdrawn.
    vault = Vault()
    meta = vault.get(cameo.id)

    other = replace(meta, owner="f" * 32, permission="approved", approved=())
    vault._store(other, None)
    project = _project(cameo.id)
    with pytest.raises(RenderFailed, match="not permitted"):
        render_shot(project, bundle, project.shots[0])
    assert started == []


def test_window_engine_bridge_refuses_and_records_too(cameo, tmp_path, qtbot):
    """The window's path (EngineBridge): a permitted cameo's take records the likeness; a revoked one fails at once."""
    from studio.services.qt_engine import EngineBridge

    project = _project(cameo.id)
    bundle = save_project(project, tmp_path / "p")
    bridge = EngineBridge()
    takes = []
    bridge.take_ready.connect(lambda job, shot, take: takes.append(take))
    with qtbot.waitSignal(bridge.take_ready, timeout=60_000):
        bridge.submit(project, bundle, project.shots[0])
    assert dict(takes[0].recipe.settings)[f"cameo.{cameo.id}.similarity"] > 0.6
    assert Vault().ledger(cameo.id)[-1]["take"] == takes[0].id

    Vault().revoke(cameo.id)
    failures = []
    bridge.job_failed.connect(lambda job, message, hint: failures.append(message))
    job = bridge.submit(project, bundle, project.shots[0])
    assert failures and "revoked" in failures[0]
    assert bridge.jobs.get(job).state.name == "FAILED"
    bridge.shutdown()


def test_castable_cameos_lists_active_ones_only(cameo):
    from studio.services.cameo_credits import castable_cameos

    assert (cameo.id, cameo.name) in castable_cameos()
    Vault().revoke(cameo.id)
    assert all(cid != cameo.id for cid, _ in castable_cameos())
