"""The offset window is stated, and a regular rhythm longer than twice it is measured, not "ambiguous".

A rhythm with period P fits at the offset and at the offset ± P. Within a stated search window
of ±W only one of those lies inside when P > 2W, so that clip has one answer, not a rival.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from studio.sound.sync import MAX_OFFSET_MS, estimate_offset
from tests.support.sync_clips import G, ClipSpec, contacts_of, scene


def _regular(period_s: float, offset_s: float, fps: float = 25.0, n: int = 9):
    visual = [(0.37 + i * period_s) * fps for i in range(n)]
    audio = [0.37 + i * period_s + offset_s for i in range(n)]
    return visual, audio, fps


def test_regular_600ms_rhythm_with_plus_120ms_is_measured_within_the_window():
    visual, audio, fps = _regular(0.6, 0.120)
    est = estimate_offset(visual, audio, fps)  # no clip lengths: the ends cannot decide it
    assert est.window_ms == MAX_OFFSET_MS == 250.0
    assert est.measurable, est.reason
    assert abs(est.offset_ms - 120.0) <= 1000 / fps, est
    assert est.as_dict()["window_ms"] == 250.0


def test_the_same_rhythm_searched_wider_than_half_its_period_is_ambiguous_and_says_the_window():
    visual, audio, fps = _regular(0.6, 0.120)
    est = estimate_offset(visual, audio, fps, max_offset_ms=500.0)
    assert not est.measurable
    assert "±500 ms searched" in est.reason, est.reason


def test_a_rhythm_shorter_than_twice_the_window_stays_ambiguous():
    visual, audio, fps = _regular(0.3, 0.120)  # +120 and -180 ms both inside ±250
    est = estimate_offset(visual, audio, fps)
    assert not est.measurable, est


def test_a_dropped_ball_lands_at_speed_not_at_rest():
    # A ball let go from rest hits the floor at its fastest: the height falls steeply into the
    # first contact (a V), as into every later one, instead of flattening out (an L).
    spec = ClipSpec(seed=11, fps=Fraction(25), rhythm="accelerating", offset_ms=0.0)
    ball = scene(spec, np.random.default_rng(spec.seed))[0]
    first, _, v0 = ball.flights[0]
    dt = 0.004
    speed_in = ball.height(first - dt) / dt
    assert abs(speed_in - v0) <= 0.05 * v0, (speed_in, v0)
    # Before being let go it is held still at the first bounce's apex.
    assert abs(ball.height(first - v0 / G - 0.5) - v0 * v0 / (2 * G)) < 1e-9
    assert round(first, 6) == contacts_of([ball], spec.duration_s)[0]
