"""Soak driver: the real window, driven for minutes through its own actions and signals.

Run it in its own process (a crash is then an exit status, not a dead pytest)::

    QT_QPA_PLATFORM=offscreen python -m tests.ui.soak --seconds 150

Each loop opens a fresh copy of resources/examples/student_day_en.studio, generates
every shot (Sketch engine), plays, seeks, cancels a job mid-render, undoes and redoes,
switches the language to Japanese and back, opens the Feed and goes back, and exports
an MP4. Every step is started by a zero-delay QTimer or by the signal that ends the
previous one, so the Qt event loop runs the whole time; nothing sleeps or polls.

A 5 ms heartbeat QTimer on the UI thread records each gap between its ticks twice:
wall-clock ms and the CPU ms the UI thread itself spent in that gap
(``time.thread_time``). On a loaded machine the OS can hold the whole process off the
core, which inflates wall gaps without any of our code running; the UI thread's own
CPU time in a gap is the work we put on it, which is what must stay under 100 ms.

The last line printed is ``SOAK-REPORT {json}`` (loops, RSS per loop, worst gaps and
the step they happened in, None refcount per loop); ``tests/ui/test_soak.py`` and
``benchmarks/bench_soak.py`` parse it.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "student_day_en.studio"
REPORT_PREFIX = "SOAK-REPORT "


def rss_kib() -> int:
    """Resident set size of this process (KiB) from /proc/self/status (0 where there is none)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def parse_report(output: str) -> dict | None:
    """The report from a driver's stdout (None when the process died before printing it)."""
    for line in reversed(output.splitlines()):
        if line.startswith(REPORT_PREFIX):
            return json.loads(line[len(REPORT_PREFIX):])
    return None


class Heartbeat:
    """A 5 ms QTimer on the UI thread; keeps the worst gaps (wall and UI-thread CPU) and the step they fell in."""

    def __init__(self, label) -> None:
        from PySide6.QtCore import QElapsedTimer, Qt, QTimer

        self._label = label
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.ticks = 0
        self.worst_wall = (0.0, "")
        self.worst_cpu = (0.0, "")
        self.over_100_wall = 0
        self.over_100_cpu: list[tuple[float, str]] = []
        self._last = 0
        self._last_cpu = 0.0

    def start(self) -> None:
        import threading

        self.clock.start()
        self._last, self._last_cpu = 0, time.thread_time()
        self._beat = time.monotonic()
        self.stall_stacks: dict[str, int] = {}
        self.cpu_stall_stacks: dict[str, int] = {}
        self._recent: "collections.deque[tuple[float, str]]" = collections.deque(maxlen=200)
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, name="soak-stall-sampler", daemon=True)
        self._sampler.start()
        self.timer.start()

    def _sample(self) -> None:
        """Every 20 ms: when the heartbeat is over 60 ms late, note where the UI thread is (its innermost studio frames)."""
        import traceback as tb

        while not self._stop.wait(0.02):
            now = time.monotonic()
            if now - self._beat < 0.03:
                continue
            frame = sys._current_frames().get(self._main)
            if frame is None:
                continue
            stack = [f for f in tb.extract_stack(frame) if "/studio/" in f.filename or "/tests/ui/" in f.filename]
            key = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack[-4:]))
            self._recent.append((now, key))  # read by _tick when the gap turns out to be UI-thread CPU
            if now - self._beat >= 0.06:
                self.stall_stacks[key] = self.stall_stacks.get(key, 0) + 1

    def skip(self) -> None:
        """Start the next gap now: what the driver itself just did (its per-loop counts) is not the window's."""
        self._last, self._last_cpu = self.clock.elapsed(), time.thread_time()
        self._beat = time.monotonic()
        self._gap_label = None

    def _tick(self) -> None:
        self._beat = time.monotonic()
        now, cpu = self.clock.elapsed(), time.thread_time()
        gap, busy = float(now - self._last), (cpu - self._last_cpu) * 1000.0
        self._last, self._last_cpu = now, cpu
        self.ticks += 1
        # A gap is named by the step running when it began and, if another runs when it ends, that
        # one too ("loop 2 open_project > loop 2 generate_all"): a step's work runs before its last
        # line hands over to the next step, whose name alone the tick after the work would see.
        began, now_label = getattr(self, "_gap_label", None) or self._label(), self._label()
        self._gap_label = now_label
        label = began if began == now_label else f"{began} > {now_label}"
        if gap > self.worst_wall[0]:
            self.worst_wall = (gap, label)
        if busy > self.worst_cpu[0]:
            self.worst_cpu = (busy, label)
        if gap > 100:
            self.over_100_wall += 1
        if busy > 100:
            self.over_100_cpu.append((round(busy, 1), label))
            since = self._beat - gap / 1000.0
            for t, key in list(self._recent):  # where the UI thread was during this gap
                if t >= since:
                    self.cpu_stall_stacks[key] = self.cpu_stall_stacks.get(key, 0) + 1


class Soak:
    """The loop, as a chain of steps; each step ends by calling ``self.next()`` (from a signal or a timer)."""

    def __init__(self, window, workdir: Path, seconds: float, max_loops: int | None, canvas: tuple[int, int] | None = None,
                 min_loops: int = 1) -> None:
        from PySide6.QtCore import QTimer

        self.w = window
        self.workdir = workdir
        self.deadline = time.monotonic() + seconds
        self.max_loops = max_loops
        self.min_loops = min_loops
        self.canvas = canvas
        self.loop = 0
        self.step = "start"
        self.step_started = time.monotonic()
        self.steps: list = []
        self.loops: list[dict] = []
        self.errors: list[str] = []
        self.step_times: dict[str, float] = {}
        self.heartbeat = Heartbeat(lambda: f"loop {self.loop} {self.step}")
        self.rss_start = rss_kib()
        self._pending: set[str] = set()
        self._waiting_for = None
        self._watchdog = QTimer()
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._stuck)
        self._loop_dir: Path | None = None
        self._prev_dir: Path | None = None
        self._export_dialog = None
        e = window.engine
        e.take_ready.connect(lambda job, *_: self._job_done(job))
        e.job_failed.connect(lambda job, m, h: self._job_done(job, f"job failed: {m} {h}"))
        e.job_cancelled.connect(lambda job: self._job_done(job))
        e.job_progress.connect(self._job_progress)

    # -- the chain
    def start(self) -> None:
        from PySide6.QtCore import QTimer

        self.heartbeat.start()
        QTimer.singleShot(0, self._begin_loop)

    def _begin_loop(self) -> None:
        timed_out = time.monotonic() >= self.deadline and self.loop >= self.min_loops
        if self.loop and (timed_out or (self.max_loops and self.loop >= self.max_loops)):
            self._finish(0)
            return
        self.loop += 1
        self.loop_started = time.monotonic()
        self.steps = [self.open_project, self.generate_all, self.play, self.seek, self.cancel_mid_render, self.undo_redo,
                      self.to_japanese, self.feed, self.back_from_feed, self.to_english, self.export, self.end_loop]
        self.next()

    def next(self, delay_ms: int = 0) -> None:
        from PySide6.QtCore import QTimer

        now = time.monotonic()
        self.step_times[self.step] = self.step_times.get(self.step, 0.0) + now - self.step_started
        self._watchdog.stop()
        step = self.steps.pop(0)
        profile = os.environ.get("SOAK_PROFILE_STEP")  # where the UI thread's time goes in one step (a diagnostic)
        if profile and self.step == profile and getattr(self, "_profiler", None):
            import io
            import pstats

            self._profiler.disable()
            out = io.StringIO()
            pstats.Stats(self._profiler, stream=out).sort_stats("tottime").print_stats(25)
            print(out.getvalue(), file=sys.stderr, flush=True)
            self._profiler = None
        if profile and step.__name__ == profile:
            import cProfile

            self._profiler = cProfile.Profile()
            self._profiler.enable()
        self.step, self.step_started = step.__name__, now
        self._watchdog.start(900_000)  # a step that never ends is a failure, reported as such (15 min: a loaded 2-core machine)
        QTimer.singleShot(delay_ms, self._run(step))

    def _run(self, step):
        def go() -> None:
            try:
                step()
            except Exception:
                self.errors.append(f"loop {self.loop} {step.__name__}: {traceback.format_exc(limit=6)}")
                self._finish(3)
        return go

    def _stuck(self) -> None:
        self.errors.append(f"loop {self.loop}: step {self.step} did not finish within 900 s (pending jobs {sorted(self._pending)})")
        self._finish(4)

    # -- job bookkeeping
    def _job_done(self, job_id: str, error: str | None = None) -> None:
        if error:
            self.errors.append(f"loop {self.loop} {self.step}: {error}")
        if job_id in self._pending:
            self._pending.discard(job_id)
            if not self._pending and self._waiting_for == "jobs":
                self._waiting_for = None
                self.next()

    def _job_progress(self, job_id: str, done: int, total: int, stage: str) -> None:
        if self._waiting_for == ("progress", job_id) and done >= 2:
            self._waiting_for = None
            row = self.w.queue_panel.row(job_id)
            self._waiting_for = "jobs"
            if row is not None and row.cancel_button.isVisible():
                row.cancel_button.click()  # what the user clicks in the queue
            else:
                self.w.engine.cancel(job_id)

    # -- the steps
    def open_project(self) -> None:
        self._prev_dir = self._loop_dir
        self._loop_dir = self.workdir / f"loop{self.loop:04d}"
        self._loop_dir.mkdir()
        path = self._loop_dir / "day.studio"
        shutil.copytree(EXAMPLE, path)
        if self.canvas:  # the same story at a smaller picture size (the short CI soak)
            doc = json.loads((path / "project.json").read_text())
            doc["canvas"] = {**doc["canvas"], "width": self.canvas[0], "height": self.canvas[1]}
            (path / "project.json").write_text(json.dumps(doc))
        if not self.w.open_project(path):
            raise RuntimeError(f"could not open {path}")
        if self._prev_dir is not None:  # the driver's own housekeeping, off the UI thread it watches
            import threading

            threading.Thread(target=shutil.rmtree, args=(self._prev_dir,), kwargs={"ignore_errors": True},
                             daemon=True).start()
        self.next()

    def generate_all(self) -> None:
        w = self.w
        w.timeline.select([])
        self._pending = set(self._submitted_by(w.act_generate_all))
        if len(self._pending) != len(w.document.project.shots):
            raise RuntimeError(f"Generate all queued {len(self._pending)} jobs for {len(w.document.project.shots)} shots")
        self._waiting_for = "jobs"

    def play(self) -> None:
        p = self.w.document.project
        missing = [s.id for s in p.shots if s.selected_take is None]
        if missing:
            raise RuntimeError(f"shots without a take after Generate all: {missing}")
        self.w.timeline.select([])
        self.w.act_home.trigger()
        self.w.act_play.trigger()
        if not self.w.player.playing:
            raise RuntimeError("Play did not start the player")
        self.next(1500)

    def seek(self) -> None:
        w = self.w
        if w.player.position <= 0:
            raise RuntimeError("the player did not advance while playing")
        total = w.document.project.total_frames
        w.timeline.seek_requested.emit(total // 2)  # a click on the ruler
        w.act_step_forward.trigger()
        w.act_play.trigger()  # the toggle: pause
        self.next(200)

    def cancel_mid_render(self) -> None:
        w = self.w
        shot = w.document.project.shots[1]
        w.timeline.select([shot.id])
        (job_id,) = self._submitted_by(w.act_generate)
        self._pending = {job_id}
        self._waiting_for = ("progress", job_id)

    def _submitted_by(self, action) -> list[str]:
        """Trigger ``action``; the job ids it submitted to the engine."""
        submitted: list[str] = []
        engine = self.w.engine
        orig = engine.submit

        def spy(*a, **k):
            job = orig(*a, **k)
            submitted.append(job)
            return job
        engine.submit = spy
        try:
            action.trigger()
        finally:
            del engine.submit
        return submitted

    def undo_redo(self) -> None:
        w = self.w
        p0 = w.document.project
        shot = p0.shots[0]
        w.document.apply(p0.with_shot(replace(shot, duration_frames=shot.duration_frames + 24)), "longer")
        for _ in range(3):
            w.act_undo.trigger()
        for _ in range(3):
            w.act_redo.trigger()
        if w.document.project.shot(shot.id).duration_frames != shot.duration_frames + 24:
            raise RuntimeError("undo ×3 / redo ×3 did not come back to the edit")
        w.act_undo.trigger()
        if w.document.project.shot(shot.id).duration_frames != shot.duration_frames:
            raise RuntimeError("undo did not take the edit back")
        self.next()

    def _language(self, lang: str) -> None:
        w = self.w
        w.apply_settings(replace(w.settings, language=lang))  # what the Settings dialog's OK does
        from studio.ui import i18n

        if i18n.language() != lang:
            raise RuntimeError(f"language is {i18n.language()}, not {lang}")

    def to_japanese(self) -> None:
        self._language("ja")
        self.next(100)

    def to_english(self) -> None:
        self._language("en")
        self.next(50)

    def feed(self) -> None:
        self.w.feed.action.trigger()
        if self.w.pages.currentWidget() is not self.w.feed.page:
            raise RuntimeError("the Feed action did not show the feed")
        self.next(800)

    def back_from_feed(self) -> None:
        self.w.feed.page.back_button.click()
        if self.w.pages.currentIndex() != 1:
            raise RuntimeError("Back to the studio did not show the editor")
        self.next()

    def export(self) -> None:
        w = self.w
        w.act_export.trigger()
        dialog = w._export_dialog
        if dialog is None or not dialog.isVisible():
            raise RuntimeError("Export did not open its dialog")
        self._export_dialog = dialog
        self._export_path = self._loop_dir / "day.mp4"
        dialog.destination.setText(str(self._export_path))
        dialog.runner.finished.connect(self._exported)
        dialog.runner.failed.connect(lambda m, h: self._export_failed(f"{m} {h}"))
        dialog.runner.cancelled.connect(lambda: self._export_failed("cancelled"))
        dialog.export_button.click()

    def _exported(self, report) -> None:
        if not self._export_path.is_file() or self._export_path.stat().st_size < 10_000:
            self.errors.append(f"loop {self.loop}: export wrote no MP4 at {self._export_path}")
            self._finish(5)
            return
        dialog, self._export_dialog = self._export_dialog, None
        dialog.cancel_button.click()  # "Close": the window itself lets the closed dialog go when it opens the next
        self.next()

    def _export_failed(self, why: str) -> None:
        self.errors.append(f"loop {self.loop}: export failed: {why}")
        self._finish(5)

    @staticmethod
    def _type_counts() -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in gc.get_objects():
            name = type(o).__qualname__
            counts[name] = counts.get(name, 0) + 1
        return counts

    def _object_growth(self) -> list[tuple[str, int]]:
        """The types whose live count grew most between the end of loop 1 and the last loop."""
        if not getattr(self, "_types_first", None):
            return []
        last = self._type_counts()
        diff = {k: v - self._types_first.get(k, 0) for k, v in last.items()}
        return sorted(((k, d) for k, d in diff.items() if d > 0), key=lambda kv: -kv[1])[:10]

    def _qt_counts(self) -> dict[str, int]:
        """Live widgets (all, and QLabels) as Qt knows them, less the Feed's video cards (the feed
        rightly grows by one video per export), and QPixmaps as Python holds them."""
        from PySide6.QtGui import QPixmap
        from PySide6.QtWidgets import QApplication, QLabel, QWidget

        feed = set()
        for item in self.w.feed.page.items:
            feed.add(id(item))
            feed.update(id(c) for c in item.findChildren(QWidget))
        widgets = [w for w in QApplication.allWidgets() if id(w) not in feed]
        from shiboken6 import Shiboken

        # Every live Qt wrapper, from the binding's own table: gc.get_objects() misses what the app
        # froze out of the collector (studio.engine.runner.freeze_imported_objects), which made the
        # count rise as frozen pixmaps were replaced by new ones while the real number stayed flat.
        return {"widgets": len(widgets), "labels": sum(isinstance(w, QLabel) for w in widgets),
                "feed_items": len(self.w.feed.page.items),
                "pixmaps": sum(isinstance(o, QPixmap) for o in Shiboken.getAllValidWrappers())}

    def _widget_classes(self) -> dict[str, int]:
        from PySide6.QtWidgets import QApplication

        counts: dict[str, int] = {}
        for w in QApplication.allWidgets():
            name = type(w).__name__
            counts[name] = counts.get(name, 0) + 1
        return counts

    def end_loop(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        # Widgets closed this loop are deleted by deleteLater, which runs when the event loop
        # gets back to them: deliver those first, so a count is of what is really kept.
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        gc.collect()
        if self.loop == 1:
            self._types_first = self._type_counts()
            self._widgets_first = self._widget_classes()
        elif os.environ.get("SOAK_WIDGET_DIFF"):  # a diagnostic: which widget classes grew since loop 1
            now = self._widget_classes()
            grew = {k: v - self._widgets_first.get(k, 0) for k, v in now.items() if v != self._widgets_first.get(k, 0)}
            print(f"widget classes vs loop 1: {grew}", file=sys.stderr, flush=True)
        if os.environ.get("SOAK_TRACEMALLOC"):  # a diagnostic: where Python-visible memory grew since loop 1
            import ctypes
            import tracemalloc

            if self.loop == 1:
                tracemalloc.start(8)
                self._snap_first = tracemalloc.take_snapshot()
            else:
                snap = tracemalloc.take_snapshot()
                for stat in snap.compare_to(self._snap_first, "traceback")[:6]:
                    print(f"grew: {stat.size_diff / 1024:.0f} KiB in {stat.count_diff} blocks:\n  " +
                          "\n  ".join(stat.traceback.format()[-8:]), file=sys.stderr, flush=True)
            before = rss_kib()
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            print(f"rss {before // 1024} MiB, after malloc_trim {rss_kib() // 1024} MiB", file=sys.stderr, flush=True)
        self.loops.append({"loop": self.loop, "seconds": round(time.monotonic() - self.loop_started, 2),
                           "rss_kib": rss_kib(), "none_refs": sys.getrefcount(None), **self._qt_counts()})
        print(f"loop {self.loop}: {self.loops[-1]}", flush=True)
        self.heartbeat.skip()  # the counts above (gc over every object) are the driver's work, not the window's
        self._begin_loop()

    # -- the end
    def _finish(self, code: int) -> None:
        from PySide6.QtWidgets import QApplication

        self._watchdog.stop()
        self.heartbeat.timer.stop()
        self.heartbeat._stop.set()
        self.code = code
        first, last = (self.loops[0], self.loops[-1]) if self.loops else ({}, {})
        hb = self.heartbeat
        report = {
            "ok": code == 0 and not self.errors,
            "code": code,
            "loops": len(self.loops),
            "seconds": round(sum(x["seconds"] for x in self.loops), 1),
            "canvas": list(self.canvas) if self.canvas else None,
            "rss_start_kib": self.rss_start,
            "rss_first_loop_kib": first.get("rss_kib"),
            "rss_last_loop_kib": last.get("rss_kib"),
            "rss_growth_kib": (last["rss_kib"] - first["rss_kib"]) if self.loops else None,
            "rss_per_loop_kib": [x["rss_kib"] for x in self.loops],
            "none_refs_first": first.get("none_refs"),
            "none_refs_last": last.get("none_refs"),
            "none_drift": (last["none_refs"] - first["none_refs"]) if self.loops else None,
            "none_refs_per_loop": [x["none_refs"] for x in self.loops],
            "widgets_per_loop": [x["widgets"] for x in self.loops],
            "feed_items_per_loop": [x["feed_items"] for x in self.loops],
            "labels_per_loop": [x["labels"] for x in self.loops],
            "pixmaps_per_loop": [x["pixmaps"] for x in self.loops],
            "worst_gap_wall_ms": round(hb.worst_wall[0], 1), "worst_gap_wall_step": hb.worst_wall[1],
            "worst_gap_cpu_ms": round(hb.worst_cpu[0], 1), "worst_gap_cpu_step": hb.worst_cpu[1],
            "gaps_over_100_wall": hb.over_100_wall, "gaps_over_100_cpu": hb.over_100_cpu[:200],
            "heartbeat_ticks": hb.ticks,
            "stall_stacks": sorted(hb.stall_stacks.items(), key=lambda kv: -kv[1])[:8],
            "cpu_stall_stacks": sorted(hb.cpu_stall_stacks.items(), key=lambda kv: -kv[1])[:12],
            "object_growth": self._object_growth(),
            "step_seconds": {k: round(v, 1) for k, v in sorted(self.step_times.items())},
            "errors": self.errors[:5],
        }
        self.report = report
        QApplication.instance().exit(code)


def run(seconds: float, max_loops: int | None = None, workdir: Path | None = None,
        canvas: tuple[int, int] | None = None, min_loops: int = 1) -> tuple[int, dict]:
    """Build the window as `studio.app` does, soak it, return (exit code, report)."""
    own_dir = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="studio-soak-"))
    cfg = workdir / "config"
    cfg.mkdir(parents=True, exist_ok=True)
    os.environ["STUDIO_CONFIG_DIR"] = str(cfg)
    # The feed, the cameo vault and the signing key in the run's own folder: the loops' exports
    # must not pile up in the user's real feed (and an earlier run's videos must not fill this one's).
    os.environ["STUDIO_DATA_DIR"] = str(workdir / "data")
    (cfg / "settings.json").write_text(json.dumps({"version": 1, "language": "en", "projects_folder": str(workdir / "projects"),
                                                   "autosave_seconds": 600}))
    from studio.app import build_window, ensure_app

    app = ensure_app(["soak"])
    window = build_window()
    window.resize(1280, 800)
    window.show()
    # The window builds its editor right after the first frame (studio.ui.main_window): let it
    # finish starting up before the heartbeat watches a working session (bench_ui.py times start-up).
    from PySide6.QtCore import QEventLoop

    started = time.monotonic()
    while not window._editor_built and time.monotonic() - started < 60:
        app.processEvents(QEventLoop.AllEvents, 50)
    # No modal question may block an unattended run: the answers a user would give.
    window._ask_save_changes = lambda: "discard"
    window._ask_yes_no = lambda title, text: False
    soak = Soak(window, workdir, seconds, max_loops, canvas, min_loops)
    soak.start()
    code = app.exec()
    window.shutdown()
    report = getattr(soak, "report", {"ok": False, "code": code, "errors": ["the event loop ended without a report"]})
    if own_dir:
        shutil.rmtree(workdir, ignore_errors=True)
    return code, report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=150.0, help="keep starting loops until this much time has passed")
    ap.add_argument("--max-loops", type=int, default=None)
    ap.add_argument("--min-loops", type=int, default=1, help="keep going past --seconds until this many loops are done")
    ap.add_argument("--canvas", default="", help="WxH: render the example at this size instead of its own (e.g. 320x180)")
    args = ap.parse_args(argv)
    canvas = tuple(int(v) for v in args.canvas.lower().split("x")) if args.canvas else None
    code, report = run(args.seconds, args.max_loops, canvas=canvas, min_loops=args.min_loops)
    print(REPORT_PREFIX + json.dumps(report), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
