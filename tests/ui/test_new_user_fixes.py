"""What a new user hit on a first session (issue 11, section 3): each fixed, each checked here."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _all_shortcuts(window) -> Counter:
    keys: Counter = Counter()
    for a in window.findChildren(type(window.act_redo)):
        for k in a.shortcuts():
            if not k.isEmpty():
                keys[k.toString()] += 1
    return keys


def _edit(window, text="renamed"):
    from dataclasses import replace

    p = window.document.project
    window.document.apply(p.with_shot(replace(p.shots[0], prompt=text)), "edit")


def test_both_redo_keys_redo_and_no_key_is_registered_twice(small_window, qtbot):
    w = small_window
    dup = {k: n for k, n in _all_shortcuts(w).items() if n > 1}
    assert not dup, f"shortcuts registered twice (Qt refuses them as ambiguous): {dup}"
    assert {k.toString() for k in w.act_redo.shortcuts()} == {"Ctrl+Y", "Ctrl+Shift+Z"}
    for key, mods in ((Qt.Key_Y, Qt.ControlModifier), (Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)):
        _edit(w, f"edit {key}")
        w.document.undo()
        assert w.document.project.shots[0].prompt != f"edit {key}"
        w.timeline.setFocus()
        QTest.keyClick(w.timeline, key, mods)
        assert w.document.project.shots[0].prompt == f"edit {key}", QKeySequence(key | mods).toString()


def test_back_from_the_feed_enables_the_editor_actions(small_window, qtbot):
    w = small_window
    w.timeline.select([])
    w.feed.show_feed()
    assert not w.act_save.isEnabled()
    w.feed.back()
    assert w.pages.currentIndex() == 1
    for a in (w.act_save, w.act_add_shot, w.act_export, w.act_generate_all):
        assert a.isEnabled(), a.objectName()


def test_undo_is_off_outside_the_editor_and_new_asks_about_unsaved_changes(small_window):
    w = small_window
    _edit(w)
    assert w.document.dirty
    w.feed.show_feed()
    assert not w.act_undo.isEnabled()
    w.act_undo.trigger()
    assert w.document.project.shots[0].prompt == "renamed"  # nothing changed invisibly
    w.feed.back()
    asked = []
    w._ask_save_changes = lambda: asked.append(1) or "cancel"
    w.act_new.trigger()
    assert asked and w.pages.currentIndex() == 1 and w.document.is_open()  # cancel keeps the project
    w._ask_save_changes = lambda: asked.append(2) or "discard"
    w.act_new.trigger()
    assert asked == [1, 2] and w.pages.currentIndex() == 0 and not w.document.is_open()
    assert not w.act_undo.isEnabled() and not w.act_redo.isEnabled()


def test_generate_all_is_on_the_toolbar_and_generate_without_selection_says_so(small_window):
    w = small_window
    assert w.act_generate_all in w.toolbar.actions()
    assert w.act_generate_all.text() == "Generate all"
    w.timeline.select([])
    assert w.generate_selected() == []
    assert "Generate all" in w.status_label.text()
    assert not w.jobs.active()


def test_opening_a_folder_that_is_not_a_project_names_that_folder(small_window, tmp_path):
    w = small_window
    folder = tmp_path / "holiday clips"
    folder.mkdir()
    assert not w.open_project(folder)
    msg = w.status_label.text()
    assert str(folder) in msg and "holiday clips.studio" not in msg
    assert w.document.is_open()  # the open project stays


def test_the_next_project_starts_at_frame_zero_with_an_empty_queue(small_window, tmp_path, qtbot):
    w = small_window
    w.timeline.select([w.document.project.shots[0].id])
    with qtbot.waitSignal(w.engine.take_ready, timeout=30000):
        w.act_generate.trigger()
    w.timeline.set_playhead(20)
    w.player.seek(20)
    w.player.play()
    assert w.jobs.jobs() and w.player.playing
    w._ask_save_changes = lambda: "discard"
    assert w.new_from_template(template_id="rainy-morning") is not None
    assert w.timeline.playhead == 0
    assert w.jobs.jobs() == []
    assert not w.player.playing  # found by the soak: playback ran on into the next project


def test_the_camera_field_shows_the_prompt_mark_and_rewrites_it(small_window):
    from dataclasses import replace

    from studio.domain.model import CameraMove
    from studio.ui import i18n
    from studio.ui.feed.feed_page import _camera_label

    w = small_window
    p = w.document.project
    shot = replace(p.shots[0], prompt="The hall [camera: dolly in]", camera=CameraMove.PAN_RIGHT)
    w.document.apply(p.with_shot(shot), "tag")
    w.timeline.select([shot.id])
    combo = w.shot_panel.camera_combo
    assert combo.currentData() == CameraMove.DOLLY_IN
    assert "[camera" in combo.toolTip()
    combo.setCurrentIndex(list(CameraMove).index(CameraMove.ORBIT))
    edited = w.document.project.shot(shot.id)
    assert edited.prompt == "The hall [camera: orbit]" and edited.camera is CameraMove.ORBIT
    assert _camera_label(shot) == "Dolly in"  # the Feed's recipe names what the render used
    i18n.set_language("ja")
    assert _camera_label(shot) == i18n.JA["Dolly in"]


def test_progress_counts_the_shots_frames_and_never_drops_while_saving(small_window, qtbot):
    from studio.services.jobs import JobState
    from studio.ui.queue_panel import STAGE_LABELS, progress_text

    w = small_window
    shot = w.document.project.shots[1]  # 12 frames; the Sketch engine counts 13 steps (frames + sound)
    w.timeline.select([shot.id])
    seen = []

    def record(job_id):
        info = w.jobs.get(job_id)
        if info.state is JobState.RUNNING:
            seen.append((info.stage, info.fraction, progress_text(info, STAGE_LABELS.get(info.stage, info.stage))))

    w.jobs.job_changed.connect(record)
    with qtbot.waitSignal(w.engine.take_ready, timeout=30000):
        w.act_generate.trigger()
    texts = [t for _, _, t in seen]
    assert any(t.endswith("/12") for t in texts) and not any("/13" in t for t in texts), texts
    fractions = [f for _, f, _ in seen]
    assert fractions == sorted(fractions), "the progress went backwards (0 % while saving the take)"
    assert ("store", 1.0) in [(s, f) for s, f, _ in seen]
    assert shot.display_title(1) in w.status_label.text() or "New take" in w.status_label.text()


def test_one_video_is_singular(themed_app):
    from studio.ui import i18n

    assert i18n.tr("1 video") == "1 video" and "1 video" in i18n.JA


def test_the_export_dialog_grows_for_a_long_error(small_window, qtbot):
    w = small_window
    dialog = w.show_export()
    qtbot.waitExposed(dialog)
    before = dialog.height()
    long = "Could not write /home/someone/Videos/day.mp4: the disk is full. Free some space and try again. " * 3
    dialog._failed(long, "choose another folder or free some space")
    QApplication.processEvents()
    label = dialog.message
    assert label.wordWrap()
    assert label.height() >= label.heightForWidth(label.width()), "the message is clipped"
    assert dialog.height() >= before
    dialog.reject()


def test_japanese_leftovers_wizard_buttons_chips_mute(small_window, qtbot):
    from PySide6.QtWidgets import QWizard

    from studio.domain.model import CameraMove, effective_camera
    from studio.ui import i18n
    from studio.ui.cameo_wizard.wizard import CameoWizardDialog

    w = small_window
    i18n.set_language("ja")
    wizard = CameoWizardDialog(w)
    qtbot.addWidget(wizard)
    assert wizard.buttonText(QWizard.NextButton) == "次へ >"
    assert wizard.buttonText(QWizard.BackButton) == "< 戻る"
    assert wizard.buttonText(QWizard.CancelButton) == "キャンセル"
    wizard.reject()
    panel = w.shot_panel
    assert panel.chips["camera"].text() == "[カメラ: ドリーイン]"
    assert panel.chips["sound"].text() == "{効果音: ドア}"
    panel.prompt_edit.setPlainText("")
    panel.chips["camera"].click()
    shot = w.document.project.shot(w.selected_ids()[0])
    assert effective_camera(shot)[0] is CameraMove.DOLLY_IN  # the Japanese chip still means dolly in
    assert all(m.text() == "ミュート" for m in panel.stem_mixer.mutes.values())


def test_the_no_webcam_message_does_not_name_a_command_line_flag():
    from studio.media.capture import CameraSource, CaptureUnavailable

    try:
        CameraSource("97").open()
    except CaptureUnavailable as exc:
        assert "--camera" not in str(exc)
    else:  # a machine with 98 webcams
        pass


def test_diffusers_without_gpu_or_model_warns_before_generate_and_offers_models(small_window):
    from dataclasses import replace

    w = small_window
    p = w.document.project
    shot = replace(p.shots[0], engine="diffusers")
    w.document.apply(p.with_shot(shot), "engine")
    w.timeline.select([shot.id])
    w.diffusers_ready = lambda s: (False, False)
    asked = []
    w._ask_yes_no = lambda title, text: asked.append(text) or False
    assert w.generate_selected() == [] and not w.jobs.active()
    assert asked and "GPU" in asked[0] and "Models window" in asked[0]
    assert "Models window" in w.status_label.text()
    w._job_failed("job_x", "the model files are missing", "run: studio models install ltx")
    assert "studio models" not in w.status_label.text() and "Models window" in w.status_label.text()
