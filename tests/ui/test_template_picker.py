"""Start from a template: the window offers the templates, and the project is the one picked, in the UI's language."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from studio.domain.story import TEMPLATES
from studio.persistence.bundle import load_project
from studio.ui import i18n


def _pick(window, template_id: str, seen: list) -> None:
    def answer(dialog) -> int:
        seen.append([dialog.list.item(i).data(256) for i in range(dialog.list.count())])
        seen.append(dialog.list.item(0).text())
        for i in range(dialog.list.count()):
            if dialog.list.item(i).data(256) == template_id:
                dialog.list.setCurrentRow(i)
        return QDialog.Accepted
    window._exec_dialog = answer


def test_the_start_page_offers_every_template_and_makes_the_one_picked(window, qtbot):
    seen: list = []
    _pick(window, "cat-and-ball", seen)
    window.start_page.template_button.click()
    assert seen[0] == [t.id for t in TEMPLATES]  # every template is offered, the default first
    assert "A rainy morning" in seen[1] and "3 shots" in seen[1]
    p = window.document.project
    assert p.title == "The cat and the ball" and [s.title for s in p.shots] == ["the ball", "the cat", "got it"]
    assert window.document.bundle.name.startswith("The cat and the ball")
    # The ball and the cat shots cast nobody: the boy is only in the shot that names him.
    ren = p.bible.characters[0]
    assert [s.characters for s in p.shots] == [(), (), (ren.id,)]
    # The line is the boy's, whole (the "!" inside the quote no longer cuts the beat).
    assert load_project(window.document.bundle).shots[2].prompt.endswith('"Got it!"')


def test_a_vertical_template_keeps_its_canvas_and_japanese_makes_a_japanese_storyboard(window, qtbot):
    seen: list = []
    _pick(window, "day-vertical", seen)
    i18n.set_language("ja")
    window.start_page.template_button.click()
    p = window.document.project
    assert p.title == "わたしの一日（縦型）"
    assert (p.canvas.width, p.canvas.height) == (720, 1280)
    assert [c.name for c in p.bible.characters] == ["ハナ"]
    assert all("ハナ" in s.prompt for s in p.shots)
    assert "ショット" in seen[1]  # the list itself is in Japanese


def test_cancel_makes_nothing(window, qtbot):
    window._exec_dialog = lambda dialog: QDialog.Rejected
    assert window.new_from_template() is None
    assert not window.document.is_open()
