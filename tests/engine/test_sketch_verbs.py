"""People acting on things, drawn: a kicked ball rolls away from the foot that reached it, a thrown ball
flies in an arc and lands bouncing, a caught ball stays in the catcher's hands, a door opens when the one
who opens it has walked up to it — found in the rendered frames by colour, and heard on those frames in
the exported file."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.domain.timing import SAMPLE_RATE
from studio.engine.sketch.camera import ACTION_DEPTH
from studio.engine.sketch.characters import skeleton
from studio.media.decode import read_audio
from studio.persistence.bundle import save_project
from studio.services.export import export_project
from tests.engine.sketch_support import render
from tests.support.projects import small_project

SIZE = (192, 108)
FPS, N = 12, 36
SEEDS = pytest.mark.parametrize("seed", [3, 2])  # the seed picks the side: one goes right, one left


def _blob(frame: np.ndarray, colour, tol: int = 28) -> tuple[float, float, int] | None:
    """Centroid (x, y) and area of the largest region of ``colour`` (specks of the same colour elsewhere ignored)."""
    m = np.all(np.abs(frame.astype(np.int16) - np.array(colour, np.int16)) <= tol, axis=-1).astype(np.uint8)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(m, connectivity=8)
    if count <= 1:
        return None
    k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    area = int(stats[k, cv2.CC_STAT_AREA])
    return (float(centroids[k][0]), float(centroids[k][1]), area) if area >= 6 else None


def _ball_path(plan, frames):
    track = plan.choreo.things.track("ball")
    colour = plan.palette.character(track.colour)
    path = [_blob(f, colour) for f in frames]
    return track, path


def _limb_on_screen(plan, actor, i: int, limb: str, k: int) -> tuple[float, float]:
    """Screen point of a hand or a foot of an actor (static camera: rest = screen)."""
    pose = actor.poses[i]
    L = plan.layout
    size = L.figure_h * L.scale_at(actor.depth) * actor.look.height
    sk = skeleton(pose, actor.look)
    pt = (sk.arms if limb == "arm" else sk.legs)[k][2]
    return pose.x + pt[0] * size, L.ground_y(actor.depth) + pt[1] * size


def _event(plan, source: str, kind: str) -> int:
    frames = [e.frame for e in plan.events if e.source == source and e.kind == kind]
    assert frames, [(e.frame, e.kind, e.source) for e in plan.events if e.kind != "footstep"]
    return frames[0]


@pytest.mark.parametrize("prompt, verb", [("A boy kicks a red ball", "kick"), ("男の子が赤いボールを蹴る", "kick"),
                                          ("A man pushes a red ball", "push"), ("男の子が赤いボールを押す", "push")])
@SEEDS
def test_a_kicked_or_pushed_ball_rolls_away_from_the_kicker_from_the_contact_frame(prompt, verb, seed):
    plan, frames = render(prompt, size=SIZE, frames=N, fps=FPS, seed=seed)
    (kicker,) = plan.choreo.actors
    track, path = _ball_path(plan, frames)
    assert all(p is not None for p in path), "the ball is on screen all shot"
    xs = np.array([p[0] for p in path])
    contact = _event(plan, "ball", "thud")
    away = np.sign(xs[0] - kicker.poses[0].x)
    assert away != 0 and kicker.poses[contact].facing == away  # it faces the ball it kicks
    # Still until the foot (or the hands) reach it...
    assert np.abs(xs[:contact + 1] - xs[0]).max() < 0.5, xs[: contact + 1]
    near = 1 if away > 0 else 0
    limb = "leg" if verb == "kick" else "arm"
    tx, ty = _limb_on_screen(plan, kicker, contact, limb, near)
    r = track.size / 2
    assert np.hypot(tx - xs[contact], ty - path[contact][1]) < r + 0.08 * plan.layout.figure_h + 2, (tx, ty, path[contact])
    # ...and a frame earlier the foot was still behind, short of it.
    bx, _ = _limb_on_screen(plan, kicker, contact - 1, limb, near)
    assert away * (xs[contact] - bx) > away * (xs[contact] - tx)
    # Then away from the kicker, every frame, until it rolls to a stop well past where it was.
    step = away * np.diff(xs[contact:])
    assert step[0] > 0.5 and (step[:4] > 0.5).all(), step
    assert (step > -0.3).all(), step
    assert away * (xs[-1] - xs[contact]) > (0.5 if verb == "push" else 1.0) * plan.layout.figure_h


@pytest.mark.parametrize("prompt", ["A girl throws a yellow ball", "女の子が黄色いボールを投げる"])
@SEEDS
def test_a_thrown_ball_leaves_the_hand_rises_falls_lands_and_rebounds(prompt, seed):
    plan, frames = render(prompt, size=SIZE, frames=N, fps=FPS, seed=seed)
    (thrower,) = plan.choreo.actors
    track, path = _ball_path(plan, frames)
    release = _event(plan, "ball", "whoosh")
    bounces = [e.frame for e in plan.events if e.source == "ball" and e.kind == "bounce"]
    assert len(bounces) >= 2 and bounces[0] > release + 2
    land = bounces[0]
    f = thrower.poses[release].facing
    near = 1 if f > 0 else 0
    r = track.size / 2
    # In the hand until it is let go.
    for i in (0, release - 2, release):
        hx, hy = _limb_on_screen(plan, thrower, i, "arm", near)
        assert np.hypot(hx - path[i][0], hy - path[i][1]) < r + 2, (i, (hx, hy), path[i])
    ys = np.array([p[1] for p in path[release : land + 3]])
    xs = np.array([p[0] for p in path[release : land + 3]])
    apex = int(np.argmin(ys))
    k = land - release
    assert 0 < apex < k and ys[apex] < ys[0] - 0.2 * plan.layout.figure_h  # up...
    assert (np.diff(ys[:apex + 1]) < 0.3).all() and (np.diff(ys[apex : k + 1]) > -0.3).all(), ys  # ...then down
    assert ys[k] == ys[: k + 3].max()  # lowest on the landing frame (the bounce's sound is on it)
    assert ys[k + 1] < ys[k] - 1  # and it rebounds
    assert (f * np.diff(xs) > 0).all(), xs  # all the while away from the thrower


@pytest.mark.parametrize("prompt", ["She throws the yellow ball to him and he catches it",
                                    "女の子が男の子に黄色いボールを投げて、男の子がそれを取る"])
@SEEDS
def test_a_caught_ball_ends_in_the_catchers_hands_and_stays_there(prompt, seed):
    plan, frames = render(prompt, size=SIZE, frames=N, fps=FPS, seed=seed)
    ids = [a.id for a in plan.choreo.actors]
    assert ids == ["woman", "man"], ids
    her, him = plan.choreo.actors
    track, path = _ball_path(plan, frames)
    release, catch = _event(plan, "ball", "whoosh"), _event(plan, "ball", "clap")
    assert not any(e.kind == "bounce" for e in plan.events if e.source == "ball")  # it never reaches the floor
    towards = np.sign(him.poses[0].x - her.poses[0].x)
    assert her.poses[release].facing == towards and him.poses[catch].facing == -towards  # they face each other
    xs = np.array([p[0] for p in path])
    assert (towards * np.diff(xs[release : catch + 1]) > 0.5).all()  # it flies from her to him
    r = track.size / 2
    near = 1 if him.poses[catch].facing > 0 else 0

    def to_hands(i):
        hx, hy = _limb_on_screen(plan, him, i, "arm", near)
        return np.hypot(hx - path[i][0], hy - path[i][1])

    assert to_hands(catch - 2) > 3 * r  # still in the air...
    settled = catch + round(0.3 * FPS)
    for i in range(catch, N):
        assert to_hands(i) < r + 2, (i, to_hands(i))  # ...then in his hands
    still = np.array([p[:2] for p in path[settled:]])
    assert np.abs(still - still[0]).max() < 0.6, still  # held: it stops moving



@pytest.mark.parametrize("prompt", ["A man drops a yellow cup", "男の子が黄色いコップを落とす"])
@SEEDS
def test_a_dropped_cup_falls_from_his_hand_and_breaks_where_it_lands(prompt, seed):
    plan, frames = render(prompt, size=SIZE, frames=N, fps=FPS, seed=seed)
    (man,) = plan.choreo.actors
    track = plan.choreo.things.track("cup")
    colour = plan.palette.character(track.colour)
    # A small cup: looked for within a figure's height of him (yellow flowers elsewhere in the park).
    x0 = max(0, int(man.poses[0].x - plan.layout.figure_h))
    x1 = int(man.poses[0].x + plan.layout.figure_h)
    path = [(b[0] + x0, b[1], b[2]) if (b := _blob(f[:, x0:x1], colour, tol=22)) else None for f in frames]
    smash = _event(plan, "cup", "glass")
    near = 1 if man.poses[0].facing > 0 else 0
    for i in range(0, smash - 4):  # held out in his hand...
        hx, hy = _limb_on_screen(plan, man, i, "arm", near)
        assert np.hypot(hx - path[i][0], hy - path[i][1]) < track.size, (i, (hx, hy), path[i])
    ys = np.array([p[1] for p in path[: smash + 1]])
    let_go = next(i for i in range(1, smash) if ys[i] > ys[i - 1] + 0.5)
    assert (np.diff(ys[let_go - 1 :]) > 0.5).all(), ys  # ...then falls every frame, faster and faster
    assert abs(plan.layout.ground_y(track.depth) - ys[smash]) < track.size  # to the floor, where it breaks
    assert track.broken_at == smash and (track.state[smash:] == 1).all() and (track.state[:smash] == 0).all()


@pytest.mark.parametrize("prompt", ["He picks up the red ball", "男の子が赤いボールを拾う"])
@SEEDS
def test_a_picked_up_ball_waits_on_the_floor_then_rises_in_his_hand(prompt, seed):
    plan, frames = render(prompt, size=SIZE, frames=N, fps=FPS, seed=seed)
    (man,) = plan.choreo.actors
    track, path = _ball_path(plan, frames)
    ys = np.array([p[1] for p in path])
    floor = plan.layout.ground_y(track.depth) - track.size / 2
    near = 1 if man.poses[-1].facing > 0 else 0
    hands = np.array([_limb_on_screen(plan, man, i, "arm", near) for i in range(N)])
    grab = int(np.argmax(hands[:, 1] > hands[:, 1].max() - 0.3))  # the first frame his hand is down at it
    assert grab > 2
    assert abs(ys[0] - floor) < 1.5 and np.abs(ys[:grab] - ys[0]).max() < 0.5, ys  # on the floor until then
    for i in range(grab, N):  # then in his hand, all the way up
        assert np.hypot(*(hands[i] - np.array(path[i][:2]))) < track.size / 2 + 2, (i, hands[i], path[i])
    assert ys[-1] < floor - 0.3 * plan.layout.figure_h  # lifted well off the floor

def _door_box(plan):
    door, L = plan.choreo.door, plan.layout
    base = L.ground_y(door.depth)
    return (int(door.x - door.width / 2) + 1, int(base - door.height) + 1, int(door.x + door.width / 2) - 1, int(base) - 1)


@pytest.mark.parametrize("prompt", ["A woman opens the door", "女の子がドアを開ける"])
@pytest.mark.parametrize("fps, n", [(FPS, N), (24, 48)])
@SEEDS
def test_the_door_opens_only_when_the_one_opening_it_has_walked_up_to_it(prompt, fps, n, seed):
    plan, frames = render(prompt, size=SIZE, frames=n, fps=fps, seed=seed)
    (opener,) = plan.choreo.actors
    door = plan.choreo.door
    opens = _event(plan, "door", "door_open")
    fig = plan.layout.figure_h
    x0, y0, x1, y1 = _door_box(plan)
    edges = (door.x - door.width / 2, door.x + door.width / 2)

    def distance(i):
        return min(abs(opener.poses[i].x - e) for e in edges)

    assert distance(0) > 0.6 * fig  # across the set at first...
    assert distance(opens) < 0.25 * fig  # ...beside it when it opens
    assert opener.poses[opens].facing == np.sign(door.x - opener.poses[opens].x)  # facing it
    region = frames[:, y0:y1, x0:x1].astype(np.int16)
    change = np.abs(region - region[0]).mean(axis=(1, 2, 3))
    assert change[:opens + 1].max() < 1.0, change  # shut until the hand gets there
    assert change[min(n - 1, opens + round(fps / 3))] > 8 * max(0.5, change[:opens + 1].max()), change
    assert (np.asarray(door.opening[:opens + 1]) == 0).all() and door.opening[opens + 1] > 0


@pytest.mark.parametrize("prompt", ["The man opens the window", "男の子が窓を開ける"])
@SEEDS
def test_the_window_opens_when_he_has_walked_up_to_it(prompt, seed):
    plan, frames = render(prompt, size=SIZE, frames=N, fps=FPS, seed=seed)
    (opener,) = plan.choreo.actors
    window = plan.choreo.things.piece("window")
    opens = _event(plan, "window", "door_open")
    fig = plan.layout.figure_h
    assert abs(opener.poses[0].x - window.x) > 0.8 * fig
    assert abs(opener.poses[opens].x - window.x) < 0.5 * fig
    assert (window.opening[:opens + 1] == 0).all() and window.opening[-1] == 1.0
    g = plan.layout.ground_y(ACTION_DEPTH)
    x0, x1 = int(window.x - window.width / 2) + 1, int(window.x + window.width / 2) - 1
    y0, y1 = int(g - window.bottom - window.height) + 1, int(g - window.bottom) - 1
    region = frames[:, y0:y1, x0:x1].astype(np.int16)
    change = np.abs(region - region[0]).mean(axis=(1, 2, 3))
    xs = np.array([p.x for p in opener.poses])
    arrive = next(i for i in range(N) if np.all(xs[i:] == xs[i]))  # where the walk ends
    assert arrive <= opens
    # Untouched while he walks up (his hand then reaches into it), open at the end.
    assert change[: arrive + 1].max() < 1.0 and change[-1] > 5.0, change


# --------------------------------------------------------------------------- in the exported file


def _band_envelope(audio: np.ndarray, hop: int, lo: float) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    mono = audio.mean(axis=1) if audio.ndim == 2 else audio
    band = sosfilt(butter(4, lo, "highpass", fs=SAMPLE_RATE, output="sos"), mono)
    n = len(band) // hop
    return np.sqrt(np.mean(band[: n * hop].reshape(n, hop) ** 2, axis=1))


def test_the_verbs_foley_is_of_the_right_kind_on_its_frame_in_the_export(tmp_path):
    fps, n = 24, 48
    prompts = ("A boy kicks a red ball", "She throws the yellow ball to him and he catches it",
               "女の子が黄色いボールを投げる", "女の子がドアを開ける")
    project = small_project(*prompts, size=SIZE, fps=fps, frames=n)
    bundle = save_project(project, tmp_path / "p")
    report = export_project(project, bundle, tmp_path / "out.mp4")
    audio, sr = read_audio(report.path)
    assert sr == SAMPLE_RATE
    takes = [next(t for t in s.takes if t.id == s.selected_take_id) for s in report.project.shots]

    def kinds(shot, source):
        return [(e.kind, e.frame) for e in takes[shot].events if e.source == source]

    kick = kinds(0, "ball")
    assert [k for k, _ in kick] == ["thud"]  # the foot's thump
    thrown = kinds(1, "ball")
    assert [k for k, _ in thrown] == ["whoosh", "clap"]  # let go, then smack into his hands
    dropped = kinds(2, "ball")
    assert [k for k, _ in dropped][:2] == ["whoosh", "bounce"] and all(k == "bounce" for k, _ in dropped[1:])
    door = kinds(3, "door")
    assert [k for k, _ in door] == ["door_open"]
    hop = SAMPLE_RATE // 1000  # 1 ms
    env = _band_envelope(audio, hop, 1500.0)
    frame_ms = 1000 / fps
    checked = []
    for shot, (kind, frame) in ((0, kick[0]), (1, thrown[1]), (2, dropped[1]), (3, door[0])):
        at_ms = (shot * n + frame) * frame_ms
        lo, hi = int(at_ms - 3 * frame_ms), int(at_ms + 3 * frame_ms)
        floor = np.median(env[max(0, lo - 150) : lo]) + 1e-6
        onset = lo + int(np.argmax(env[lo:hi] > 8 * floor))
        assert env[onset] > 8 * floor, f"no {kind} near frame {frame} of shot {shot}"
        assert abs(onset - at_ms) <= frame_ms, (kind, onset, at_ms)
        checked.append(kind)
    assert checked == ["thud", "clap", "bounce", "door_open"]

    def centroid_hz(at_frame: int) -> float:
        start = int(at_frame * SAMPLE_RATE / fps)
        seg = audio[start : start + SAMPLE_RATE // 12].mean(axis=1)
        spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
        freqs = np.fft.rfftfreq(len(seg), 1 / SAMPLE_RATE)
        return float((spec * freqs).sum() / (spec.sum() + 1e-12))

    # The kick is a dull thump, the catch a bright smack of the palms.
    kick_hz, catch_hz = centroid_hz(kick[0][1]), centroid_hz(n + thrown[1][1])
    assert catch_hz > 1.5 * kick_hz, (kick_hz, catch_hz)
    # The release's whoosh swells from its frame: quiet before, louder over the flight.
    release = thrown[0][1]
    at = int((n + release) * frame_ms)
    mono = np.abs(audio.mean(axis=1))
    before = mono[int((at - 120) * SAMPLE_RATE / 1000) : int(at * SAMPLE_RATE / 1000)].mean()
    during = mono[int((at + 100) * SAMPLE_RATE / 1000) : int((at + 400) * SAMPLE_RATE / 1000)].mean()
    assert during > 1.5 * before, (before, during)
