"""A user makes a storyboard from a story and edits it: reorder, durations, prompts, undo/redo, save."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from studio.persistence.bundle import load_project
from tests.ui.helpers import card_center, card_edge, click, drag_and_drop, mouse_drag

STORY = "In the morning Mei walks to the university → she attends a lecture → at night she studies in a cafe"


def _shortcut(qtbot, window, sequence) -> None:
    seq = QKeySequence(sequence)
    combo = seq[0]
    QTest.keyClick(window.focusWidget() or window, combo.key(), combo.keyboardModifiers())


def test_create_from_story_reorder_resize_edit_undo_save(window, qtbot, tmp_path):
    # -- the start page: write a story, pick vertical, create
    assert window.pages.currentWidget() is window.start_page
    page = window.start_page
    qtbot.mouseClick(page.story_edit.viewport(), Qt.LeftButton)
    page.story_edit.insertPlainText(STORY)
    page.aspect.setCurrentIndex(page.aspect.findData("9:16"))
    qtbot.mouseClick(page.create_button, Qt.LeftButton)
    project = window.document.project
    assert project is not None and window.pages.currentIndex() == 1
    assert [s.title for s in project.shots] == ["morning walk", "lecture", "night cafe"]
    assert (project.canvas.width, project.canvas.height) == (720, 1280)
    bundle = window.document.bundle
    assert bundle.parent == tmp_path / "projects" and (bundle / "project.json").is_file()
    timeline = window.timeline
    a, b, c = (s.id for s in project.shots)
    assert timeline.selected_ids() == [a]

    # -- reorder: drag the last card and drop it before the first (synthetic drag events)
    click(timeline, card_center(timeline, c))
    assert timeline.selected_ids() == [c]
    mime = timeline.mime_for(timeline.selected_ids())
    first = timeline.card_rect(a)
    assert drag_and_drop(timeline, mime, QPoint(int(first.left()) + 10, int(first.center().y())),
                         via=card_center(timeline, b))
    assert [s.id for s in window.document.project.shots] == [c, a, b]

    # -- multi-select with Ctrl and move both to the end
    click(timeline, card_center(timeline, c))
    click(timeline, card_center(timeline, a), Qt.ControlModifier)
    assert timeline.selected_ids() == [c, a]
    end = timeline.card_rect(b)
    assert drag_and_drop(timeline, timeline.mime_for(timeline.selected_ids()), QPoint(int(end.right()) - 5, int(end.center().y())))
    assert [s.id for s in window.document.project.shots] == [b, c, a]

    # -- durations: drag the first card's right edge; it snaps to whole seconds, Shift gives single frames
    fps = project.fps
    edge = card_edge(timeline, b)
    start_x = timeline.frame_to_x(0)
    target = QPoint(int(start_x + 2 * timeline.pixels_per_second()) + 3, edge.y())
    mouse_drag(timeline, edge, target)
    assert window.document.project.shot(b).duration_frames == 2 * fps
    edge = card_edge(timeline, b)
    mouse_drag(timeline, edge, QPoint(edge.x() + int(timeline.pixels_per_second() * 5 / fps), edge.y()), Qt.ShiftModifier)
    assert window.document.project.shot(b).duration_frames == 2 * fps + 5
    # ... and the duration box beside the prompt
    click(timeline, card_center(timeline, c))
    window.shot_panel.duration_spin.setValue(1.5)
    assert window.document.project.shot(c).duration_frames == int(1.5 * fps)

    # -- the prompt: type a camera mark; the whole typing run is one undo step
    editor = window.shot_panel.prompt_edit
    before = window.document.project.shot(c).prompt
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " [camera: orbit]")
    assert window.document.project.shot(c).prompt == before + " [camera: orbit]"
    steps = window.document.undo_stack.index()

    # -- undo/redo with the keyboard (from inside the prompt editor: the project undo wins)
    _shortcut(qtbot, window, QKeySequence.Undo)
    assert window.document.project.shot(c).prompt == before
    assert editor.toPlainText() == before
    assert window.document.undo_stack.index() == steps - 1
    _shortcut(qtbot, window, "Ctrl+Shift+Z")
    assert window.document.project.shot(c).prompt == before + " [camera: orbit]"
    # undo everything back to the story's storyboard, then redo it all
    while window.document.undo_stack.can_undo():
        window.act_undo.trigger()
    assert [s.id for s in window.document.project.shots] == [a, b, c]
    assert window.document.project == load_project(bundle)
    while window.document.undo_stack.can_redo():
        window.act_redo.trigger()
    assert [s.id for s in window.document.project.shots] == [b, c, a]

    # -- save with Ctrl+S and read it back from disk
    assert window.windowTitle().startswith("●")
    timeline.setFocus()
    _shortcut(qtbot, window, QKeySequence.Save)
    assert not window.document.dirty and not window.windowTitle().startswith("●")
    saved = load_project(bundle)
    assert [s.id for s in saved.shots] == [b, c, a]
    assert saved.shot(b).duration_frames == 2 * fps + 5
    assert saved.shot(c).duration_frames == int(1.5 * fps)
    assert saved.shot(c).prompt.endswith("[camera: orbit]")
    assert str(bundle) == window.settings.recent_projects[0]


def test_keyboard_duplicate_split_delete_and_select(small_window, qtbot):
    w = small_window
    t = w.timeline
    p = w.document.project
    ids = [s.id for s in p.shots]
    t.setFocus()
    t.select([ids[1]])
    QTest.keyClick(t, Qt.Key_D, Qt.ControlModifier)
    p = w.document.project
    assert len(p.shots) == 4 and p.shots[2].prompt == p.shots[1].prompt and p.shots[2].id not in ids
    assert t.selected_ids() == [p.shots[2].id]
    # split the shot under the playhead
    QTest.keyClick(t, Qt.Key_Right)
    assert t.selected_ids() == [p.shots[3].id]
    start = p.start_frame(p.shots[3].id)
    w._timeline_seek(start + 5)
    QTest.keyClick(t, Qt.Key_K, Qt.ControlModifier)
    p = w.document.project
    assert len(p.shots) == 5
    assert [s.duration_frames for s in p.shots[3:]] == [5, 7]
    assert p.shots[4].takes == () and p.shots[4].seed != p.shots[3].seed
    # shift-extend and delete both
    QTest.keyClick(t, Qt.Key_Left, Qt.ShiftModifier)
    assert len(t.selected_ids()) == 2
    QTest.keyClick(t, Qt.Key_Delete)
    assert len(w.document.project.shots) == 3
    w.document.undo()
    assert len(w.document.project.shots) == 5
    # Alt+Right moves the selection later
    t.select([w.document.project.shots[0].id])
    first = w.document.project.shots[0].id
    QTest.keyClick(t, Qt.Key_Right, Qt.AltModifier)
    assert w.document.project.shots[1].id == first


def test_ruler_click_moves_the_playhead(small_window):
    t = small_window.timeline
    x = int(t.frame_to_x(20))
    click(t, QPoint(x + 1, 10))
    assert t.playhead == 20
    assert small_window.player_panel.mode == "storyboard"


def test_dropping_files_makes_shots_image_as_reference_video_as_take(small_window, qtbot, tmp_path):
    """Files dragged in from the file manager: an image starts a shot, a video becomes a take."""
    import numpy as np
    from PIL import Image

    from studio.media.decode import read_all_frames
    from studio.media.encode import write_mp4
    from studio.persistence.bundle import media_path
    from tests.ui.helpers import file_mime

    w = small_window
    image = tmp_path / "still.png"
    Image.fromarray(np.tile(np.linspace(0, 255, 64, dtype=np.uint8)[None, :, None], (48, 1, 3))).save(image)
    clip = tmp_path / "clip.mp4"
    frames = np.zeros((10, 64, 96, 3), np.uint8)
    for i in range(10):
        frames[i, :, i * 8 : i * 8 + 16] = (230, 60, 40)  # a red block moving right
    write_mp4(clip, frames, fps=24, width=96, height=64)
    timeline = w.timeline
    ids_before = [s.id for s in w.document.project.shots]
    last = timeline.card_rect(ids_before[-1])
    with qtbot.waitSignal(w.services.importer.imported, timeout=30000):
        assert drag_and_drop(timeline, file_mime(image, clip), QPoint(int(last.right()) - 3, int(last.center().y())))
    p = w.document.project
    assert len(p.shots) == 5 and [s.id for s in p.shots[:3]] == ids_before
    still, video = p.shots[3], p.shots[4]
    assert still.reference_image and media_path(w.document.bundle, still.reference_image).is_file()
    assert still.selected_take is None
    take = video.selected_take
    assert take is not None and take.source == "import"
    got = read_all_frames(media_path(w.document.bundle, take.video))
    assert got.shape[0] == 10
    assert video.duration_frames == 10
    # One undo step removes both imported shots.
    w.act_undo.trigger()
    assert [s.id for s in w.document.project.shots] == ids_before


def test_prompt_editor_highlights_the_grammar_and_completes_names(small_window, qtbot):
    from PySide6.QtGui import QColor

    from studio.ui import theme

    w = small_window
    w.timeline.select([w.document.project.shots[0].id])
    edit = w.shot_panel.prompt_edit
    assert "Mei" in edit.names()
    edit.setFocus()
    edit.selectAll()
    edit.textCursor().removeSelectedText()
    QTest.keyClicks(edit, "@Me")
    popup = edit.completer.popup()
    assert popup.isVisible() and popup.currentIndex().data() == "Mei"
    QTest.keyClick(popup, Qt.Key_Return)  # the popup has the keyboard while it shows
    QTest.keyClicks(edit, "waves [camera: dolly in] ")
    edit.insertPlainText('"おはよう"')  # QTest can only type Latin-1; an input method inserts text like this
    QTest.keyClicks(edit, " {sfx: door slam}")
    text = edit.toPlainText()
    assert text.startswith("@Mei waves")
    block = edit.document().firstBlock()
    formats = block.layout().formats()

    def colour_at(substring: str) -> str:
        i = text.index(substring)
        for r in formats:
            if r.start <= i < r.start + r.length:
                return r.format.foreground().color().name()
        return ""

    assert colour_at("@Mei") == QColor(theme.GRAMMAR_COLOURS["character"]).name()
    assert colour_at("[camera") == QColor(theme.GRAMMAR_COLOURS["camera"]).name()
    assert colour_at("おはよう") == QColor(theme.GRAMMAR_COLOURS["dialogue"]).name()
    assert colour_at("{sfx") == QColor(theme.GRAMMAR_COLOURS["sound"]).name()
    assert colour_at("waves") == ""
    # The typing became the shot's prompt (one undoable edit).
    qtbot.waitUntil(lambda: w.document.project.shots[0].prompt == text, timeout=3000)


def test_seed_field_holds_the_whole_project_range(small_window, qtbot):
    """A remixed or command-line seed above 2**31 shows as itself and edits as one undo step."""
    from dataclasses import replace

    w = small_window
    p = w.document.project
    big = 2**40 + 7
    w.document.apply(p.with_shot(replace(p.shots[0], seed=big)), "seed")
    w.timeline.select([p.shots[1].id])
    w.timeline.select([p.shots[0].id])
    field = w.shot_panel.seed_spin
    assert field.text() == str(big) and w.document.project.shots[0].seed == big
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, "9223372036854775807")
    QTest.keyClick(field, Qt.Key_Return)
    assert w.document.project.shots[0].seed == 2**63 - 1
    QTest.keyClicks(field, "x")  # not a digit: refused by the validator
    assert field.text() == str(2**63 - 1)
    w.act_undo.trigger()
    assert w.document.project.shots[0].seed == big
