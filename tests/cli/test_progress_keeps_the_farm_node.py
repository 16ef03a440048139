"""On a terminal the one-line progress bar cuts a long stage in the middle, so a farm shot keeps its node."""

from __future__ import annotations

import io
import sys

from studio import cli


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_farm_stage_keeps_the_node_on_a_terminal(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    bar = cli.ProgressBar()
    bar("render Shot 12 · Mei walks in the park at dawn on 10.0.0.5/gpu3", 3, 9)
    line = term.getvalue().lstrip("\r")
    assert "on 10.0.0.5/gpu3" in line and line.startswith("render Shot 12")
    bar("render Shot 1", 9, 9)  # short stages are untouched
    assert "render Shot 1 " in term.getvalue().rsplit("\r", 1)[1]


def test_stages_that_run_together_each_keep_their_percentage(monkeypatch):
    """An export encodes while a shot renders: the plain log reports each stage per quarter, not per switch."""
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    bar = cli.ProgressBar()
    for i in range(1, 101):
        bar("render Shot 1", i, 100)
        bar("encode", i // 2, 100)
    lines = log.getvalue().splitlines()
    assert [x for x in lines if x.startswith("render")] == [f"render Shot 1: {p}%" for p in (1, 25, 50, 75, 100)]
    assert [x for x in lines if x.startswith("encode")] == [f"encode: {p}%" for p in (0, 25, 50)]


def test_the_bar_shows_the_other_running_stage_beside_it(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    bar = cli.ProgressBar()
    bar("encode", 40, 100)
    bar("render lecture", 45, 100)
    last = term.getvalue().rsplit("\r", 1)[1]
    assert last.startswith("render lecture") and " 45% " in last and "encode  40%" in last
    assert term.getvalue().count("\n") == 0  # one line, redrawn
