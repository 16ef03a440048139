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
