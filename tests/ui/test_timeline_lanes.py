"""The timeline's audio lanes: one per stem, real waveforms, dialogue clips, mute/solo in the player's mix; tiled thumbnails."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPixmap

from studio.domain.model import DialogueLine
from studio.domain.stems import STEM_NAMES
from studio.media.audio_io import write_wav
from studio.services.waveforms import WaveformCache, peaks
from studio.ui.timeline import CARD_H, CARD_TOP, LANE_COLOURS, lane_rect_y, tile_rects


def _generate(w, qtbot, shot_id):
    w.timeline.select([shot_id])
    with qtbot.waitSignal(w.engine.take_ready, timeout=60000):
        w.act_generate.trigger()
    return w.document.project.shot(shot_id).selected_take


def test_there_is_one_lane_per_stem_with_mute_and_solo(window):
    headers = window.timeline_panel.headers
    assert list(headers.mutes) == list(STEM_NAMES) == list(headers.solos)
    tops = [lane_rect_y(s)[0] for s in STEM_NAMES]
    assert tops == sorted(tops) and len(set(tops)) == 4
    assert tops[0] >= CARD_TOP + CARD_H  # under the shot track
    assert window.timeline.height() >= lane_rect_y("music")[0] + lane_rect_y("music")[1]
    assert [headers.labels[s].text() for s in STEM_NAMES] == ["Dialogue", "Foley", "Ambience", "Music"]
    from studio.ui import i18n

    i18n.set_language("ja")
    assert [headers.labels[s].text() for s in STEM_NAMES] == ["セリフ", "効果音", "環境音", "音楽"]
    assert headers.mutes["music"].text() == "消音" and headers.solos["music"].text() == "ソロ"


def test_waveform_is_non_empty_for_sound_and_flat_for_silence(tmp_path, qtbot):
    rng = np.random.default_rng(1)
    loud, quiet = tmp_path / "loud.wav", tmp_path / "quiet.wav"
    write_wav(loud, (rng.standard_normal((48000, 2)) * 0.3).astype(np.float32))
    write_wav(quiet, np.zeros((48000, 2), np.float32))
    cache = WaveformCache()
    try:
        assert cache.request(loud) is None  # computed in the background, not on this thread
        with qtbot.waitSignals([cache.ready, cache.ready], timeout=10000):
            cache.request(quiet)
        a, b = cache.get(loud), cache.get(quiet)
        assert a.shape == b.shape == (100,)  # one peak per 10 ms
        assert a.min() > 0.1 and b.max() == 0.0
        assert cache.request(loud) is a  # cached per file
    finally:
        cache.shutdown()
    assert peaks(np.zeros((0, 2), np.float32), 48000).size == 0


def test_a_generated_take_draws_its_stems_in_the_lanes(small_window, qtbot):
    w = small_window
    shot = w.document.project.shots[0]
    take = _generate(w, qtbot, shot.id)
    stems = dict(take.stems)
    assert "ambience" in stems
    qtbot.waitUntil(lambda: w.timeline.lane_peaks(shot.id, "ambience") is not None, timeout=10000)
    amb = w.timeline.lane_peaks(shot.id, "ambience")
    assert amb.size >= 40 and amb.max() > 0.001
    # What is painted: the ambience lane carries its colour across the card; a lane with no stem stays empty.
    w.timeline_panel.resize(1200, 400)
    image = w.timeline.grab().toImage()
    card = w.timeline.card_rect(shot.id)
    top, h = lane_rect_y("ambience")
    colour = QColor(LANE_COLOURS["ambience"])
    xs = range(int(card.left()) + 2, int(card.right()) - 2)
    lit = sum(1 for x in xs if _near(image.pixelColor(x, top + h // 2), colour))
    assert lit > 0.8 * len(xs), [image.pixelColor(x, top + h // 2).name() for x in xs[:8]]
    if "music" not in stems:
        mtop, mh = lane_rect_y("music")
        assert not any(_near(image.pixelColor(x, mtop + mh // 2), QColor(LANE_COLOURS["music"])) for x in xs)


def _near(c: QColor, want: QColor, tol: int = 40) -> bool:
    return abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue()) <= tol


def test_mute_and_solo_change_the_players_stem_gains_and_mix(small_window, qtbot):
    w = small_window
    shot = w.document.project.shots[0]
    take = _generate(w, qtbot, shot.id)
    headers = w.timeline_panel.headers
    out = lambda: w.player._output  # noqa: E731
    qtbot.waitUntil(lambda: out() is not None and out()._audio.shape[0] > 0 and np.abs(out()._audio).max() > 0, timeout=10000)
    assert w.player.stem_gains() == {s: 1.0 for s in STEM_NAMES}

    qtbot.mouseClick(headers.mutes["ambience"], Qt.LeftButton)
    assert w.player.is_muted("ambience") and w.player.stem_gains()["ambience"] == 0.0
    qtbot.mouseClick(headers.solos["dialogue"], Qt.LeftButton)
    assert w.player.stem_gains() == {"dialogue": 1.0, "foley": 0.0, "ambience": 0.0, "music": 0.0}
    if "dialogue" not in dict(take.stems):  # nothing left to hear: the preview's mix goes silent
        qtbot.waitUntil(lambda: np.abs(out()._audio).max() == 0, timeout=10000)
    qtbot.mouseClick(headers.solos["dialogue"], Qt.LeftButton)
    qtbot.mouseClick(headers.mutes["ambience"], Qt.LeftButton)
    assert w.player.stem_gains() == {s: 1.0 for s in STEM_NAMES}
    qtbot.waitUntil(lambda: np.abs(out()._audio).max() > 0, timeout=10000)
    # The player holds the state; the buttons follow it.
    w.player.set_stem_muted("music", True)
    assert headers.mutes["music"].isChecked()


def test_dialogue_lines_are_labelled_clips_inside_their_shot(small_window):
    w = small_window
    p = w.document.project
    shot = replace(p.shots[0], dialogue=(DialogueLine("Good morning!"), DialogueLine("See you later", at_frame=8)))
    w.document.apply(p.with_shot(shot), "lines")
    clips = w.timeline.dialogue_clips(shot.id)
    texts = [t for _, _, t in clips]
    assert "Good morning!" in texts and "See you later" in texts
    seconds = shot.duration_frames / p.fps
    assert all(0 <= a < b <= seconds for a, b, _ in clips)
    assert dict((t, a) for a, _, t in clips)["See you later"] == pytest.approx(8 / p.fps)


def test_a_long_cards_thumbnail_keeps_its_aspect(small_window):
    w = small_window
    p = w.document.project
    shot = p.shots[0]
    w.document.apply(p.with_shot(replace(shot, duration_frames=p.fps * 12)), "long")
    pm = QPixmap(160, 90)
    pm.fill(QColor("#3366cc"))
    state = w.timeline.card_state(shot.id)
    state.thumbnail = pm
    w.timeline.set_card_state(shot.id, state)
    rects = w.timeline.thumbnail_rects(shot.id)
    card = w.timeline.card_rect(shot.id)
    assert card.width() > 3 * card.height()
    assert len(rects) > 2
    for r in rects:
        assert r.width() / r.height() == pytest.approx(16 / 9, rel=0.01)
    assert rects[0].left() <= card.left() + 2 and rects[-1].right() >= card.right() - 2
    # A card of about the picture's shape shows one copy, covering it.
    one = tile_rects(QRectF(0, 0, 160, 84), 160, 90)
    assert len(one) == 1 and one[0].width() / one[0].height() == pytest.approx(16 / 9, rel=0.01)


def test_mute_and_solo_labels_fit_their_buttons_in_japanese(window):
    from PySide6.QtGui import QFontMetrics

    from studio.ui import i18n

    headers = window.timeline_panel.headers
    try:
        i18n.set_language("ja")
        for button in (*headers.mutes.values(), *headers.solos.values()):
            assert button.text() in ("消音", "ソロ")
            fm = QFontMetrics(button.font())
            # The whole label shows: as wide as the button asks for, and the glyphs' height fits the lane.
            assert button.width() >= button.sizeHint().width(), (button.text(), button.width(), button.sizeHint())
            assert fm.height() <= button.height(), (button.text(), fm.height(), button.height())
    finally:
        i18n.set_language("en")
