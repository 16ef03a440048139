"""The story bible casts a cameo onto a character from the window (one undoable edit)."""

from __future__ import annotations

from studio.domain.model import Character, Project, StoryBible
from studio.ui.bible_panel import StoryBiblePanel


def _project(cameo_id=None) -> Project:
    return Project(title="t", bible=StoryBible((Character("c1", "Mei", "red coat", cameo_id=cameo_id),
                                               Character("c2", "Ken", ""))))


def test_choosing_a_cameo_casts_it_and_none_uncasts(qtbot):
    panel = StoryBiblePanel()
    qtbot.addWidget(panel)
    panel.set_cameo_source(lambda: [("cameo_abc", "Eileen")])
    panel.set_project(_project())
    panel.refresh_cameos()
    combo = panel.table.cellWidget(0, 2)
    assert [combo.itemText(i) for i in range(combo.count())] == ["None", "Eileen"]
    assert combo.currentData() is None
    edits = []
    panel.edit_requested.connect(lambda project, text, merge: edits.append((project, text)))
    combo.setCurrentIndex(1)
    (project, text), = edits
    assert text == "Cast cameo"
    assert project.bible.character("c1").cameo_id == "cameo_abc"
    assert project.bible.character("c2").cameo_id is None
    # The window applies the edit and hands the project back; choosing None uncasts.
    panel.set_project(project)
    combo = panel.table.cellWidget(0, 2)
    assert combo.currentData() == "cameo_abc"
    combo.setCurrentIndex(0)
    assert edits[-1][0].bible.character("c1").cameo_id is None


def test_a_cameo_no_longer_castable_is_shown_as_unavailable(qtbot):
    panel = StoryBiblePanel()
    qtbot.addWidget(panel)
    panel.set_cameo_source(lambda: [])
    panel.set_project(_project("cameo_gone"))
    panel.refresh_cameos()
    combo = panel.table.cellWidget(0, 2)
    assert combo.currentData() == "cameo_gone" and "unavailable" in combo.currentText()
