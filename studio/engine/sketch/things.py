"""Animals and objects of the scene plan, moving frame by frame, with their sound events.

Each animal or object actor of the `ScenePlan` becomes a `ThingTrack`: a rest x
and a height above the floor per frame, plus a state (0..1: open, broken, wing
beat). Set pieces the plan names as sources or goals (a window, a table) are
placed first so a cat can sit in the window and a glass can stand on the table.
Every contact is a `SoundEvent` on the first frame that shows it, with the kind
of sound that thing makes (`studio.domain.scene_plan.event_sound`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from studio.domain.scene_plan import PlanActor, ScenePlan, event_sound
from studio.engine.sketch.camera import ACTION_DEPTH, CameraRig
from studio.engine.sketch.layers import SHIFT, fixed, fixed_poly
from studio.engine.sketch.layout import Layout
from studio.engine.sketch.palette import RGB, hex_rgb, mix, scale

# Default colours and sizes (figure heights) of each thing.
DEFAULT_COLOURS: dict[str, RGB] = {
    "cat": hex_rgb("e8893a"), "dog": hex_rgb("8a5a34"), "bird": hex_rgb("3f6fb5"), "ball": hex_rgb("de443c"),
    "cup": hex_rgb("f4f1e8"), "glass": hex_rgb("bfe3f0"), "umbrella": hex_rgb("3b6fd1"), "car": hex_rgb("c8372d"),
    "book": hex_rgb("2f6f5a"), "window": hex_rgb("f4f1e8"), "door": hex_rgb("8b5a3c"),
}
COLOUR_NAMES: dict[str, RGB] = {
    "red": hex_rgb("d64541"), "blue": hex_rgb("3b6fd1"), "green": hex_rgb("3e9b5f"), "yellow": hex_rgb("f2c53d"),
    "black": hex_rgb("2a2a30"), "white": hex_rgb("f1f0ea"), "brown": hex_rgb("8b5a3c"), "grey": hex_rgb("8f949b"),
    "orange": hex_rgb("f08a36"), "pink": hex_rgb("ef8fb1"), "blonde": hex_rgb("e6c27a"),
}
SIZES = {"cat": 0.26, "dog": 0.34, "bird": 0.12, "ball": 0.2, "cup": 0.13, "glass": 0.15, "book": 0.12,
         "umbrella": 0.5, "car": 0.75, "window": 0.5}
WINDOW_SILL = 0.55
"""Height of a window's sill above the floor, figure heights."""
TABLE_TOP = 0.42


@dataclass
class SetPiece:
    """A window or a table the plan's actors come from or land on (rest coordinates)."""

    kind: str
    x: float
    width: float
    bottom: float
    """Height above the floor of its lowest edge (sill, table top), rest pixels."""
    height: float
    opening: np.ndarray | None = None


@dataclass
class Beat:
    """A moment someone acts on a thing (from the choreography): the foot reaching the ball, the release, the catch."""

    verb: str
    """kick, push, throw, catch, open"""
    thing: str
    """The thing's plan key."""
    actor: str
    frame: int
    """The contact frame: the foot (or hand) reaches it, the ball leaves the hand, lands in the hands."""
    x: float
    h: float
    """Where the contact is: rest x on the action plane and height above the floor, rest pixels."""
    direction: int
    """Which way the thing goes (or, for a catch, which way it was travelling)."""
    hold: np.ndarray | None = None
    """(frames, 2): x and height of the holding hand on each frame it is held (NaN elsewhere)."""


@dataclass
class ThingTrack:
    key: str
    noun: str
    colour: RGB
    depth: float
    size: float
    """Rest pixels (its height, or a car's length)."""
    x: np.ndarray
    h: np.ndarray
    """Height of its bottom above the floor, rest pixels."""
    state: np.ndarray
    facing: int = 1
    squash: np.ndarray | None = None
    broken_at: int | None = None


@dataclass
class Things:
    tracks: list[ThingTrack] = field(default_factory=list)
    pieces: list[SetPiece] = field(default_factory=list)

    def track(self, noun: str) -> ThingTrack | None:
        return next((t for t in self.tracks if t.noun == noun or t.key == noun), None)

    def piece(self, kind: str) -> SetPiece | None:
        return next((p for p in self.pieces if p.kind == kind), None)


def thing_colour(actor: PlanActor) -> RGB:
    for c in actor.colours:
        if c in COLOUR_NAMES:
            return COLOUR_NAMES[c]
    return DEFAULT_COLOURS.get(actor.noun, hex_rgb("9a9a9a"))


class _ThingPlanner:
    def __init__(self, plan: ScenePlan, layout: Layout, camera: CameraRig, fps: int, frames: int, rec,
                 rng: np.random.Generator, people: dict[str, np.ndarray] | None = None, beats: list[Beat] | None = None) -> None:
        self.people = people or {}
        self.beats = list(beats or [])
        self.plan, self.L, self.cam, self.fps, self.n, self.rec, self.rng = plan, layout, camera, fps, frames, rec, rng
        self.depth = ACTION_DEPTH
        self.fig = layout.figure_h
        vx0, _, vx1, _ = camera.visible_rect(ACTION_DEPTH)
        self.vx0, self.vx1 = vx0, vx1
        self.things = Things()

    def at(self, u: float) -> float:
        return self.vx0 + u * (self.vx1 - self.vx0)

    def frame(self, u: float) -> int:
        return max(1, min(self.n - 1, int(round(u * self.n))))

    def plan_all(self, person_slots: int) -> Things:
        actors = [a for a in self.plan.actors if a.kind in ("animal", "object") and a.noun not in ("door",)]
        wanted = {a.source for p in self.plan.actors for a in p.actions} | {a.onto for p in self.plan.actors for a in p.actions}
        for a in actors:
            if a.noun == "window":
                wanted.add("window")
        # Things stand to the right of the people; a set piece and what comes from it share a place.
        slots = [0.5] if not person_slots else [0.72]
        slots += [0.3, 0.82, 0.18, 0.6]
        window_beat = next((b for b in self.beats if b.verb == "open" and b.thing == "window"), None)
        if "window" in wanted:
            wx = window_beat.x if window_beat is not None else self.at(0.38 if person_slots == 0 else 0.7)
            self.things.pieces.append(SetPiece("window", wx, 0.5 * self.fig,
                                               WINDOW_SILL * self.fig, 0.55 * self.fig, np.zeros(self.n)))
        if "table" in wanted:
            self.things.pieces.append(SetPiece("table", self.at(0.5 if person_slots == 0 else 0.7), 0.55 * self.fig,
                                               TABLE_TOP * self.fig, 0.0))
        k = 0
        for a in actors:
            if a.noun == "window":
                self._window(a)
                continue
            if any(b.thing == a.key and b.verb != "open" for b in self.beats):
                # Kicked, thrown, caught: it goes where the people send it, when they touch it.
                self.things.tracks.append(self._acted_on(a))
                continue
            if a.position == "hands":
                track = self._held(a)
                if track is not None:
                    self.things.tracks.append(track)
                continue
            src = next((x.source for x in a.actions if x.source), None)
            piece = self.things.piece(src) if src else None
            x0 = piece.x if piece is not None else self.at(slots[k % len(slots)])
            if piece is None:
                k += 1
            track = getattr(self, "_" + a.noun, self._generic)(a, x0, piece)
            self.things.tracks.append(track)
        return self.things

    # -- helpers

    def _held(self, a: PlanActor) -> ThingTrack | None:
        """A thing in someone's hands: it goes with them, and from giver to receiver when handed over."""
        giver = receiver = None
        for p in self.plan.actors:
            for act in p.actions:
                if act.target == a.key and act.verb in ("give", "hold", "open"):
                    giver = giver or p.key
                    if act.verb == "give":
                        receiver = act.recipient
        xs_from = self.people.get(giver or "")
        if xs_from is None:
            return None
        xs_to = self.people.get(receiver or "", xs_from)
        t = self._new(a, float(xs_from[0]))
        start, end = self.frame(0.3), self.frame(0.6)
        for i in range(self.n):
            u = 0.0 if receiver is None else min(1.0, max(0.0, (i - start) / max(1, end - start)))
            u = u * u * (3 - 2 * u)
            side = 0.18 * self.fig * (1 if xs_to[i] >= xs_from[i] else -1) * (1 - 2 * u) if receiver else 0.15 * self.fig
            t.x[i] = xs_from[i] + (xs_to[i] - xs_from[i]) * u + side
            t.h[i] = (0.85 if a.noun == "umbrella" else 0.5) * self.fig
        if a.noun == "umbrella":
            opens = any(x.verb == "open" for p in self.plan.actors for x in p.actions if x.target == a.key)
            if opens:
                i0 = self.frame(0.3)
                L = max(2, int(round(0.3 * self.fps)))
                for j in range(self.n):
                    t.state[j] = min(1.0, max(0.0, (j - i0) / L))
                self._event(i0, "open", t, 0.8)
            else:
                t.state[:] = 1.0
        return t

    def _new(self, a: PlanActor, x0: float) -> ThingTrack:
        size = SIZES.get(a.noun, 0.1) * self.fig * (0.7 if "small" in a.look else 1.3 if "big" in a.look else 1.0)
        return ThingTrack(a.key, a.noun, thing_colour(a), self.depth, size, np.full(self.n, float(x0)), np.zeros(self.n),
                          np.zeros(self.n), 1 if self.rng.random() < 0.5 else -1, np.zeros(self.n))

    def _event(self, i: int, action: str, t: ThingTrack, strength: float = 1.0, puff: float = 0.0) -> None:
        kind = event_sound(action, t.noun)
        if kind:
            self.rec.add(i, kind, strength, float(t.x[i]), t.depth, t.key, puff=puff)

    def _drop(self, t: ThingTrack, start: int, h0: float, bounce: float, action: str, dx: float = 0.0) -> int:
        """Fall from h0 at frame ``start`` (then bounce with restitution ``bounce``); the first contact frame."""
        g = 2 * 0.8 * self.fig / 0.45 ** 2
        t_fall = math.sqrt(2 * h0 / g)
        contacts = [(start / self.fps + t_fall, math.sqrt(2 * g * h0))]
        v = contacts[0][1]
        while bounce > 0 and v * bounce > 0.2 * contacts[0][1]:
            v *= bounce
            contacts.append((contacts[-1][0] + 2 * v / g, v))
        first = None
        seen: set[int] = set()
        x_start = float(t.x[start])
        for i in range(start, self.n):
            tt = i / self.fps
            t.x[i] = x_start + dx * min(tt - start / self.fps, 3.0)
            if tt < contacts[0][0]:
                t.h[i] = h0 - 0.5 * g * (tt - start / self.fps) ** 2
                continue
            h = 0.0
            for ci, (tc, v) in enumerate(contacts):
                nxt = contacts[ci + 1][0] if ci + 1 < len(contacts) else math.inf
                if tc <= tt < nxt:
                    if ci not in seen:
                        seen.add(ci)
                        if first is None:
                            first = i
                        t.squash[i] = v / contacts[0][1]
                        self._event(i, "bounce" if ci > 0 else action, t, v / contacts[0][1], puff=0.3 * t.size)
                        break
                    vb = v * bounce
                    h = max(0.0, vb * (tt - tc) - 0.5 * g * (tt - tc) ** 2) if ci + 1 < len(contacts) else 0.0
                    break
            t.h[i] = h
        return first if first is not None else self.n

    # -- animals

    def _cat(self, a: PlanActor, x0: float, piece: SetPiece | None) -> ThingTrack:
        t = self._new(a, x0)
        verbs = a.verbs
        if piece is not None:
            t.h[:] = piece.bottom
        if "jump_down" in verbs or ("jump" in verbs and piece is not None):
            start = self.frame(0.3)
            air = max(3, int(round(0.45 * self.fps)))
            land_x = x0 + t.facing * 0.45 * self.fig
            h0 = float(t.h[0])
            for i in range(start, self.n):
                u = min(1.0, (i - start) / air)
                t.x[i] = x0 + (land_x - x0) * u
                t.h[i] = max(0.0, h0 * (1 - u) + 0.25 * self.fig * 4 * u * (1 - u))
                t.state[i] = 1.0 if u < 1 else 0.0  # stretched in the air
                if i == start + air:
                    self._event(i, "jump_down", t, 0.8, puff=0.35 * t.size)
            return t
        if "jump" in verbs:
            start = self.frame(0.3)
            air = max(3, int(round(0.4 * self.fps)))
            for i in range(start, min(self.n, start + air + 1)):
                u = (i - start) / air
                t.h[i] = 0.3 * self.fig * 4 * u * (1 - u)
                if i == start + air:
                    self._event(i, "jump", t, 0.7)
            return t
        return self._move(t, a)

    def _dog(self, a: PlanActor, x0: float, piece: SetPiece | None) -> ThingTrack:
        return self._cat(a, x0, piece)

    def _move(self, t: ThingTrack, a: PlanActor) -> ThingTrack:
        verbs = a.verbs
        speed = {"run": 0.5, "walk": 0.18, "fly": 0.35, "drive": 0.6, "roll": 0.25}.get(next(
            (v for v in verbs if v in ("run", "walk", "fly", "drive", "roll")), ""), 0.0) * (self.vx1 - self.vx0)
        chasing = next((x.target for x in a.actions if x.verb == "run" and x.target), None)
        if chasing:
            t.x[:] = self.at(0.15 if t.facing > 0 else 0.85)
        if speed:
            span = self.vx1 - self.vx0 + 2 * t.size
            for i in range(self.n):
                x = float(t.x[0]) + t.facing * speed * i / self.fps
                t.x[i] = self.vx0 - t.size + (x - self.vx0 + t.size) % span
                t.state[i] = (i / self.fps * (6.0 if "fly" in verbs else 3.0)) % 1.0
        if "sleep" in verbs or "sit" in verbs:
            t.state[:] = -1.0  # curled up
        return t

    def _bird(self, a: PlanActor, x0: float, piece: SetPiece | None) -> ThingTrack:
        t = self._new(a, x0)
        fly = "fly" in a.verbs or "jump" in a.verbs or not a.verbs
        h0 = piece.bottom if piece is not None else 0.0
        start = self.frame(0.25) if piece is not None else 0
        speed = 0.3 * (self.vx1 - self.vx0)
        for i in range(self.n):
            t.h[i] = h0
            if fly and i >= start:
                tt = (i - start) / self.fps
                t.x[i] = x0 + t.facing * speed * tt
                t.h[i] = h0 + min(1.0, tt / 0.6) * (1.1 * self.fig - h0) + 0.05 * self.fig * math.sin(2 * math.pi * tt)
                t.state[i] = (tt * 5.0) % 1.0
        return t

    # -- things people act on

    GRAVITY = 2 * 0.8 / 0.45 ** 2
    """Figure heights per second squared: a dropped thing falls 0.8 figure heights in 0.45 s."""

    def _acted_on(self, a: PlanActor) -> ThingTrack:
        """A ball kicked or pushed (it rolls away from whoever touched it, from that frame), thrown (it leaves
        the hand and flies in an arc, to the catcher's hands or onto the floor, bouncing) or caught (held)."""
        beats = sorted((b for b in self.beats if b.thing == a.key), key=lambda b: b.frame)
        t = self._new(a, beats[0].x)
        r = t.size / 2
        n, fps = self.n, self.fps
        g = self.GRAVITY * self.fig
        kick = next((b for b in beats if b.verb in ("kick", "push")), None)
        throw = next((b for b in beats if b.verb == "throw"), None)
        catch = next((b for b in beats if b.verb == "catch"), None)
        held = np.zeros(n, bool)

        def hold(b: Beat, frames) -> None:
            for i in frames:
                hx, hh = b.hold[i]
                if np.isfinite(hx):
                    t.x[i], t.h[i] = hx + b.direction * 0.3 * r, max(0.0, hh - r)  # just ahead of the hand
                    held[i] = True

        put = next((b for b in beats if b.verb in ("drop", "pick_up", "put_down")), None)
        if put is not None and kick is None and throw is None:
            return self._put(a, t, put, hold, held)
        if kick is not None:
            # It rests just ahead of the foot (or the hands) until they reach it, then rolls away, slowing to a stop.
            x0 = kick.x + kick.direction * r
            v0 = (2.4 if kick.verb == "kick" else 1.1) * self.fig
            stop = 1.4 if kick.verb == "kick" else 1.0
            for i in range(n):
                tt = max(0.0, (i - kick.frame) / fps)
                tt = min(tt, stop)
                t.x[i] = x0 + kick.direction * (v0 * tt - 0.5 * v0 / stop * tt * tt)
                t.h[i] = 0.0
            self._event(kick.frame, kick.verb, t, 1.0 if kick.verb == "kick" else 0.5)
            return t
        if throw is not None:
            hold(throw, range(0, throw.frame + 1))
            x0, h0 = float(t.x[throw.frame]), float(t.h[throw.frame])
            self._event(throw.frame, "throw", t, 0.7)
            if catch is not None:
                # To the catcher's hands, arriving on the catch frame.
                tf = (catch.frame - throw.frame) / fps
                x1, h1 = catch.x + catch.direction * 0.3 * r, max(0.0, catch.h - r)
                vx, vy = (x1 - x0) / tf, (h1 - h0 + 0.5 * g * tf * tf) / tf
                for i in range(throw.frame + 1, catch.frame):
                    tt = (i - throw.frame) / fps
                    t.x[i], t.h[i] = x0 + vx * tt, h0 + vy * tt - 0.5 * g * tt * tt
                hold(catch, range(catch.frame, n))
                self._event(catch.frame, "catch", t, 0.9)
                return t
            # Nobody catches it: up, over and down onto the floor ahead, bouncing lower each time.
            tf, reach = 0.75, 1.6 * self.fig
            self._fly(t, throw.frame, x0, h0, throw.direction * reach / tf, (0.5 * g * tf * tf - h0) / tf, g)
            return t
        if catch is not None:
            # Thrown in from off screen, towards the catcher's hands.
            tf = min(0.9, catch.frame / fps)
            s0 = max(0, catch.frame - round(tf * fps))
            tf = (catch.frame - s0) / fps
            x1, h1 = catch.x + catch.direction * 0.3 * r, max(0.0, catch.h - r)
            x0, h0 = x1 + catch.direction * 2.6 * self.fig, 0.9 * self.fig  # from where they face
            vx, vy = (x1 - x0) / tf, (h1 - h0 + 0.5 * g * tf * tf) / tf
            for i in range(n):
                tt = (i - s0) / fps
                if i < s0:
                    t.x[i] = math.nan
                else:
                    t.x[i], t.h[i] = x0 + vx * tt, h0 + vy * tt - 0.5 * g * tt * tt
            hold(catch, range(catch.frame, n))
            self._event(catch.frame, "catch", t, 0.9)
        return t

    def _put(self, a: PlanActor, t: ThingTrack, b: Beat, hold, held) -> ThingTrack:
        """Dropped from the hand (it falls, bounces or breaks where it lands), picked up from the floor
        (it rests there until the hand reaches it, then goes with the hand), or set down (it stays where it was put)."""
        if b.verb == "drop":
            hold(b, range(0, b.frame + 1))
            h0 = float(t.h[b.frame])
            t.h[b.frame:] = h0
            if a.noun == "ball":
                self._drop(t, b.frame, h0, 0.62, "bounce")
            else:
                breaks = a.noun == "glass" or "break" in a.verbs
                first = self._drop(t, b.frame, h0, 0.0, "break" if breaks else "fall")
                if breaks and first < self.n:
                    t.broken_at = first
                    t.state[first:] = 1.0
        elif b.verb == "pick_up":
            hold(b, range(b.frame, self.n))
            t.x[: b.frame] = t.x[b.frame]
            t.h[: b.frame] = 0.0
        else:
            hold(b, range(0, b.frame + 1))
            t.x[b.frame:] = t.x[b.frame]
            t.h[b.frame:] = 0.0
            self._event(b.frame, "put_down", t, 0.6)
        return t

    def _fly(self, t: ThingTrack, start: int, x0: float, h0: float, vx: float, vy: float, g: float,
             bounce: float = 0.55) -> None:
        """Ballistic from frame ``start`` (x0, h0, velocity vx, vy up): lands, bounces with restitution
        ``bounce`` (losing some sideways speed each time), then rolls to a stop; a bounce event on each contact frame."""
        # Contact times and the state after each contact, worked out exactly.
        segs = []  # (t_start, x_start, h_start, vx, vy) of each arc
        ts, xs, hs = 0.0, x0, h0
        first_v = None
        while True:
            # h + vy t - g t^2 / 2 = 0
            tc = (vy + math.sqrt(vy * vy + 2 * g * hs)) / g
            segs.append((ts, xs, hs, vx, vy, tc))
            v_land = vy - g * tc
            first_v = first_v or abs(v_land)
            ts, xs, hs = ts + tc, xs + vx * tc, 0.0
            vy, vx = -v_land * bounce, vx * 0.6
            if vy < 0.22 * first_v or len(segs) > 8:
                break
        roll_t0, roll_x0, roll_v = ts, xs, vx
        roll_stop = 0.8
        seen: set[int] = set()
        for i in range(start + 1, self.n):
            tt = (i - start) / self.fps
            k = next((j for j, sg in enumerate(segs) if sg[0] <= tt < sg[0] + sg[5]), None)
            if k is None:
                u = min(tt - roll_t0, roll_stop)
                t.x[i] = roll_x0 + roll_v * (u - 0.5 * u * u / roll_stop)
                t.h[i] = 0.0
            else:
                s0, sx, sh, svx, svy, _ = segs[k]
                u = tt - s0
                t.x[i], t.h[i] = sx + svx * u, max(0.0, sh + svy * u - 0.5 * g * u * u)
            # The first frame at or past each landing shows it on the floor, squashed, with its sound.
            for j, sg in enumerate(segs):
                land = sg[0] + sg[5]
                if j not in seen and tt >= land:
                    seen.add(j)
                    if tt - land < 1.0 / self.fps:
                        v = abs(sg[4] - g * sg[5]) / first_v
                        t.h[i] = 0.0
                        t.squash[i] = v
                        self._event(i, "bounce", t, v, puff=0.3 * t.size)

    # -- objects

    def _ball(self, a: PlanActor, x0: float, piece: SetPiece | None) -> ThingTrack:
        t = self._new(a, x0)
        verbs = a.verbs
        if "fall" in verbs or "bounce" in verbs:
            h0 = (piece.bottom if piece is not None else 0.9 * self.fig)
            t.h[:] = h0
            start = self.frame(0.12)
            self._drop(t, start, h0, 0.62, "bounce", dx=0.04 * self.fig * t.facing)
        else:
            self._move(t, a)
        return t

    def _fragile(self, a: PlanActor, x0: float, piece: SetPiece | None) -> ThingTrack:
        t = self._new(a, x0)
        verbs = a.verbs
        breaks = "break" in verbs
        if "fall" in verbs:
            h0 = piece.bottom if piece is not None else 0.7 * self.fig
            t.h[:] = h0
            start = self.frame(0.3)
            # it tips off the edge: a little sideways drift while falling
            first = self._drop(t, start, h0, 0.0, "break" if breaks or a.noun == "glass" else "fall", dx=0.12 * self.fig * t.facing)
            if (breaks or a.noun == "glass") and first < self.n:
                t.broken_at = first
                t.state[first:] = 1.0
        elif breaks:
            i = self.frame(0.4)
            t.broken_at = i
            t.state[i:] = 1.0
            self._event(i, "break", t, 1.0)
        return t

    _cup = _fragile
    _glass = _fragile
    _book = _fragile

    def _umbrella(self, a: PlanActor, x0: float, piece: SetPiece | None) -> ThingTrack:
        t = self._new(a, x0)
        if "open" in a.verbs:
            i = self.frame(0.3)
            L = max(2, int(round(0.3 * self.fps)))
            for j in range(self.n):
                t.state[j] = min(1.0, max(0.0, (j - i) / L))
            self._event(i, "open", t, 0.8)
        else:
            t.state[:] = 1.0
        t.h[:] = 0.0
        return t

    def _car(self, a: PlanActor, x0: float, piece: SetPiece | None) -> ThingTrack:
        t = self._new(a, x0)
        t.depth = ACTION_DEPTH * 1.4
        if not a.verbs:
            return t
        a2 = PlanActor(a.key, a.kind, a.noun, actions=a.actions)
        return self._move(t, a2)

    def _generic(self, a: PlanActor, x0: float, piece: SetPiece | None) -> ThingTrack:
        t = self._new(a, x0)
        return self._move(t, a)

    def _window(self, a: PlanActor) -> None:
        piece = self.things.piece("window")
        if piece is None:
            return
        beat = next((b for b in self.beats if b.verb == "open" and b.thing == a.key), None)
        if "open" in a.verbs or beat is not None:
            # Opened by someone who walked up to it: when their hand reaches it.
            i = beat.frame if beat is not None else self.frame(0.3)
            L = max(2, int(round(0.5 * self.fps)))
            for j in range(self.n):
                piece.opening[j] = min(1.0, max(0.0, (j - i) / L))
            self.rec.add(i, event_sound("open", "window") or "door_open", 0.7, piece.x, self.depth, a.key)


def plan_things(plan: ScenePlan, layout: Layout, camera: CameraRig, fps: int, frames: int, rec, rng,
                person_slots: int = 0, people: dict[str, np.ndarray] | None = None,
                beats: list[Beat] | None = None) -> Things:
    """Tracks for every animal and object of ``plan`` (doors are the scenery's), events into ``rec``.

    ``people`` (plan key -> rest x per frame) places what is held or handed over; ``beats`` are the
    moments the choreography's people touch a thing (a kick, a throw, a catch, a window opened).
    """
    return _ThingPlanner(plan, layout, camera, fps, frames, rec, rng, people, beats).plan_all(person_slots)


# ----------------------------------------------------------------------------- drawing


def _P(cam: CameraRig, x: float, y: float, depth: float, i: int) -> tuple[float, float]:
    q = cam.project((x, y), depth, i)
    return (q[0], q[1])


def draw_pieces(frame: np.ndarray, things: Things, layout: Layout, cam: CameraRig, palette, i: int) -> None:
    """Windows and tables, behind the things on them."""
    for p in things.pieces:
        ground = layout.ground_y(ACTION_DEPTH)
        if p.kind == "window":
            x0, x1 = p.x - p.width / 2, p.x + p.width / 2
            y1, y0 = ground - p.bottom, ground - p.bottom - p.height
            frame_c = palette.character(hex_rgb("f1ede2"))
            glass = palette.character(hex_rgb("9cc8e0"))
            pts = [_P(cam, x0, y0, ACTION_DEPTH, i), _P(cam, x1, y0, ACTION_DEPTH, i), _P(cam, x1, y1, ACTION_DEPTH, i),
                   _P(cam, x0, y1, ACTION_DEPTH, i)]
            cv2.fillPoly(frame, [fixed_poly(pts)], frame_c, cv2.LINE_AA, SHIFT)
            inset = 0.06 * p.width
            o = float(p.opening[i]) if p.opening is not None else 0.0
            for side in (0, 1):
                a0 = x0 + inset + side * (p.width / 2 - inset / 2)
                w = p.width / 2 - 1.5 * inset
                w *= 1 - 0.8 * o
                q = [_P(cam, a0, y0 + inset, ACTION_DEPTH, i), _P(cam, a0 + w, y0 + inset, ACTION_DEPTH, i),
                     _P(cam, a0 + w, y1 - inset, ACTION_DEPTH, i), _P(cam, a0, y1 - inset, ACTION_DEPTH, i)]
                cv2.fillPoly(frame, [fixed_poly(q)], glass, cv2.LINE_AA, SHIFT)
            sill = [_P(cam, x0 - inset, y1, ACTION_DEPTH, i), _P(cam, x1 + inset, y1, ACTION_DEPTH, i),
                    _P(cam, x1 + inset, y1 + inset, ACTION_DEPTH, i), _P(cam, x0 - inset, y1 + inset, ACTION_DEPTH, i)]
            cv2.fillPoly(frame, [fixed_poly(sill)], scale(frame_c, 0.8), cv2.LINE_AA, SHIFT)
        elif p.kind == "table":
            wood = palette.character(hex_rgb("8a6242"))
            x0, x1 = p.x - p.width / 2, p.x + p.width / 2
            top = ground - p.bottom
            th = 0.05 * p.width
            cv2.fillPoly(frame, [fixed_poly([_P(cam, x0, top, ACTION_DEPTH, i), _P(cam, x1, top, ACTION_DEPTH, i),
                                             _P(cam, x1, top + th, ACTION_DEPTH, i), _P(cam, x0, top + th, ACTION_DEPTH, i)])],
                         wood, cv2.LINE_AA, SHIFT)
            for lx in (x0 + th, x1 - 2 * th):
                cv2.fillPoly(frame, [fixed_poly([_P(cam, lx, top, ACTION_DEPTH, i), _P(cam, lx + th, top, ACTION_DEPTH, i),
                                                 _P(cam, lx + th, ground, ACTION_DEPTH, i), _P(cam, lx, ground, ACTION_DEPTH, i)])],
                             scale(wood, 0.8), cv2.LINE_AA, SHIFT)


def draw_thing(frame: np.ndarray, t: ThingTrack, layout: Layout, cam: CameraRig, palette, i: int) -> None:
    """One animal or object on frame ``i`` (flat shapes in its colour)."""
    x = float(t.x[i])
    if not np.isfinite(x):
        return
    gx, gy, s = cam.project((x, layout.ground_y(t.depth)), t.depth, i)
    h = float(t.h[i]) * s
    size = t.size * s
    col = palette.character(t.colour)
    dark = scale(col, 0.6)
    st = float(t.state[i])
    base = gy - h
    f = t.facing

    def ell(c, ax, ang, colour):
        cv2.ellipse(frame, fixed(c), fixed((max(0.5, ax[0]), max(0.5, ax[1]))), ang, 0, 360, colour, -1, cv2.LINE_AA, SHIFT)

    if t.noun in ("cat", "dog"):
        body_w, body_h = size * (0.75 if t.noun == "cat" else 0.8), size * 0.32
        if st < 0:  # curled up asleep
            ell((gx, base - body_h * 0.9), (body_w * 0.7, body_h * 0.9), 0, col)
            ell((gx + f * body_w * 0.45, base - body_h * 1.1), (body_h * 0.6, body_h * 0.55), 0, col)
            return
        stretch = 1.25 if st >= 1.0 else 1.0
        leg = size * 0.35 / stretch
        by = base - leg - body_h * 0.5
        for lx in (-0.55, -0.35, 0.35, 0.55):
            swing = math.sin(2 * math.pi * (st if 0 <= st < 1 else 0) + lx * 3) * 0.3 if 0 < st < 1 else 0.0
            x0 = gx + lx * body_w
            cv2.line(frame, fixed((x0, by)), fixed((x0 + swing * leg, base)), dark, max(1, int(size * 0.07)), cv2.LINE_AA, SHIFT)
        ell((gx, by), (body_w * 0.62 * stretch, body_h * 0.55), 0, col)
        hx, hy = gx + f * body_w * 0.62 * stretch, by - body_h * 0.55
        hr = size * (0.2 if t.noun == "cat" else 0.22)
        ell((hx, hy), (hr, hr * 0.9), 0, col)
        if t.noun == "cat":
            for e in (-0.55, 0.45):
                ex = hx + e * hr
                cv2.fillPoly(frame, [fixed_poly([(ex - hr * 0.3, hy - hr * 0.6), (ex + hr * 0.3, hy - hr * 0.6), (ex, hy - hr * 1.4)])],
                             col, cv2.LINE_AA, SHIFT)
            tail = [(gx - f * body_w * 0.6, by), (gx - f * body_w * 0.9, by - body_h), (gx - f * body_w * 0.8, by - body_h * 1.8)]
        else:
            ell((hx - f * hr * 0.1, hy + hr * 0.2), (hr * 0.35, hr * 0.8), 20 * f, dark)  # ear
            ell((hx + f * hr * 0.8, hy + hr * 0.2), (hr * 0.5, hr * 0.35), 0, col)  # snout
            tail = [(gx - f * body_w * 0.6, by), (gx - f * body_w * 0.85, by - body_h * 0.9)]
        cv2.polylines(frame, [fixed_poly(tail)], False, col, max(1, int(size * 0.06)), cv2.LINE_AA, SHIFT)
        ell((hx + f * hr * 0.45, hy - hr * 0.15), (hr * 0.1, hr * 0.12), 0, (30, 30, 30))
    elif t.noun == "bird":
        ell((gx, base - size * 0.4), (size * 0.5, size * 0.3), 0, col)
        ell((gx + f * size * 0.45, base - size * 0.6), (size * 0.22, size * 0.22), 0, col)
        cv2.fillPoly(frame, [fixed_poly([(gx + f * size * 0.62, base - size * 0.65), (gx + f * size * 0.85, base - size * 0.58),
                                         (gx + f * size * 0.62, base - size * 0.52)])], (240, 170, 40), cv2.LINE_AA, SHIFT)
        flap = math.sin(2 * math.pi * st) if st > 0 else -0.2
        cv2.fillPoly(frame, [fixed_poly([(gx - size * 0.2, base - size * 0.45), (gx + size * 0.2, base - size * 0.45),
                                         (gx - f * size * 0.1, base - size * (0.45 + 0.7 * flap))])], dark, cv2.LINE_AA, SHIFT)
    elif t.noun == "ball":
        r = size / 2
        sq = float(t.squash[i]) * 0.28 if t.squash is not None else 0.0
        ell((gx, base - r * (1 - sq)), (r * (1 + sq), r * (1 - sq)), 0, col)
        ell((gx - r * 0.35, base - r * 1.3 * (1 - sq)), (r * 0.22, r * 0.14), -30, mix(col, (255, 255, 255), 0.5))
    elif t.noun in ("cup", "glass", "book"):
        w, hh = (size * 0.8, size) if t.noun != "book" else (size * 1.6, size * 0.45)
        if t.broken_at is not None and i >= t.broken_at:
            rng = np.random.default_rng(abs(hash(t.key)) % (2 ** 32))
            k = i - t.broken_at
            for _ in range(7):
                dx, dy = rng.uniform(-1, 1), rng.uniform(0.2, 1)
                sx = gx + dx * w * (1 + 0.6 * min(k, 4))
                sy = gy - max(0.0, dy * hh * 0.6 * (1 - k / 6)) if k < 6 else gy
                pts = [(sx, sy), (sx + w * 0.25, sy - hh * 0.1), (sx + w * 0.1, sy - hh * 0.3)]
                cv2.fillPoly(frame, [fixed_poly(pts)], col, cv2.LINE_AA, SHIFT)
            return
        pts = [(gx - w / 2, base - hh), (gx + w / 2, base - hh), (gx + w * 0.4, base), (gx - w * 0.4, base)]
        cv2.fillPoly(frame, [fixed_poly(pts)], col, cv2.LINE_AA, SHIFT)
        cv2.polylines(frame, [fixed_poly(pts)], True, dark, 1, cv2.LINE_AA, SHIFT)
    elif t.noun == "umbrella":
        o = st
        top = base - size * 1.5
        cv2.line(frame, fixed((gx, base - size * 0.2)), fixed((gx, top)), (60, 50, 40), max(1, int(size * 0.04)), cv2.LINE_AA, SHIFT)
        half = size * (0.15 + 0.85 * o)
        cv2.ellipse(frame, fixed((gx, top + size * 0.25)), fixed((half, size * 0.35)), 0, 180, 360, col, -1, cv2.LINE_AA, SHIFT)
    elif t.noun == "car":
        L_, H_ = size, size * 0.35
        body = [(gx - L_ / 2, base - H_ * 0.3), (gx + L_ / 2, base - H_ * 0.3), (gx + L_ / 2, base - H_),
                (gx - L_ / 2, base - H_)]
        cv2.fillPoly(frame, [fixed_poly(body)], col, cv2.LINE_AA, SHIFT)
        cab = [(gx - L_ * 0.25, base - H_), (gx + L_ * 0.2, base - H_), (gx + L_ * 0.1, base - H_ * 1.6), (gx - L_ * 0.18, base - H_ * 1.6)]
        cv2.fillPoly(frame, [fixed_poly(cab)], mix(col, (200, 220, 235), 0.6), cv2.LINE_AA, SHIFT)
        for wx in (-0.3, 0.3):
            ell((gx + wx * L_, base - H_ * 0.25), (H_ * 0.28, H_ * 0.28), 0, (35, 35, 38))
    else:
        ell((gx, base - size / 2), (size / 2, size / 2), 0, col)
