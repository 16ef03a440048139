"""The scenery of a shot, drawn once into parallax layers.

`build_scenery` paints, back to front: the sky (gradient, sun or moon, stars), the
clouds (drifting), the far distance (skyline, hills, sea, mountains), the middle
distance (buildings, a campus, a back wall with windows), the near ground where
the characters stand (road, path, floor, benches, chairs), the desks in front of
anyone sitting, and foreground props that frame the picture. Each layer is as
large as the camera's move over the shot needs (`CameraRig.visible_rect`).

Shapes are flat and clean: two or three tones per object, anti-aliased edges,
colours from the scene's `Palette` (time of day, weather, haze by depth, style).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from studio.domain.scene import SceneDescription
from studio.engine.sketch.camera import ACTION_DEPTH, CameraRig
from studio.engine.sketch.choreography import Choreography
from studio.engine.sketch.layers import Layer, Painter, new_layer_image
from studio.engine.sketch.layout import FAR, FORE, NEAR, SKY, Layout, mid_depth
from studio.engine.sketch.palette import RGB, Palette, hex_rgb, mix, scale

INDOOR_VIEW = {"cafe": "city", "office": "city", "room": "city", "bedroom": "city", "kitchen": "city", "classroom": "hills", "library": "hills"}
"""What the windows of an indoor place look out on."""

FACADES = [hex_rgb(c) for c in ("e3b58f", "c9705a", "f0dfc0", "8fa7a3", "d6a05b", "b5c4cf", "e8cfa4", "a7755c", "c6b8d8", "9fb59a")]
AWNINGS = [hex_rgb(c) for c in ("d64541", "2f6fb0", "3c9d6d", "f2b134", "8e5cb5", "e86a92")]
LIT_WINDOW = hex_rgb("ffd98f")
NIGHT_GLASS = hex_rgb("2a3352")
BEDROOM_QUILT = hex_rgb("4f6fc2")
"""The bedroom's quilt: a deep cornflower blue no other place paints on its back wall (tests look for it)."""
KITCHEN_WORKTOP = (214, 196, 150)
"""The kitchen's worktop: a warm stone no other place paints along its back wall (tests look for it)."""
DAY_GLASS = hex_rgb("a9c9e2")

CLOUD_SPEED = 0.012
"""How fast the clouds drift, in frame widths a second (`WIND_CLOUD_SPEED` in the wind)."""
WIND_CLOUD_SPEED = 0.045
CLOUD_PERIOD = 2.0
"""Frame widths after which a long shot's clouds repeat (`_Builder.clouds`): at `CLOUD_SPEED`
the drift reaches it after CLOUD_PERIOD / CLOUD_SPEED ≈ 167 s, and the sky stops growing there."""


@dataclass
class Scenery:
    """The pre-rendered layers of a shot, back to front, and facts the renderer needs."""

    layers: list[Layer]
    ground: tuple[int, int, int]
    """Colour of the ground where the characters stand (ripples, shadows)."""
    near_top: float
    """Rest y where the near ground begins."""
    desk_top: float | None = None
    """Rest y of the desk or table top in front of sitting characters (None: no desk)."""
    door_colors: tuple[tuple[int, int, int], ...] = ()
    """Panel, inset, knob of the door that opens in this shot."""
    book: tuple[tuple[int, int, int], tuple[int, int, int]] | None = None
    """Cover and page colours of the book on the desk."""
    facts: dict = field(default_factory=dict)

    def layer(self, name: str) -> Layer | None:
        return next((l for l in self.layers if l.name == name), None)


class _Builder:
    def __init__(self, scene: SceneDescription, palette: Palette, layout: Layout, camera: CameraRig,
                 rng: np.random.Generator, choreo: Choreography) -> None:
        self.scene = scene
        self.pal = palette
        self.L = layout
        self.cam = camera
        self.rng = rng
        self.choreo = choreo
        self.W, self.H = layout.width, layout.height
        self.margin = camera.max_shake + 6
        self.night = palette.dark
        self.indoor = scene.indoor
        self.place = scene.place
        self.mid_d = mid_depth(scene.place, scene.indoor)
        self.near_top = layout.ground_y(self.mid_d) + layout.height * 0.012
        # The far distance is stylised: sized by the frame, not by perspective.
        self.far_unit = layout.height * 0.0065
        self.layers: list[Layer] = []
        self.ground: tuple[int, int, int] = (120, 120, 120)
        self.desk_top: float | None = None
        self.door_colors: tuple = ()
        self.book = None
        self.drift = 0.0
        self.facts: dict = {}

    # -- helpers

    def new(self, depth: float, drift: tuple[float, float] = (0.0, 0.0), left: float = 0.0) -> tuple[Painter, tuple[float, float, float, float]]:
        """A painter on a blank layer covering what the camera sees (``left`` pixels more on the left)."""
        x0, y0, x1, y1 = self.cam.visible_rect(depth, self.margin, drift)
        img, origin = new_layer_image(x0 - left, y0, x1, y1)
        return Painter(img, origin), (origin[0], origin[1], origin[0] + img.shape[1], origin[1] + img.shape[0])

    def keep(self, name: str, depth: float, p: Painter, drift: tuple[float, float] = (0.0, 0.0), period: int = 0) -> None:
        layer = Layer(name, depth, p.image, (int(p.ox), int(p.oy)), drift, period)
        if layer.bbox[2] > layer.bbox[0]:
            self.layers.append(layer)

    def lit(self, c: RGB, depth: float) -> tuple[int, int, int]:
        """An outdoor surface (snow whitens what faces the sky: callers use `snowy`)."""
        return self.pal.lit(c, depth)

    def ins(self, c: RGB) -> tuple[int, int, int]:
        return self.pal.interior(c)

    def snowy(self, c: RGB) -> RGB:
        return mix(c, (236, 241, 248), 0.78) if self.scene.weather == "snow" else c

    def m(self, depth: float) -> float:
        return self.L.metre(depth)

    def r(self, a: float = 0.0, b: float = 1.0) -> float:
        return a + (b - a) * float(self.rng.random())

    # -- the whole build

    def build(self) -> Scenery:
        self.sky()
        self.clouds()
        self.far()
        self.mid()
        self.near()
        self.front()
        self.fore()
        return Scenery(self.layers, self.ground, self.near_top, self.desk_top, self.door_colors, self.book,
                       facts={"cloud_drift": self.drift, "mid_depth": self.mid_d, **self.facts})

    # ------------------------------------------------------------------ sky

    def sky(self) -> None:
        p, (x0, y0, x1, y1) = self.new(SKY)
        pal = self.pal
        eye = self.L.eye_y
        top_y = -0.05 * self.H
        rows = np.arange(int(y0), int(y1), dtype=np.float32) + 0.5
        t = np.clip((rows - top_y) / (eye - top_y), 0, 1) ** 1.35
        top = np.asarray(pal.sky_top, np.float32)
        bottom = np.asarray(pal.sky_horizon, np.float32)
        colour = top[None, :] * (1 - t[:, None]) + bottom[None, :] * t[:, None]
        n = min(len(rows), p.image.shape[0])
        p.image[:n, :, :3] = np.clip(colour[:n] + 0.5, 0, 255).astype(np.uint8)[:, None, :]
        p.image[:, :, 3] = 255

        tod = pal.time_of_day
        H, W = self.H, self.W
        sky_at = lambda y: tuple(int(v) for v in colour[min(n - 1, max(0, int(y - y0)))])  # noqa: E731
        if self.night and self.scene.weather in ("clear", "wind"):
            count = int((x1 - x0) * max(0.0, eye - y0) / 2200)
            xs = self.rng.uniform(x0, x1, count)
            ys = self.rng.uniform(y0, eye * 0.9, count)
            sizes = self.rng.uniform(0.4, 1.3, count) * max(1.0, H / 720)
            glow = self.rng.uniform(0.45, 1.0, count)
            for x, y, s, g in zip(xs, ys, sizes, glow):
                fade = 1.0 - max(0.0, (y - eye * 0.5) / (eye * 0.5))
                base = np.asarray(sky_at(y), np.float32)
                c = base + (np.asarray(pal.emissive((255, 250, 235)), np.float32) - base) * g * (0.35 + 0.65 * fade)
                p.circle((x, y), s, tuple(int(v) for v in c))
        if not pal.sunny:
            self.keep("sky", SKY, p)
            return
        r = min(H, W)
        if tod == "night":
            mx, my, mr = W * 0.78, H * 0.15, r * 0.035
            p.glow((mx, my), mr * 6, pal.emissive((70, 80, 120)), 0.6)
            p.circle((mx, my), mr, pal.emissive((246, 240, 214)))
            p.circle((mx + mr * 0.45, my - mr * 0.25), mr * 0.92, sky_at(my))
        else:
            sx, sy, sr, col, glow = {
                "morning": (W * 0.22, eye - H * 0.15, r * 0.05, (255, 236, 196), (255, 200, 140)),
                "day": (W * 0.74, H * 0.13, r * 0.042, (255, 251, 232), (255, 240, 200)),
                "evening": (W * 0.68, eye - H * 0.05, r * 0.075, (255, 196, 120), (255, 140, 80)),
            }[tod]
            p.glow((sx, sy), sr * 9, pal.emissive(glow), 0.42)
            p.circle((sx, sy), sr * 1.35, pal.emissive(mix(col, glow, 0.5)), alpha=1.0)
            p.circle((sx, sy), sr, pal.emissive(col))
        self.keep("sky", SKY, p)

    def clouds(self) -> None:
        """The clouds, drifting across the sky on their own.

        The layer must cover what the camera sees plus how far the clouds drift. Up
        to `CLOUD_PERIOD` frame widths of drift it is drawn that wide; past that
        (a long shot, or wind) the clouds are drawn repeating every period, and
        the drift starts again from the beginning after each — the same pixels,
        so nothing jumps — which keeps the layer's width, and memory, the same for
        a ten-minute shot as for a one-minute one.
        """
        weather = self.scene.weather
        overcast = weather in ("rain", "snow", "fog", "overcast")
        speed = (WIND_CLOUD_SPEED if weather == "wind" else CLOUD_SPEED) * self.W / self.cam.fps
        self.drift = speed
        period = int(math.ceil(CLOUD_PERIOD * self.W))
        repeat = speed * max(0, self.cam.frames - 1) > period
        # a repeating strip is one period wider than the view; the clouds are placed over one period
        p, (x0, y0, x1, y1) = self.new(SKY, left=period) if repeat else self.new(SKY, (speed, 0.0))
        span = period if repeat else x1 - x0
        copies = range(-1, int(math.ceil((x1 - x0) / period)) + 1) if repeat else (0,)
        tod = self.pal.time_of_day
        body, shade = {
            "morning": ((255, 244, 236), (240, 206, 196)),
            "day": ((252, 253, 255), (214, 226, 240)),
            "evening": ((255, 206, 176), (208, 128, 128)),
            "night": ((64, 74, 112), (44, 52, 86)),
        }[tod]
        if overcast:
            grey = 168 if not self.night else 58
            body, shade = (grey + 10, grey + 12, grey + 18), (grey - 22, grey - 20, grey - 12)
        body, shade = self.pal.emissive(body), self.pal.emissive(shade)
        eye = self.L.eye_y
        per_width = 9 if overcast else 3.2
        count = max(2, int(span / self.W * per_width))
        for k in range(count):
            cx = x0 + (k + self.r(0.1, 0.9)) * span / count
            cy = self.r(max(y0, -0.1 * self.H) + 0.06 * self.H, eye - 0.14 * self.H)
            w = self.W * (self.r(0.14, 0.3) if overcast else self.r(0.09, 0.2))
            bumps = self._bumps(w)
            for copy in copies:  # every copy of the period gets the same cloud, so the strip repeats exactly
                at = cx + copy * period
                if at + w >= x0 and at - w <= x1:
                    self._cloud(p, at, cy, w, body, shade, bumps)
        self.keep("clouds", SKY, p, (speed, 0.0), period if repeat else 0)

    def _bumps(self, w: float) -> list[tuple[float, float, float]]:
        """The bumps along a cloud's top: two x offsets from its left shoulder and a radius, in pixels."""
        h = w * 0.28
        bumps = 3 + int(self.rng.integers(0, 3))
        out = []
        for k in range(bumps):
            along, jitter = w * 0.64 * k / max(1, bumps - 1), self.r(-0.04, 0.04) * w
            out.append((along, jitter, h * self.r(0.55, 0.95) * (1.25 if 0 < k < bumps - 1 else 0.9)))
        return out

    def _cloud(self, p: Painter, cx: float, cy: float, w: float, body, shade, bumps: list[tuple[float, float, float]]) -> None:
        h = w * 0.28
        p.rounded_rect(cx - w / 2, cy - h * 0.2, cx + w / 2, cy + h * 0.5, h * 0.35, shade)
        for along, jitter, r in bumps:
            p.circle((cx - w * 0.32 + along + jitter, cy - h * 0.05), r, body)
        p.rounded_rect(cx - w / 2 + h * 0.1, cy - h * 0.25, cx + w / 2 - h * 0.1, cy + h * 0.32, h * 0.3, body)

    # ------------------------------------------------------------------ far

    def far(self) -> None:
        p, rect = self.new(FAR)
        kind = self.place
        if self.indoor:
            kind = INDOOR_VIEW.get(self.place or "", "hills")
        painter = {
            "city": self._far_skyline, "station": self._far_skyline, "office": self._far_skyline,
            "beach": self._far_sea, "forest": self._far_conifers, "mountain": self._far_mountains,
        }.get(kind or "", self._far_hills)
        painter(p, rect)
        self.keep("far", FAR, p)

    def _far_ground(self, p: Painter, rect, colour: RGB) -> None:
        base = self.L.ground_y(FAR)
        p.rect(rect[0], base - 1, rect[2], rect[3], self.lit(self.snowy(colour), FAR))

    def _far_skyline(self, p: Painter, rect) -> None:
        x0, _, x1, _ = rect
        base = self.L.ground_y(FAR)
        m = self.far_unit
        # Two rows of towers: the back row paler, the front row a touch darker.
        for row, (depth_extra, tone) in enumerate(((0.25, hex_rgb("9fb0c8")), (0.0, hex_rgb("8497b6")))):
            x = x0 - self.r(0, 30)
            while x < x1:
                w = m * self.r(7, 16)
                h = m * self.r(14, 42) * (1.15 if row == 0 else 1.0)
                c = self.pal.lit(mix(tone, (120, 130, 160), self.r(0, 0.3)), FAR, haze_extra=depth_extra)
                p.rect(x, base - h, x + w, base + 2, c)
                if self.r() < 0.3:
                    p.line((x + w * 0.5, base - h), (x + w * 0.5, base - h - m * 4), c, max(1.0, m * 0.4))
                if self.night:
                    lit = self.pal.emissive(scale(LIT_WINDOW, 0.55 if row == 0 else 0.75))
                    for wy in np.arange(base - h + m * 2, base - m, m * 2.2):
                        for wx in np.arange(x + m * 1.2, x + w - m * 1.2, m * 2.0):
                            if self.rng.random() < 0.28:
                                p.rect(wx, wy, wx + max(1.0, m * 0.7), wy + max(1.0, m * 0.9), lit)
                x += w + m * self.r(0.5, 4)
        self._far_ground(p, rect, hex_rgb("8e9a8c"))

    def _hill_band(self, p: Painter, rect, base: float, amp: float, colour, trees: float = 0.0, tree_colour=None) -> None:
        x0, _, x1, y1 = rect
        xs = np.linspace(x0, x1, max(8, int((x1 - x0) / 8)))
        ph = self.rng.uniform(0, 2 * np.pi, 3)
        wl = self.W * np.array([0.9, 0.43, 0.21]) * self.r(0.8, 1.3)
        ys = base - amp * (0.55 + 0.3 * np.sin(xs / wl[0] * 2 * np.pi + ph[0]) + 0.12 * np.sin(xs / wl[1] * 2 * np.pi + ph[1])
                           + 0.05 * np.sin(xs / wl[2] * 2 * np.pi + ph[2]))
        pts = list(zip(xs, ys)) + [(x1, y1), (x0, y1)]
        p.poly(pts, colour)
        if trees > 0 and tree_colour is not None:
            for _ in range(int(len(xs) * trees)):
                i = int(self.rng.integers(0, len(xs)))
                r = amp * self.r(0.08, 0.16)
                p.circle((xs[i], ys[i] - r * 0.4), r, tree_colour)

    def _far_hills(self, p: Painter, rect) -> None:
        base = self.L.ground_y(FAR)
        m = self.far_unit
        self._hill_band(p, rect, base - m * 2, m * 22, self.pal.lit(self.snowy(hex_rgb("8fb59a")), FAR, 0.18))
        self._hill_band(p, rect, base + 1, m * 11, self.lit(self.snowy(hex_rgb("7fae7a")), FAR), 0.06,
                        self.lit(self.snowy(hex_rgb("5f9465")), FAR))
        self._far_ground(p, rect, hex_rgb("7fae7a"))

    def _far_conifers(self, p: Painter, rect) -> None:
        x0, _, x1, _ = rect
        base = self.L.ground_y(FAR)
        m = self.far_unit
        for haze, tone, height in ((0.3, hex_rgb("5d8a72"), 30), (0.0, hex_rgb("3f6e55"), 22)):
            c = self.pal.lit(self.snowy(tone), FAR, haze)
            x = x0 - self.r(0, 20)
            while x < x1:
                h = m * self.r(0.6, 1.0) * height
                w = h * self.r(0.32, 0.42)
                p.poly([(x, base - h), (x + w / 2, base + 2), (x - w / 2, base + 2)], c)
                x += w * self.r(0.35, 0.6)
            p.rect(x0, base - m * 2, x1, base + 2, c)
        self._far_ground(p, rect, hex_rgb("3f6e55"))

    def _far_mountains(self, p: Painter, rect) -> None:
        x0, _, x1, y1 = rect
        base = self.L.ground_y(FAR)
        m = self.far_unit
        snow = self.pal.lit((245, 248, 252), FAR, 0.1)
        for haze, tone, height in ((0.35, hex_rgb("8d9bb8"), 70), (0.12, hex_rgb("6f7f9d"), 48)):
            c = self.pal.lit(tone, FAR, haze)
            x = x0 - self.W * self.r(0.05, 0.2)
            while x < x1:
                w = self.W * self.r(0.35, 0.6)
                h = m * height * self.r(0.75, 1.15)
                peak = (x + w * self.r(0.4, 0.6), base - h)
                ridge = [(x, base + 2)]
                for k in range(1, 6):
                    u = k / 6
                    px = x + (peak[0] - x) * u
                    ridge.append((px, base - h * u + self.r(-0.04, 0.04) * h))
                ridge.append(peak)
                for k in range(1, 6):
                    u = k / 6
                    px = peak[0] + (x + w - peak[0]) * u
                    ridge.append((px, peak[1] + h * u + self.r(-0.04, 0.04) * h))
                ridge.append((x + w, base + 2))
                p.poly(ridge, c)
                cap = 0.28
                p.poly([(peak[0] - (peak[0] - x) * cap, peak[1] + h * cap), peak, (peak[0] + (x + w - peak[0]) * cap, peak[1] + h * cap),
                        (peak[0] + (x + w - peak[0]) * cap * 0.4, peak[1] + h * cap * 0.75),
                        (peak[0], peak[1] + h * cap * 1.05), (peak[0] - (peak[0] - x) * cap * 0.5, peak[1] + h * cap * 0.7)],
                       mix(c, snow, 0.85))
                x += w * self.r(0.45, 0.7)
        self._far_ground(p, rect, hex_rgb("7a9a78"))

    def _far_sea(self, p: Painter, rect) -> None:
        x0, _, x1, y1 = rect
        eye = self.L.eye_y
        deep = self.pal.lit(hex_rgb("2f7bb5"), FAR, 0.15)
        shallow = self.pal.lit(hex_rgb("4fb3c8"), FAR, -0.2)
        p.vertical_gradient(eye, y1, deep, shallow)
        p.rect(x0, eye - 1, x1, eye + max(1, self.H * 0.002), self.pal.lit(hex_rgb("cfe6f2"), FAR, 0.2))
        # A distant island on the horizon.
        ix = self.r(x0 + 0.1 * self.W, x1 - 0.2 * self.W)
        iw = self.W * self.r(0.12, 0.22)
        p.ellipse((ix, eye), (iw / 2, self.H * 0.022), 0, self.pal.lit(hex_rgb("5b8a78"), FAR, 0.35), (180, 360))
        sparkle = self.pal.emissive(mix(self.pal.sky_horizon, (255, 255, 255), 0.5)) if not self.night else self.pal.emissive((120, 130, 170))
        for _ in range(int((x1 - x0) / self.W * 70)):
            y = self.r(eye + 4, y1)
            depth_t = (y - eye) / max(1.0, y1 - eye)
            x = self.r(x0, x1)
            length = self.W * 0.012 * (0.4 + depth_t * 1.5)
            p.line((x, y), (x + length, y), sparkle, max(1.0, self.H / 720 * (1 + depth_t)))
        tod = self.pal.time_of_day
        if self.pal.sunny and tod in ("evening", "morning", "night"):
            sx = {"evening": 0.68, "morning": 0.22, "night": 0.78}[tod] * self.W
            glint = self.pal.emissive({"evening": (255, 190, 120), "morning": (255, 228, 190), "night": (220, 220, 200)}[tod])
            for k in range(26):
                y = eye + 3 + k * (y1 - eye) / 26 * self.r(0.8, 1.0)
                w = self.W * 0.02 * (1 + k * 0.12) * self.r(0.5, 1.3)
                p.line((sx - w / 2 + self.r(-8, 8), y), (sx + w / 2, y), glint, max(1.0, self.H / 720 * 1.5))

    # ------------------------------------------------------------------ mid

    def mid(self) -> None:
        p, rect = self.new(self.mid_d)
        if self.indoor:
            self._back_wall(p, rect)
        else:
            painter = {
                "city": self._mid_city, "station": self._mid_station, "university": self._mid_campus,
                "beach": self._mid_beach, "forest": self._mid_forest, "park": self._mid_park, "mountain": self._mid_mountain,
            }.get(self.place or "", self._mid_meadow)
            painter(p, rect)
            if self.choreo.door is not None and self.place not in ("city", "university"):
                self._door_hut(p)
        if self.choreo.door is not None:
            self._doorway(p)
        self.keep("mid", self.mid_d, p)

    def _mid_ground(self, p: Painter, rect, colour: RGB) -> None:
        base = self.L.ground_y(self.mid_d)
        p.rect(rect[0], base, rect[2], rect[3], self.lit(self.snowy(colour), self.mid_d))

    def _windows(self, p: Painter, x0: float, x1: float, y_top: float, y_bottom: float, m: float, cols: int, rows: int, wh: float, ww: float) -> None:
        if cols <= 0 or rows <= 0:
            return
        step_x = (x1 - x0) / cols
        step_y = (y_bottom - y_top) / rows
        glass_day = self.lit(DAY_GLASS, self.mid_d)
        frame = self.lit((245, 240, 230), self.mid_d)
        for r in range(rows):
            for c in range(cols):
                cx = x0 + step_x * (c + 0.5)
                cy = y_top + step_y * (r + 0.5)
                a, b = (cx - ww / 2, cy - wh / 2), (cx + ww / 2, cy + wh / 2)
                if self.night:
                    glass = self.pal.emissive(LIT_WINDOW) if self.rng.random() < 0.45 else self.pal.emissive(NIGHT_GLASS)
                else:
                    glass = glass_day
                p.rect(a[0] - m * 0.08, a[1] - m * 0.08, b[0] + m * 0.08, b[1] + m * 0.08, frame)
                p.rect(a[0], a[1], b[0], b[1], glass)
                if not self.night:
                    p.poly([(a[0], b[1]), (a[0] + ww * 0.45, a[1]), (a[0] + ww * 0.7, a[1]), (a[0] + ww * 0.25, b[1])],
                           mix(glass, (255, 255, 255), 0.25))
                p.rect(a[0] - m * 0.15, b[1], b[0] + m * 0.15, b[1] + m * 0.12, frame)

    def _mid_city(self, p: Painter, rect) -> None:
        x0, y0, x1, _ = rect
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        door = self.choreo.door
        x = x0 - self.r(0, m * 4)
        while x < x1:
            w = m * self.r(6.5, 11)
            storeys = int(self.rng.integers(1, 4)) if self.rng.random() < 0.75 else int(self.rng.integers(5, 9))
            ground_floor = m * 3.8
            h = ground_floor + storeys * m * 3.1
            body = self.lit(self.rng.choice(FACADES), self.mid_d)
            top = base - h
            p.rect(x, top, x + w, base + 1, body)
            p.rect(x - m * 0.25, top - m * 0.35, x + w + m * 0.25, top + m * 0.3, scale(body, 0.8))
            cols = max(1, int(w / (m * 2.3)))
            self._windows(p, x + m * 0.4, x + w - m * 0.4, top + m * 0.7, base - ground_floor - m * 0.2, m, cols, storeys, m * 1.6, m * 1.05)
            # Shopfront: a wide window, an awning and a band of trim.
            trim = scale(body, 0.72)
            p.rect(x, base - ground_floor - m * 0.25, x + w, base - ground_floor + m * 0.1, trim)
            shop_glass = self.pal.emissive(scale(LIT_WINDOW, 0.95)) if self.night else self.lit(mix(DAY_GLASS, (90, 110, 130), 0.35), self.mid_d)
            sx0, sx1 = x + m * 0.6, x + w - m * 2.2
            p.rect(sx0, base - m * 2.6, sx1, base - m * 0.5, shop_glass)
            p.rect(x + w - m * 1.8, base - m * 2.3, x + w - m * 0.7, base, self.lit(scale(body, 0.45), self.mid_d))
            awn = self.lit(self.rng.choice(AWNINGS), self.mid_d)
            ay = base - m * 2.9
            p.poly([(sx0 - m * 0.3, ay - m * 0.5), (sx1 + m * 0.3, ay - m * 0.5), (sx1 + m * 0.6, ay + m * 0.35), (sx0 - m * 0.6, ay + m * 0.35)], awn)
            stripe = mix(awn, (255, 255, 255), 0.7)
            n = max(2, int((sx1 - sx0) / (m * 0.9)))
            for k in range(0, n, 2):
                u0, u1 = k / n, (k + 1) / n
                a0, a1 = sx0 - m * 0.3 + (sx1 - sx0 + m * 0.6) * u0, sx0 - m * 0.3 + (sx1 - sx0 + m * 0.6) * u1
                b0, b1 = sx0 - m * 0.6 + (sx1 - sx0 + m * 1.2) * u0, sx0 - m * 0.6 + (sx1 - sx0 + m * 1.2) * u1
                p.poly([(a0, ay - m * 0.5), (a1, ay - m * 0.5), (b1, ay + m * 0.35), (b0, ay + m * 0.35)], stripe)
            gap = m * (self.r(0.3, 2.5) if self.rng.random() < 0.45 else 0.0)
            if door is not None and x + w <= door.x <= x + w + gap + m:
                gap = 0.0  # no alley where the door is
            x += w + gap
        self._mid_ground(p, rect, hex_rgb("c9c3b8"))
        p.rect(x0, base, x1, base + m * 0.25, self.lit(self.snowy(hex_rgb("a39d94")), self.mid_d))

    def _mid_station(self, p: Painter, rect) -> None:
        x0, _, x1, _ = rect
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        stripe = self.lit(self.rng.choice([hex_rgb("3c9d6d"), hex_rgb("f08a36"), hex_rgb("2f6fb0"), hex_rgb("d64541")]), self.mid_d)
        body = self.lit(hex_rgb("dfe3e8"), self.mid_d)
        dark = self.lit(hex_rgb("3b3f47"), self.mid_d)
        glass = self.pal.emissive(scale(LIT_WINDOW, 0.9)) if self.night else self.lit(hex_rgb("7f9bb3"), self.mid_d)
        # Ballast and rails, then a long train of cars.
        p.rect(x0, base - m * 0.9, x1, base + 1, self.lit(hex_rgb("6f6a64"), self.mid_d))
        steel = self.lit(hex_rgb("b9c0c8"), self.mid_d)
        for ry in (base - m * 0.62, base - m * 0.3):
            p.rect(x0, ry, x1, ry + max(1.0, m * 0.07), steel)
        top = base - m * 4.2
        car = m * 18
        x = x0 - self.r(0, car)
        while x < x1:
            p.rounded_rect(x + m * 0.3, top, x + car - m * 0.3, base - m * 0.9, m * 0.6, body)
            p.rect(x + m * 0.3, base - m * 1.9, x + car - m * 0.3, base - m * 1.4, stripe)
            for k in range(6):
                wx = x + m * (1.6 + k * 2.7)
                if k in (1, 4):
                    p.rect(wx - m * 0.2, top + m * 0.9, wx + m * 1.5, base - m * 1.0, scale(body, 0.88))
                    p.rect(wx + m * 0.05, top + m * 1.1, wx + m * 0.6, top + m * 2.2, glass)
                    p.rect(wx + m * 0.7, top + m * 1.1, wx + m * 1.25, top + m * 2.2, glass)
                else:
                    p.rounded_rect(wx, top + m * 0.9, wx + m * 1.9, top + m * 2.3, m * 0.25, glass)
            p.rect(x + car * 0.2, base - m * 0.95, x + car * 0.35, base - m * 0.5, dark)
            p.rect(x + car * 0.65, base - m * 0.95, x + car * 0.8, base - m * 0.5, dark)
            x += car
        self._mid_ground(p, rect, hex_rgb("8d8780"))

    def _mid_campus(self, p: Painter, rect) -> None:
        x0, _, x1, _ = rect
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        cx = (x0 + x1) / 2 + self.r(-0.15, 0.15) * self.W
        brick = self.lit(hex_rgb("b8654a"), self.mid_d)
        stone = self.lit(hex_rgb("efe3cc"), self.mid_d)
        roof = self.lit(hex_rgb("5d4a57"), self.mid_d)
        h = m * 7.0
        wing = m * 34
        p.rect(cx - wing, base - h, cx + wing, base + 1, brick)
        p.rect(cx - wing - m * 0.3, base - h - m * 0.6, cx + wing + m * 0.3, base - h + m * 0.2, stone)
        p.rect(cx - wing, base - m * 0.8, cx + wing, base + 1, stone)
        for side in (-1, 1):
            self._windows(p, cx + side * m * 6.5 if side > 0 else cx - wing + m, cx + wing - m if side > 0 else cx - m * 6.5,
                          base - h + m * 1.0, base - m * 1.0, m, int((wing - m * 7.5) / (m * 2.6)), 3, m * 1.7, m * 1.1)
        # Portico with columns, and the clock tower above it.
        p.poly([(cx - m * 6, base - h - m * 0.4), (cx + m * 6, base - h - m * 0.4), (cx, base - h - m * 3.2)], stone)
        for k in range(5):
            colx = cx - m * 4.4 + k * m * 2.2
            p.rect(colx - m * 0.35, base - h + m * 0.3, colx + m * 0.35, base - m * 0.8, stone)
        p.rect(cx - m * 1.2, base - m * 3.2, cx + m * 1.2, base, self.lit(hex_rgb("4a3a35"), self.mid_d))
        tower_top = base - h - m * 6.6
        p.rect(cx - m * 2.2, tower_top, cx + m * 2.2, base - h - m * 2.6, brick)
        p.poly([(cx - m * 2.8, tower_top), (cx + m * 2.8, tower_top), (cx, tower_top - m * 4.5)], roof)
        clock_c = (cx, tower_top + m * 3.0)
        p.circle(clock_c, m * 1.55, stone)
        p.circle(clock_c, m * 1.3, self.pal.emissive((250, 246, 230)) if self.night else self.lit((250, 246, 230), self.mid_d))
        hour, minute = {"morning": (8, 40), "day": (12, 15), "evening": (17, 30), "night": (21, 10)}[self.pal.time_of_day]
        ink = self.lit(hex_rgb("2b2b30"), self.mid_d)
        for length, angle in ((m * 0.75, (hour % 12 + minute / 60) / 12), (m * 1.1, minute / 60)):
            a = angle * 2 * math.pi
            p.line(clock_c, (clock_c[0] + math.sin(a) * length, clock_c[1] - math.cos(a) * length), ink, max(1.0, m * 0.16))
        p.circle(clock_c, max(1.0, m * 0.15), ink)
        for tx in (cx - wing - m * 3, cx + wing + m * 3, x0 + self.r(0.02, 0.1) * self.W, x1 - self.r(0.02, 0.1) * self.W):
            self._round_tree(p, tx, base, m * self.r(7, 10), self.mid_d)
        self._mid_ground(p, rect, hex_rgb("88b86e"))

    def _round_tree(self, p: Painter, x: float, base: float, h: float, depth: float, leaf: RGB | None = None) -> None:
        trunk = self.lit(hex_rgb("7a5840"), depth)
        leaf = leaf or self.rng.choice([hex_rgb("5fa463"), hex_rgb("4e9a5e"), hex_rgb("79b05a")])
        if self.scene.weather == "snow":
            leaf = mix(leaf, (230, 236, 244), 0.55)
        dark = self.lit(scale(leaf, 0.82), depth)
        light = self.lit(leaf, depth)
        p.poly([(x - h * 0.045, base), (x + h * 0.045, base), (x + h * 0.03, base - h * 0.55), (x - h * 0.03, base - h * 0.55)], trunk)
        r = h * 0.3
        cy = base - h * 0.68
        p.circle((x - r * 0.55, cy + r * 0.2), r * 0.8, dark)
        p.circle((x + r * 0.6, cy + r * 0.25), r * 0.75, dark)
        p.circle((x, cy - r * 0.15), r, light)
        p.circle((x - r * 0.35, cy - r * 0.35), r * 0.45, self.lit(mix(leaf, (255, 255, 220), 0.18), depth))

    def _conifer(self, p: Painter, x: float, base: float, h: float, depth: float, tone: RGB) -> None:
        c = self.lit(self.snowy(tone) if self.scene.weather == "snow" else tone, depth)
        p.rect(x - h * 0.03, base - h * 0.15, x + h * 0.03, base, self.lit(hex_rgb("6b4a36"), depth))
        for k in range(3):
            w = h * (0.42 - k * 0.1)
            yb = base - h * (0.12 + k * 0.26)
            p.poly([(x - w / 2, yb), (x + w / 2, yb), (x, yb - h * 0.42)], scale(c, 1.0 - 0.06 * k) if k else c)

    def _mid_beach(self, p: Painter, rect) -> None:
        x0, _, x1, _ = rect
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        sea = self.lit(hex_rgb("56bccb"), self.mid_d)
        p.rect(x0, base - m * 1.6, x1, base + 1, sea)
        foam = self.lit((250, 252, 250), self.mid_d)
        xs = np.linspace(x0, x1, max(10, int((x1 - x0) / 10)))
        ph = self.r(0, 6.28)
        wave = base - m * 0.5 + m * 0.25 * np.sin(xs / (m * 3.0) + ph)
        p.poly(list(zip(xs, wave - m * 0.25)) + [(x1, base + 1), (x0, base + 1)], foam)
        p.poly(list(zip(xs, wave + m * 0.05)) + [(x1, base + 1), (x0, base + 1)], self.lit(hex_rgb("d8c096"), self.mid_d))
        self._mid_ground(p, rect, hex_rgb("e9d3a6"))
        for _ in range(int((x1 - x0) / self.W * 2)):
            self._palm(p, self.r(x0, x1), base + m * 0.4, m * self.r(5, 7), self.mid_d)

    def _palm(self, p: Painter, x: float, base: float, h: float, depth: float) -> None:
        trunk = self.lit(hex_rgb("9a7650"), depth)
        lean = h * self.r(-0.2, 0.2)
        pts = [(x + lean * (k / 8) ** 2, base - h * k / 8) for k in range(9)]
        for a, b in zip(pts, pts[1:]):
            p.line(a, b, trunk, max(2.0, h * 0.06))
        top = pts[-1]
        leaf = self.lit(hex_rgb("3f9a55"), depth)
        for k in range(7):
            ang = math.pi * (0.05 + 0.9 * k / 6)
            tip = (top[0] + math.cos(ang) * h * 0.45, top[1] - math.sin(ang) * h * 0.18 + h * 0.12)
            mid = ((top[0] + tip[0]) / 2, min(top[1], tip[1]) - h * 0.08)
            p.poly([top, mid, tip, ((top[0] + tip[0]) / 2, (top[1] + tip[1]) / 2 + h * 0.02)], leaf)

    def _mid_forest(self, p: Painter, rect) -> None:
        x0, y0, x1, _ = rect
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        canopy_dark = self.lit(self.snowy(hex_rgb("2f6b4a")), self.mid_d)
        canopy = self.lit(self.snowy(hex_rgb("3f8456")), self.mid_d)
        x = x0
        while x < x1:
            if self.rng.random() < 0.5:
                self._conifer(p, x, base + 2, m * self.r(9, 14), self.mid_d, hex_rgb("2f6b4a"))
            else:
                w = m * self.r(0.5, 0.9)
                p.rect(x - w / 2, y0, x + w / 2, base + 2, self.lit(hex_rgb("6e5442"), self.mid_d))
                cy = self.r(y0 + 0.05 * self.H, base - m * 9)
                for k in range(3):
                    p.circle((x + self.r(-1.5, 1.5) * m, cy + self.r(-1, 1) * m), m * self.r(2.2, 3.4), canopy_dark if k % 2 else canopy)
            x += m * self.r(2.5, 5)
        self._mid_ground(p, rect, hex_rgb("557a4a"))

    def _mid_park(self, p: Painter, rect) -> None:
        x0, _, x1, _ = rect
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        x = x0 + self.r(0, m * 4)
        while x < x1:
            self._round_tree(p, x, base + 1, m * self.r(6, 9), self.mid_d)
            x += m * self.r(6, 12)
        # A low fence along the far path.
        post = self.lit(hex_rgb("f2ede2"), self.mid_d)
        for k in range(int((x1 - x0) / (m * 1.6)) + 1):
            px = x0 + k * m * 1.6
            p.rect(px - m * 0.08, base - m * 1.0, px + m * 0.08, base + 1, post)
        p.rect(x0, base - m * 0.85, x1, base - m * 0.72, post)
        p.rect(x0, base - m * 0.45, x1, base - m * 0.33, post)
        for _ in range(int((x1 - x0) / self.W * 5)):
            bx = self.r(x0, x1)
            self._bush(p, bx, base + 1, m * self.r(1.2, 2), self.mid_d)
        self._mid_ground(p, rect, hex_rgb("8cc06e"))

    def _bush(self, p: Painter, x: float, base: float, size: float, depth: float) -> None:
        c = self.snowy(hex_rgb("4f9a58"))
        dark = self.lit(scale(c, 0.85), depth)
        light = self.lit(c, depth)
        p.circle((x - size * 0.5, base - size * 0.45), size * 0.55, dark)
        p.circle((x + size * 0.55, base - size * 0.4), size * 0.5, dark)
        p.circle((x, base - size * 0.65), size * 0.7, light)
        p.rect(x - size, base - size * 0.3, x + size, base + 1, dark)

    def _mid_mountain(self, p: Painter, rect) -> None:
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        self._hill_band(p, rect, base + 1, m * 8, self.lit(self.snowy(hex_rgb("6f9c66")), self.mid_d))
        x0, _, x1, _ = rect
        for _ in range(int((x1 - x0) / self.W * 14)):
            self._conifer(p, self.r(x0, x1), base + m * self.r(-1, 1), m * self.r(3, 6), self.mid_d, hex_rgb("356b4c"))
        self._mid_ground(p, rect, hex_rgb("7c9a6a"))

    def _mid_meadow(self, p: Painter, rect) -> None:
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        self._hill_band(p, rect, base + 1, m * 4, self.lit(self.snowy(hex_rgb("86b86c")), self.mid_d))
        x0, _, x1, _ = rect
        for _ in range(int((x1 - x0) / self.W * 3) + 1):
            self._round_tree(p, self.r(x0, x1), base + 1, m * self.r(6, 9), self.mid_d)
        self._mid_ground(p, rect, hex_rgb("8cc06e"))

    def _door_hut(self, p: Painter) -> None:
        """A small cabin for the door when the place has no walls of its own."""
        door = self.choreo.door
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        w = m * 4.2
        wall = self.lit(hex_rgb("c98b5a") if self.place != "beach" else hex_rgb("5bb3c9"), self.mid_d)
        roof = self.lit(hex_rgb("8a4b3c"), self.mid_d)
        x0, x1 = door.x - w / 2, door.x + w / 2
        p.rect(x0, base - m * 2.9, x1, base + 1, wall)
        for k in range(1, 6):
            p.rect(x0, base - m * 2.9 * k / 6, x1, base - m * 2.9 * k / 6 + max(1.0, m * 0.05), scale(wall, 0.85))
        p.poly([(x0 - m * 0.5, base - m * 2.85), (x1 + m * 0.5, base - m * 2.85), (door.x, base - m * 4.6)], roof)

    def _doorway(self, p: Painter) -> None:
        door = self.choreo.door
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        frame = self.ins(hex_rgb("efe8dc")) if self.indoor else self.lit(hex_rgb("efe8dc"), self.mid_d)
        x0, x1 = door.x - door.width / 2, door.x + door.width / 2
        p.rect(x0 - m * 0.15, base - door.height - m * 0.15, x1 + m * 0.15, base, frame)
        inside = self.pal.emissive((120, 86, 52)) if self.night and not self.indoor else (
            self.ins(hex_rgb("3b3340")) if self.indoor else self.lit(hex_rgb("2f2a33"), self.mid_d))
        p.rect(x0, base - door.height, x1, base, inside)
        panel = self.rng.choice([hex_rgb("8a5a3c"), hex_rgb("2f6fb0"), hex_rgb("3c7d5d"), hex_rgb("b5473f")])
        paint = self.ins if self.indoor else (lambda c: self.lit(c, self.mid_d))
        self.door_colors = (paint(panel), paint(scale(panel, 0.85)), paint(hex_rgb("e8c45a")))

    # -- indoors

    def _back_wall(self, p: Painter, rect) -> None:
        x0, y0, x1, y1 = rect
        base = self.L.ground_y(self.mid_d)
        m = self.m(self.mid_d)
        place = self.place
        wall_design = {"cafe": hex_rgb("e9d2b4"), "classroom": hex_rgb("eef0e2"), "library": hex_rgb("d9c7a8"),
                       "office": hex_rgb("e6e9ec"), "bedroom": hex_rgb("e4dcef"), "kitchen": hex_rgb("eef3ee"), "room": self.rng.choice([hex_rgb("f0dcc8"), hex_rgb("d8e4ea"), hex_rgb("e8e0f0")])}.get(place, hex_rgb("ece4d8"))
        wall = self.ins(wall_design)
        ceiling_y = base - m * 4.6
        p.rect(x0, y0, x1, base + 1, wall)
        p.rect(x0, y0, x1, ceiling_y, self.ins(scale(wall_design, 0.86)))
        p.rect(x0, ceiling_y - m * 0.05, x1, ceiling_y + m * 0.18, self.ins(scale(wall_design, 1.04)))
        if place == "cafe":
            p.rect(x0, base - m * 1.15, x1, base, self.ins(hex_rgb("7a4e35")))  # wainscot
        p.rect(x0, base - m * 0.18, x1, base + 1, self.ins(scale(wall_design, 0.7)))

        if place in ("classroom", "office", "library"):
            panel = self.pal.emissive((250, 250, 240)) if self.pal.time_of_day in ("evening", "night") else self.ins((248, 248, 244))
            for lx in np.arange(x0 + m * 1.5, x1, m * 4.0):
                p.rect(lx, ceiling_y - m * 0.5, lx + m * 2.2, ceiling_y - m * 0.38, panel)
        door = self.choreo.door
        bed_x = None
        if place == "bedroom":
            # The bed first: the windows make way for it (a bed under a window sill would hide the view).
            # Clear of the door and of the set pieces in front (the window a cat jumps from, a table).
            blocked = [(door.x, door.width + m * 3.0)] if door is not None else []
            things = getattr(self.choreo, "things", None)
            blocked += [(piece.x, piece.width / 2 + m * 2.2) for piece in getattr(things, "pieces", ())]
            centre = (x0 + x1) / 2
            tries = [centre + self.r(-0.22, 0.22) * self.W] + [centre + u * self.W for u in (-0.3, 0.3, -0.15, 0.15, 0.0, -0.4, 0.4)]
            bed_x = next((x for x in tries if all(abs(x - bx) >= reach for bx, reach in blocked)), tries[0])
        avoid = [(bed_x - m * 2.9, bed_x + m * 2.9)] if bed_x is not None else []
        windows = self._wall_windows(p, rect, base, m, ceiling_y, avoid)
        taken = list(windows) + ([(door.x - door.width, door.x + door.width)] if door else [])

        def free(cx: float, half: float) -> bool:
            return all(cx + half < a or cx - half > b for a, b in taken)

        if place == "classroom":
            bx = self._spot(x0, x1, m * 2.2, free)
            if bx is not None:
                taken.append((bx - m * 2.3, bx + m * 2.3))
                p.rect(bx - m * 2.2, base - m * 2.5, bx + m * 2.2, base - m * 1.0, self.ins(hex_rgb("8a6a4a")))
                p.rect(bx - m * 2.1, base - m * 2.4, bx + m * 2.1, base - m * 1.1, self.ins(hex_rgb("2f5a46")))
                chalk = self.ins((235, 240, 230))
                for k in range(4):
                    ly = base - m * (2.2 - k * 0.28)
                    lx = bx - m * 1.8 + self.r(0, 0.4) * m
                    p.line((lx, ly), (lx + m * self.r(1.0, 2.8), ly + self.r(-0.05, 0.05) * m), chalk, max(1.0, m * 0.05))
                p.rect(bx - m * 2.2, base - m * 1.0, bx + m * 2.2, base - m * 0.92, self.ins(hex_rgb("a08060")))
            cx = self._spot(x0, x1, m * 0.45, free)
            if cx is not None:
                self._wall_clock(p, (cx, base - m * 2.9), m * 0.38)
        elif place == "cafe":
            cx0 = self._spot(x0, x1, m * 3.2, free)
            if cx0 is not None:
                taken.append((cx0 - m * 3.3, cx0 + m * 3.3))
                counter = self.ins(hex_rgb("6b4432"))
                p.rect(cx0 - m * 3.2, base - m * 1.1, cx0 + m * 3.2, base, counter)
                p.rect(cx0 - m * 3.3, base - m * 1.2, cx0 + m * 3.3, base - m * 1.05, self.ins(hex_rgb("d9c3a0")))
                steel = self.ins(hex_rgb("b9c0c8"))
                p.rounded_rect(cx0 - m * 2.4, base - m * 1.85, cx0 - m * 1.2, base - m * 1.2, m * 0.1, steel)
                p.rect(cx0 - m * 2.2, base - m * 1.55, cx0 - m * 1.4, base - m * 1.45, self.ins(hex_rgb("3b3f47")))
                for k in range(4):
                    cx = cx0 + m * (0.2 + k * 0.6)
                    p.rounded_rect(cx - m * 0.16, base - m * 1.45, cx + m * 0.16, base - m * 1.2, m * 0.05, self.ins((245, 242, 235)))
                board = self.ins(hex_rgb("2f3338"))
                p.rect(cx0 - m * 1.6, base - m * 3.2, cx0 + m * 1.6, base - m * 2.1, board)
                chalk = self.ins((240, 236, 220))
                for k in range(4):
                    ly = base - m * (3.0 - k * 0.25)
                    p.line((cx0 - m * 1.3, ly), (cx0 - m * 1.3 + m * self.r(1.0, 2.4), ly), chalk, max(1.0, m * 0.05))
                # Shelves with jars.
                for sx in (cx0 - m * 2.9, cx0 + m * 2.0):
                    p.rect(sx, base - m * 2.4, sx + m * 1.0, base - m * 2.33, self.ins(hex_rgb("7a4e35")))
                    for k in range(3):
                        p.rounded_rect(sx + m * (0.08 + k * 0.32), base - m * 2.7, sx + m * (0.3 + k * 0.32), base - m * 2.4, m * 0.05,
                                       self.ins(self.rng.choice(AWNINGS)))
            # Pendant lamps from the ceiling: warm pools of light.
            n = int((x1 - x0) / (m * 4.5)) + 1
            for k in range(n):
                lx = x0 + (k + 0.5) * (x1 - x0) / n
                ly = ceiling_y + m * 1.1
                p.line((lx, ceiling_y), (lx, ly - m * 0.3), self.ins(hex_rgb("3b3f47")), max(1.0, m * 0.04))
                p.ellipse((lx, ly - m * 0.05), (m * 0.38, m * 0.3), 0, self.ins(hex_rgb("3b3f47")), (180, 360))
                p.ellipse((lx, ly - m * 0.05), (m * 0.3, m * 0.1), 0, self.pal.emissive((255, 222, 160)))
                if self.pal.time_of_day in ("evening", "night") or self.scene.weather != "clear":
                    p.glow((lx, ly + m * 0.3), m * 2.4, self.pal.emissive((110, 80, 40)), 0.8)
        elif place == "library":
            x = x0
            while x < x1:
                w = m * self.r(2.2, 3.0)
                if free(x + w / 2, w / 2):
                    self._bookshelf(p, x, x + w, base, base - m * 3.0, m)
                x += w + m * 0.15
        elif place == "office":
            bx = self._spot(x0, x1, m * 1.6, free)
            if bx is not None:
                taken.append((bx - m * 1.7, bx + m * 1.7))
                p.rect(bx - m * 1.6, base - m * 2.4, bx + m * 1.6, base - m * 1.2, self.ins((250, 250, 250)))
                p.rect(bx - m * 1.6, base - m * 2.4, bx + m * 1.6, base - m * 2.33, self.ins(hex_rgb("9aa3ad")))
                for k in range(3):
                    p.line((bx - m * 1.3, base - m * (2.15 - k * 0.25)), (bx + m * self.r(-0.5, 1.0), base - m * (2.15 - k * 0.25)),
                           self.ins(self.rng.choice(AWNINGS)), max(1.0, m * 0.05))
            px_ = self._spot(x0, x1, m * 0.6, free)
            if px_ is not None:
                self._plant(p, px_, base, m * 1.6, interior=True)
        elif place == "bedroom" and bed_x is not None:
            self._bed(p, bed_x, base, m, free, taken)
        elif place == "kitchen":
            self._kitchen(p, x0, x1, base, m, ceiling_y, taken)
        else:  # room
            sx = self._spot(x0, x1, m * 1.3, free)
            if sx is not None:
                taken.append((sx - m * 1.4, sx + m * 1.4))
                self._bookshelf(p, sx - m * 1.3, sx + m * 1.3, base, base - m * 1.9, m)
            fx = self._spot(x0, x1, m * 0.7, free)
            if fx is not None:
                p.rect(fx - m * 0.6, base - m * 2.8, fx + m * 0.6, base - m * 1.9, self.ins(hex_rgb("6b4432")))
                p.rect(fx - m * 0.5, base - m * 2.7, fx + m * 0.5, base - m * 2.0, self.ins(self.rng.choice(FACADES)))
                p.circle((fx - m * 0.15, base - m * 2.45), m * 0.2, self.ins((250, 236, 200)))
        self.ground = self.ins(hex_rgb("b08660"))

    def _bed(self, p: Painter, bx: float, base: float, m: float, free: Callable[[float, float], bool],
             taken: list[tuple[float, float]]) -> None:
        """A bedroom's back wall: a bed with its headboard to the wall, pillows and a blue quilt, a bedside
        table with a lamp, and a framed picture above the bed."""
        half = m * 1.9
        taken.append((bx - half - m * 1.0, bx + half + m * 1.0))
        wood = self.ins(hex_rgb("7a5238"))
        p.rounded_rect(bx - half, base - m * 1.55, bx + half, base - m * 0.3, m * 0.25, wood)  # headboard
        p.rect(bx - half + m * 0.12, base - m * 1.4, bx + half - m * 0.12, base - m * 1.3, self.ins(hex_rgb("946746")))
        p.rect(bx - half - m * 0.05, base - m * 0.75, bx + half + m * 0.05, base - m * 0.12, self.ins((246, 244, 238)))  # mattress
        for px in (bx - half * 0.5, bx + half * 0.5):
            p.rounded_rect(px - m * 0.65, base - m * 1.02, px + m * 0.65, base - m * 0.68, m * 0.14, self.ins((250, 250, 246)))
        quilt = self.ins(BEDROOM_QUILT)
        p.rect(bx - half - m * 0.08, base - m * 0.62, bx + half + m * 0.08, base - m * 0.05, quilt)
        p.rect(bx - half - m * 0.08, base - m * 0.62, bx + half + m * 0.08, base - m * 0.5, self.ins((240, 238, 230)))  # sheet fold
        for k in range(1, 4):
            qx = bx - half + k * half * 0.5
            p.rect(qx - m * 0.02, base - m * 0.5, qx + m * 0.02, base - m * 0.05, self.ins(scale(BEDROOM_QUILT, 0.85)))
        p.rect(bx - half, base - m * 0.12, bx - half + m * 0.12, base, wood)  # legs
        p.rect(bx + half - m * 0.12, base - m * 0.12, bx + half, base, wood)
        self.facts["bed"] = (bx - half, base - m * 0.62, bx + half, base - m * 0.05)
        self.facts["quilt"] = quilt
        # Bedside table and lamp on the side with room for them.
        side = 1 if self.rng.random() < 0.5 else -1
        tx = bx + side * (half + m * 0.55)
        p.rect(tx - m * 0.4, base - m * 0.7, tx + m * 0.4, base, self.ins(hex_rgb("a8865d")))
        p.rect(tx - m * 0.34, base - m * 0.5, tx + m * 0.34, base - m * 0.46, self.ins(hex_rgb("7a5238")))
        p.rect(tx - m * 0.03, base - m * 1.05, tx + m * 0.03, base - m * 0.7, self.ins(hex_rgb("3b3f47")))
        shade = self.pal.emissive((255, 226, 170)) if self.pal.time_of_day in ("evening", "night") else self.ins(hex_rgb("f2e2c0"))
        p.poly([(tx - m * 0.22, base - m * 1.05), (tx + m * 0.22, base - m * 1.05), (tx + m * 0.14, base - m * 1.35),
                (tx - m * 0.14, base - m * 1.35)], shade)
        if self.pal.time_of_day in ("evening", "night"):
            p.glow((tx, base - m * 1.1), m * 1.6, self.pal.emissive((110, 80, 40)), 0.8)
        # A framed picture above the headboard.
        p.rect(bx - m * 0.8, base - m * 2.9, bx + m * 0.8, base - m * 1.9, self.ins(hex_rgb("6b4432")))
        p.rect(bx - m * 0.7, base - m * 2.8, bx + m * 0.7, base - m * 2.0, self.ins(hex_rgb("bcd6e2")))
        p.poly([(bx - m * 0.7, base - m * 2.0), (bx - m * 0.2, base - m * 2.5), (bx + m * 0.2, base - m * 2.2),
                (bx + m * 0.45, base - m * 2.4), (bx + m * 0.7, base - m * 2.0)], self.ins(hex_rgb("6f9a6a")))

    def _kitchen(self, p: Painter, x0: float, x1: float, base: float, m: float, ceiling_y: float,
                 taken: list[tuple[float, float]]) -> None:
        """A kitchen's back wall: a run of base cabinets under a worktop (a sink and a hob in it, a kettle on
        the hob), a tiled splashback, wall cupboards above, and a tall fridge at one end, in the wall's
        free stretches (windows and the door stay clear)."""
        top_y = base - m * 0.95  # the worktop
        cab = self.ins(hex_rgb("6f8fa6"))
        worktop = self.ins(KITCHEN_WORKTOP)
        tile, grout = self.ins(hex_rgb("f4f1e8")), self.ins(hex_rgb("cfcac0"))
        spans = []
        edges = sorted(taken)
        a = x0
        for s0, s1 in edges + [(x1, x1)]:
            if s0 - a > m * 1.6:
                spans.append((a + m * 0.1, s0 - m * 0.1))
            a = max(a, s1)
        spans.sort(key=lambda s: s[1] - s[0], reverse=True)
        fridge_done = False
        runs = []
        for s0, s1 in spans[:3]:
            if not fridge_done and s1 - s0 > m * 3.2:
                fx = s1 - m * 0.55 if self.rng.random() < 0.5 else s0 + m * 0.55
                p.rounded_rect(fx - m * 0.5, base - m * 2.7, fx + m * 0.5, base, m * 0.08, self.ins(hex_rgb("e8ecef")))
                p.rect(fx - m * 0.5, base - m * 1.75, fx + m * 0.5, base - m * 1.71, self.ins(hex_rgb("b8bec4")))
                hx = fx - m * 0.38 if fx > (s0 + s1) / 2 else fx + m * 0.34
                for y_a, y_b in ((base - m * 2.4, base - m * 1.95), (base - m * 1.5, base - m * 0.9)):
                    p.rect(hx, y_a, hx + m * 0.04, y_b, self.ins(hex_rgb("8a9096")))
                if fx > (s0 + s1) / 2:
                    s1 = fx - m * 0.55
                else:
                    s0 = fx + m * 0.55
                fridge_done = True
            if s1 - s0 < m * 1.2:
                continue
            runs.append((s0, s1))
            # Splashback tiles between the worktop and the wall cupboards.
            p.rect(s0, base - m * 1.9, s1, top_y, tile)
            for ty in np.arange(top_y - m * 0.24, base - m * 1.9, -m * 0.24):
                p.rect(s0, ty, s1, ty + max(1.0, m * 0.02), grout)
            for tx in np.arange(s0 + m * 0.24, s1, m * 0.24):
                p.rect(tx, base - m * 1.9, tx + max(1.0, m * 0.02), top_y, grout)
            # Base cabinets and their doors, the worktop over them.
            p.rect(s0, top_y, s1, base, cab)
            n_doors = max(1, int((s1 - s0) / (m * 0.75)))
            w = (s1 - s0) / n_doors
            for k in range(n_doors):
                dx = s0 + k * w
                p.rect(dx + m * 0.04, top_y + m * 0.1, dx + w - m * 0.04, base - m * 0.08, self.ins(scale(hex_rgb("6f8fa6"), 1.1)))
                p.rect(dx + w / 2 - m * 0.12, top_y + m * 0.2, dx + w / 2 + m * 0.12, top_y + m * 0.24, self.ins(hex_rgb("d0d4d8")))
            p.rect(s0 - m * 0.06, top_y - m * 0.08, s1 + m * 0.06, top_y + m * 0.02, worktop)
            # Wall cupboards.
            if ceiling_y < base - m * 2.6:
                p.rect(s0, base - m * 2.75, s1, base - m * 1.95, cab)
                for k in range(n_doors):
                    dx = s0 + k * w
                    p.rect(dx + m * 0.04, base - m * 2.7, dx + w - m * 0.04, base - m * 2.0, self.ins(scale(hex_rgb("6f8fa6"), 1.1)))
        if runs:
            s0, s1 = runs[0]
            # A sink (a dark basin with a tap) and a hob with a kettle on the longest run.
            if s1 - s0 > m * 2.4:
                sx = s0 + (s1 - s0) * 0.3
                p.rect(sx - m * 0.35, top_y - m * 0.06, sx + m * 0.35, top_y + m * 0.01, self.ins(hex_rgb("9aa3aa")))
                p.rect(sx - m * 0.03, top_y - m * 0.38, sx + m * 0.03, top_y - m * 0.06, self.ins(hex_rgb("b8bec4")))
                p.rect(sx - m * 0.03, top_y - m * 0.38, sx + m * 0.18, top_y - m * 0.33, self.ins(hex_rgb("b8bec4")))
                hx = s0 + (s1 - s0) * 0.72
                p.rect(hx - m * 0.4, top_y - m * 0.1, hx + m * 0.4, top_y - m * 0.06, self.ins(hex_rgb("2e3236")))
                p.rounded_rect(hx - m * 0.18, top_y - m * 0.42, hx + m * 0.18, top_y - m * 0.1, m * 0.1, self.ins(hex_rgb("c0504d")))
                p.rect(hx - m * 0.1, top_y - m * 0.5, hx + m * 0.1, top_y - m * 0.42, self.ins(hex_rgb("3b3f47")))
            self.facts["worktop"] = (s0, top_y - m * 0.08, s1, top_y + m * 0.02)
        self.facts["worktop_colour"] = worktop

    def _spot(self, x0: float, x1: float, half: float, free: Callable[[float, float], bool]) -> float | None:
        """A free x on the wall for something ``2·half`` wide, near the middle of the view."""
        centre = (x0 + x1) / 2
        for _ in range(40):
            cx = centre + self.r(-0.42, 0.42) * self.W
            if x0 + half < cx < x1 - half and free(cx, half):
                return cx
        return None

    def _wall_windows(self, p: Painter, rect, base: float, m: float, ceiling_y: float,
                      avoid: list[tuple[float, float]] = ()) -> list[tuple[float, float]]:
        """Cut windows into the wall (the view outside shows through) and frame them."""
        x0, _, x1, _ = rect
        big = self.place in ("cafe", "office")
        sill = base - m * (0.5 if big else 1.0)
        top = ceiling_y + m * (0.5 if big else 0.7)
        width = m * (3.4 if big else 1.9)
        spacing = m * self.r(6.5, 9)
        out: list[tuple[float, float]] = []
        door = self.choreo.door
        x = x0 + self.r(0.1, 0.6) * spacing
        frame = self.ins(hex_rgb("f5f1ea") if self.place != "cafe" else hex_rgb("5a3a2a"))
        while x < x1:
            a, b = x - width / 2, x + width / 2
            clear_of = all(b < lo or a > hi for lo, hi in avoid)
            if (door is None or b < door.x - door.width or a > door.x + door.width) and clear_of:
                self._clear(p, a, top, b, sill)
                bar = max(1.0, m * 0.12)
                p.rect(a - bar, top - bar, b + bar, top, frame)
                p.rect(a - bar, sill, b + bar, sill + bar * 1.5, frame)
                p.rect(a - bar, top, a, sill, frame)
                p.rect(b, top, b + bar, sill, frame)
                p.rect(x - bar / 2, top, x + bar / 2, sill, frame)
                if not big:
                    p.rect(a, (top + sill) / 2 - bar / 2, b, (top + sill) / 2 + bar / 2, frame)
                if self.place in ("room", "classroom", "bedroom"):
                    curtain = self.ins(self.rng.choice([hex_rgb("e2a6a0"), hex_rgb("a9c3d9"), hex_rgb("e8d28f")]))
                    for side in (a - bar, b + bar):
                        d = -1 if side < x else 1
                        p.poly([(side - d * m * 0.1, top - bar), (side + d * m * 0.55, top - bar), (side + d * m * 0.4, sill + m * 0.2),
                                (side - d * m * 0.1, sill + m * 0.2)], curtain)
                out.append((a - m * 0.6, b + m * 0.6))
            x += spacing
        return out

    def _clear(self, p: Painter, x0: float, y0: float, x1: float, y1: float) -> None:
        h, w = p.image.shape[:2]
        a = (max(0, int(round(x0 - p.ox))), max(0, int(round(y0 - p.oy))))
        b = (min(w, int(round(x1 - p.ox))), min(h, int(round(y1 - p.oy))))
        if b[0] > a[0] and b[1] > a[1]:
            p.image[a[1]:b[1], a[0]:b[0]] = 0

    def _wall_clock(self, p: Painter, c, r: float) -> None:
        p.circle(c, r * 1.12, self.ins(hex_rgb("3b3f47")))
        p.circle(c, r, self.ins((250, 248, 240)))
        ink = self.ins(hex_rgb("2b2b30"))
        hour, minute = {"morning": (8, 40), "day": (12, 15), "evening": (17, 30), "night": (21, 10)}[self.pal.time_of_day]
        for length, angle in ((r * 0.5, (hour % 12 + minute / 60) / 12), (r * 0.8, minute / 60)):
            a = angle * 2 * math.pi
            p.line(c, (c[0] + math.sin(a) * length, c[1] - math.cos(a) * length), ink, max(1.0, r * 0.1))

    def _bookshelf(self, p: Painter, x0: float, x1: float, base: float, top: float, m: float) -> None:
        wood = self.ins(hex_rgb("7a5238"))
        p.rect(x0, top, x1, base, wood)
        shelves = max(2, int((base - top) / (m * 0.55)))
        spines = [hex_rgb(c) for c in ("c0504d", "4f81bd", "9bbb59", "f2b134", "8064a2", "4bacc6", "e8e1d0", "2c3a66", "d98c5f")]
        for s in range(shelves):
            y1 = top + (s + 1) * (base - top) / shelves - m * 0.06
            y0 = top + s * (base - top) / shelves + m * 0.08
            p.rect(x0 + m * 0.08, y0, x1 - m * 0.08, y1, self.ins(hex_rgb("4a3326")))
            x = x0 + m * 0.1
            while x < x1 - m * 0.2:
                bw = m * self.r(0.08, 0.16)
                bh = (y1 - y0) * self.r(0.7, 0.98)
                if self.rng.random() < 0.9:
                    p.rect(x, y1 - bh, min(x + bw, x1 - m * 0.1), y1, self.ins(self.rng.choice(spines)))
                x += bw + m * 0.01

    def _plant(self, p: Painter, x: float, base: float, h: float, interior: bool = False, depth: float | None = None) -> None:
        depth = self.mid_d if depth is None else depth
        paint = self.ins if interior else (lambda c: self.lit(c, depth))
        pot = paint(hex_rgb("c9704f"))
        p.poly([(x - h * 0.16, base - h * 0.3), (x + h * 0.16, base - h * 0.3), (x + h * 0.12, base), (x - h * 0.12, base)], pot)
        for k in range(7):
            a = math.pi * (0.15 + 0.7 * k / 6)
            tip = (x + math.cos(a) * h * 0.5, base - h * 0.3 - math.sin(a) * h * 0.7)
            mid = ((x + tip[0]) / 2, (base - h * 0.3 + tip[1]) / 2)
            nrm = (-(tip[1] - base + h * 0.3), tip[0] - x)
            ln = math.hypot(*nrm) or 1.0
            wdt = h * 0.09
            leaf = paint(hex_rgb("4e9a5e") if k % 2 else hex_rgb("3f8456"))
            p.poly([(x, base - h * 0.3), (mid[0] + nrm[0] / ln * wdt, mid[1] + nrm[1] / ln * wdt), tip,
                    (mid[0] - nrm[0] / ln * wdt, mid[1] - nrm[1] / ln * wdt)], leaf)

    # ------------------------------------------------------------------ near

    def near(self) -> None:
        p, rect = self.new(NEAR)
        x0, _, x1, y1 = rect
        top = self.near_top
        m = self.m(NEAR)
        feet = self.L.feet_y
        place = self.place
        if self.indoor:
            floor = {"cafe": hex_rgb("a0714f"), "classroom": hex_rgb("b98c62"), "library": hex_rgb("7d5a6a"),
                     "office": hex_rgb("8f98a3"), "room": hex_rgb("b08660"), "bedroom": hex_rgb("b58d68"), "kitchen": hex_rgb("c9c2b4")}.get(place, hex_rgb("a88462"))
            p.vertical_gradient(top, y1, self.ins(scale(floor, 0.88)), self.ins(floor))
            if place in ("cafe", "classroom", "room", "bedroom"):
                # Floorboards: seams at perspective-spaced rows, staggered joints.
                y = top
                seam = self.ins(scale(floor, 0.78))
                while y < y1:
                    step = (y - self.L.eye_y) * 0.12 + 2
                    p.rect(x0, y, x1, y + max(1.0, step * 0.06), seam)
                    off = self.r(0, 1) * m * 1.2
                    for jx in np.arange(x0 + off, x1, m * 1.2):
                        p.rect(jx, y, jx + max(1.0, step * 0.06), y + step, seam)
                    y += step
            if place in ("room", "bedroom"):
                rx = self._spot(x0, x1, m * 1.5, lambda a, b: True) or (x0 + x1) / 2
                p.ellipse((rx, feet + m * 0.1), (m * 1.8, m * 0.35), 0, self.ins(self.rng.choice([hex_rgb("c0504d"), hex_rgb("4f81bd"), hex_rgb("8064a2")])))
            self.ground = self.ins(floor)
            self._indoor_furniture(p, rect)
        else:
            painter = {"city": self._near_city, "station": self._near_station, "university": self._near_campus,
                       "beach": self._near_beach, "forest": self._near_forest, "park": self._near_park,
                       "mountain": self._near_mountain}.get(place or "", self._near_meadow)
            painter(p, rect, top)
            if self.scene.weather == "rain":
                self._puddles(p, rect, top)
        self._seats(p)
        self.keep("near", NEAR, p)

    def _ground(self, p: Painter, rect, top: float, colour: RGB) -> tuple[int, int, int]:
        c = self.lit(self.snowy(colour), NEAR)
        p.vertical_gradient(top, rect[3], self.pal.lit(self.snowy(colour), NEAR, 0.08), c)
        return c

    def _near_city(self, p: Painter, rect, top: float) -> None:
        x0, _, x1, y1 = rect
        m = self.m(NEAR)
        road_bottom = self.L.feet_y - m * 0.55
        self._ground(p, rect, top, hex_rgb("cfc8bc"))
        asphalt = self.lit(hex_rgb("5d6068") if self.scene.weather != "snow" else hex_rgb("9aa0a8"), NEAR)
        p.vertical_gradient(top, road_bottom, self.pal.lit(hex_rgb("6a6d75"), NEAR, 0.1), asphalt)
        dash = self.lit((240, 236, 220), NEAR)
        ly = (top + road_bottom) / 2
        for dx in np.arange(x0, x1, m * 3.0):
            p.poly([(dx, ly - m * 0.04), (dx + m * 1.5, ly - m * 0.04), (dx + m * 1.5, ly + m * 0.05), (dx, ly + m * 0.05)], dash)
        p.rect(x0, road_bottom, x1, road_bottom + m * 0.12, self.lit(hex_rgb("e8e2d6"), NEAR))
        p.rect(x0, road_bottom + m * 0.12, x1, road_bottom + m * 0.2, self.lit(hex_rgb("9f998f"), NEAR))
        joint = self.lit(self.snowy(hex_rgb("b9b2a6")), NEAR)
        for jx in np.arange(x0, x1, m * 1.1):
            p.line((jx, road_bottom + m * 0.2), (jx - m * 0.3, y1), joint, max(1.0, m * 0.015))
        self.ground = self.lit(self.snowy(hex_rgb("cfc8bc")), NEAR)
        for lx in np.arange(x0 + self.r(0.2, 0.8) * m * 9, x1, m * self.r(8, 11)):
            self._lamp_post(p, lx, road_bottom + m * 0.15, m * 2.7, NEAR)

    def _lamp_post(self, p: Painter, x: float, base: float, h: float, depth: float) -> None:
        metal = self.lit(hex_rgb("3e4450"), depth)
        p.rect(x - h * 0.008, base - h, x + h * 0.008, base, metal)
        p.rounded_rect(x - h * 0.018, base - h * 0.05, x + h * 0.018, base, h * 0.006, metal)
        p.line((x, base - h), (x + h * 0.12, base - h * 1.02), metal, max(1.0, h * 0.02))
        head = (x + h * 0.14, base - h * 1.0)
        p.ellipse(head, (h * 0.06, h * 0.035), 0, metal, (180, 360))
        on = self.night or self.pal.time_of_day == "evening" or self.scene.weather in ("rain", "fog", "snow")
        bulb = self.pal.emissive((255, 236, 180)) if on else self.lit((230, 232, 226), depth)
        p.ellipse((head[0], head[1] + h * 0.004), (h * 0.045, h * 0.015), 0, bulb)
        if on:
            p.glow((head[0], head[1] + h * 0.05), h * 0.35, self.pal.emissive((130, 100, 50)), 0.9)
            p.glow((head[0], base), h * 0.25, self.pal.emissive((70, 55, 25)), 0.7)

    def _near_station(self, p: Painter, rect, top: float) -> None:
        x0, y0, x1, y1 = rect
        m = self.m(NEAR)
        self.ground = self._ground(p, rect, top, hex_rgb("b8b3ab"))
        p.rect(x0, top, x1, top + m * 0.12, self.lit(hex_rgb("e9e4da"), NEAR))
        p.rect(x0, top + m * 0.25, x1, top + m * 0.5, self.lit(hex_rgb("f2c53d"), NEAR))
        p.rect(x0, top + m * 0.62, x1, top + m * 0.66, self.lit((245, 245, 240), NEAR))
        canopy_bottom = max(y0 + m * 0.4, self.L.eye_y - self.H * 0.33)
        roof = self.lit(hex_rgb("3f4753"), NEAR)
        p.rect(x0, y0, x1, canopy_bottom, roof)
        p.rect(x0, canopy_bottom - m * 0.12, x1, canopy_bottom, self.lit(hex_rgb("5b6472"), NEAR))
        lamp = self.pal.emissive((255, 246, 220)) if (self.night or self.pal.time_of_day == "evening") else self.lit((240, 242, 240), NEAR)
        for lx in np.arange(x0 + m, x1, m * 3.0):
            p.rect(lx, canopy_bottom, lx + m * 1.2, canopy_bottom + m * 0.08, lamp)
        feet = self.L.feet_y
        post = self.lit(hex_rgb("7c8592"), NEAR)
        for px in np.arange(x0 + self.r(0, 1) * m * 7, x1, m * 7):
            p.rect(px - m * 0.14, canopy_bottom, px + m * 0.14, feet - m * 1.1, post)
        sx = (x0 + x1) / 2 + self.r(-0.3, 0.3) * self.W
        p.line((sx - m * 0.6, canopy_bottom), (sx - m * 0.6, canopy_bottom + m * 0.5), post, max(1.0, m * 0.03))
        p.line((sx + m * 0.6, canopy_bottom), (sx + m * 0.6, canopy_bottom + m * 0.5), post, max(1.0, m * 0.03))
        p.rounded_rect(sx - m * 1.0, canopy_bottom + m * 0.5, sx + m * 1.0, canopy_bottom + m * 0.95, m * 0.05, self.lit((248, 248, 244), NEAR))
        p.rect(sx - m * 1.0, canopy_bottom + m * 0.82, sx + m * 1.0, canopy_bottom + m * 0.95, self.lit(hex_rgb("3c9d6d"), NEAR))
        p.rect(sx - m * 0.6, canopy_bottom + m * 0.6, sx + m * 0.6, canopy_bottom + m * 0.72, self.lit(hex_rgb("3b3f47"), NEAR))

    def _near_campus(self, p: Painter, rect, top: float) -> None:
        x0, _, x1, y1 = rect
        m = self.m(NEAR)
        self._ground(p, rect, top, hex_rgb("8cc06e"))
        feet = self.L.feet_y
        path = self.lit(self.snowy(hex_rgb("e0cfa8")), NEAR)
        p.rect(x0, feet - m * 0.7, x1, feet + m * 0.6, path)
        p.rect(x0, feet - m * 0.7, x1, feet - m * 0.64, self.lit(hex_rgb("c2b089"), NEAR))
        self.ground = path
        hedge = self.lit(self.snowy(hex_rgb("4f8f4f")), NEAR)
        p.rounded_rect(x0 - m, top + m * 0.05, x1 + m, top + m * 0.55, m * 0.25, hedge)
        for lx in np.arange(x0 + self.r(0.2, 0.8) * m * 10, x1, m * 10):
            self._lamp_post(p, lx, feet - m * 0.75, m * 2.5, NEAR)

    def _near_beach(self, p: Painter, rect, top: float) -> None:
        x0, _, x1, y1 = rect
        m = self.m(NEAR)
        self.ground = self._ground(p, rect, top, hex_rgb("eed9ac"))
        ripple = self.lit(hex_rgb("d9c08e"), NEAR)
        for _ in range(int((x1 - x0) / self.W * 30)):
            x, y = self.r(x0, x1), self.r(top + m * 0.2, y1)
            w = m * self.r(0.3, 0.8)
            p.ellipse((x, y), (w, max(1.0, w * 0.08)), 0, ripple)
        for _ in range(int((x1 - x0) / self.W * 8)):
            p.ellipse((self.r(x0, x1), self.r(top + m * 0.5, y1)), (m * 0.06, m * 0.04), 0, self.lit((250, 240, 230), NEAR))
        ux = (x0 + x1) / 2 + self.r(0.25, 0.4) * self.W * (1 if self.rng.random() < 0.5 else -1)
        base = self.L.feet_y - m * 0.8
        p.line((ux, base), (ux + m * 0.2, base - m * 2.2), self.lit((245, 245, 240), NEAR), max(1.0, m * 0.05))
        colours = [self.lit(hex_rgb("d64541"), NEAR), self.lit((250, 248, 240), NEAR)]
        top_c = (ux + m * 0.2, base - m * 2.2)
        for k in range(6):
            a0, a1 = math.pi * k / 6, math.pi * (k + 1) / 6
            p.poly([top_c, (top_c[0] - math.cos(a0) * m * 1.3, top_c[1] + math.sin(a0) * m * 0.35 + m * 0.3),
                    (top_c[0] - math.cos(a1) * m * 1.3, top_c[1] + math.sin(a1) * m * 0.35 + m * 0.3)], colours[k % 2])
        p.rect(ux - m * 0.9, base + m * 0.1, ux + m * 0.5, base + m * 0.35, self.lit(hex_rgb("2f9bd1"), NEAR))

    def _near_forest(self, p: Painter, rect, top: float) -> None:
        x0, _, x1, y1 = rect
        m = self.m(NEAR)
        self._ground(p, rect, top, hex_rgb("4f7a44"))
        feet = self.L.feet_y
        path = self.lit(self.snowy(hex_rgb("9a7a5a")), NEAR)
        xs = np.linspace(x0, x1, 40)
        up = feet - m * 0.6 + m * 0.15 * np.sin(xs / (m * 4))
        down = feet + m * 0.5 + m * 0.15 * np.sin(xs / (m * 5) + 1)
        p.poly(list(zip(xs, up)) + list(zip(xs[::-1], down[::-1])), path)
        self.ground = path
        grass = self.lit(self.snowy(hex_rgb("3f6b3a")), NEAR)
        for _ in range(int((x1 - x0) / self.W * 40)):
            gx, gy = self.r(x0, x1), self.r(top + m * 0.2, y1)
            if abs(gy - feet) < m * 0.7:
                continue
            for k in (-1, 0, 1):
                p.poly([(gx + k * m * 0.06, gy), (gx + k * m * 0.06 + m * 0.04, gy), (gx + k * m * 0.15, gy - m * self.r(0.15, 0.3))], grass)
        for _ in range(int((x1 - x0) / self.W * 2)):
            mx = self.r(x0, x1)
            my = top + m * self.r(0.3, 0.6)
            p.rect(mx - m * 0.03, my - m * 0.15, mx + m * 0.03, my, self.lit((240, 232, 215), NEAR))
            p.ellipse((mx, my - m * 0.15), (m * 0.12, m * 0.08), 0, self.lit(hex_rgb("d64541"), NEAR), (180, 360))

    def _near_park(self, p: Painter, rect, top: float) -> None:
        x0, _, x1, y1 = rect
        m = self.m(NEAR)
        self._ground(p, rect, top, hex_rgb("93c572"))
        feet = self.L.feet_y
        path = self.lit(self.snowy(hex_rgb("e3d2ac")), NEAR)
        p.rect(x0, feet - m * 0.55, x1, feet + m * 0.55, path)
        self.ground = path
        flowers = [hex_rgb(c) for c in ("f28fb1", "f2c53d", "ffffff", "e4572e")]
        for _ in range(int((x1 - x0) / self.W * 40)):
            fx, fy = self.r(x0, x1), self.r(top + m * 0.1, y1)
            if abs(fy - feet) < m * 0.75:
                continue
            p.circle((fx, fy), max(1.0, m * 0.03), self.lit(self.rng.choice(flowers), NEAR))
        for lx in np.arange(x0 + self.r(0.2, 0.8) * m * 12, x1, m * 12):
            self._lamp_post(p, lx, feet - m * 0.6, m * 2.5, NEAR)

    def _near_mountain(self, p: Painter, rect, top: float) -> None:
        x0, _, x1, y1 = rect
        m = self.m(NEAR)
        self._ground(p, rect, top, hex_rgb("86a46c"))
        feet = self.L.feet_y
        trail = self.lit(self.snowy(hex_rgb("a68f74")), NEAR)
        p.rect(x0, feet - m * 0.5, x1, feet + m * 0.5, trail)
        self.ground = trail
        rock = self.lit(hex_rgb("8b8f96"), NEAR)
        for _ in range(int((x1 - x0) / self.W * 6)):
            rx, ry = self.r(x0, x1), self.r(top + m * 0.2, y1)
            if abs(ry - feet) < m * 0.6:
                continue
            s = m * self.r(0.15, 0.4)
            p.poly([(rx - s, ry), (rx - s * 0.6, ry - s * 0.7), (rx + s * 0.3, ry - s * 0.9), (rx + s, ry)], rock)
            p.poly([(rx - s * 0.6, ry - s * 0.7), (rx + s * 0.3, ry - s * 0.9), (rx + s * 0.1, ry - s * 0.4)], mix(rock, (255, 255, 255), 0.2))

    def _near_meadow(self, p: Painter, rect, top: float) -> None:
        self._near_park(p, rect, top)

    def _puddles(self, p: Painter, rect, top: float) -> None:
        x0, _, x1, y1 = rect
        m = self.m(NEAR)
        water = self.pal.lit(mix(self.pal.sky_horizon, (90, 100, 120), 0.5), NEAR)
        for _ in range(int((x1 - x0) / self.W * 4)):
            px, py = self.r(x0, x1), self.r(top + m * 0.5, y1 - m * 0.3)
            w = m * self.r(0.6, 1.4)
            p.ellipse((px, py), (w, w * 0.16), 0, water)
            p.ellipse((px - w * 0.2, py - w * 0.03), (w * 0.4, w * 0.04), 0, mix(water, (255, 255, 255), 0.2))

    def _indoor_furniture(self, p: Painter, rect) -> None:
        """Tables and shelves behind the action: the room feels lived in."""
        x0, _, x1, _ = rect
        m = self.m(NEAR)
        place = self.place
        back = self.L.ground_y(2.4)
        s = self.L.scale_at(2.4) / self.L.scale_at(NEAR)
        seats = [a.seat_x for a in self.choreo.actors if a.seat_x is not None]
        spots = np.arange(x0 + self.r(0, 1) * m * 3, x1, m * self.r(2.8, 3.6))
        for x in spots:
            if any(abs(x - sx) < m * 1.4 for sx in seats):
                continue
            if place == "classroom":
                self._desk_shape(p, x, back, m * s, "classroom", interior=True)
            elif place == "cafe":
                self._desk_shape(p, x, back, m * s, "cafe", interior=True)
            elif place == "library" and self.rng.random() < 0.5:
                self._desk_shape(p, x, back, m * s, "library", interior=True)
            elif place == "office" and self.rng.random() < 0.7:
                self._desk_shape(p, x, back, m * s, "office", interior=True)

    def _seats(self, p: Painter) -> None:
        """A chair (indoors) or a bench (outdoors) behind everyone who sits."""
        m = self.m(NEAR)
        feet = self.L.feet_y
        for actor in self.choreo.actors:
            if actor.seat_x is None:
                continue
            x = actor.seat_x
            seat_y = feet - m * 0.45
            if self.indoor:
                wood = self.ins(hex_rgb("8a5a3c") if self.place != "office" else hex_rgb("3b3f47"))
                p.rect(x - m * 0.3, seat_y - m * 0.62, x + m * 0.3, seat_y - m * 0.3, wood)
                p.rect(x - m * 0.26, seat_y - m * 0.35, x - m * 0.2, feet, wood)
                p.rect(x + m * 0.2, seat_y - m * 0.35, x + m * 0.26, feet, wood)
                p.rect(x - m * 0.32, seat_y - m * 0.05, x + m * 0.32, seat_y + m * 0.06, wood)
            else:
                wood = self.lit(hex_rgb("9a6a44"), NEAR)
                metal = self.lit(hex_rgb("3e4450"), NEAR)
                for k in range(3):
                    p.rect(x - m * 0.9, seat_y - m * (0.85 - k * 0.17), x + m * 0.9, seat_y - m * (0.75 - k * 0.17), wood)
                p.rect(x - m * 0.95, seat_y - m * 0.05, x + m * 0.95, seat_y + m * 0.07, wood)
                for sx in (-0.75, 0.75):
                    p.rect(x + sx * m - m * 0.04, seat_y - m * 0.9, x + sx * m + m * 0.04, feet, metal)

    def _desk_shape(self, p: Painter, x: float, ground: float, m: float, kind: str, interior: bool) -> float:
        """A desk or table standing on ``ground`` at ``x``; returns the rest y of its top."""
        paint = self.ins if interior else (lambda c: self.lit(c, NEAR))
        if kind == "cafe":
            top = ground - m * 0.74
            wood = paint(hex_rgb("e8dcc6"))
            p.rect(x - m * 0.05, top, x + m * 0.05, ground, paint(hex_rgb("3b3f47")))
            p.ellipse((x, ground), (m * 0.3, m * 0.05), 0, paint(hex_rgb("3b3f47")))
            p.ellipse((x, top + m * 0.03), (m * 0.62, m * 0.1), 0, paint(hex_rgb("a48d6a")))
            p.ellipse((x, top), (m * 0.6, m * 0.09), 0, wood)
            return top
        top = ground - m * 0.74
        width = {"classroom": 0.6, "library": 1.0, "office": 0.8, "room": 0.6}.get(kind, 0.6)
        wood = paint(hex_rgb("d9b384") if kind != "office" else hex_rgb("e6e9ec"))
        side = paint(hex_rgb("a8865d") if kind != "office" else hex_rgb("b9c0c8"))
        metal = paint(hex_rgb("6b7280"))
        p.rect(x - m * width + m * 0.05, top, x - m * width + m * 0.1, ground, metal)
        p.rect(x + m * width - m * 0.1, top, x + m * width - m * 0.05, ground, metal)
        p.rect(x - m * width, top + m * 0.05, x + m * width, top + m * 0.3, side)
        p.rect(x - m * width, top - m * 0.03, x + m * width, top + m * 0.06, wood)
        if kind == "library":
            lx = x + m * width * 0.6
            p.rect(lx - m * 0.02, top - m * 0.35, lx + m * 0.02, top, paint(hex_rgb("c9a84a")))
            p.ellipse((lx, top - m * 0.35), (m * 0.2, m * 0.1), 0, paint(hex_rgb("2f7a4a")), (180, 360))
            if self.night or self.pal.time_of_day == "evening":
                p.glow((lx, top - m * 0.2), m * 0.9, self.pal.emissive((120, 100, 50)), 0.8)
        if kind == "office":
            lx = x - m * width * 0.55
            p.poly([(lx - m * 0.22, top - m * 0.02), (lx + m * 0.22, top - m * 0.02), (lx + m * 0.18, top - m * 0.3), (lx - m * 0.18, top - m * 0.3)],
                   paint(hex_rgb("3b3f47")))
            p.poly([(lx - m * 0.16, top - m * 0.06), (lx + m * 0.16, top - m * 0.06), (lx + m * 0.13, top - m * 0.26), (lx - m * 0.13, top - m * 0.26)],
                   self.pal.emissive((150, 190, 230)))
        return top

    # ------------------------------------------------------------------ front (desks) and fore

    def front(self) -> None:
        sitters = [a for a in self.choreo.actors if a.seat_x is not None]
        if not sitters or not (self.indoor or self.place in ("cafe", "library", "classroom", "office")):
            return
        p, rect = self.new(ACTION_DEPTH)
        m = self.m(ACTION_DEPTH)
        kind = self.place if self.place in ("cafe", "classroom", "library", "office") else "room"
        top = None
        for a in sitters:
            x = a.seat_x
            top = self._desk_shape(p, x, self.L.feet_y + m * 0.05, m, kind, interior=True)
            if kind == "cafe":
                cx = x + m * 0.38
                p.rounded_rect(cx - m * 0.07, top - m * 0.13, cx + m * 0.07, top + m * 0.01, m * 0.02, self.ins((248, 246, 240)))
                p.ellipse((cx + m * 0.08, top - m * 0.07), (m * 0.035, m * 0.045), 0, self.ins((248, 246, 240)))
                if self.pal.time_of_day in ("evening", "night"):
                    p.glow((x, top - m * 0.6), m * 1.2, self.pal.emissive((90, 60, 30)), 0.6)
        self.desk_top = top
        cover = self.ins(self.rng.choice([hex_rgb("c0504d"), hex_rgb("2f6fb0"), hex_rgb("3c9d6d"), hex_rgb("8064a2")]))
        self.book = (cover, self.ins((250, 248, 240)))
        self.keep("front", ACTION_DEPTH, p)

    def fore(self) -> None:
        p, rect = self.new(FORE)
        x0, y0, x1, y1 = rect
        m = self.m(FORE)
        base = self.L.ground_y(FORE)
        centre = (x0 + x1) / 2
        sides = [-1, 1] if self.rng.random() < 0.5 else [1, -1]
        # One framing prop at a side of the view (two on wide moves), kept off the centre stage.
        spots = [centre + sides[0] * self.W * self.r(0.47, 0.55)]
        if (x1 - x0) > 1.4 * self.W:
            spots.append(centre + sides[1] * self.W * self.r(0.5, 0.6))
        for x in spots:
            self._fore_prop(p, x, base, m, y0)
        self.keep("fore", FORE, p)

    def _fore_prop(self, p: Painter, x: float, base: float, m: float, y0: float) -> None:
        """Something close to the lens at the edge of the frame: it frames and gives depth."""
        place = self.place
        if self.indoor:
            if place == "library":
                self._bookshelf(p, x - m * 0.3, x + m * 0.3, base, y0 - 10, m * 0.9)
            else:
                self._plant(p, x, base - m * 0.05, m * 1.3, interior=True)
            return
        if place == "station":
            pillar = self.lit(hex_rgb("7c8592"), FORE)
            p.rect(x - m * 0.22, y0 - 10, x + m * 0.22, base, pillar)
            p.rect(x - m * 0.22, y0 - 10, x - m * 0.12, base, self.lit(hex_rgb("6b7380"), FORE))
            p.rect(x - m * 0.17, base - m * 2.1, x + m * 0.17, base - m * 1.3, self.lit(self.rng.choice(AWNINGS), FORE))
        elif place == "city":
            box = self.lit(hex_rgb("8f949b"), FORE)
            self._bush(p, x, base - m * 0.55, m * 0.55, FORE)
            for k in range(6):
                p.circle((x + self.r(-0.6, 0.6) * m, base - m * self.r(0.7, 1.0)), m * 0.05,
                         self.lit(self.rng.choice([hex_rgb("f28fb1"), hex_rgb("f2c53d"), (250, 250, 250)]), FORE))
            p.rect(x - m * 0.75, base - m * 0.6, x + m * 0.75, base, box)
            p.rect(x - m * 0.8, base - m * 0.66, x + m * 0.8, base - m * 0.56, scale(box, 1.1))
        elif place == "beach":
            grass = self.lit(hex_rgb("9aa85a"), FORE)
            p.ellipse((x, base), (m * 1.2, m * 0.5), 0, self.lit(hex_rgb("e2c68f"), FORE))
            for k in range(9):
                a = math.pi * (0.25 + 0.5 * k / 8)
                tip = (x + math.cos(a) * m * 0.9, base - m * 0.3 - math.sin(a) * m * 0.9)
                p.poly([(x - m * 0.05 + k * m * 0.012, base - m * 0.3), (x + m * 0.05 + k * m * 0.012, base - m * 0.3), tip], grass)
        elif place == "forest":
            trunk = self.lit(hex_rgb("5e4636"), FORE)
            p.rect(x - m * 0.3, y0 - 10, x + m * 0.3, base, trunk)
            p.rect(x - m * 0.1, y0 - 10, x - m * 0.03, base, self.lit(hex_rgb("4b372a"), FORE))
            self._bush(p, x + m * 0.35, base - m * 0.35, m * 0.45, FORE)
        elif place == "mountain":
            rock = self.lit(hex_rgb("7e828a"), FORE)
            p.poly([(x - m * 1.0, base), (x - m * 0.7, base - m * 0.75), (x + m * 0.1, base - m * 0.95), (x + m * 0.8, base - m * 0.6), (x + m * 1.1, base)], rock)
            p.poly([(x - m * 0.7, base - m * 0.75), (x + m * 0.1, base - m * 0.95), (x - m * 0.1, base - m * 0.6)], mix(rock, (255, 255, 255), 0.18))
        else:
            self._bush(p, x, base - m * 0.45, m * 0.6, FORE)
            for k in range(7):
                p.circle((x + self.r(-0.7, 0.7) * m, base - m * self.r(0.55, 1.05)), m * 0.045,
                         self.lit(self.rng.choice([hex_rgb("f28fb1"), hex_rgb("f2c53d"), (250, 250, 250), hex_rgb("e4572e")]), FORE))


def build_scenery(scene: SceneDescription, palette: Palette, layout: Layout, camera: CameraRig,
                  rng: np.random.Generator, choreo: Choreography) -> Scenery:
    """Paint every layer of the shot's scenery (once per shot)."""
    return _Builder(scene, palette, layout, camera, rng, choreo).build()
