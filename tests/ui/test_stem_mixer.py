"""The stem mixer in the shot panel: sliders and mutes become undoable shot edits, saved in engine_settings."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from studio.sound.mix import shot_stem_gains
from studio.ui import i18n
from studio.ui.prompt_editor import ShotPanel
from studio.ui.stem_mixer import StemMixerWidget, format_db
from tests.support.projects import small_project


@pytest.fixture
def panel(qtbot):
    p = ShotPanel()
    qtbot.addWidget(p)
    project = small_project("a ball bounces in the park")
    p.set_shot(project, project.shots[0].id)
    return p, project


def test_slider_edit_is_an_undoable_shot_edit(qtbot, panel):
    p, project = panel
    edits = []
    p.edit_requested.connect(lambda proj, text, key: edits.append((proj, text, key)))
    slider = p.stem_mixer.sliders["ambience"]
    slider.setValue(-12)  # 0.5 dB steps: -6 dB
    assert edits, "no edit emitted"
    new_project, text, key = edits[-1]
    shot = new_project.shots[0]
    assert shot_stem_gains(shot.engine_settings) == {"ambience": -6.0}
    assert "Ambience" in text and key == ("stem_gain", "ambience", shot.id)
    assert p.stem_mixer.values["ambience"].text() == "−6.0 dB"
    # Dragging further merges into the same undo step (same key).
    slider.setValue(-14)
    assert edits[-1][2] == key and shot_stem_gains(edits[-1][0].shots[0].engine_settings)["ambience"] == -7.0
    # The project the window applies comes back: the panel shows it without emitting again.
    count = len(edits)
    p.set_shot(edits[-1][0], shot.id)
    assert len(edits) == count and slider.value() == -14


def test_mute_and_unmute(qtbot, panel):
    p, project = panel
    edits = []
    p.edit_requested.connect(lambda proj, text, key: edits.append((proj, text)))
    qtbot.mouseClick(p.stem_mixer.mutes["foley"], Qt.LeftButton)
    gains = shot_stem_gains(edits[-1][0].shots[0].engine_settings)
    assert gains["foley"] == -math.inf and "Mute" in edits[-1][1]
    p.set_shot(edits[-1][0], project.shots[0].id)
    assert p.stem_mixer.mutes["foley"].isChecked()
    qtbot.mouseClick(p.stem_mixer.mutes["foley"], Qt.LeftButton)
    assert shot_stem_gains(edits[-1][0].shots[0].engine_settings) == {}
    assert edits[-1][0].shots[0].engine_settings == ()  # back to the default: nothing stored


def test_labels_in_japanese(qtbot):
    w = StemMixerWidget()
    qtbot.addWidget(w)
    i18n.set_language("ja")
    try:
        w.retranslate()
        assert w._names["dialogue"].text() == "セリフ" and w._names["ambience"].text() == "環境音"
    finally:
        i18n.set_language("en")
    assert format_db(3) == "+3.0 dB" and format_db(0.01) == "0 dB"


def test_in_the_window_a_slider_drag_is_one_undo_step_and_is_saved(small_window, qtbot):
    from studio.persistence.bundle import load_project

    w = small_window
    shot_id = w.document.project.shots[1].id
    w.timeline.select([shot_id])
    mixer = w.shot_panel.stem_mixer
    qtbot.waitUntil(lambda: w.shot_panel.shot() is not None and w.shot_panel.shot().id == shot_id)
    steps = w.document.undo_stack.index()
    for value in (-2, -6, -10, -16):  # a drag: several values, one undo step
        mixer.sliders["foley"].setValue(value)
    assert w.document.undo_stack.index() == steps + 1
    assert shot_stem_gains(w.document.project.shot(shot_id).engine_settings) == {"foley": -8.0}
    w.document.undo()
    assert shot_stem_gains(w.document.project.shot(shot_id).engine_settings) == {}
    assert mixer.sliders["foley"].value() == 0  # the panel follows the undo
    w.document.redo()
    w.document.save()
    assert shot_stem_gains(load_project(w.document.bundle).shot(shot_id).engine_settings) == {"foley": -8.0}
