"""The shot panel's "what Studio understood" line: the scene plan of the prompt, unknown words marked."""

from __future__ import annotations

from studio.ui import i18n
from studio.ui.prompt_editor import ShotPanel
from tests.support.projects import small_project


def test_the_line_shows_the_plan_and_marks_unknown_words(qtbot):
    p = ShotPanel()
    qtbot.addWidget(p)
    project = small_project("猫が窓から飛び降りる")
    p.set_shot(project, project.shots[0].id)
    text = p.understood_label.text()
    assert "cat: jump down from window" in text and "room" in text
    p.prompt_edit.setPlainText("A zebra juggles on the wooden floor")
    text = p.understood_label.text()
    assert "Not understood" in text and "zebra" in text and "text-decoration:underline" in text
    # Mei (the cast) is read in the project's bible: her look reaches the plan.
    p.prompt_edit.setPlainText("Mei opens the door")
    assert "Mei (long black hair): open door" in p.understood_label.text()


def test_the_line_is_translated(qtbot):
    i18n.set_language("ja")
    try:
        p = ShotPanel()
        qtbot.addWidget(p)
        project = small_project("キリンが歩く")
        p.set_shot(project, project.shots[0].id)
        text = p.understood_label.text()
        assert "Studio の理解" in text and "理解できなかった語" in text and "キリン" in text
    finally:
        i18n.set_language("en")
