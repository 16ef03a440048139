"""The Models window and generating with the diffusers engine from the window (tiny model, CPU)."""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest


@pytest.fixture(scope="module")
def tiny_wan(tmp_path_factory):
    from tests.support.tiny_models import build_wan

    return build_wan(tmp_path_factory.mktemp("models_ui") / "tiny_wan")


@pytest.fixture
def empty_hf_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)


def test_models_window_lists_the_catalogue_and_adds_a_local_folder(window, qtbot, tiny_wan, tmp_path, empty_hf_cache,
                                                                    monkeypatch):
    from studio.engine.diffusion.catalogue import load_catalogue
    from studio.ui import prompt_editor
    from studio.ui.models_dialog import ModelsDialog

    assert window.act_models in window.toolbar.actions()
    window.act_models.trigger()
    dialog = window.models_dialog
    assert isinstance(dialog, ModelsDialog) and dialog.isVisible()
    assert dialog.table.rowCount() == len(load_catalogue())
    states = {dialog.table.item(r, 0).data(0x0100): dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())}
    assert states["ltx-2"] == "Not installed"
    dialog.select_model("ltx-2")
    assert dialog.install_button.isEnabled() and not dialog.remove_button.isEnabled()

    # A folder that is not a model: a clear message, nothing added.
    assert not dialog.add_local_folder(str(tmp_path))
    assert "model_index.json" in dialog.status.text()
    assert dialog.add_local_folder(str(tiny_wan))
    assert str(tiny_wan.resolve()) in prompt_editor.ENGINE_MODELS["diffusers"]
    assert "wan2.1-t2v-1.3b" in prompt_editor.ENGINE_MODELS["diffusers"]
    engines = [window.shot_panel.engine_combo.itemData(i) for i in range(window.shot_panel.engine_combo.count())]
    assert "diffusers" in engines

    # Installing with offline mode on fails with the reason, and the window carries on.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    dialog._confirm = lambda title, text: True  # a CPU-only machine is asked first (tests/ui/test_models_machine.py)
    with qtbot.waitSignal(dialog.installer.finished, timeout=10000) as done:
        dialog.install_selected()
    assert "offline" in done.args[1]
    assert "offline" in dialog.status.text()


def test_generate_with_the_diffusers_engine_shows_previews_and_lands_a_take(small_window, qtbot, tiny_wan):
    from studio.media.decode import read_all_frames
    from studio.persistence.bundle import media_path

    w = small_window
    p = w.document.project
    shot = p.shots[0]
    settings = dict(shot.engine_settings)
    settings["model"] = str(tiny_wan)
    w.document.apply(p.with_shot(replace(shot, engine="diffusers", engine_settings=tuple(sorted(settings.items())))), "model")
    w.timeline.select([shot.id])
    previews = []
    w.engine.preview_ready.connect(lambda job, frame: previews.append(frame))
    with qtbot.waitSignal(w.engine.take_ready, timeout=120000) as ready:
        w.act_generate.trigger()
    job_id, shot_id, take = ready.args
    assert shot_id == shot.id and previews
    assert previews[0].dtype == np.uint8 and previews[0].ndim == 3
    assert take.recipe.engine == "diffusers" and take.recipe.model == str(tiny_wan)
    frames = read_all_frames(media_path(w.document.bundle, take.video))
    assert frames.shape == (12, 180, 320, 3)
    assert w.document.project.shot(shot.id).selected_take_id == take.id


def test_memory_profile_chosen_in_models_is_saved_and_travels_with_each_job(window, qtbot, tmp_path, monkeypatch):
    """The choice is written to the settings file (a restart keeps it) and the window's jobs carry it."""
    from studio.services.settings import load_settings
    from studio.ui import i18n
    from studio.ui.models_dialog import ModelsDialog
    from tests.support.projects import small_project

    monkeypatch.delenv("STUDIO_MEMORY_PROFILE", raising=False)
    window.act_models.trigger()
    dialog = window.models_dialog
    assert dialog.profile_combo.currentData() == "auto"
    dialog.profile_combo.setCurrentIndex(dialog.profile_combo.findData("group_offload"))
    assert load_settings().memory_profile == "group_offload", "saved to the settings file"
    assert window.settings.memory_profile == "group_offload", "the window's own copy is current"
    assert "group_offload" in dialog.status.text()
    assert "STUDIO_MEMORY_PROFILE" not in os.environ, "no longer a per-session environment variable"
    # A volume change afterwards saves the window's settings again: the profile is not lost.
    window.player_panel.volume_changed.emit(0.5)
    assert load_settings().memory_profile == "group_offload"

    project = small_project("Mei walks", frames=6)
    captured = []

    class Worker:
        def submit(self, request, spool=None):
            captured.append(request)

    window.engine._worker = Worker()
    try:
        window.engine.submit(project, tmp_path / "p.studio", project.shots[0], engine="diffusers")
    finally:
        window.engine._worker = None
    assert captured[0].setting("memory_profile") == "group_offload"

    # A new Models window (the next session) shows the saved choice, and says when the environment overrides it.
    monkeypatch.setenv("STUDIO_MEMORY_PROFILE", "fp8")
    again = ModelsDialog()
    qtbot.addWidget(again)
    assert again.profile_combo.currentData() == "group_offload"
    assert not again.profile_override.isHidden() and "fp8" in again.profile_override.text()
    i18n.set_language("ja")
    try:
        assert "優先" in again.profile_override.text()
    finally:
        i18n.set_language("en")
