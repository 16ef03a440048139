"""The window's first frame comes before its heavy parts: nothing below is imported or started until it is painted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "av", "scipy", "torch", "cv2", "sounddevice", "studio.ui.timeline", "studio.ui.prompt_editor",
         "studio.ui.feed.feed_page", "studio.ui.models_dialog", "studio.ui.cameo_wizard.wizard", "studio.services.takes",
         # standard modules of ~3 ms each (OpenSSL, platform probing, decimal): together 0.1x of the <= 2x
         # start-up budget (benchmarks/bench_ui.py: 2.04x with them, 1.94x without)
         "hashlib", "uuid", "fractions", "decimal")

_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QElapsedTimer
from studio.app import build_window, ensure_app
app = ensure_app()
w = build_window()
before = {"heavy": sorted(m for m in HEAVY if m in sys.modules), "editor": w._editor_built,
          "player_thread": w.player._thread.ident is not None, "toolbar": [a.objectName() for a in w.toolbar.actions()]}
w.show()
clock = QElapsedTimer(); clock.start()
while not w._editor_built and clock.elapsed() < 30000:
    app.processEvents()
after = {"editor": w._editor_built, "tab": w.side_tabs.tabText(0), "player_thread": w.player._thread.ident is not None,
         "numpy": "numpy" in sys.modules}
print("RESULT " + json.dumps({"before": before, "after": after}))
w.shutdown()
"""


def test_first_frame_before_the_editor_numpy_and_the_player_thread(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", STUDIO_CONFIG_DIR=str(tmp_path / "cfg"),
               STUDIO_DATA_DIR=str(tmp_path / "data"))
    code = f"HEAVY = {HEAVY!r}\n" + _SCRIPT
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line is not None, proc.stdout[-2000:] + proc.stderr[-3000:]
    result = json.loads(line[len("RESULT "):])
    before, after = result["before"], result["after"]
    assert before["heavy"] == [] and not before["editor"] and not before["player_thread"], before
    # The first frame's toolbar is complete: nothing pops in after it.
    assert {"new", "open", "save", "generate", "generate_all", "export", "feed", "models", "cameo"} <= set(before["toolbar"])
    # Right after the first paint the editor is built (in the current language) and the player runs.
    assert after == {"editor": True, "tab": "Shot", "player_thread": True, "numpy": True}, after
