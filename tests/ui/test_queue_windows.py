"""The queue names a long shot's window ("Rendering · window 2 of 3"), in both languages."""

from __future__ import annotations

from studio.ui import i18n
from studio.ui.queue_panel import stage_text


def test_the_queue_shows_which_window_renders():
    assert stage_text("render · window 2 of 3") == "Rendering · window 2 of 3"
    assert stage_text("render") == "Rendering"
    previous = i18n._current
    try:
        i18n._current = "ja"
        assert stage_text("render · window 2 of 3") == f"{i18n.JA['Rendering']} · ウィンドウ 2/3"
    finally:
        i18n._current = previous
