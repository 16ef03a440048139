"""Issue 16 item 1 in the window: a take rendered with a cameo that was later revoked says so on its card
and in the shot panel's take list (Japanese too)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from studio.cameo.vault import Vault
from studio.persistence.bundle import save_project
from studio.services.takes import render_shot
from tests.support.cameos import make_cameo, no_os_keyring
from tests.support.projects import small_project


@pytest.fixture(autouse=True)
def _no_keyring():
    with no_os_keyring():
        yield


def test_a_revoked_cameos_take_is_marked_on_its_card_and_in_the_take_list(window, tmp_path):
    from studio.ui import i18n

    cameo = make_cameo("Mei")
    project = small_project("Mei walks in the park", "a ball bounces", frames=4, size=(64, 64))
    hero = replace(project.bible.characters[0], cameo_id=cameo.id)
    project = replace(project, bible=replace(project.bible, characters=(hero,)))
    bundle = save_project(project, tmp_path / "p.studio")
    project, take = render_shot(project, bundle, project.shots[0])
    save_project(project, bundle)
    Vault().revoke(cameo.id)

    assert window.open_project(bundle)
    assert window.timeline.card_state("shot_0").withdrawn == "revoked"
    assert window.timeline.card_state("shot_1").withdrawn is None
    window.timeline.select(["shot_0"])
    window.shot_panel.set_shot(window.document.project, "shot_0")
    combo = window.shot_panel.take_combo
    assert "cameo revoked" in combo.itemText(combo.findData(take.id))
    i18n.set_language("ja")
    window.shot_panel.set_shot(window.document.project, "shot_0")
    assert "カメオ取り消し済み" in combo.itemText(combo.findData(take.id))
