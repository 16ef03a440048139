"""Render a few short exports into a private feed and grab the feed page: docs/feed.png.

    xvfb-run -a .venv/bin/python docs/feed_screenshot.py [docs/feed.png]

Everything (signing CA, feed database, projects, videos) goes into a temporary
folder; nothing of the user's is read or written.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def main(out: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="studio-feed-shot-"))
    os.environ["STUDIO_DATA_DIR"] = str(tmp / "data")
    os.environ["STUDIO_CONFIG_DIR"] = str(tmp / "config")
    (tmp / "config").mkdir()
    (tmp / "config" / "settings.json").write_text(json.dumps({"version": 1, "language": "en",
                                                                 "projects_folder": str(tmp / "projects")}))
    from studio.domain.story import storyboard_from_story
    from studio.persistence.bundle import save_project
    from studio.services.export import export_project
    from studio.services.feed_store import FeedStore

    stories = [
        ("Rainy commute", "Mei walks to the station in the rain → the train arrives at night"),
        ("朝の大学", "朝、大学に向かう→授業を受ける"),
        ("Ball in the park", "a red ball bounces in the park in the morning"),
    ]
    videos = []
    for title, story in stories:
        project = storyboard_from_story(story, title=title, aspect="9:16", shot_seconds=1.5)
        project = replace(project, canvas=replace(project.canvas, width=360, height=640))
        bundle = save_project(project, tmp / f"{len(videos)}.studio")
        videos.append(export_project(project, bundle, tmp / f"{len(videos)}.mp4").path)
    with FeedStore() as store:
        newest = store.videos()[0]
        store.set_liked(newest.id, True)
        store.add_comment(newest.id, "The rain sounds great with the footsteps!")
        store.add_comment(newest.id, "雨の音がいい感じ")

    from studio.app import build_window, ensure_app

    app = ensure_app()
    window = build_window()
    window.resize(1280, 860)
    window.show()
    window.feed.show_feed()
    page = window.feed.page
    page.side.setCurrentIndex(int(os.environ.get("FEED_TAB", "0")))
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and (page.current_index < 0 or page.player.position < 12):
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(f"wrote {out} ({len(videos)} videos in the feed, playing frame {page.player.position})")
    window.shutdown()
    # Delete the window before the application goes away (PySide otherwise may crash at exit).
    window.deleteLater()
    app.processEvents()
    del window


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/feed.png"))
