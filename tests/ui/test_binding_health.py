"""The Qt binding's reference counting holds: void Qt calls do not eat references to None.

PySide6 6.12.0 on CPython 3.11 dropped one reference to ``None`` on every Qt call that
returns nothing; the timeline's repaints make thousands a second, so the window aborted
with "Fatal Python error: none_dealloc" a few minutes into a session, while every
seconds-long test passed. This test measures the drift directly, in a child process
(a broken build may abort it at exit), so the next broken release fails CI instead of
a user's working day. On CPython >= 3.12 None is immortal and the count cannot move;
the test still exercises the calls and the child's clean exit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

CALLS = 4000

_PROBE = textwrap.dedent(
    f"""
    import json, sys
    from importlib.metadata import version
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    font, pen, label = QFont(), QPen(), QLabel()
    image = QImage(64, 64, QImage.Format_RGB32)
    painter = QPainter(image)
    # Warm up: first calls may create cached objects that hold references for good.
    for _ in range(50):
        font.setWeight(QFont.Bold); pen.setWidthF(1.5); label.setText("x")
        painter.setPen(pen); painter.drawLine(QPointF(0, 0), QPointF(10, 10))
    drift = {{}}
    calls = {{
        "QFont.setWeight": lambda: font.setWeight(QFont.Bold),
        "QPen.setColor": lambda: pen.setColor(QColor(10, 20, 30)),
        "QPainter.drawRect": lambda: painter.drawRect(QRectF(1, 1, 5, 5)),
        "QPainter.setPen": lambda: painter.setPen(pen),
        "QLabel.setText": lambda: label.setText("テキスト"),
        "QLabel.setAlignment": lambda: label.setAlignment(Qt.AlignCenter),
    }}
    for name, call in calls.items():
        before = sys.getrefcount(None)
        for _ in range({CALLS}):
            call()
        drift[name] = before - sys.getrefcount(None)
        # Report as we go: a broken build can free None itself and abort before the end.
        print(json.dumps({{"drift": drift, "pyside": version("PySide6"), "python": sys.version.split()[0]}}), flush=True)
    painter.end()
    """
)


def test_void_qt_calls_keep_none_references():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert "none_dealloc" not in proc.stderr, f"the Qt binding freed None itself: {proc.stderr[-600:]}"
    assert lines, f"the probe printed nothing (exit {proc.returncode}): {proc.stderr[-2000:]}"
    report = json.loads(lines[-1])
    # A sound build moves the count by a handful at most (interned temporaries); the broken one
    # by one per call. Anything that grows with the number of calls is a leak.
    leaking = {name: d for name, d in report["drift"].items() if abs(d) > CALLS // 100}
    assert not leaking, (
        f"PySide6 {report['pyside']} on Python {report['python']} loses references to None on void calls "
        f"({leaking} over {CALLS} calls each): the window would abort with 'none_dealloc' within minutes. "
        "Pin PySide6 to a sound release in pyproject.toml."
    )
    assert proc.returncode == 0, f"the probe did not exit cleanly ({proc.returncode}): {proc.stderr[-2000:]}"


def test_installed_pyside_satisfies_the_pin():
    """The venv holds a PySide6 the project's pin allows (a stale 6.12 on 3.11 is the crash above)."""
    from importlib.metadata import requires, version

    from packaging.requirements import Requirement

    reqs = [Requirement(r) for r in (requires("studio") or []) if r.lower().startswith("pyside6")]
    active = [r for r in reqs if r.marker is None or r.marker.evaluate()]
    if not active:
        pytest.skip("studio is not installed as a distribution here")
    installed = version("PySide6")
    for req in active:
        assert req.specifier.contains(installed, prereleases=True), f"PySide6 {installed} breaks the pin {req}"
