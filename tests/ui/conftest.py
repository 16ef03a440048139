"""Fixtures for driving the window headless: a themed app, a private config, test engines."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from studio.engine import registry
from studio.engine.protocol import EngineError, EngineResult, Preview, Progress, Started


class SlowEngine:
    """A test engine with slow, cancellable steps (so cancel can be timed)."""

    name = "slowtest"
    version = "1"
    step_seconds = 0.06

    def generate(self, request, emit, cancel):
        n = request.frames
        emit(Started(request.job_id, self.name, n))
        frames = np.zeros((n, request.canvas.height, request.canvas.width, 3), np.uint8)
        for i in range(n):
            cancel.check()
            time.sleep(self.step_seconds)
            frames[i, :, : max(1, (i + 1) * request.canvas.width // n)] = (200, 80, 120)
            emit(Progress(request.job_id, i + 1, n, "render"))
            emit(Preview(request.job_id, i, frames[i]))
        samples = int(n / request.fps * 48000)
        stems = {"ambience": np.full((samples, 2), 0.01, np.float32)}
        return EngineResult(frames, request.fps, stems, (), self.name, self.version, request.seed, request.shot.prompt)


class BrokenEngine:
    name = "brokentest"
    version = "1"

    def generate(self, request, emit, cancel):
        emit(Started(request.job_id, self.name, 1))
        raise EngineError("the model files for brokentest are missing", "download the model in Settings, then try again")


@pytest.fixture
def test_engines():
    registry.register("slowtest", SlowEngine)
    registry.register("brokentest", BrokenEngine)
    yield
    for name in ("slowtest", "brokentest"):
        registry._factories.pop(name, None)
        registry._instances.pop(name, None)


@pytest.fixture
def config(tmp_path, monkeypatch):
    """A private settings folder whose new projects go under tmp_path/projects."""
    cfg = tmp_path / "config"
    cfg.mkdir()
    monkeypatch.setenv("STUDIO_CONFIG_DIR", str(cfg))
    (cfg / "settings.json").write_text(json.dumps({"version": 1, "language": "en", "projects_folder": str(tmp_path / "projects"),
                                                   "autosave_seconds": 600}))
    return cfg


@pytest.fixture
def themed_app(qapp):
    from studio.ui.theme import apply_theme

    if not qapp.property("studio_themed"):
        apply_theme(qapp)
        qapp.setProperty("studio_themed", True)
    return qapp


@pytest.fixture
def window(themed_app, qtbot, config, test_engines):
    from studio.app import build_window
    from studio.ui import i18n

    w = build_window()
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    # No modal dialog may block a headless run (pytest-qt closes the window before this
    # fixture's teardown): tests that need an answer replace these.
    w._ask_save_changes = lambda: "discard"
    w._ask_yes_no = lambda title, text: False
    yield w
    w.shutdown()
    i18n.set_language("en")


@pytest.fixture
def small_window(window, tmp_path):
    """The window with a small, fast project open (320×180, three 12-frame shots)."""
    from dataclasses import replace

    from studio.domain.model import Canvas
    from tests.support.projects import small_project

    project = small_project("@Mei walks in the park in the morning", "@Mei opens the door {sfx: door}",
                            "At night @Mei studies in a cafe", frames=12)
    window.document.new(project, tmp_path / "small.studio")
    window._opened(window.document.bundle)
    return window
