"""What happens in a shot, frame by frame: poses, a ball, a door, and the sounds they make.

Everything here is computed before a single pixel is drawn, from the scene's
action words and the shot's seed. Each visible contact (a foot touching down, a
landing, a bounce, a door shutting) becomes a `SoundEvent` on the first frame that
shows it, and the renderer draws exactly the state computed here, so picture and
sound line up by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from studio.domain.model import SoundEvent
from studio.domain.scene import SceneDescription
from studio.engine.sketch.camera import ACTION_DEPTH, CameraRig
from studio.engine.sketch.characters import CharacterLook, Pose, foot_offsets, skeleton
from studio.engine.sketch.layout import Layout, mid_depth
from studio.engine.sketch.things import Beat

PERSON_ACTIONS = ("walk", "run", "sit", "jump", "fall", "wave", "dance")
"""Action words that need someone on screen (a generic figure if the bible has no one)."""


@dataclass
class Actor:
    """One character's performance: a pose for every frame."""

    id: str
    look: CharacterLook
    depth: float
    activity: str
    poses: list[Pose]
    seat_x: float | None = None
    """Rest x of the chair or bench, when the actor sits."""


@dataclass
class BallTrack:
    depth: float
    radius: float
    """Rest pixels at the ball's depth."""
    x: np.ndarray
    """Rest x per frame; NaN while no ball is in play."""
    height: np.ndarray
    """Height of the ball's bottom above the ground, rest pixels."""
    squash: np.ndarray
    """0 round .. 1 fully squashed on a bounce frame."""


@dataclass
class DoorTrack:
    x: float
    """Rest x of the door's centre on the wall."""
    width: float
    height: float
    depth: float
    hinge: int
    """-1: hinged on the left edge, 1: on the right."""
    opening: np.ndarray
    """0 shut .. 1 wide open, per frame."""


@dataclass(frozen=True)
class Puff:
    """A little cloud of dust where something touched the ground."""

    frame: int
    x: float
    y: float
    depth: float
    size: float


@dataclass
class Choreography:
    actors: list[Actor]
    ball: BallTrack | None
    door: DoorTrack | None
    events: tuple[SoundEvent, ...]
    puffs: list[Puff] = field(default_factory=list)
    page_turns: list[tuple[int, int, int]] = field(default_factory=list)
    """(actor index, first frame, length) of each page turned at a desk."""
    door_wanted: bool = False
    things: object = None
    """The plan's animals and objects (`studio.engine.sketch.things.Things`), or None."""


# --------------------------------------------------------------------------- helpers


def lerp_pose(a: Pose, b: Pose, t: float) -> Pose:
    """Blend two poses (angles and offsets); discrete fields come from the nearer one."""
    t = min(1.0, max(0.0, t))

    def m(u, v):
        if isinstance(u, tuple):
            return tuple(x + (y - x) * t for x, y in zip(u, v))
        return u + (v - u) * t

    near = a if t < 0.5 else b
    return Pose(
        x=m(a.x, b.x), facing=near.facing, hip=m(a.hip, b.hip), knee=m(a.knee, b.knee),
        shoulder=m(a.shoulder, b.shoulder), elbow=m(a.elbow, b.elbow), lean=m(a.lean, b.lean),
        lift=m(a.lift, b.lift), tip=m(a.tip, b.tip), sit=m(a.sit, b.sit), head_tilt=m(a.head_tilt, b.head_tilt),
        sway=m(a.sway, b.sway), hair_swing=m(a.hair_swing, b.hair_swing),
    )


def _ease(t: float) -> float:
    t = min(1.0, max(0.0, t))
    return t * t * (3 - 2 * t)


class _Recorder:
    """Collects events and dust puffs, with pan and visibility from the camera."""

    def __init__(self, camera: CameraRig, layout: Layout, frames: int) -> None:
        self.camera = camera
        self.layout = layout
        self.frames = frames
        self.events: list[SoundEvent] = []
        self.puffs: list[Puff] = []

    def screen_x(self, x: float, depth: float, frame: int) -> float:
        return self.camera.project((x, self.layout.ground_y(depth)), depth, frame, shake=False)[0]

    def add(self, frame: int, kind: str, strength: float, x: float, depth: float, source: str, puff: float = 0.0) -> None:
        if not 0 <= frame < self.frames:
            return
        sx = self.screen_x(x, depth, frame)
        W = self.layout.width
        if not -0.02 * W <= sx <= 1.02 * W:
            return  # only what can be seen makes a sound
        pan = max(-1.0, min(1.0, 2.0 * sx / W - 1.0))
        self.events.append(SoundEvent(frame, kind, round(float(strength), 3), round(pan, 3), source))
        if puff > 0:
            self.puffs.append(Puff(frame, x, self.layout.ground_y(depth), depth, puff))


# --------------------------------------------------------------------------- poses


def idle_pose(x: float, t: float, k: float) -> Pose:
    """Standing, facing the camera, breathing."""
    return Pose(x=x, facing=0, hip=(0.02, 0.02), knee=(0.04, 0.04),
                shoulder=(0.12 + 0.015 * math.sin(2 * math.pi * t / 3.7 + k), 0.12 + 0.015 * math.sin(2 * math.pi * t / 3.7 + k + 1)),
                elbow=(0.18, 0.18), head_tilt=0.05 * math.sin(2 * math.pi * t / 4.3 + k))


@dataclass(frozen=True)
class Gait:
    """A walk or a run: how fast, how far each step, how the body moves."""

    cadence: float
    """Steps per second."""
    step: float
    """Step length, rest pixels."""
    hip_amp: float
    knee_amp: float
    elbow: float
    lean: float
    flight: float
    """Airborne height between steps (running), figure units."""
    strength: float

    @property
    def speed(self) -> float:
        return self.cadence * self.step


def make_gait(run: bool, figure_px: float, jitter: float) -> Gait:
    if run:
        return Gait(cadence=2.9 * (1 + 0.04 * jitter), step=0.78 * figure_px, hip_amp=0.62, knee_amp=1.55,
                    elbow=1.5, lean=0.2, flight=0.035, strength=1.0)
    step = 0.36 * figure_px
    return Gait(cadence=1.85 * (1 + 0.05 * jitter), step=step, hip_amp=math.asin(min(0.9, 0.36 / 0.96)),
                knee_amp=0.65, elbow=0.25, lean=0.04, flight=0.0, strength=0.6)


def gait_pose(x: float, phase: float, facing: int, g: Gait) -> Pose:
    """A pose in the walk/run cycle; phase in cycles (two steps per cycle).

    The left heel strikes at phase 0.25 and the right at 0.75 (each leg at its
    most forward, straight).
    """
    s = math.sin(2 * math.pi * phase)
    hip_l, hip_r = g.hip_amp * s, -g.hip_amp * s
    # A leg bends most mid-swing (moving forward) and is straight at heel strike.
    swing_l = max(0.0, math.cos(2 * math.pi * phase))
    swing_r = max(0.0, -math.cos(2 * math.pi * phase))
    knee_l = 0.06 + g.knee_amp * swing_l ** 1.3
    knee_r = 0.06 + g.knee_amp * swing_r ** 1.3
    arm = 0.85 * g.hip_amp
    lift = g.flight * max(0.0, -math.cos(4 * math.pi * (phase - 0.25)))
    return Pose(x=x, facing=facing, hip=(hip_l, hip_r), knee=(knee_l, knee_r),
                shoulder=(-arm * s, arm * s), elbow=(g.elbow, g.elbow), lean=g.lean, lift=lift,
                hair_swing=-facing * 0.01 * (1 + math.cos(4 * math.pi * phase)))


def seated_pose(x: float, t: float, k: float, writing: bool) -> Pose:
    """Sitting facing the camera; a writing hand and a small nod keep it alive."""
    write = 0.12 * math.sin(2 * math.pi * 2.6 * t + k) if writing else 0.0
    return Pose(x=x, facing=0, hip=(math.pi / 2, math.pi / 2), knee=(math.pi / 2, math.pi / 2),
                shoulder=(0.32, 0.36 + write * 0.4), elbow=(-2.5, -2.55 + write), sit=1.0,
                head_tilt=0.06 * math.sin(2 * math.pi * t / 4.1 + k) - 0.04)


# --------------------------------------------------------------------------- the planner


class _Planner:
    def __init__(self, scene: SceneDescription, cast: list[tuple[str, CharacterLook]], layout: Layout,
                 camera: CameraRig, fps: int, frames: int, rng: np.random.Generator,
                 per_actor: dict[str, tuple[str, ...]] | None = None, scene_plan=None) -> None:
        self.scene = scene
        self.base_scene = scene
        self.per_actor = per_actor or {}
        self.scene_plan = scene_plan
        self.cast = cast
        self.layout = layout
        self.camera = camera
        self.fps = fps
        self.n = frames
        self.rng = rng
        self.rec = _Recorder(camera, layout, frames)
        vx0, _, vx1, _ = camera.visible_rect(ACTION_DEPTH)
        self.view = (vx0, vx1)
        self.center = (vx0 + vx1) / 2
        self.page_turns: list[tuple[int, int, int]] = []

    def t(self, i: int) -> float:
        return i / self.fps

    # -- who does what

    def plan(self) -> Choreography:
        acts = self.scene.actions
        actors: list[Actor] = []
        loco = "run" if "run" in acts else ("walk" if "walk" in acts else None)
        direction = 1 if self.rng.random() < 0.5 else -1
        n = len(self.cast)
        spacing = min(0.75 * self.layout.figure_h, 0.6 * self.layout.width / max(1, n))
        jitter = (self.rng.random() - 0.5) * 0.12 * self.layout.width
        vx0, vx1 = self.view
        # Where a walk starts varies with the seed; a group walks in file behind its lead.
        self.lead = vx0 + (0.1 + 0.25 * self.rng.random()) * (vx1 - vx0)
        self.beats: list[Beat] = []
        self.door_plan: tuple[float, int, int] | None = None
        self.staged: dict[str, dict] = {}
        staged = self.staged = self._stage_interactions()
        for k, (cid, look) in enumerate(self.cast):
            kk = float(k) * 1.7 + 0.3
            if cid in staged:
                # Someone who acts on a thing (kicks it, throws it, catches it, opens the door) does that.
                actors.append(self._interact(cid, look, k, kk, staged[cid]))
                continue
            if cid in self.per_actor:
                # Each actor does what the plan says they do, not what anyone in the sentence does.
                self.scene = replace(self.base_scene, actions=self.per_actor[cid])
                acts = self.scene.actions
                loco = "run" if "run" in acts else ("walk" if "walk" in acts else None)
            if loco and "sit" in acts:
                seat = self._stand_x(k, n, spacing, jitter)
                actors.append(self._walk_then_sit(cid, look, k, loco == "run", direction, seat, kk))
            elif loco:
                actors.append(self._locomote(cid, look, k, loco == "run", direction, spacing, kk))
            else:
                x = self._stand_x(k, n, spacing, jitter)
                if "sit" in acts:
                    actors.append(self._sit(cid, look, k, x, kk))
                elif "jump" in acts:
                    actors.append(self._jump_in_place(cid, look, k, x, kk))
                elif "fall" in acts:
                    actors.append(self._fall_in_place(cid, look, k, x, kk, direction))
                elif "dance" in acts:
                    actors.append(self._dance(cid, look, k, x, kk))
                elif "wave" in acts:
                    actors.append(self._wave(cid, look, k, x, kk))
                else:
                    actors.append(self._idle(cid, look, k, x, kk))
        self.scene = self.base_scene
        acts = self.scene.actions
        ball = self._ball() if "ball" in acts else None
        if self.door_plan is not None:
            door = self.door_plan[0]
        else:
            door = self._door(slam="door_open" not in acts) if ("door" in acts or "door_open" in acts) else None
        self._make_beats(actors, staged)
        things = None
        if self.scene_plan is not None:
            from studio.engine.sketch.things import plan_things

            people = {("person" if a.id == "figure" else a.id): np.array([p.x for p in a.poses]) for a in actors}
            things = plan_things(self.scene_plan, self.layout, self.camera, self.fps, self.n, self.rec, self.rng,
                                 person_slots=len(self.cast), people=people, beats=self.beats)
        events = tuple(sorted(self.rec.events, key=lambda e: (e.frame, e.kind, e.source)))
        return Choreography(actors, ball, door, events, self.rec.puffs, self.page_turns,
                            door_wanted="door" in acts or "door_open" in acts, things=things)

    def _stand_x(self, k: int, n: int, spacing: float, jitter: float) -> float:
        if self.staged:
            # Someone kicks, throws or opens something: the others stand back, behind whoever starts it,
            # out of the ball's (or the walker's) way.
            role = next(iter(self.staged.values()))
            others = [i for i, (cid, _) in enumerate(self.cast) if cid not in self.staged]
            j = others.index(k) if k in others else 0
            fig = self.layout.figure_h
            return role["x"] - role["facing"] * (0.45 + 0.3 * j) * fig
        return self.center + jitter + (k - (n - 1) / 2) * spacing

    def _depth(self, k: int) -> float:
        # Later cast members stand a little further back, so a group reads in depth.
        return ACTION_DEPTH + 0.12 * k

    def _fig(self, depth: float, look: CharacterLook) -> float:
        return self.layout.figure_h * self.layout.scale_at(depth) * look.height

    # -- activities

    def _idle(self, cid, look, k, x, kk) -> Actor:
        poses = [idle_pose(x, self.t(i), kk) for i in range(self.n)]
        return Actor(cid, look, self._depth(k), "stands", poses)

    def _wave(self, cid, look, k, x, kk) -> Actor:
        poses = []
        for i in range(self.n):
            p = idle_pose(x, self.t(i), kk)
            raise_ = _ease(self.t(i) / 0.35)
            wag = math.sin(2 * math.pi * 2.2 * self.t(i) + kk) * 0.32 * raise_
            # Upper arm out to the side, forearm up, waving from the elbow.
            poses.append(replace(p, shoulder=(p.shoulder[0], 0.12 + 1.6 * raise_), elbow=(p.elbow[0], 0.18 + 1.2 * raise_ + wag)))
        return Actor(cid, look, self._depth(k), "waves", poses)

    def _dance(self, cid, look, k, x, kk) -> Actor:
        poses = []
        beat = 2.0
        for i in range(self.n):
            t = self.t(i)
            b = math.sin(2 * math.pi * beat * t + kk)
            bounce = 0.5 * (1 + math.cos(4 * math.pi * beat * t / 2 + kk))
            sway = math.sin(math.pi * beat * t + kk)
            poses.append(Pose(x=x, facing=0, hip=(0.25 * bounce, 0.25 * bounce), knee=(0.5 * bounce, 0.5 * bounce),
                              shoulder=(1.3 + 0.9 * b, 1.3 - 0.9 * b), elbow=(0.7, 0.7), sway=0.035 * sway,
                              head_tilt=0.12 * sway, hair_swing=0.02 * sway))
        return Actor(cid, look, self._depth(k), "dances", poses)

    def _sit(self, cid, look, k, x, kk) -> Actor:
        writing = self.scene.indoor or self.scene.place in ("cafe", "library", "classroom", "office")
        poses = [seated_pose(x, self.t(i), kk, writing) for i in range(self.n)]
        if writing:
            self._schedule_pages(k, 0)
        return Actor(cid, look, ACTION_DEPTH, "sits", poses, seat_x=x)

    def _schedule_pages(self, actor_index: int, from_frame: int) -> None:
        period = int(round(self.fps * (3.0 + self.rng.random())))
        length = max(2, int(round(self.fps * 0.5)))
        first = from_frame + int(round(self.fps * (1.2 + self.rng.random())))
        for start in range(first, self.n - length, period):
            self.page_turns.append((actor_index, start, length))

    def _locomote(self, cid, look, k, run, direction, spacing, kk) -> Actor:
        depth = self._depth(k)
        fig = self._fig(depth, look)
        g = make_gait(run, fig, self.rng.random() * 2 - 1)
        vx0, vx1 = self.view
        margin = 0.4 * fig
        span = (vx1 - vx0) + 2 * margin
        lead = self.lead
        start = lead - k * spacing if direction > 0 else (vx1 - (lead - vx0)) + k * spacing
        phase0 = self.rng.random() * 0.5 + 0.27 * k
        rate = g.cadence / 2 / self.fps  # cycles per frame

        # Optional beats layered on the walk: one jump, or a fall that ends it.
        jump_at = int(round(self.n * 0.42)) if "jump" in self.scene.actions else None
        fall_at = int(round(self.n * 0.5)) if "fall" in self.scene.actions and jump_at is None else None
        waving = "wave" in self.scene.actions
        crouch = max(2, int(round(0.15 * self.fps)))
        air = max(3, int(round(0.45 * self.fps)))
        recover = max(2, int(round(0.2 * self.fps)))
        fall_len = max(3, int(round(0.5 * self.fps)))

        poses: list[Pose] = []
        phase, travelled = phase0, 0.0
        prev_phase = None
        fallen_x = None
        for i in range(self.n):
            t = self.t(i)
            in_jump = jump_at is not None and jump_at <= i < jump_at + crouch + air + recover
            falling = fall_at is not None and i >= fall_at
            if i > 0 and not falling:
                travelled += g.speed / self.fps * (0.35 if in_jump and i < jump_at + crouch else 1.0)
                if not in_jump:
                    phase += rate
            x = self._wrap(start + direction * travelled, vx0 - margin, span)
            pose = gait_pose(x, phase, direction, g)
            if in_jump:
                j = i - jump_at
                if j < crouch:
                    c = _ease(j / crouch)
                    pose = lerp_pose(pose, replace(pose, hip=(0.5, 0.1), knee=(1.0, 0.6), lean=0.3, shoulder=(-0.6, -0.5)), c)
                elif j < crouch + air:
                    u = (j - crouch) / air
                    pose = replace(pose, hip=(0.55, -0.15), knee=(0.9, 0.5), lean=0.12, shoulder=(1.8, 1.4),
                                   elbow=(0.4, 0.4), lift=0.28 * 4 * u * (1 - u))
                else:
                    r = (j - crouch - air) / recover
                    landing = replace(pose, hip=(0.45, 0.2), knee=(0.9, 0.5), lean=0.25, shoulder=(0.6, 0.3))
                    pose = lerp_pose(landing, pose, _ease(r))
                if j == crouch + air:
                    self.rec.add(i, "impact", 0.9, x, depth, cid, puff=0.5 * fig)
            if falling:
                j = i - fall_at
                u = min(1.0, j / fall_len)
                if fallen_x is None:
                    fallen_x = x
                slide = g.speed / self.fps * fall_len * 0.5 * (1 - (1 - u) ** 2)
                x = self._wrap(start + direction * (travelled + slide), vx0 - margin, span)
                pose = gait_pose(x, phase, direction, g)
                pose = replace(pose, hip=(0.35, -0.5), knee=(0.2, 0.4), shoulder=(2.2 * u, 1.8 * u), elbow=(0.3, 0.3),
                               lean=0.0, lift=0.0, tip=direction * (math.pi / 2) * u * u)
                if j == fall_len:
                    self.rec.add(i, "impact", 1.0, x + direction * 0.5 * fig, depth, cid, puff=0.9 * fig)
            if waving and not falling:
                wag = math.sin(2 * math.pi * 2.2 * t + kk) * 0.4
                sh = list(pose.shoulder)
                el = list(pose.elbow)
                sh[1], el[1] = 2.7, 0.3 + wag
                pose = replace(pose, shoulder=tuple(sh), elbow=tuple(el))
            poses.append(pose)
            # Heel strikes: the first frame at or past each contact phase.
            if prev_phase is not None and not in_jump and not falling:
                for contact, foot in ((0.25, 0), (0.75, 1)):
                    if math.floor(phase - contact) > math.floor(prev_phase - contact):
                        fx = x + foot_offsets(pose, look)[foot] * fig
                        jitter = 0.92 + 0.16 * ((i * 7 + foot * 3) % 5) / 4
                        self.rec.add(i, "footstep", g.strength * jitter, fx, depth, cid, puff=0.16 * fig * (1.6 if run else 1.0))
            prev_phase = phase
        activity = "runs" if run else "walks"
        if jump_at is not None:
            activity += " and jumps"
        if fall_at is not None:
            activity += " and falls"
        if waving:
            activity += " and waves"
        return Actor(cid, look, depth, activity, poses)

    @staticmethod
    def _wrap(x: float, lo: float, span: float) -> float:
        # Walkers who leave the frame come back in on the other side.
        return lo + (x - lo) % span

    def _walk_then_sit(self, cid, look, k, run, direction, seat, kk) -> Actor:
        depth = ACTION_DEPTH
        fig = self._fig(depth, look)
        g = make_gait(run, fig, self.rng.random() * 2 - 1)
        arrive = max(1, int(round(self.n * 0.45)))
        settle = max(2, int(round(0.4 * self.fps)))
        start = seat - direction * g.speed * arrive / self.fps
        rate = g.cadence / 2 / self.fps
        phase0 = 0.5 * self.rng.random()
        writing = self.scene.indoor or self.scene.place in ("cafe", "library", "classroom", "office")
        poses: list[Pose] = []
        for i in range(self.n):
            t = self.t(i)
            if i < arrive:
                phase = phase0 + rate * i
                x = start + direction * g.speed * i / self.fps
                pose = gait_pose(x, phase, direction, g)
                prev = phase - rate
                if i > 0:
                    for contact, foot in ((0.25, 0), (0.75, 1)):
                        if math.floor(phase - contact) > math.floor(prev - contact):
                            fx = x + foot_offsets(pose, look)[foot] * fig
                            self.rec.add(i, "footstep", g.strength, fx, depth, cid, puff=0.16 * fig)
            else:
                u = (i - arrive) / settle
                seated = seated_pose(seat, t, kk, writing)
                if u < 1:
                    standing = idle_pose(seat, t, kk)
                    pose = lerp_pose(standing, seated, _ease(u))
                    pose = replace(pose, sit=_ease(u))
                else:
                    pose = seated
            poses.append(pose)
        if writing:
            self._schedule_pages(k, arrive + settle)
        return Actor(cid, look, depth, ("runs" if run else "walks") + " and sits", poses, seat_x=seat)

    def _jump_in_place(self, cid, look, k, x, kk) -> Actor:
        depth = self._depth(k)
        fig = self._fig(depth, look)
        crouch = max(2, int(round(0.22 * self.fps)))
        air = max(3, int(round(0.5 * self.fps)))
        recover = max(2, int(round(0.25 * self.fps)))
        rest = max(2, int(round(0.55 * self.fps)))
        cycle = crouch + air + recover + rest
        first = int(round(self.fps * (0.2 + 0.3 * self.rng.random())))
        poses: list[Pose] = []
        for i in range(self.n):
            t = self.t(i)
            base = idle_pose(x, t, kk)
            if i < first:
                poses.append(base)
                continue
            j = (i - first) % cycle
            if j < crouch:
                c = _ease(j / crouch)
                pose = lerp_pose(base, Pose(x=x, facing=0, hip=(0.5, 0.5), knee=(1.1, 1.1), shoulder=(0.5, 0.5), elbow=(0.3, 0.3)), c)
            elif j < crouch + air:
                u = (j - crouch) / air
                pose = Pose(x=x, facing=0, hip=(0.08, 0.08), knee=(0.2, 0.2), shoulder=(2.5, 2.5), elbow=(0.2, 0.2),
                            lift=0.3 * 4 * u * (1 - u), hair_swing=0.0)
            elif j < crouch + air + recover:
                r = (j - crouch - air) / recover
                landing = Pose(x=x, facing=0, hip=(0.45, 0.45), knee=(1.0, 1.0), shoulder=(0.9, 0.9), elbow=(0.3, 0.3))
                pose = lerp_pose(landing, base, _ease(r))
            else:
                pose = base
            if j == crouch + air:
                self.rec.add(i, "impact", 0.9, x, depth, cid, puff=0.5 * fig)
            poses.append(pose)
        return Actor(cid, look, depth, "jumps", poses)

    def _fall_in_place(self, cid, look, k, x, kk, direction) -> Actor:
        depth = self._depth(k)
        fig = self._fig(depth, look)
        start = max(1, int(round(self.n * 0.35)))
        length = max(3, int(round(0.5 * self.fps)))
        poses: list[Pose] = []
        for i in range(self.n):
            t = self.t(i)
            if i < start:
                # Side-on, a little unsteady, before the fall.
                wobble = 0.04 * math.sin(2 * math.pi * 1.5 * t)
                poses.append(Pose(x=x, facing=direction, hip=(0.05, -0.05), knee=(0.05, 0.05), shoulder=(0.3, -0.2),
                                  elbow=(0.3, 0.3), tip=direction * wobble * 0.3))
                continue
            u = min(1.0, (i - start) / length)
            poses.append(Pose(x=x, facing=direction, hip=(0.25, -0.45), knee=(0.2, 0.5), shoulder=(2.4 * u, 2.0 * u),
                              elbow=(0.3, 0.3), tip=direction * (math.pi / 2) * u * u))
            if i - start == length:
                self.rec.add(i, "impact", 1.0, x + direction * 0.5 * fig, depth, cid, puff=0.9 * fig)
        return Actor(cid, look, depth, "falls", poses)

    # -- acting on things: kick, push, throw, catch, open

    def _action_plane(self, x: float, height: float, depth: float, i: int) -> tuple[float, float]:
        """A point ``height`` rest pixels above the ground at (x, depth), as (x, height) on the action plane (frame i)."""
        L, cam = self.layout, self.camera
        qx, qy, _ = cam.project((x, L.ground_y(depth) - height), depth, i, shake=False)
        s, ox, oy = cam.plane(ACTION_DEPTH, i, shake=False)
        fx, fy = cam.focus
        rx, ry = fx + (qx - fx - ox) / s, fy + (qy - fy - oy) / s
        return rx, L.ground_y(ACTION_DEPTH) - ry

    def _limb_point(self, actor: Actor, i: int, limb: str, k: int, ahead: float = 0.0) -> tuple[float, float]:
        """Where a hand ("arm") or a foot ("leg") of ``actor`` is on frame i: (x, height) on the action plane.

        ``ahead`` moves the point forward (figure units), e.g. from the ankle to the toe of the shoe."""
        pose = actor.poses[i]
        sk = skeleton(pose, actor.look)
        size = self._fig(actor.depth, actor.look)
        pt = (sk.arms if limb == "arm" else sk.legs)[k][2]
        return self._action_plane(pose.x + (pt[0] + (pose.facing or 1) * ahead) * size, -pt[1] * size, actor.depth, i)

    def _stage_interactions(self) -> dict[str, dict]:
        """Who does what to which thing, and where everyone stands for it (cast id -> role)."""
        plan = self.scene_plan
        if plan is None:
            return {}
        ids = {("person" if cid == "figure" else cid): cid for cid, _ in self.cast}
        things = {a.key: a for a in plan.actors if a.kind in ("object", "animal")}
        todo = []
        for a in plan.actors:
            cid = ids.get(a.key)
            if cid is None:
                continue
            for act in a.actions:
                t = things.get(act.target or "")
                if t is None:
                    continue
                if act.verb in ("kick", "push", "throw", "catch") and t.noun == "ball":
                    todo.append((cid, act, t))
                    break
                if act.verb in ("drop", "pick_up", "put_down") and t.noun in ("ball", "cup", "glass", "book"):
                    todo.append((cid, act, t))
                    break
                if act.verb == "open" and t.noun in ("door", "window"):
                    todo.append((cid, act, t))
                    break
        if not todo:
            return {}
        vx0, vx1 = self.view
        at = lambda u: vx0 + u * (vx1 - vx0)  # noqa: E731
        d = 1 if self.rng.random() < 0.5 else -1
        fps, n = self.fps, self.n
        staged: dict[str, dict] = {}
        catchers = {cid: act for cid, act, t in todo if act.verb == "catch"}
        for cid, act, t in todo:
            if cid in staged:
                continue
            if act.verb in ("kick", "push"):
                c = min(n - 2, max(round(0.55 * fps), round(0.3 * n)))
                staged[cid] = dict(role=act.verb, thing=t.key, x=at(0.2 if d > 0 else 0.8), facing=d, frame=c)
            elif act.verb == "throw":
                r = min(n - 3, max(round(0.6 * fps), round(0.3 * n)))
                staged[cid] = dict(role="throw", thing=t.key, x=at(0.16 if d > 0 else 0.84), facing=d, frame=r)
                to = next((ids[k] for k in (act.recipient, act.onto) if k in ids and ids[k] != cid), None)
                if to is None:
                    to = next((k for k, c_act in catchers.items() if c_act.target == t.key and k != cid), None)
                if to is not None:
                    catches = to in catchers
                    flight = min(1.0, max(0.5, 0.9 * (vx1 - vx0) / self.layout.width))
                    c = min(n - 2, r + max(2, round(flight * fps)))
                    staged[to] = dict(role="catch" if catches else "receive", thing=t.key, x=at(0.8 if d > 0 else 0.2),
                                      facing=-d, frame=c, thrower=cid)
            elif act.verb == "catch":
                # Caught from someone off screen: the ball comes in from the side they face.
                c = min(n - 2, max(round(1.0 * fps), round(0.5 * n)))
                staged[cid] = dict(role="catch", thing=t.key, x=at(0.62 if d > 0 else 0.38), facing=-d, frame=c, thrower=None)
            elif act.verb == "open":
                staged[cid] = self._stage_opening(cid, t.noun, t.key)
            else:  # drop, pick up, put down: in the middle of the set, side-on
                c = min(n - 2, max(round(0.6 * fps), round(0.35 * n)))
                staged[cid] = dict(role=act.verb, thing=t.key, x=at(0.42 if d > 0 else 0.58), facing=d, frame=c)
        return staged

    def _stage_opening(self, cid: str, noun: str, key: str) -> dict:
        """Walk up to the door (or window) from its latch side; it opens when the hand reaches it."""
        look = dict(self.cast)[cid]
        fig = self._fig(ACTION_DEPTH, look)
        g = make_gait(False, fig, 0.0)
        n, fps = self.n, self.fps
        arrive = max(2, round(0.45 * n))
        reach = max(1, round(0.25 * fps))
        open_at = min(n - 1, arrive + reach)
        vx0, vx1 = self.view
        if noun == "door":
            depth = mid_depth(self.scene.place, self.scene.indoor)
            side = 1 if self.rng.random() < 0.5 else -1
            dx0, _, dx1, _ = self.camera.visible_rect(depth)
            cx = (dx0 + dx1) / 2 + side * 0.2 * (dx1 - dx0)
            self.door_plan = (self._door(slam=False, opener=(cx, side, open_at)), arrive, open_at)
            door = self.door_plan[0]
            latch = door.x - door.hinge * door.width / 2  # the free edge: the hinge is on the far side
            edge, _ = self._action_plane(latch, 0.0, depth, arrive)
            target = edge - side * 0.1 * fig
        else:
            side = 1 if self.rng.random() < 0.5 else -1
            wx = (vx0 + vx1) / 2 + side * 0.22 * (vx1 - vx0)
            self.beats.append(Beat("open", key, "person" if cid == "figure" else cid, open_at, wx, 0.0, side))
            target = wx - side * 0.42 * fig
        start = target - side * g.speed * arrive / fps
        return dict(role="open", thing=key, x=start, target=target, facing=side, frame=arrive, open_at=open_at)

    def _interact(self, cid: str, look: CharacterLook, k: int, kk: float, role: dict) -> Actor:
        depth = self._depth(k)
        if role["role"] == "open":
            return self._walk_and_open(cid, look, depth, kk, role)
        x, f, c = role["x"], role["facing"], role["frame"]
        near = 1 if f > 0 else 0  # the limbs on the camera's side
        far = 1 - near

        def two(a_near: float, a_far: float) -> tuple[float, float]:
            return (a_near, a_far) if near == 0 else (a_far, a_near)

        stand = Pose(x=x, facing=f, hip=two(0.04, -0.04), knee=(0.06, 0.06), shoulder=two(0.1, -0.08), elbow=(0.25, 0.25))
        fps = self.fps
        if role["role"] in ("kick", "push"):
            swing = max(1, round(0.12 * fps))
            wind = max(2, round(0.3 * fps))
            follow = max(1, round(0.15 * fps))
            back = max(2, round(0.45 * fps))
            if role["role"] == "kick":
                ready = replace(stand, hip=two(-0.75, 0.12), knee=two(1.35, 0.15), shoulder=two(-0.5, 0.6), lean=0.02)
                hit = replace(stand, hip=two(0.9, -0.1), knee=two(0.12, 0.1), shoulder=two(0.5, -0.5), lean=-0.12)
                after = replace(stand, hip=two(1.15, -0.12), knee=two(0.3, 0.1), shoulder=two(0.6, -0.6), lean=-0.15)
            else:  # a push: bend over it and shove with both hands
                ready = replace(stand, hip=(1.15, 1.15), knee=(2.1, 2.1), shoulder=(-0.3, -0.3), elbow=(0.9, 0.9), lean=0.85)
                hit = replace(stand, hip=(1.2, 1.2), knee=(2.2, 2.2), shoulder=(0.55, 0.55), elbow=(0.05, 0.05), lean=0.9)
                after = replace(hit, shoulder=(0.65, 0.65), elbow=(0.0, 0.0))
            keys = [(c - swing - wind, stand), (c - swing, ready), (c, hit), (c + follow, after), (c + follow + back, stand)]
        elif role["role"] == "throw":
            swing = max(1, round(0.1 * fps))
            wind = max(2, round(0.35 * fps))
            follow = max(1, round(0.2 * fps))
            back = max(2, round(0.5 * fps))
            hold = replace(stand, shoulder=two(0.55, 0.45), elbow=(1.1, 1.1))
            ready = replace(stand, hip=two(-0.3, 0.3), knee=two(0.3, 0.1), shoulder=two(-1.5, 0.9), elbow=two(0.9, 0.3), lean=-0.12)
            release = replace(stand, hip=two(-0.25, 0.3), knee=two(0.3, 0.1), shoulder=two(2.4, -0.4), elbow=two(0.1, 0.3), lean=0.18)
            after = replace(release, shoulder=two(1.3, -0.5), elbow=two(0.25, 0.3), lean=0.22)
            keys = [(0, hold), (c - swing - wind, hold), (c - swing, ready), (c, release), (c + follow, after),
                    (c + follow + back, stand)]
        elif role["role"] == "catch":
            ready_len = max(2, round(0.4 * fps))
            absorb = max(2, round(0.25 * fps))
            reach = replace(stand, shoulder=(1.5, 1.5), elbow=(0.25, 0.25), lean=0.05)
            held = replace(stand, shoulder=(0.85, 0.85), elbow=(1.25, 1.25))
            keys = [(c - ready_len - max(1, round(0.1 * fps)), stand), (c - max(1, round(0.1 * fps)), reach), (c, reach),
                    (c + absorb, held)]
        elif role["role"] in ("drop", "pick_up", "put_down"):
            bend = max(2, round(0.4 * fps))
            rise = max(2, round(0.5 * fps))
            out = replace(stand, shoulder=two(1.25, -0.1), elbow=two(0.35, 0.25))  # held out in front
            crouch = replace(stand, hip=(1.2, 1.2), knee=(2.2, 2.2), shoulder=two(0.55, 0.3), elbow=two(0.05, 0.3), lean=0.9)
            hold = replace(stand, shoulder=two(0.55, -0.1), elbow=two(1.1, 0.25))
            if role["role"] == "drop":
                let_go = replace(out, shoulder=two(1.05, -0.1), elbow=two(0.25, 0.25))
                keys = [(0, out), (c, out), (c + max(1, round(0.12 * fps)), let_go), (c + rise + bend, stand)]
            elif role["role"] == "pick_up":
                keys = [(c - bend, stand), (c, crouch), (c + max(1, round(0.1 * fps)), crouch), (c + rise, hold)]
            else:
                keys = [(0, hold), (c - bend, hold), (c, crouch), (c + max(1, round(0.1 * fps)), crouch), (c + rise, stand)]
        else:  # receive: faces the thrower, hands ready, but nobody said he catches it
            keys = [(0, stand)]
        poses = []
        for i in range(self.n):
            pose = keys[0][1]
            for (i0, p0), (i1, p1) in zip(keys, keys[1:]):
                if i0 <= i < i1:
                    pose = lerp_pose(p0, p1, _ease((i - i0) / max(1, i1 - i0)))
                    break
                if i >= i1:
                    pose = p1
            poses.append(pose)
        verb = {"kick": "kicks", "push": "pushes", "throw": "throws", "catch": "catches", "receive": "waits for",
                "drop": "drops", "pick_up": "picks up", "put_down": "puts down"}[role["role"]]
        return Actor(cid, look, depth, verb + " the " + role["thing"], poses)

    def _walk_and_open(self, cid: str, look: CharacterLook, depth: float, kk: float, role: dict) -> Actor:
        fig = self._fig(depth, look)
        g = make_gait(False, fig, 0.0)
        arrive, open_at, s = role["frame"], role["open_at"], role["facing"]
        rate = g.cadence / 2 / self.fps
        phase0 = 0.1
        stand = Pose(x=role["target"], facing=s, hip=(0.03, -0.03), knee=(0.06, 0.06), shoulder=(0.1, -0.08), elbow=(0.25, 0.25))
        up = 2.0 if role["thing"] != "door" else 1.35
        reached = replace(stand, shoulder=(up, -0.08) if s < 0 else (-0.08, up), elbow=(0.3, 0.25) if s < 0 else (0.25, 0.3))
        poses: list[Pose] = []
        for i in range(self.n):
            if i < arrive:
                phase = phase0 + rate * i
                x = role["x"] + s * g.speed * i / self.fps
                pose = gait_pose(x, phase, s, g)
                if i > 0:
                    for contact, foot in ((0.25, 0), (0.75, 1)):
                        if math.floor(phase - contact) > math.floor(phase - rate - contact):
                            fx = x + foot_offsets(pose, look)[foot] * fig
                            self.rec.add(i, "footstep", g.strength, fx, depth, cid, puff=0.16 * fig)
                if i == arrive - 1:
                    pose = lerp_pose(pose, stand, 0.5)
            elif i < open_at:
                pose = lerp_pose(stand, reached, _ease((i - arrive) / max(1, open_at - arrive)))
            else:
                pose = reached
            poses.append(pose)
        return Actor(cid, look, depth, "walks to the " + role["thing"] + " and opens it", poses)

    def _make_beats(self, actors: list[Actor], staged: dict[str, dict]) -> None:
        """The moments the things feel: the foot on the ball, the release, the catch (for `things`)."""
        by_id = {a.id: a for a in actors}
        for cid, role in staged.items():
            actor = by_id.get(cid)
            if actor is None or role["role"] in ("open", "receive"):
                continue
            key = "person" if cid == "figure" else cid
            f, c = role["facing"], role["frame"]
            near = 1 if f > 0 else 0
            if role["role"] == "kick":
                x, h = self._limb_point(actor, c, "leg", near, ahead=0.067)
                self.beats.append(Beat("kick", role["thing"], key, c, x, h, f))
            elif role["role"] == "push":
                x, h = self._limb_point(actor, c, "arm", near, ahead=0.02)
                self.beats.append(Beat("push", role["thing"], key, c, x, h, f))
            else:
                hold = np.full((self.n, 2), np.nan)
                # In the hand up to the release (a throw, a drop, setting it down), or from the grab on.
                frames = range(0, c + 1) if role["role"] in ("throw", "drop", "put_down") else range(c, self.n)
                for i in frames:
                    hold[i] = self._limb_point(actor, i, "arm", near)
                x, h = hold[c]
                self.beats.append(Beat(role["role"], role["thing"], key, c, float(x), float(h), f, hold))

    # -- things

    def _ball(self) -> BallTrack:
        depth = ACTION_DEPTH * 0.9
        scale = self.layout.scale_at(depth)
        fig = self.layout.figure_h * scale
        radius = 0.09 * fig
        bx0, _, bx1, _ = self.camera.visible_rect(depth)
        lo, hi = bx0 - radius * 2, bx1 + radius * 2
        g = 2 * 0.8 * fig / 0.45 ** 2  # falls 0.8 figure heights in 0.45 s
        e = 0.8
        vx = (0.2 + 0.08 * self.rng.random()) * self.layout.width
        side = 1 if self.rng.random() < 0.5 else -1
        xs = np.full(self.n, np.nan)
        hs = np.zeros(self.n)
        squash = np.zeros(self.n)
        t0 = 0.1 + 0.4 * self.rng.random()
        T = self.n / self.fps
        while t0 < T:
            h0 = (0.65 + 0.3 * self.rng.random()) * fig
            x0 = lo if side > 0 else hi
            # Contacts: fall from h0, then bounces losing speed each time.
            contacts = []
            v = math.sqrt(2 * g * h0)
            tc = t0 + math.sqrt(2 * h0 / g)
            while not contacts or (v > 0.38 * math.sqrt(2 * g * h0) and tc < T + 1):
                contacts.append((tc, v))
                v *= e
                tc += 2 * v / g
            t_end = (hi - lo) / vx + t0
            first_v = contacts[0][1] if contacts else 1.0
            seen_contacts = set()
            for i in range(int(math.ceil(t0 * self.fps)), min(self.n, int(math.ceil(t_end * self.fps)))):
                t = self.t(i)
                x = x0 + side * vx * (t - t0)
                if t < contacts[0][0]:
                    h = h0 - 0.5 * g * (t - t0) ** 2
                else:
                    h = 0.0
                    for ci, (tc, v) in enumerate(contacts):
                        nxt = contacts[ci + 1][0] if ci + 1 < len(contacts) else math.inf
                        if tc <= t < nxt:
                            vb = v * e
                            h = max(0.0, vb * (t - tc) - 0.5 * g * (t - tc) ** 2)
                            if ci not in seen_contacts:
                                # First frame at or past this contact: show the ball on the ground.
                                seen_contacts.add(ci)
                                h = 0.0
                                squash[i] = min(1.0, v / first_v)
                                self.rec.add(i, "bounce", v / first_v, x, depth, "ball", puff=0.35 * fig * v / first_v)
                            break
                xs[i] = x
                hs[i] = h
            t0 = t_end + 0.3 + 0.5 * self.rng.random()
        return BallTrack(depth, radius, xs, hs, squash)

    def _door(self, slam: bool = True, opener: tuple[float, int, int] | None = None) -> DoorTrack:
        """The door; ``opener`` (centre x, hinge side, first opening frame) places it for whoever walks up and opens it."""
        depth = mid_depth(self.scene.place, self.scene.indoor)
        vx0, _, vx1, _ = self.camera.visible_rect(depth)
        cx = (vx0 + vx1) / 2 + (self.rng.random() - 0.5) * 0.5 * (vx1 - vx0)
        m = self.layout.metre(depth)
        opening = np.zeros(self.n)
        hinge = -1 if self.rng.random() < 0.5 else 1
        n, fps = self.n, self.fps
        open_start, open_len = max(1, round(0.1 * n)), max(2, round(0.55 * fps))
        hold = max(1, round(0.3 * fps))
        slam_len = max(2, round(0.28 * fps))
        slam_start = max(open_start + open_len + hold, round(0.5 * n))
        if slam_start + slam_len >= n:
            open_start = max(1, round(0.08 * n))
            open_len = max(2, round(0.25 * n))
            slam_start = open_start + open_len + max(1, round(0.1 * n))
            slam_len = max(2, round(0.12 * n))
        if opener is not None:
            cx, hinge, open_start = opener  # when the hand that opens it gets there
        if not slam:
            # The plan says it opens: it opens and stays open, and the sound is the latch and the creak.
            for i in range(n):
                u = (i - open_start) / open_len
                opening[i] = 0.0 if u < 0 else (1 - (1 - min(1.0, u)) ** 2)
            self.rec.add(open_start, "door_open", 0.9, cx, depth, "door")
            return DoorTrack(cx, 0.95 * m, 2.1 * m, depth, hinge, opening)
        slam = slam_start + slam_len
        if slam < n:
            for i in range(n):
                if i < open_start:
                    o = 0.0
                elif i < open_start + open_len:
                    u = (i - open_start) / open_len
                    o = 1 - (1 - u) ** 2
                elif i < slam_start:
                    o = 1.0
                elif i < slam:
                    u = (i - slam_start) / slam_len
                    o = 1 - u * u  # swings shut faster and faster: a slam
                else:
                    o = 0.0
                opening[i] = o
            self.rec.add(slam, "door", 1.0, cx, depth, "door", puff=0.5 * m)
        return DoorTrack(cx, 0.95 * m, 2.1 * m, depth, hinge, opening)


def plan_choreography(scene: SceneDescription, cast: list[tuple[str, CharacterLook]], layout: Layout,
                      camera: CameraRig, fps: int, frames: int, rng: np.random.Generator,
                      per_actor: dict[str, tuple[str, ...]] | None = None, scene_plan=None) -> Choreography:
    """Work out every actor's pose, the ball, the door and the sound events for a shot.

    ``per_actor`` (cast id -> action words) gives each actor their own actions;
    ``scene_plan`` adds its animals and objects as moving things with their events.
    """
    return _Planner(scene, cast, layout, camera, fps, frames, rng, per_actor, scene_plan).plan()
