"""Issue 16 item 12: the smaller defects (broken pipe, a full log folder, the feed database's mode)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys


def _env(tmp_path, **extra):
    return {**os.environ, "PYTHONPATH": os.getcwd(), "STUDIO_DATA_DIR": str(tmp_path / "data"),
            "STUDIO_LOG_DIR": str(tmp_path / "logs"), **extra}


def test_a_closed_pipe_is_quiet_and_not_a_failure(tmp_path):
    """`studio info --json X | head`: the reader is gone before Studio writes."""
    example = os.path.join(os.getcwd(), "resources", "examples", "student_day_en.studio")
    p = subprocess.Popen([sys.executable, "-m", "studio", "info", "--json", example], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=_env(tmp_path))
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(120) == 0, err
    assert "Broken pipe" not in err and "Traceback" not in err


def test_an_unwritable_log_prints_no_logging_traceback(tmp_path):
    import logging

    from studio import cli

    cli._setup_logging(False)
    assert logging.raiseExceptions is False


def test_the_feed_database_is_owner_only(tmp_path):
    from studio.services.feed_store import FeedStore

    path = tmp_path / "feed.sqlite3"
    FeedStore(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    old = tmp_path / "old.sqlite3"
    old.touch(mode=0o644)
    os.chmod(old, 0o644)
    FeedStore(old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_mp4_metadata_that_is_not_utf8_does_not_break_info_verify_or_remix(tmp_path, capsys):
    from studio.cli import main as cli_main
    from studio.persistence.bundle import save_project
    from studio.services.export import export_project
    from tests.support.cameos import no_os_keyring
    from tests.support.projects import small_project

    project = small_project("a ball bounces", frames=4, size=(64, 64))
    project = type(project)(**{**project.__dict__, "title": "TITLEMARKER"})
    with no_os_keyring():
        bundle = save_project(project, tmp_path / "p.studio")
        path = export_project(project, bundle, tmp_path / "v.mp4").path
        data = path.read_bytes()
        assert b"TITLEMARKER" in data
        bad = tmp_path / "bad.mp4"
        bad.write_bytes(data.replace(b"TITLEMARKER", b"\xff\xfe\xfa\xfb\xfcMARKER"))
        assert cli_main(["info", str(bad)]) == 0
        assert cli_main(["verify", str(bad)]) == 1  # altered, and said so
        assert cli_main(["remix", str(bad), "-o", str(tmp_path / "r.studio")]) in (0, 1)
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err


def test_a_one_frame_shot_with_dialogue_renders(tmp_path):
    from studio.persistence.bundle import save_project
    from studio.services.export import export_project
    from tests.support.cameos import no_os_keyring
    from tests.support.projects import small_project

    project = small_project('Mei says "good morning everyone, how are you today"', frames=1, size=(64, 64))
    with no_os_keyring():
        bundle = save_project(project, tmp_path / "p.studio")
        report = export_project(project, bundle, tmp_path / "o.mp4")  # was: could not broadcast (0,) into (160,)
    assert report.frames == 1 and report.path.is_file()


def test_a_full_disk_under_the_feed_says_so_and_loses_no_entry(tmp_path, capsys, monkeypatch):
    """Issue 16 item 12: the feed entry of an export used to vanish (a log line nobody saw) on a full disk."""
    import sqlite3

    from studio.cli import main as cli_main
    from studio.persistence.bundle import save_project
    from studio.services import feed_store
    from studio.services.feed_store import FeedStore
    from tests.support.projects import small_project

    bundle = save_project(small_project("a ball bounces", frames=4, size=(64, 64)), tmp_path / "p.studio")
    real_add = FeedStore.add_video

    def full(self, *a, **k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(FeedStore, "add_video", full)
    assert cli_main(["render", str(bundle), "-o", str(tmp_path / "out.mp4"), "-q"]) == 0
    err = capsys.readouterr().err
    assert "not in the feed yet (the disk is full)" in err and "feed_pending.jsonl" in err
    assert "Traceback" not in err and (tmp_path / "out.mp4").is_file()
    pending = feed_store.default_feed_path().with_name(feed_store.PENDING_FILE)
    assert stat.S_IMODE(pending.stat().st_mode) == 0o600
    # Space again: the next time the feed opens (the window's Feed, the next export), the video is there.
    monkeypatch.setattr(FeedStore, "add_video", real_add)
    with FeedStore() as store:
        assert [v.path.name for v in store.videos()] == ["out.mp4"]
    assert not pending.exists()


def test_a_feed_entry_nothing_can_keep_waits_in_the_process(tmp_path):
    from studio.services.feed_store import FeedStore, record_export

    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder")
    video = tmp_path / "v.mp4"
    video.write_bytes(b"")
    record = record_export(video, title="t", seconds=1, width=2, height=2, project_id="p", engines=[], recipe="",
                           cameos=[("cameo_x", "Mei")], feed_path=blocked / "feed.sqlite3")
    assert record.video_id is None and record.kept_in is None and "not in the feed yet" in record.note
    with FeedStore(tmp_path / "feed.sqlite3") as store:
        assert [v.cameos for v in store.videos()] == [("cameo_x",)]
