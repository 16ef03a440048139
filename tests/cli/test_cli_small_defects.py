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
