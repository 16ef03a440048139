"""From a shot description to frames: plan once, then draw each frame quickly.

`plan_shot` reads the scene (place, time, weather, actions), sets up the camera
move, works out the choreography and its sound events, shakes the camera on the
impacts, and paints the scenery layers. `ShotRenderer.render_frame` then only
composites the layers where the camera puts them and draws what moves: the
door, the characters, the ball, dust puffs, weather and the vignette.

All randomness comes from ``numpy.random.default_rng([seed, part])``, one stream
per part, so the same seed gives bit-identical frames and changing one part's
drawing never reshuffles another's.
"""

from __future__ import annotations

import math
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

import cv2
import numpy as np

from studio.domain.model import CameraMove, Character, SoundCueKind, SoundEvent
from studio.domain.model import StoryBible
from studio.domain.scene import SceneDescription, describe_scene, with_plan_weather
from studio.domain.scene_plan import ScenePlan
from studio.engine.sketch.camera import ACTION_DEPTH, CameraRig
from studio.engine.sketch.cameo_face import paste_face
from studio.engine.sketch.characters import GENERIC_LOOK, draw_figure, look_for
from studio.engine.sketch.choreography import PERSON_ACTIONS, Choreography, plan_choreography
from studio.engine.sketch.layers import SHIFT, composite, fixed, fixed_poly, solid_row
from studio.engine.sketch.layout import Layout
from studio.engine.sketch.palette import Palette, mix, scale
from studio.engine.sketch.scenery import Scenery, build_scenery
from studio.engine.sketch.things import draw_pieces, draw_thing
from studio.engine.sketch.weather import Weather
from studio.understanding import plan_scene

DUST = (226, 214, 196)
PUFF_FRAMES = 8


@dataclass(frozen=True)
class ShotSpec:
    """What the Sketch engine needs to draw one shot (the engine builds it from a request)."""

    text: str
    width: int
    height: int
    fps: int
    frames: int
    seed: int
    camera: CameraMove = CameraMove.STATIC
    characters: tuple[Character, ...] = ()
    setting: str = ""
    style: str = ""
    ambience_cues: tuple[str, ...] = ()
    faces: tuple[tuple[str, np.ndarray], ...] = field(default=(), compare=False, repr=False)
    """(character id, aligned face crop RGB uint8) of each cameo cast: drawn over that character's head."""

    @classmethod
    def from_request(cls, request) -> "ShotSpec":
        """The spec for a `GenerateRequest`: its resolved shot, canvas, timing and bible."""
        resolved = request.resolved()
        cues = tuple(c.description for c in resolved.sound_cues if c.kind is SoundCueKind.AMBIENCE)
        return cls(resolved.text, request.canvas.width, request.canvas.height, request.fps, request.frames,
                   int(request.seed), resolved.camera, resolved.characters, request.bible.setting,
                   request.bible.style, cues,
                   tuple((ref.character_id, ref.crop) for ref in getattr(request, "cameo_references", ())))


@dataclass
class ShotPlan:
    """Everything decided before drawing: scene, camera, choreography, scenery, weather."""

    spec: ShotSpec
    scene: SceneDescription
    palette: Palette
    layout: Layout
    camera: CameraRig
    choreo: Choreography
    scenery: Scenery
    weather: Weather
    scene_plan: ScenePlan | None = None
    """What the prompt says (actors, actions, place): what this shot draws."""

    @property
    def events(self) -> tuple[SoundEvent, ...]:
        """Every sound event of the shot, in frame order (whoosh included)."""
        return self.choreo.events

    def describe(self) -> str:
        """One line saying what was drawn (the take's composed prompt)."""
        s = self.scene
        where = s.place or "open landscape"
        parts = [f"{where} ({'indoors' if s.indoor else 'outdoors'}) in the {s.time_of_day}"]
        if s.weather != "clear":
            parts[0] += f", {s.weather}"
        people = []
        for a in self.choreo.actors:
            planned = self.scene_plan.actor("person" if a.id == "figure" else a.id) if self.scene_plan else None
            fallback = f"a {planned.noun}" if planned is not None and planned.kind == "person" else "a figure"
            name = next((c.name for c in self.spec.characters if c.id == a.id), fallback)
            people.append(f"{name} {a.activity}")
        if people:
            parts.append("; ".join(people))
        if self.choreo.ball is not None:
            parts.append("a ball bounces")
        if self.choreo.door is not None:
            parts.append("a door opens" if any(e.kind == "door_open" for e in self.events) else "a door opens and slams")
        things = self.choreo.things
        if things is not None:
            for t in things.tracks:
                parts.append(f"a {t.noun}")
        parts.append(f"camera {self.spec.camera.value}")
        line = "Sketch animatic: " + ", ".join(parts)
        if self.spec.style:
            line += f"; style: {self.spec.style}"
        return line


def plan_shot(spec: ShotSpec) -> ShotPlan:
    """Decide everything about a shot; the costly part is painting its layers (once)."""
    if spec.width < 64 or spec.height < 64 or spec.width % 2 or spec.height % 2:
        raise ValueError(f"canvas {spec.width}x{spec.height}: the Sketch engine needs even sides of at least 64")
    if spec.frames < 1:
        raise ValueError("a shot needs at least one frame")
    scene = describe_scene(spec.text, spec.setting, cues=spec.ambience_cues)
    scene_plan = plan_scene(spec.text, StoryBible(spec.characters, setting=spec.setting), spec.characters)
    per_actor: dict[str, tuple[str, ...]] | None = None
    if scene_plan.actors:
        scene, cast, per_actor = scene_from_plan(scene, scene_plan, spec.characters)
    else:
        cast = [(c.id, look_for(c)) for c in spec.characters]
        if not cast and any(a in scene.actions for a in PERSON_ACTIONS):
            cast = [("figure", GENERIC_LOOK)]
    palette = Palette(scene.time_of_day, scene.weather, spec.style, indoor=scene.indoor)
    layout = Layout(spec.width, spec.height)
    camera = CameraRig(spec.camera, spec.width, spec.height, spec.frames, spec.fps)
    rng = lambda part: np.random.default_rng([spec.seed & 0xFFFFFFFF, part])  # noqa: E731
    choreo = plan_choreography(scene, cast, layout, camera, spec.fps, spec.frames, rng(1), per_actor,
                               scene_plan if scene_plan.actors else None)
    whoosh = camera.whoosh()
    if whoosh is not None:
        choreo.events = tuple(sorted(choreo.events + (whoosh,), key=lambda e: (e.frame, e.kind, e.source)))
    camera.set_shakes(choreo.events)
    scenery = build_scenery(scene, palette, layout, camera, rng(2), choreo)
    weather = Weather(scene, palette, layout, camera, rng(3), spec.fps, spec.frames, scenery.ground, scenery.near_top)
    return ShotPlan(spec, scene, palette, layout, camera, choreo, scenery, weather, scene_plan)


# Scene plan words -> the Sketch engine's scenery places and choreography actions.
_PLACE_SCENERY = {"street": "city"}
_PERSON_ACTION = {"walk": "walk", "run": "run", "sit": "sit", "read": "sit", "sleep": "sit", "jump": "jump",
                  "jump_down": "jump", "fall": "fall", "wave": "wave", "dance": "dance"}
_GENERIC_LOOKS = {"man": "short black hair, blue jacket, grey trousers", "woman": "long brown hair, red coat, skirt",
                  "person": "short brown hair, green jacket, jeans"}


def scene_from_plan(scene: SceneDescription, plan: ScenePlan, characters: tuple[Character, ...]):
    """The scene, cast and per-actor actions the Sketch engine draws for a plan with actors.

    The people the plan names (a bible character by name, or a man, a woman, a
    person) get their own actions; characters cast on the shot but not named stand by. Animals and objects are drawn
    from the plan by `studio.engine.sketch.things`.
    """
    place = _PLACE_SCENERY.get(plan.place, plan.place) if plan.place else scene.place
    indoor = plan.indoor if plan.place else scene.indoor
    pieces = {act.source for a in plan.actors for act in a.actions} | {act.onto for a in plan.actors for act in a.actions}
    if plan.place is None and (pieces & {"window", "table", "floor", "sofa"} or plan.has("window")):
        # A window to jump from, a table to fall off: a room, whatever the bible's usual place.
        place, indoor = "room", True
    weather = plan.weather if plan.weather != "clear" else scene.weather
    time = plan.time_of_day if plan.time_of_day != "day" else scene.time_of_day
    cast: list[tuple[str, object]] = []
    per_actor: dict[str, tuple[str, ...]] = {}
    for a in plan.actors:
        if a.kind == "character":
            c = next((c for c in characters if c.id == a.character_id), None)
            if c is None:
                continue
            look = look_for(c)
        elif a.kind == "person":
            words = list(a.look) + [f"{col} coat" for col in a.colours[:1]]
            if a.noun == "person" and not words:
                look = GENERIC_LOOK  # "someone": the same generic figure as ever
            else:
                look = look_for(Character(a.key, a.noun, ", ".join(words + [_GENERIC_LOOKS[a.noun]])))
        else:
            continue
        key = "figure" if a.key == "person" else a.key
        cast.append((key, look))
        per_actor[key] = tuple(dict.fromkeys(_PERSON_ACTION[v] for v in a.verbs if v in _PERSON_ACTION))
    for c in characters:
        if c.id not in per_actor:
            # Cast on the shot but not in its sentence: on set, standing, doing nothing the sentence gave another.
            cast.append((c.id, look_for(c)))
            per_actor[c.id] = ()
    if not any(a.actions for a in plan.actors):
        # No verb understood at all: the old reading of the words keeps people moving (the words are reported).
        for key in per_actor:
            per_actor[key] = tuple(x for x in scene.actions if x in PERSON_ACTIONS)
    actions: list[str] = []
    door = plan.actor("door")
    if door is not None:
        verbs = {act.verb for p in plan.actors for act in p.actions if act.target == "door"} | set(door.verbs)
        actions.append("door" if "close" in verbs else "door_open")
    scene = with_plan_weather(replace(scene, place=place, indoor=indoor, actions=tuple(actions)), weather, time)
    return scene, cast, per_actor


def _vignette(width: int, height: int, strength: float) -> np.ndarray:
    ys = (np.arange(height, dtype=np.float32) - height / 2 + 0.5) / (height / 2)
    xs = (np.arange(width, dtype=np.float32) - width / 2 + 0.5) / (width / 2)
    d = np.sqrt(xs[None, :] ** 2 + ys[:, None] ** 2) / math.sqrt(2)
    t = np.clip((d - 0.35) / 0.65, 0, 1)
    v = 1.0 - strength * t * t * (3 - 2 * t)
    return cv2.cvtColor(np.clip(v * 255 + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2RGB)


def _blend_shape(frame: np.ndarray, box: tuple[float, float, float, float], alpha: float, draw) -> None:
    """Draw with ``draw(img, dx, dy)`` at partial opacity inside a box (only that box is blended)."""
    H, W = frame.shape[:2]
    x0, y0 = max(0, int(box[0]) - 2), max(0, int(box[1]) - 2)
    x1, y1 = min(W, int(math.ceil(box[2])) + 2), min(H, int(math.ceil(box[3])) + 2)
    if x1 <= x0 or y1 <= y0 or alpha <= 0:
        return
    roi = frame[y0:y1, x0:x1]
    over = roi.copy()
    draw(over, x0, y0)
    cv2.addWeighted(over, alpha, roi, 1 - alpha, 0, dst=roi)


class ShotRenderer:
    """Draws the frames of a planned shot; each frame depends only on its index."""

    def __init__(self, plan: ShotPlan) -> None:
        self.plan = plan
        self.W, self.H = plan.layout.width, plan.layout.height
        self.vignette = _vignette(self.W, self.H, plan.palette.grade.vignette)
        self.layers = {layer.name: layer for layer in plan.scenery.layers}
        self.dust = plan.palette.lit(DUST, ACTION_DEPTH)
        self.shadow = tuple(int(v * 0.45) for v in plan.scenery.ground)
        self.faces = dict(plan.spec.faces)

    # -- per-layer placement (also what the parallax tests look at)

    def layer_transform(self, name: str, i: int) -> tuple[float, float, float]:
        """``(scale, tx, ty)`` placing layer ``name`` on frame ``i`` (layer pixel → frame pixel)."""
        layer = self.layers[name]
        return self.plan.camera.layer_affine(layer.depth, layer.origin, i, layer.drift, layer.period)

    def _composite(self, frame: np.ndarray, name: str, i: int, max_row: int | None = None) -> None:
        layer = self.layers.get(name)
        if layer is not None:
            s, tx, ty = self.layer_transform(name, i)
            composite(frame, layer, s, tx, ty, max_row)

    def _hidden_from(self, i: int) -> int:
        """Frame row below which the near ground hides everything behind it."""
        near = self.layers.get("near")
        if near is None:
            return self.H
        return max(0, min(self.H, solid_row(near, *self.layer_transform("near", i))))

    # -- one frame

    def render_frame(self, i: int, out: np.ndarray | None = None) -> np.ndarray:
        """Frame ``i`` as H×W×3 uint8 RGB, written into ``out`` when given."""
        frame = out if out is not None else np.empty((self.H, self.W, 3), np.uint8)
        weather = self.plan.weather
        # Only the rows the near ground leaves open need what lies behind it.
        hidden = self._hidden_from(i)
        self._composite(frame, "sky", i, hidden)
        self._composite(frame, "clouds", i, hidden)
        self._composite(frame, "far", i, hidden)
        weather.draw_behind(frame[:hidden], i)
        self._composite(frame, "mid", i, hidden)
        self._draw_door(frame, i)
        self._composite(frame, "near", i)
        weather.draw_ground(frame, i)
        if self.plan.choreo.things is not None:
            draw_pieces(frame, self.plan.choreo.things, self.plan.layout, self.plan.camera, self.plan.palette, i)
        self._draw_cast(frame, i)
        self._composite(frame, "front", i)
        self._draw_desk_props(frame, i)
        self._draw_puffs(frame, i)
        self._composite(frame, "fore", i)
        weather.draw_front(frame, i)
        cv2.multiply(frame, self.vignette, dst=frame, scale=1 / 255)
        return frame

    def stream(self, *, check: Callable[[], None] | None = None, workers: int | None = None) -> Iterator[np.ndarray]:
        """The shot's frames in order, drawn ahead on up to ``workers`` threads into a few reused buffers.

        Each yielded frame is valid until the next one is asked for (copy it to keep it): a
        shot of any length is drawn in ``workers + 2`` frames of memory. ``check()`` runs
        before each frame is started and before each is yielded (a cancel raises from there).
        """
        n = self.plan.spec.frames
        workers = workers or min(2, os.cpu_count() or 1)
        ring = [np.empty((self.H, self.W, 3), np.uint8) for _ in range(workers + 2)]
        if workers <= 1:
            for i in range(n):
                if check:
                    check()
                yield self.render_frame(i, ring[i % len(ring)])
            return
        pool = ThreadPoolExecutor(workers, thread_name_prefix="sketch-frame")
        try:
            pending: deque = deque()
            started = 0
            for i in range(n):
                # At most workers + 1 frames in flight: the buffer of the frame just yielded is never drawn over.
                while started < n and len(pending) <= workers:
                    if check:
                        check()
                    pending.append(pool.submit(self.render_frame, started, ring[started % len(ring)]))
                    started += 1
                frame = pending.popleft().result()
                if check:
                    check()
                yield frame
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def render(self, frames: np.ndarray | None = None, *, on_frame: Callable[[int], None] | None = None,
               check: Callable[[], None] | None = None, workers: int | None = None) -> np.ndarray:
        """All frames of the shot (N×H×W×3 uint8), drawn on up to ``workers`` threads.

        Frames are independent, and cv2 releases the GIL while it warps and blends,
        so two threads keep both cores busy. ``on_frame(i)`` is still called in
        frame order on the calling thread; ``check()`` runs before each frame is
        started and before each ``on_frame`` (a cancel raises from there).
        """
        n = self.plan.spec.frames
        out = frames if frames is not None else np.empty((n, self.H, self.W, 3), np.uint8)
        workers = workers or min(2, os.cpu_count() or 1)
        if workers <= 1:
            for i in range(n):
                if check:
                    check()
                self.render_frame(i, out[i])
                if on_frame:
                    on_frame(i)
            return out
        pool = ThreadPoolExecutor(workers, thread_name_prefix="sketch-frame")
        try:
            pending: deque = deque()
            started = 0
            for i in range(n):
                while started < n and len(pending) <= workers:
                    if check:
                        check()
                    pending.append(pool.submit(self.render_frame, started, out[started]))
                    started += 1
                pending.popleft().result()
                if check:
                    check()
                if on_frame:
                    on_frame(i)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return out

    # -- what moves

    def _draw_cast(self, frame: np.ndarray, i: int) -> None:
        plan = self.plan
        L, cam = plan.layout, plan.camera
        things: list[tuple[float, int, object]] = [(a.depth, k, a) for k, a in enumerate(plan.choreo.actors)]
        if plan.choreo.ball is not None:
            things.append((plan.choreo.ball.depth, -1, plan.choreo.ball))
        if plan.choreo.things is not None:
            things.extend((t.depth - 0.01, 1000 + j, t) for j, t in enumerate(plan.choreo.things.tracks))
        # Far things first, so nearer ones overlap them.
        for _, k, thing in sorted(things, key=lambda t: (-t[0], t[1])):
            if k < 0:
                self._draw_ball(frame, i)
                continue
            if k >= 1000:
                draw_thing(frame, thing, L, cam, plan.palette, i)
                continue
            actor = thing
            pose = actor.poses[i]
            gx, gy, s = cam.project((pose.x, L.ground_y(actor.depth)), actor.depth, i)
            height = L.figure_h * L.scale_at(actor.depth) * s
            if gx < -height or gx > self.W + height:
                continue
            lying = abs(math.sin(pose.tip))
            w = height * (0.13 + 0.4 * lying) * actor.look.height
            cx = gx + math.copysign(1.0, pose.tip or 1.0) * 0.45 * height * lying if pose.tip else gx
            shrink = 1.0 / (1.0 + 3.0 * pose.lift)
            self._shadow(frame, (cx, gy), (w * shrink, height * 0.028 * shrink + 1), 0.28 * shrink)
            head = draw_figure(frame, actor.look, pose, (gx, gy), height, plan.palette)
            face = self.faces.get(actor.id)
            if face is not None and head is not None:
                paste_face(frame, face, head[0], head[1])

    def _shadow(self, frame: np.ndarray, c: tuple[float, float], axes: tuple[float, float], alpha: float) -> None:
        colour = self.shadow
        box = (c[0] - axes[0], c[1] - axes[1], c[0] + axes[0], c[1] + axes[1])

        def draw(img, dx, dy):
            cv2.ellipse(img, fixed((c[0] - dx, c[1] - dy)), fixed(axes), 0, 0, 360, colour, -1, cv2.LINE_AA, SHIFT)

        _blend_shape(frame, box, alpha, draw)

    def _draw_ball(self, frame: np.ndarray, i: int) -> None:
        plan = self.plan
        ball = plan.choreo.ball
        x = ball.x[i]
        if not np.isfinite(x):
            return
        L, cam = plan.layout, plan.camera
        ground = L.ground_y(ball.depth)
        gx, gy, s = cam.project((float(x), ground), ball.depth, i)
        r = ball.radius * s
        h = float(ball.height[i]) * s
        sq = float(ball.squash[i]) * 0.28
        ax = (r * (1 + sq), r * (1 - sq))
        cy = gy - h - ax[1]
        lift = min(1.0, h / (L.figure_h * 0.8))
        self._shadow(frame, (gx, gy), (r * (1.1 - 0.5 * lift), r * 0.25 * (1.1 - 0.5 * lift)), 0.3 * (1 - 0.6 * lift))
        red = plan.palette.character((222, 68, 60))
        white = plan.palette.character((248, 246, 240))
        cv2.ellipse(frame, fixed((gx, cy)), fixed(ax), 0, 0, 360, red, -1, cv2.LINE_AA, SHIFT)
        # A white band that turns with the distance rolled.
        spin = float(x) / max(1.0, ball.radius)
        band = abs(math.cos(spin))
        cv2.ellipse(frame, fixed((gx, cy)), fixed((ax[0] * max(0.12, band) * 0.55, ax[1] * 0.98)), math.degrees(spin) % 180 * 0.3,
                    0, 360, white, -1, cv2.LINE_AA, SHIFT)
        cv2.ellipse(frame, fixed((gx - ax[0] * 0.35, cy - ax[1] * 0.4)), fixed((ax[0] * 0.22, ax[1] * 0.14)), -30, 0, 360,
                    mix(white, red, 0.3), -1, cv2.LINE_AA, SHIFT)

    def _draw_puffs(self, frame: np.ndarray, i: int) -> None:
        plan = self.plan
        for puff in plan.choreo.puffs:
            age = i - puff.frame
            if not 0 <= age < PUFF_FRAMES:
                continue
            k = age / PUFF_FRAMES
            gx, gy, s = plan.camera.project((puff.x, puff.y), puff.depth, i)
            size = puff.size * s * (0.45 + 0.8 * k)
            blobs = [(-0.55, -0.15, 0.32), (0.55, -0.15, 0.3), (0.0, -0.4, 0.36), (-0.2, -0.05, 0.26), (0.25, -0.02, 0.24)]
            box = (gx - size, gy - size, gx + size, gy + size * 0.3)
            colour = self.dust

            def draw(img, dx, dy, size=size, gx=gx, gy=gy):
                for bx, by, br in blobs:
                    cv2.circle(img, fixed((gx + bx * size - dx, gy + by * size - dy)), max(1, int(br * size * (1 << SHIFT))),
                               colour, -1, cv2.LINE_AA, SHIFT)

            _blend_shape(frame, box, 0.75 * (1 - k) ** 1.4, draw)

    def _draw_door(self, frame: np.ndarray, i: int) -> None:
        plan = self.plan
        door = plan.choreo.door
        if door is None or not plan.scenery.door_colors:
            return
        L, cam = plan.layout, plan.camera
        base = L.ground_y(door.depth)
        o = float(door.opening[i])
        hinge_x = door.x + door.hinge * door.width / 2
        free0 = door.x - door.hinge * door.width / 2
        theta = o * math.radians(78)
        free_x = hinge_x + (free0 - hinge_x) * math.cos(theta)
        bulge = door.width * math.sin(theta) * 0.14  # the free edge swings toward us and looks taller
        top, bottom = base - door.height, base

        def P(x, y):
            q = cam.project((x, y), door.depth, i)
            return (q[0], q[1])

        quad = [P(hinge_x, top), P(free_x, top - bulge), P(free_x, bottom + bulge), P(hinge_x, bottom)]
        panel, inset, knob = plan.scenery.door_colors
        if o > 0:
            panel = tuple(int(v) for v in mix(panel, scale(panel, 0.8), min(1.0, o * 1.5)))
        cv2.fillPoly(frame, [fixed_poly(quad)], panel, cv2.LINE_AA, SHIFT)

        def bilinear(u, v):
            a = (quad[0][0] + (quad[1][0] - quad[0][0]) * u, quad[0][1] + (quad[1][1] - quad[0][1]) * u)
            b = (quad[3][0] + (quad[2][0] - quad[3][0]) * u, quad[3][1] + (quad[2][1] - quad[3][1]) * u)
            return (a[0] + (b[0] - a[0]) * v, a[1] + (b[1] - a[1]) * v)

        for v0, v1 in ((0.08, 0.46), (0.54, 0.92)):
            pts = [bilinear(0.18, v0), bilinear(0.82, v0), bilinear(0.82, v1), bilinear(0.18, v1)]
            cv2.fillPoly(frame, [fixed_poly(pts)], inset, cv2.LINE_AA, SHIFT)
        kc = bilinear(0.88, 0.55)
        kr = max(1.0, door.width * 0.05 * cam.plane(door.depth, i)[0])
        cv2.circle(frame, fixed(kc), max(1, int(kr * (1 << SHIFT))), knob, -1, cv2.LINE_AA, SHIFT)

    def _draw_desk_props(self, frame: np.ndarray, i: int) -> None:
        plan = self.plan
        top = plan.scenery.desk_top
        if top is None or plan.scenery.book is None:
            return
        L, cam = plan.layout, plan.camera
        cover, page = plan.scenery.book
        m = L.metre(ACTION_DEPTH)
        for k, actor in enumerate(plan.choreo.actors):
            if actor.seat_x is None or actor.poses[i].sit < 0.99:
                continue
            x = actor.seat_x
            w, d = m * 0.2, m * 0.1

            def P(px, py):
                q = cam.project((px, py), ACTION_DEPTH, i)
                return (q[0], q[1])

            y = top - m * 0.005
            cv2.fillPoly(frame, [fixed_poly([P(x - w - 3, y - d - 2), P(x + w + 3, y - d - 2), P(x + w + 3, y + 2), P(x - w - 3, y + 2)])],
                         cover, cv2.LINE_AA, SHIFT)
            for side in (-1, 1):
                cv2.fillPoly(frame, [fixed_poly([P(x, y - d), P(x + side * w, y - d), P(x + side * w, y), P(x, y)])], page, cv2.LINE_AA, SHIFT)
            ink = scale(page, 0.75)
            for row in range(3):
                yy = y - d * (0.75 - row * 0.25)
                for side in (-1, 1):
                    cv2.line(frame, fixed(P(x + side * w * 0.15, yy)), fixed(P(x + side * w * 0.8, yy)), ink, 1, cv2.LINE_AA, SHIFT)
            # A page turning: its free edge sweeps over the spine and lifts on the way.
            for who, start, length in plan.choreo.page_turns:
                if who == k and start <= i < start + length:
                    u = (i - start) / length
                    edge = math.cos(math.pi * u) * w
                    lift = math.sin(math.pi * u) * d * 1.6
                    pts = [P(x, y - d), P(x + edge, y - d - lift), P(x + edge, y - lift), P(x, y)]
                    cv2.fillPoly(frame, [fixed_poly(pts)], tuple(int(v) for v in mix(page, (255, 255, 255), 0.4)), cv2.LINE_AA, SHIFT)
                    cv2.polylines(frame, [fixed_poly(pts)], True, ink, 1, cv2.LINE_AA, SHIFT)
            # Hands: one resting, one writing (its motion follows the pose's forearm).
            skin = plan.palette.character(actor.look.skin)
            write = actor.poses[i].elbow[1] + 2.55
            hr = max(1.5, m * 0.045)
            for hx, hy in ((x - w * 0.7, y - d * 0.3), (x + w * (0.55 + write * 1.2), y - d * (0.45 + write * 0.8))):
                q = P(hx, hy)
                cv2.circle(frame, fixed(q), max(1, int(hr * (1 << SHIFT))), skin, -1, cv2.LINE_AA, SHIFT)
            pen_at = P(x + w * (0.55 + write * 1.2), y - d * (0.45 + write * 0.8))
            cv2.line(frame, fixed(pen_at), fixed((pen_at[0] + hr * 1.6, pen_at[1] - hr * 2.2)), (40, 44, 60), max(1, int(hr * 0.45)), cv2.LINE_AA, SHIFT)
