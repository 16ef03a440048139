"""Screenshots of the window for docs/: run under a real X server (xvfb-run -a).

    xvfb-run -a .venv/bin/python scripts/screenshot.py --lang en --out docs/main_window_en.png
    xvfb-run -a .venv/bin/python scripts/screenshot.py --lang ja --out docs/main_window_ja.png

Copies the bundled example project (English or Japanese) to a temporary folder,
renders its takes with the Sketch engine, opens it in the window with the
interface in the same language, selects the second shot, plays to a frame, and
grabs the window.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", choices=["en", "ja"], default="en")
    ap.add_argument("--out", required=True)
    ap.add_argument("--page", choices=["editor", "start", "bible"], default="editor")
    ap.add_argument("--size", default="1440x900", help="window size WxH")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="studio-shot-"))
    os.environ["STUDIO_CONFIG_DIR"] = str(tmp / "config")
    (tmp / "config").mkdir()
    (tmp / "config" / "settings.json").write_text(
        f'{{"version": 1, "language": "{args.lang}", "projects_folder": "{tmp / "projects"}", "recent_projects": []}}',
        encoding="utf-8",
    )
    src = ROOT / "resources" / "examples" / f"student_day_{args.lang}.studio"
    bundle = tmp / src.name
    shutil.copytree(src, bundle)

    from studio.persistence.bundle import load_project, save_project
    from studio.services.takes import render_shot

    project = load_project(bundle)
    for shot in project.shots:
        project, _ = render_shot(project, bundle, project.shot(shot.id))
    save_project(project, bundle)

    from PySide6.QtCore import QTimer

    from studio.app import build_window, ensure_app

    app = ensure_app()
    window = build_window()
    window.resize(*(int(v) for v in args.size.lower().split("x")))
    window.show()
    if args.page in ("editor", "bible"):
        window.open_project(bundle)
        window.timeline.select([project.shots[1].id])
        window.player.seek(40)
        if args.page == "bible":
            window.side_tabs.setCurrentWidget(window.bible_panel)

    def grab() -> None:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(f"wrote {out}")
        window._ask_save_changes = lambda: "discard"
        app.quit()

    QTimer.singleShot(2500, grab)
    app.exec()
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
