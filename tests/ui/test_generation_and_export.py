"""A user generates shots in the background, cancels one, sees errors, exports, plays back, recovers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QElapsedTimer, Qt, QTimer

from studio.media.decode import probe, read_all_frames, read_audio
from studio.persistence.bundle import load_project, media_path
from studio.provenance.recipe import RECIPE_KEY, parse_recipe
from studio.services.jobs import JobState

ROOT = Path(__file__).resolve().parents[2]


def _set_engine(window, shot_id: str, engine: str) -> None:
    p = window.document.project
    window.document.apply(p.with_shot(replace(p.shot(shot_id), engine=engine)), "engine")


class Heartbeat:
    """A 5 ms QTimer on the UI thread; records the gaps between its ticks.

    Each gap is kept twice: wall-clock milliseconds, and the CPU milliseconds the UI
    thread itself spent in that gap (``time.thread_time``). Wall time also counts the OS
    giving the core to another process on a loaded machine; the UI thread's own CPU time
    is the work our code put on the UI thread, which is what must stay small.
    """

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.gaps: list[float] = []
        self.busy: list[float] = []
        self._last = 0
        self._last_cpu = 0.0
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self._last, self._last_cpu = 0, time.thread_time()
        self.timer.start()

    def _tick(self) -> None:
        now, cpu = self.clock.elapsed(), time.thread_time()
        self.gaps.append(now - self._last)
        self.busy.append((cpu - self._last_cpu) * 1000)
        self._last, self._last_cpu = now, cpu

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps


def test_generate_with_sketch_shows_previews_and_lands_a_take(small_window, qtbot):
    w = small_window
    p = w.document.project
    # Three seconds of picture, so the heartbeat watches a render that takes a while.
    w.document.apply(p.with_shot(replace(p.shots[1], duration_frames=72)), "longer")
    shot = w.document.project.shots[1]
    w.timeline.select([shot.id])
    previews: list[str] = []
    w.engine.preview_ready.connect(lambda job, frame: previews.append(job))
    # A user's first click comes after the window has settled: the start-up imports on the
    # helper thread are done and what they loaded is out of the collector's full passes.
    qtbot.waitUntil(lambda: not any(t.name == "warm-imports" for t in threading.enumerate()), timeout=30000)
    heartbeat = Heartbeat()
    heartbeat.start()
    with qtbot.waitSignal(w.engine.take_ready, timeout=30000) as ready:
        w.act_generate.trigger()
        assert len(w.jobs.active()) == 1  # queued at once: the UI thread did not render
    gaps = heartbeat.stop()
    job_id, shot_id, take = ready.args
    assert shot_id == shot.id and previews and set(previews) == {job_id}
    # The UI thread kept ticking while the worker rendered, and nothing we run on it (previews,
    # progress, storing the take) held it for 100 ms, the window's promise (CI once measured
    # 64 ms here: a full garbage collection walking torch's and diffusers' objects, which other
    # tests in the same process had imported; see freeze_imported_objects). Wall-clock stalls
    # depend on the machine's load; benchmarks/bench_ui.py reports their p99 and worst case.
    assert len(gaps) >= 10
    assert max(heartbeat.busy) <= 100, sorted(heartbeat.busy)[-5:]

    p = w.document.project
    assert p.shot(shot.id).selected_take_id == take.id
    assert w.jobs.get(job_id).state is JobState.DONE
    row = w.queue_panel.row(job_id)
    assert row is not None and row.bar.value() == 1000
    frames = read_all_frames(media_path(w.document.bundle, take.video))
    assert frames.shape == (72, 180, 320, 3) and frames.std() > 5  # a picture, not a blank
    assert {name for name, _ in take.stems} >= {"ambience", "foley"}
    # The card now shows the take's thumbnail.
    qtbot.waitUntil(lambda: w.timeline.card_state(shot.id).thumbnail is not None, timeout=5000)

    # Undo takes the new take away; redo brings it back.
    w.act_undo.trigger()
    assert w.document.project.shot(shot.id).selected_take is None
    w.act_redo.trigger()
    assert w.document.project.shot(shot.id).selected_take_id == take.id


def test_cancel_stops_within_one_step_and_adds_no_take(small_window, qtbot):
    w = small_window
    shot = w.document.project.shots[0]
    _set_engine(w, shot.id, "slowtest")
    w.timeline.select([shot.id])
    (job_id,) = w.generate_selected()
    qtbot.waitUntil(lambda: (w.jobs.get(job_id).step or 0) >= 2, timeout=10000)
    row = w.queue_panel.row(job_id)
    assert row is not None and row.cancel_button.isVisible()
    step_at_cancel = w.jobs.get(job_id).step
    with qtbot.waitSignal(w.engine.job_cancelled, timeout=5000):
        qtbot.mouseClick(row.cancel_button, Qt.LeftButton)
    info = w.jobs.get(job_id)
    assert info.state is JobState.CANCELLED
    assert info.step <= step_at_cancel + 1  # the engine checks the token every step
    assert info.step < info.total
    assert w.document.project.shot(shot.id).selected_take is None
    assert "cancelled" in w.status_label.text().lower()


def test_engine_error_is_a_readable_message_with_its_hint(small_window, qtbot):
    w = small_window
    shot = w.document.project.shots[2]
    _set_engine(w, shot.id, "brokentest")
    w.timeline.select([shot.id])
    with qtbot.waitSignal(w.engine.job_failed, timeout=10000):
        w.act_generate.trigger()
    text = w.status_label.text()
    assert "model files for brokentest are missing" in text and "download the model" in text
    assert "Traceback" not in text
    assert w.timeline.card_state(shot.id).failed


def test_export_dialog_writes_a_checked_mp4(small_window, qtbot, tmp_path):
    w = small_window
    dialog = w.show_export()
    assert dialog is not None and dialog.isVisible()
    dest = tmp_path / "board.mp4"
    dialog.destination.setText(str(dest))
    dialog.aspect.setCurrentIndex(dialog.aspect.findData("1:1"))
    with qtbot.waitSignal(dialog.exported, timeout=60000):
        qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert dialog.reveal_button.isVisible() and "LUFS" in dialog.message.text()
    info = probe(dest)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height) == (180, 180) and info.frame_count == 36
    audio, sr = read_audio(dest)
    assert sr == 48000 and np.abs(audio).max() > 0.01
    recipe = parse_recipe(info.metadata[RECIPE_KEY])
    assert len(recipe.project.shots) == 3
    # The takes rendered for the export join the project (one undoable step).
    assert all(s.selected_take is not None for s in w.document.project.shots)
    assert w.document.undo_stack.undo_text() == "Render for export"


def test_player_plays_a_take_silently_without_a_sound_device(small_window, qtbot):
    w = small_window
    shot = w.document.project.shots[0]
    w.timeline.select([shot.id])
    with qtbot.waitSignal(w.engine.take_ready, timeout=30000):
        w.act_generate.trigger()
    panel = w.player_panel
    panel.set_mode("storyboard")
    w.player.seek(0)
    with qtbot.waitSignal(w.player.state_changed, timeout=3000):
        w.act_play.trigger()
    # Sound is the clock when there is a device; here there is none, and the panel says so.
    qtbot.waitUntil(lambda: w.player.position >= 6, timeout=10000)
    if w.player._output is not None and getattr(w.player._output, "note", ""):
        assert panel.note.isVisible() and "sound" in panel.note.text().lower()
    w.player.pause()
    qtbot.waitUntil(lambda: panel.view.has_image(), timeout=5000)
    qtbot.waitUntil(lambda: w.timeline.playhead == w.player.position, timeout=3000)  # the playhead follows
    before = w.player.position
    w.act_step_forward.trigger()
    qtbot.waitUntil(lambda: w.player.position == before + 1, timeout=3000)


def test_after_a_crash_the_next_start_offers_the_unsaved_work(small_window, qtbot, tmp_path):
    from studio.app import build_window

    w = small_window
    bundle = w.document.bundle
    p = w.document.project
    w.document.apply(p.with_shot(replace(p.shots[0], prompt="@Mei dances in the rain")), "Edit prompt")
    assert w.document.autosave_now()
    w.document.wait_for_autosave()
    saved = load_project(bundle)
    assert saved.shots[0].prompt != "@Mei dances in the rain"  # the project file itself is untouched
    # "Crash": nothing else happens (no save, no clean close); a new window opens the same project.
    w2 = build_window()
    qtbot.addWidget(w2)
    asked: list[str] = []
    w2._ask_yes_no = lambda title, text: asked.append(title) or True
    w2._ask_save_changes = lambda: "discard"
    try:
        assert w2.open_project(bundle)
        assert asked == ["Recover unsaved work?"]
        assert w2.document.project.shots[0].prompt == "@Mei dances in the rain"
        assert w2.document.dirty
    finally:
        w2.shutdown()


def test_switching_to_japanese_relabels_the_window(small_window, qtbot):
    from studio.ui import i18n

    w = small_window
    w.apply_settings(replace(w.settings, language="ja"))
    assert i18n.language() == "ja"
    assert w.act_generate.text() == "生成"
    assert w.side_tabs.tabText(1) == "ストーリーバイブル"
    assert w.shot_panel.generate_button.text() == "生成"
    # No label, button, tab or menu item still shows an English string the catalogue translates.
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QTabWidget

    shown: list[str] = []
    for widget in w.findChildren(QLabel) + w.findChildren(QAbstractButton):
        shown.append(widget.text())
    for combo in w.findChildren(QComboBox):
        shown += [combo.itemText(i) for i in range(combo.count())]
    for tabs in w.findChildren(QTabWidget):
        shown += [tabs.tabText(i) for i in range(tabs.count())]
    shown += [a.text() for a in w.actions()]
    untranslated = sorted({t for t in shown if t in i18n.JA and i18n.JA[t] != t})
    assert not untranslated, untranslated
    w.apply_settings(replace(w.settings, language="en"))
    assert w.act_generate.text() == "Generate"


def test_window_opens_without_importing_torch(tmp_path):
    """The path to the first paint never imports the heavy libraries."""
    code = (
        "import sys, os\n"
        "from studio.app import ensure_app, build_window\n"
        "app = ensure_app()\n"
        "w = build_window(); w.show(); app.processEvents()\n"
        "heavy = [m for m in ('torch', 'diffusers', 'transformers', 'cv2') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy)); w.shutdown()\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STUDIO_CONFIG_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("HEAVY="))
    assert line == "HEAVY=", line


def test_damaged_project_gives_a_message_and_changes_nothing(window, tmp_path):
    bundle = tmp_path / "bad.studio"
    bundle.mkdir()
    (bundle / "project.json").write_text('{"schema_version": 2, "project": {"title": ', encoding="utf-8")
    before = (bundle / "project.json").read_bytes()
    assert not window.open_project(bundle)
    text = window.status_label.text()
    assert "project.json" in text and "Could not open the project" in text
    assert (bundle / "project.json").read_bytes() == before
    assert json.dumps(window.settings.recent_projects).find("bad.studio") == -1
