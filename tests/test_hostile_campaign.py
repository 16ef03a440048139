"""A small rerun of issue 16's hostile-user campaign (benchmarks/bench_hostile.py runs the full one)."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from tests.support.cameos import no_os_keyring

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location(
    "bench_hostile", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_hostile.py")
campaign = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(campaign)


def test_small_campaign_finds_no_traceback_no_outside_write_no_lost_take_and_every_change(tmp_path):
    rng = random.Random(16)
    with no_os_keyring():
        kills = campaign.kill_mid_save(4, rng, _dir(tmp_path / "k"))
        damaged = campaign.damaged_projects(40, rng, _dir(tmp_path / "d"))
        recipes = campaign.hostile_recipes(40, rng, _dir(tmp_path / "r"))
        flips = campaign.byte_flips(20, rng, _dir(tmp_path / "f"))
        writers = campaign.two_writers(1, rng, _dir(tmp_path / "w"))
    assert (kills["tracebacks"], kills["writes_outside"], kills["lost"]) == (0, 0, 0)
    assert (damaged["tracebacks"], damaged["writes_outside"]) == (0, 0), damaged["examples"]
    assert (recipes["tracebacks"], recipes["writes_outside"], recipes["left_behind"]) == (0, 0, 0), recipes["examples"]
    assert flips["tracebacks"] == 0 and flips["pct_altered"] == 100.0
    assert (writers["tracebacks"], writers["writes_outside"], writers["lost"]) == (0, 0, 0), writers


def _dir(path):
    path.mkdir()
    return path
