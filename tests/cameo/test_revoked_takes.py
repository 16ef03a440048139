"""Issue 16 item 1: revocation marks the takes already rendered with the face.

After `studio cameo revoke ID`, the takes that show that cameo are marked wherever the project is
shown (`studio info`, text and JSON; the window's cards and take list: tests/ui/test_revoked_cameo_marks.py)
and export refuses them with a message naming the cameo and the shots, or renders them again once the
cameo is off the character. A take naming a cameo this vault never held is marked the same way.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from studio.cameo.vault import Vault
from studio.cli import main as cli_main
from studio.persistence.bundle import load_project, save_project
from studio.services.cameo_casting import CameoRefused, withdrawn_cameo_takes
from studio.services.export import export_project
from studio.services.takes import render_shot
from tests.support.cameos import make_cameo, no_os_keyring
from tests.support.projects import small_project


@pytest.fixture(autouse=True)
def _no_keyring():
    with no_os_keyring():
        yield


def cast(project, cameo_id):
    hero = replace(project.bible.characters[0], cameo_id=cameo_id)
    return replace(project, bible=replace(project.bible, characters=(hero,)))


@pytest.fixture
def rendered(tmp_path):
    """A two-shot project whose shots were rendered with Mei's cameo; the second is then recast without it."""
    cameo = make_cameo("Mei")
    project = cast(small_project("Mei walks in the park", "a ball bounces", frames=4, size=(64, 64)), cameo.id)
    bundle = save_project(project, tmp_path / "p.studio")
    project, take = render_shot(project, bundle, project.shots[0])
    project = project.with_shot(replace(project.shots[1], characters=()))  # shot 2 without Mei
    project, _ = render_shot(project, bundle, project.shots[1])
    save_project(project, bundle)
    return cameo, bundle, take


def test_info_marks_the_takes_of_a_revoked_cameo(rendered, capsys):
    cameo, bundle, take = rendered
    assert cli_main(["info", str(bundle)]) == 0
    assert "revoked" not in capsys.readouterr().out
    Vault().revoke(cameo.id)
    assert cli_main(["info", str(bundle)]) == 0
    out = capsys.readouterr().out
    shot_line = next(line for line in out.splitlines() if line.strip().startswith("1."))
    assert f"cameo {cameo.id} revoked" in shot_line
    assert "warning: the selected take of shot(s) 1 shows a cameo that was revoked" in out
    assert cli_main(["info", "--json", str(bundle)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["shots"][0]["withdrawn_cameos"] == {cameo.id: "revoked"}
    assert data["shots"][1]["withdrawn_cameos"] == {}
    assert withdrawn_cameo_takes(load_project(bundle)) == {take.id: {cameo.id: "revoked"}}


def test_export_refuses_a_marked_take_until_the_cameo_is_off_the_character(rendered, tmp_path):
    cameo, bundle, take = rendered
    Vault().revoke(cameo.id)
    with pytest.raises(CameoRefused) as info:
        export_project(load_project(bundle), bundle, tmp_path / "out.mp4")
    assert cameo.id in info.value.message and "revoked" in info.value.message and "shot(s) 1" in info.value.message
    assert not (tmp_path / "out.mp4").exists()
    # Off the character: the marked take is out of date, so the shot is rendered again without the face.
    report = export_project(cast(load_project(bundle), None), bundle, tmp_path / "out.mp4")
    assert report.path.is_file() and "shot_0" in report.rendered_shots
    assert report.project.shots[0].selected_take_id != take.id
    assert withdrawn_cameo_takes(report.project) == {take.id: {cameo.id: "revoked"}}  # the old take stays marked
    assert all(t.id not in withdrawn_cameo_takes(report.project) for _, t in
               [(s, s.selected_take) for s in report.project.shots])


def test_a_take_naming_a_cameo_this_vault_never_held_is_marked(rendered, tmp_path, monkeypatch):
    cameo, bundle, take = rendered
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "another_machine"))
    assert withdrawn_cameo_takes(load_project(bundle)) == {take.id: {cameo.id: "not in this vault"}}
