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
