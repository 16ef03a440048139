"""The window is usable from 1024×640: the shot panel scrolls, the toolbar overflows into a menu, notes read."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QToolButton


def _settle(qtbot, w, width, height):
    w.resize(width, height)
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(50)


def _form_fields(panel):
    form = panel.form
    for row in range(form.rowCount()):
        item = form.itemAt(row, form.ItemRole.FieldRole)
        if item is None:
            continue
        yield row, item.widget() or item.layout()


def test_at_1024x640_no_shot_row_is_squeezed(small_window, qtbot):
    w = small_window
    _settle(qtbot, w, 1024, 640)
    assert w.width() <= 1024 and w.height() <= 640
    panel = w.shot_panel
    for row, field in _form_fields(panel):
        hint = field.sizeHint().height()
        height = field.geometry().height()
        assert height >= hint, f"row {row}: {height} px < its size hint {hint} px"
    assert panel.prompt_edit.height() >= panel.prompt_edit.minimumHeight()
    assert panel.generate_button.isVisible() and panel.generate_button.height() >= 30
    # The fields scroll: every row can be brought into view.
    bar = panel.scroll.verticalScrollBar()
    panel.scroll.ensureWidgetVisible(panel.stem_mixer)
    assert panel.stem_mixer.visibleRegion().boundingRect().height() > 0 or bar.maximum() == 0


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_at_1024x640_models_settings_and_cameo_stay_reachable(small_window, qtbot, lang):
    from studio.ui import i18n

    w = small_window
    i18n.set_language(lang)
    _settle(qtbot, w, 1024, 640)
    tb = w.toolbar
    ext = tb.findChild(QToolButton, "qt_toolbar_ext_button")
    for name in ("models", "settings", "cameo", "feed", "export", "generate_all"):
        action = next((a for a in tb.actions() if a.objectName() == name), None)
        assert action is not None, f"{name} is not on the toolbar"
        widget = tb.widgetForAction(action)
        shown = widget is not None and widget.isVisible() and tb.rect().contains(widget.geometry())
        overflow = ext is not None and ext.isVisible()
        assert shown or overflow, f"{name} vanished from the toolbar with no overflow menu"
        assert shown, f"{name} is only in the overflow menu at 1024 px"


def test_the_toolbar_overflow_menu_is_there_when_actions_do_not_fit(small_window, qtbot):
    w = small_window
    _settle(qtbot, w, 1024, 640)
    w.toolbar.addAction("A very long extra action name that cannot fit " * 3)
    _settle(qtbot, w, 1024, 640)
    ext = w.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert ext is not None and ext.isVisible() and ext.width() >= 12
