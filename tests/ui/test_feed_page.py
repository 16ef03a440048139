"""The feed page: a vertical feed of real exports that plays, likes, comments, shows recipes, remixes."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from studio.persistence.bundle import load_project, save_project
from studio.services.export import export_project
from studio.services.feed_store import FeedStore
from studio.services.player_engine import AudioOutput, PlayerEngine
from studio.ui import i18n
from studio.ui.feed import FeedPageWidget
from tests.ui.helpers import drag_and_drop, file_mime
from tests.support.cameos import make_cameo, no_os_keyring
from tests.support.projects import small_project

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """Three small vertical exports recorded in a feed database; the last has Mei's cameo."""
    folder = tmp_path_factory.mktemp("feed")
    data = folder / "data"
    paths = []
    with pytest.MonkeyPatch.context() as mp, no_os_keyring():
        mp.setenv("STUDIO_DATA_DIR", str(data))
        cameo = make_cameo("Mei")
        for i, prompt in enumerate(["a ball bounces in the park", "rain falls on the city at night",
                                    "Mei walks to the university in the morning"]):
            project = replace(small_project(prompt, size=(96, 160), frames=8), title=f"video {i}", id=f"project_{i}")
            if i == 2:
                hero = replace(project.bible.characters[0], cameo_id=cameo.id)
                project = replace(project, bible=replace(project.bible, characters=(hero,)))
            bundle = save_project(project, folder / f"p{i}")
            paths.append(export_project(project, bundle, folder / f"v{i}.mp4").path)
    return folder, data / "feed.sqlite3", paths, cameo.id


@pytest.fixture
def feed_db(exports, tmp_path):
    db = tmp_path / "feed.sqlite3"
    shutil.copy(exports[1], db)
    return db


@pytest.fixture
def page(themed_app, qtbot, feed_db, exports):
    player = PlayerEngine(output_factory=AudioOutput)  # the silent clock: no sound card here
    mine = {exports[3]}
    w = FeedPageWidget(store_factory=lambda: FeedStore(feed_db), player=player, my_cameo_ids=lambda: mine)
    player.set_loop(True)
    player.frame_ready.connect(w._show_frame)
    qtbot.addWidget(w)
    w.resize(1000, 760)
    w.show()
    qtbot.waitExposed(w)
    w.activate()
    yield w
    w.shutdown()
    player.shutdown()
    i18n.set_language("en")


def painted(item) -> int:
    return item.view.frames_painted


def test_feed_lists_exports_newest_first_full_height_and_plays_the_one_in_view(page, qtbot, exports):
    titles = [it.video.title for it in page.items]
    assert titles == ["video 2", "video 1", "video 0"]
    viewport = page.scroll.viewport().height()
    assert all(it.height() == viewport for it in page.items)  # one video fills the feed's height
    assert page.current_index == 0 and page.is_playing
    program = page.player.program
    assert program.clips[0].video == exports[2][2].absolute() and program.clips[0].stems  # its sound too
    start = painted(page.items[0])
    qtbot.waitUntil(lambda: page.player.position > 2, timeout=5000)
    assert painted(page.items[0]) > start
    assert page.items[0].overlay.badge == "Your cameo" and page.items[1].overlay.badge == ""


def test_keys_and_wheel_move_one_whole_video_and_play_it(page, qtbot, exports):
    qtbot.keyClick(page, Qt.Key_Down)
    assert page.current_index == 1
    assert page.player.program.clips[0].video == exports[2][1].absolute()
    qtbot.waitUntil(lambda: page.scroll.verticalScrollBar().value() == page.scroll.viewport().height(), timeout=3000)
    wheel = QWheelEvent(QPointF(50, 50), QPointF(50, 50), QPoint(0, 0), QPoint(0, -120), Qt.NoButton, Qt.NoModifier,
                        Qt.NoScrollPhase, False)
    QApplication.sendEvent(page.scroll.viewport(), wheel)
    assert page.current_index == 2
    qtbot.keyClick(page, Qt.Key_Down)  # already the last: stays
    assert page.current_index == 2
    qtbot.keyClick(page, Qt.Key_Up)
    assert page.current_index == 1
    # Dragging the bar part-way settles on the nearest video.
    bar = page.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: page._animation.state() != page._animation.State.Running, timeout=3000)
    bar.setValue(int(page.scroll.viewport().height() * 0.2))
    qtbot.waitUntil(lambda: page.current_index == 0 and bar.value() == 0, timeout=3000)


def test_like_and_comment_are_kept_in_the_database(page, qtbot, feed_db):
    item = page.items[0]
    qtbot.mouseClick(item.like_button, Qt.LeftButton)
    assert item.like_button.text() == "Liked"
    page.comment_input.setText("   ")
    qtbot.mouseClick(page.post_button, Qt.LeftButton)
    assert page.comment_error.isVisible() and "empty" in page.comment_error.text()
    page.comment_input.setText("いいね！ great walk")
    qtbot.keyClick(page.comment_input, Qt.Key_Return)
    assert not page.comment_error.isVisible() and page.comment_input.text() == ""
    assert page.comment_list.count() == 1 and "great walk" in page.comment_list.item(0).text()
    assert item.comment_button.text() == "1"
    with FeedStore(feed_db) as store:
        video = store.video(item.video.id)
        assert video.liked and video.comment_count == 1
        assert [c.text for c in store.comments(video.id)] == ["いいね！ great walk"]
    qtbot.keyClick(page, Qt.Key_L)  # L toggles the like back
    with FeedStore(feed_db) as store:
        assert not store.video(item.video.id).liked


def test_recipe_is_shown_and_remix_is_one_click(page, qtbot, exports):
    qtbot.mouseClick(page.items[1].recipe_button, Qt.LeftButton)
    assert page.current_index == 1 and page.side.currentIndex() == 1
    text = page.recipe_view.toPlainText()
    assert "video 1" in text and "rain falls on the city at night" in text and "seed 100" in text
    with qtbot.waitSignal(page.remix_requested) as signal:
        qtbot.mouseClick(page.items[1].remix_button, Qt.LeftButton)
    assert signal.args == [str(exports[2][1].absolute())]


def test_with_my_cameo_shows_only_videos_that_used_it(page, qtbot, exports):
    qtbot.mouseClick(page.mine_button, Qt.LeftButton)
    assert [it.video.title for it in page.items] == ["video 2"]
    assert page.items[0].video.cameos == (exports[3],)
    page._my_cameo_ids = lambda: {"cameo_someone_else"}
    page.reload()
    assert page.items == [] and page.empty_label.isVisible() and "cameo" in page.empty_label.text()


def test_japanese_labels(page):
    i18n.set_language("ja")
    assert page.title.text() == "フィード"
    assert page.items[0].remix_button.text() == "リミックス"
    assert page.side.tabText(0) == "コメント"
    i18n.set_language("en")
    assert page.title.text() == "Feed"


def test_an_empty_feed_says_what_to_do(themed_app, qtbot, tmp_path):
    w = FeedPageWidget(store_factory=lambda: FeedStore(tmp_path / "empty.sqlite3"), player=PlayerEngine(output_factory=AudioOutput))
    qtbot.addWidget(w)
    w.show()
    w.activate()
    assert w.items == [] and w.current_index == -1 and "Export a project" in w.empty_label.text()
    assert not w.post_button.isEnabled() and not w.remix_button.isEnabled()
    w.shutdown()
    w._player.shutdown()


def test_window_opens_the_feed_and_a_dropped_mp4_becomes_a_new_project(window, qtbot, exports):
    window.feed.action.trigger()
    assert window.pages.currentWidget() is window.feed.page
    assert window.feed.action in window.toolbar.actions()
    window.feed.page.back_button.click()
    assert window.pages.currentWidget() is not window.feed.page
    assert drag_and_drop(window, file_mime(exports[2][2]), QPoint(20, 20))
    assert window.document.is_open()
    project = window.document.project
    assert project.title == "video 2" and project.id != "project_2"
    assert [s.prompt for s in project.shots] == ["Mei walks to the university in the morning"]
    assert all(c.cameo_id is None for c in project.bible.characters)  # not carried over without permission
    assert load_project(window.document.bundle).shots[0].seed == project.shots[0].seed
    # The dropped video is now in this user's feed, as imported. Its credentials were signed by a CA this
    # user's machine does not trust, yet they are intact, so the cameo it credits is recorded.
    videos = window.feed.page.store.videos()
    assert [(v.source, v.title, v.cameos) for v in videos] == [("imported", "video 2", (exports[3],))]


def test_a_dropped_mp4_without_recipe_is_a_clear_message(window, qtbot, tmp_path):
    bogus = tmp_path / "not_studio.mp4"
    bogus.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    assert window.feed.remix(bogus) is None
    shown = window.status_label.text() + window.statusBar().currentMessage()
    assert "Could not remix not_studio.mp4" in shown
