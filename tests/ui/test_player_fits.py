"""The player's controls stay whole in a 1024×640 window: the timecode is never cut, the note is elided with its text in the tooltip."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_transport_and_the_note_fit_at_1024_by_640(small_window, qtbot, lang):
    from studio.services.player_engine import NO_SOUND_NOTE
    from studio.ui import i18n

    w = small_window
    try:
        i18n.set_language(lang)
        w.resize(1024, 640)
        qtbot.wait(50)
        panel = w.player_panel
        panel._audio_note(NO_SOUND_NOTE)
        time = panel.time_label
        assert time.width() >= time.fontMetrics().horizontalAdvance(time.text()), (time.width(), time.text())
        if panel.frame_label.isVisible():
            label = panel.frame_label
            assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
        note = panel.note
        assert note.toolTip().startswith("⚠") and note.fontMetrics().horizontalAdvance(note.text()) <= note.width() + 2
    finally:
        i18n.set_language("en")
