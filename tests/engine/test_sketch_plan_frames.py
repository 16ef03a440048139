"""The Sketch engine draws the scene plan: things found in the frames where the plan puts them,
and their foley, of the right kind, on their frames in an exported file."""

from __future__ import annotations

import numpy as np

from studio.domain.timing import SAMPLE_RATE
from studio.media.decode import read_audio, read_frames
from studio.persistence.bundle import save_project
from studio.services.export import export_project
from studio.engine.sketch.camera import ACTION_DEPTH
from tests.engine.sketch_support import render
from tests.support.projects import small_project

SIZE = (192, 108)


def _mask(frame: np.ndarray, colour, tol: int = 26) -> np.ndarray:
    return np.all(np.abs(frame.astype(np.int16) - np.array(colour, np.int16)) <= tol, axis=-1)


def _centroid_y(frames: np.ndarray, colour) -> list[float]:
    ys = []
    for f in frames:
        m = _mask(f, colour)
        ys.append(float(np.nonzero(m)[0].mean()) if m.sum() >= 3 else float("nan"))
    return ys


def test_a_falling_ball_descends_then_rebounds_on_the_bounce_frames():
    plan, frames = render("A red ball falls and bounces on the wooden floor", size=SIZE, frames=36, fps=12, seed=3)
    assert plan.choreo.actors == []  # nobody falls over: the ball does
    track = plan.choreo.things.track("ball")
    colour = plan.palette.character(track.colour)
    ys = _centroid_y(frames, colour)
    bounces = [e.frame for e in plan.events if e.kind == "bounce"]
    assert len(bounces) >= 2
    first = bounces[0]
    start = next(i for i in range(first) if track.h[i] < track.h[0])  # the drop begins
    # descends frame by frame until the first bounce...
    assert all(ys[i + 1] > ys[i] for i in range(start, first)), ys[: first + 1]
    # ...where it is lowest, then it rebounds (goes up) before it comes down again.
    assert ys[first] == max(ys[: bounces[1]])
    assert ys[first + 1] < ys[first] - 1
    assert ys[bounces[1]] > ys[first + 1] + 1


def test_a_cat_is_in_the_window_then_on_the_floor():
    plan, frames = render("猫が窓から飛び降りる", size=SIZE, frames=36, fps=12, seed=5)
    assert [a.id for a in plan.choreo.actors] == []  # no person stands in for the cat
    assert plan.scene.indoor  # a window to jump from: a room
    cat = plan.choreo.things.track("cat")
    window = plan.choreo.things.piece("window")
    colour = plan.palette.character(cat.colour)
    L = plan.layout
    ground = L.ground_y(cat.depth)
    win_x0, win_x1 = window.x - window.width / 2, window.x + window.width / 2
    win_y0, win_y1 = ground - window.bottom - window.height, ground - window.bottom

    def where(i):
        m = _mask(frames[i], colour)
        assert m.sum() >= 6, f"no cat-coloured region on frame {i}"
        ys, xs = np.nonzero(m)
        return xs.mean(), ys.mean(), ys.max()

    x, y, _ = where(0)
    assert win_x0 <= x <= win_x1 and win_y0 <= y <= win_y1 + 2, (x, y, (win_x0, win_y0, win_x1, win_y1))
    landing = next(e.frame for e in plan.events if e.source == "cat")
    x, y, bottom = where(len(frames) - 1)
    assert y > win_y1 and abs(bottom - ground) <= 5  # below the sill, standing on the floor (anti-aliased paws)
    assert landing > 0 and next(e.kind for e in plan.events if e.source == "cat") == "paw"


def _high_band_envelope(audio: np.ndarray, hop: int) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    high = sosfilt(butter(4, 2500, "highpass", fs=SAMPLE_RATE, output="sos"), mono)
    n = len(high) // hop
    return np.sqrt(np.mean(high[: n * hop].reshape(n, hop) ** 2, axis=1))


def _centroid_hz(audio: np.ndarray, start: int, length: int) -> float:
    seg = audio[start : start + length].mean(axis=1)
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
    freqs = np.fft.rfftfreq(len(seg), 1 / SAMPLE_RATE)
    return float((spec * freqs).sum() / (spec.sum() + 1e-12))


def test_foley_for_object_events_is_the_right_kind_on_its_frame_in_the_export(tmp_path):
    fps, n = 24, 36
    project = small_project("台所でグラスが落ちて割れる", "A book falls off the table in the kitchen", size=SIZE, fps=fps, frames=n)
    bundle = save_project(project, tmp_path / "p")
    report = export_project(project, bundle, tmp_path / "out.mp4")
    audio, sr = read_audio(report.path)
    assert sr == SAMPLE_RATE
    assert len(list(read_frames(report.path))) == 2 * n
    takes = [next(t for t in s.takes if t.id == s.selected_take_id) for s in report.project.shots]
    glass = [e for e in takes[0].events if e.source == "glass"]
    book = [e for e in takes[1].events if e.source == "book"]
    assert [e.kind for e in glass] == ["glass"] and [e.kind for e in book] == ["thud"]
    hop = SAMPLE_RATE // 1000  # 1 ms
    env = _high_band_envelope(audio, hop)
    frame_ms = 1000 / fps
    for shot_index, event in ((0, glass[0]), (1, book[0])):
        at_ms = (shot_index * n + event.frame) * frame_ms
        lo, hi = int(at_ms - 3 * frame_ms), int(at_ms + 3 * frame_ms)
        floor = np.median(env[max(0, lo - 200) : lo]) + 1e-6
        onset = lo + int(np.argmax(env[lo:hi] > 8 * floor))
        assert env[onset] > 8 * floor, f"no attack near frame {event.frame} of shot {shot_index}"
        assert abs(onset - at_ms) <= frame_ms, (onset, at_ms)
    # Glass sounds like glass (bright), the book like a thud (dark).
    g_at = int((glass[0].frame) * SAMPLE_RATE / fps)
    b_at = int((n + book[0].frame) * SAMPLE_RATE / fps)
    glass_c = _centroid_hz(audio, g_at, SAMPLE_RATE // 10)
    book_c = _centroid_hz(audio, b_at, SAMPLE_RATE // 10)
    assert glass_c > 3000 and glass_c > 2 * book_c, (glass_c, book_c)


def test_she_hands_him_the_cup_it_goes_from_her_to_him():
    plan, frames = render("She hands him the green cup in the kitchen", size=SIZE, frames=36, fps=12, seed=2)
    ids = [a.id for a in plan.choreo.actors]
    assert ids == ["woman", "man"]
    cup = plan.choreo.things.track("cup")
    colour = plan.palette.character(cup.colour)
    her, him = (plan.camera.project((a.poses[0].x, 0), ACTION_DEPTH, 0)[0] for a in plan.choreo.actors)

    def cup_x(i):
        m = _mask(frames[i], colour, tol=18)
        m[: int(SIZE[1] * 0.45)] = False  # the cup is at hand height, never up the wall
        assert m.sum() >= 4, f"no cup on frame {i}"
        return np.nonzero(m)[1].mean()

    assert abs(cup_x(0) - her) < abs(cup_x(0) - him)
    assert abs(cup_x(35) - him) < abs(cup_x(35) - her)
