"""Animated weather: rain, snow, fog, wind-blown leaves, and ripples in puddles.

Rain and snow are seamless tiles drawn once and scrolled at constant speed, so
their frame-to-frame change is steady (no flicker that a motion detector would
take for an event) and cost is one saturating add (rain) or max (snow) per sheet.
A far sheet passes behind the middle distance (through the windows, indoors) and
a near sheet in front of everything outdoors.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from studio.domain.scene import SceneDescription
from studio.engine.sketch.camera import CameraRig
from studio.engine.sketch.layers import SHIFT, blend_into, fixed
from studio.engine.sketch.layout import NEAR, Layout
from studio.engine.sketch.palette import Palette, mix


class _Sheet:
    """A seamless tile scrolled by (vx, vy) pixels per frame; composited by add or max."""

    def __init__(self, tile: np.ndarray, vx: float, vy: float, mode: str, sway: float = 0.0, sway_period: float = 1.0) -> None:
        self.h, self.w = tile.shape[:2]
        # Two by two copies let any scroll offset be a plain slice.
        self.tiled = np.ascontiguousarray(np.tile(tile, (2, 2, 1)))
        self.vx, self.vy = vx, vy
        self.mode = mode
        self.sway, self.sway_period = sway, sway_period

    def draw(self, frame: np.ndarray, i: int) -> None:
        ox = self.vx * i + self.sway * math.sin(2 * math.pi * i / self.sway_period)
        oy = self.vy * i
        c0 = (self.w - int(round(ox)) % self.w) % self.w
        r0 = (self.h - int(round(oy)) % self.h) % self.h
        rows = frame.shape[0]  # the caller may pass only the rows that can be seen
        if rows == 0:
            return
        src = self.tiled[r0:r0 + rows, c0:c0 + self.w]
        if self.mode == "add":
            cv2.add(frame, src, dst=frame)
        else:
            cv2.max(frame, src, dst=frame)


def _streak_tile(w: int, h: int, rng: np.random.Generator, count: int, length: float, slant: float,
                 colour: tuple[int, int, int], thickness: int) -> np.ndarray:
    tile = np.zeros((h, w, 3), np.uint8)
    xs = rng.uniform(0, w, count)
    ys = rng.uniform(0, h, count)
    gains = rng.uniform(0.45, 1.0, count)
    lengths = rng.uniform(0.7, 1.15, count) * length
    for x, y, g, ln in zip(xs, ys, gains, lengths):
        c = tuple(int(v * g) for v in colour)
        dx, dy = slant * ln, ln
        # Draw wrapped copies so the tile joins seamlessly at its edges.
        for ox in (-w, 0, w):
            for oy in (-h, 0, h):
                a = (x + ox, y + oy)
                b = (x + ox + dx, y + oy + dy)
                if max(a[0], b[0]) < 0 or min(a[0], b[0]) > w or max(a[1], b[1]) < 0 or min(a[1], b[1]) > h:
                    continue
                cv2.line(tile, fixed(a), fixed(b), c, thickness, cv2.LINE_AA, SHIFT)
    return tile


def _flake_tile(w: int, h: int, rng: np.random.Generator, count: int, radius: float, colour: tuple[int, int, int]) -> np.ndarray:
    tile = np.zeros((h, w, 3), np.uint8)
    for x, y, r, g in zip(rng.uniform(0, w, count), rng.uniform(0, h, count), rng.uniform(0.5, 1.0, count) * radius,
                          rng.uniform(0.6, 1.0, count)):
        c = tuple(int(v * g) for v in colour)
        for ox in (-w, 0, w):
            for oy in (-h, 0, h):
                if -r <= x + ox <= w + r and -r <= y + oy <= h + r:
                    cv2.circle(tile, fixed((x + ox, y + oy)), max(1, int(round(r * (1 << SHIFT)))), c, -1, cv2.LINE_AA, SHIFT)
    return tile


class Weather:
    """Everything that falls, drifts or ripples in a shot, drawn at three moments of a frame."""

    def __init__(self, scene: SceneDescription, palette: Palette, layout: Layout, camera: CameraRig,
                 rng: np.random.Generator, fps: int, frames: int, ground: tuple[int, int, int], near_top: float) -> None:
        self.kind = scene.weather
        self.indoor = scene.indoor
        self.layout = layout
        self.camera = camera
        self.fps = fps
        W, H = layout.width, layout.height
        self.behind: list[_Sheet] = []
        self.front: list[_Sheet] = []
        self.fog: tuple[np.ndarray, np.ndarray, float] | None = None
        self.leaves: np.ndarray | None = None
        self.ripples: np.ndarray | None = None
        k = H / 720.0
        density = W * H / (1280 * 720)
        if self.kind == "rain":
            tone = palette.emissive((150, 165, 190)) if not palette.dark else palette.emissive((110, 125, 160))
            fall_far, fall_near = 1.1 * H / fps, 1.9 * H / fps
            slant = 0.16
            self.behind.append(_Sheet(_streak_tile(W, H, rng, int(700 * density), fall_far * 0.8, slant, scale_c(tone, 0.55), max(1, int(round(k)))),
                                      fall_far * slant, fall_far, "add"))
            if not self.indoor:
                self.front.append(_Sheet(_streak_tile(W, H, rng, int(260 * density), fall_near * 0.85, slant, scale_c(tone, 0.8), max(1, int(round(1.4 * k)))),
                                         fall_near * slant, fall_near, "add"))
                self._plan_ripples(rng, frames, ground, palette, near_top)
        elif self.kind == "snow":
            white = palette.emissive((240, 244, 250))
            self.behind.append(_Sheet(_flake_tile(W, H, rng, int(900 * density), 1.6 * k, scale_c(white, 0.85)),
                                      0.1 * k, 0.06 * H / fps, "max", sway=6 * k, sway_period=3.3 * fps))
            if not self.indoor:
                self.front.append(_Sheet(_flake_tile(W, H, rng, int(220 * density), 3.4 * k, white),
                                         0.2 * k, 0.12 * H / fps, "max", sway=14 * k, sway_period=2.7 * fps))
        elif self.kind == "fog" and not self.indoor:
            self.fog = self._fog_sheet(rng, palette)
        elif self.kind == "wind" and not self.indoor:
            self._plan_leaves(rng, palette)

    # -- planning

    def _plan_ripples(self, rng: np.random.Generator, frames: int, ground, palette: Palette, near_top: float) -> None:
        L = self.layout
        period = max(6, int(round(0.75 * self.fps)))
        slots = 14
        cycles = frames // period + 2
        vx0, _, vx1, _ = self.camera.visible_rect(NEAR)
        top = near_top + L.height * 0.02
        xs = rng.uniform(vx0, vx1, (slots, cycles))
        ys = rng.uniform(top, L.height * 1.0, (slots, cycles))
        offsets = rng.integers(0, period, slots)
        self.ripples = np.stack([xs, ys], axis=-1)
        self._ripple_offsets = offsets
        self._ripple_period = period
        self._ripple_colour = np.asarray(mix(ground, palette.emissive((230, 236, 245)), 0.55), np.float32)
        self._ground = np.asarray(ground, np.float32)

    def _plan_leaves(self, rng: np.random.Generator, palette: Palette) -> None:
        W, H = self.layout.width, self.layout.height
        n = 16
        self.leaves = np.stack([
            rng.uniform(0, W, n),                    # x0
            rng.uniform(0.15 * H, 0.9 * H, n),       # y0
            rng.uniform(0.22, 0.45, n) * W / self.fps,  # vx per frame
            rng.uniform(0.02, 0.06, n) * H,          # bob amplitude
            rng.uniform(0.5, 1.2, n),                # bob frequency (Hz)
            rng.uniform(0, 2 * np.pi, n),            # phase
            rng.uniform(-4, 4, n),                   # spin (rad/s)
            rng.uniform(0.01, 0.017, n) * H,         # size
            rng.integers(0, 4, n),                   # colour index
        ], axis=1)
        self._leaf_colours = [palette.lit(c, 1.3) for c in ((214, 120, 52), (232, 176, 60), (170, 80, 50), (120, 160, 70))]

    def _fog_sheet(self, rng: np.random.Generator, palette: Palette):
        W, H = self.layout.width, self.layout.height
        small_w, small_h = max(32, W // 8), max(18, H // 8)
        alpha = np.zeros((small_h, small_w), np.float32)
        for _ in range(18):
            cx, cy = rng.uniform(0, small_w), rng.uniform(0.35 * small_h, 0.95 * small_h)
            for ox in (-small_w, 0, small_w):
                cv2.ellipse(alpha, (int(cx + ox), int(cy)), (int(rng.uniform(0.15, 0.35) * small_w), int(rng.uniform(0.05, 0.12) * small_h)),
                            0, 0, 360, float(rng.uniform(0.3, 0.6)), -1)
        alpha = cv2.GaussianBlur(alpha, (0, 0), small_h * 0.08)
        alpha = np.clip(alpha, 0, 0.55)
        alpha = cv2.resize(alpha, (W, H), interpolation=cv2.INTER_CUBIC)
        colour = np.asarray(palette.haze, np.float32)
        prem = np.clip(alpha[:, :, None] * colour[None, None, :], 0, 255).astype(np.uint8)
        inv = np.clip(255 - alpha * 255, 0, 255).astype(np.uint8)
        inv3 = cv2.cvtColor(inv, cv2.COLOR_GRAY2RGB)
        speed = 0.02 * W / self.fps
        return (np.ascontiguousarray(np.tile(prem, (1, 2, 1))), np.ascontiguousarray(np.tile(inv3, (1, 2, 1))), speed)

    # -- drawing

    def draw_behind(self, frame: np.ndarray, i: int) -> None:
        """Far rain or snow: behind the middle distance (seen through windows indoors)."""
        for sheet in self.behind:
            sheet.draw(frame, i)

    def draw_ground(self, frame: np.ndarray, i: int) -> None:
        """Ripples spreading in puddles on the near ground."""
        if self.ripples is None:
            return
        L = self.layout
        period = self._ripple_period
        for slot in range(self.ripples.shape[0]):
            t = i + int(self._ripple_offsets[slot])
            cycle, age = divmod(t, period)
            x, y = self.ripples[slot, min(cycle, self.ripples.shape[1] - 1)]
            sx, sy, s = self.camera.project((float(x), float(y)), NEAR, i)
            u = age / period
            r = (0.012 + 0.04 * u) * L.height * s
            c = self._ground + (self._ripple_colour - self._ground) * (1 - u)
            cv2.ellipse(frame, fixed((sx, sy)), fixed((r, r * 0.22)), 0, 0, 360, tuple(int(v) for v in c),
                        max(1, int(round(L.height / 720))), cv2.LINE_AA, SHIFT)

    def draw_front(self, frame: np.ndarray, i: int) -> None:
        """Near rain or snow, blowing leaves and drifting fog, over everything."""
        for sheet in self.front:
            sheet.draw(frame, i)
        if self.leaves is not None:
            self._draw_leaves(frame, i)
        if self.fog is not None:
            prem, inv3, speed = self.fog
            W = self.layout.width
            c0 = int(round(speed * i)) % W
            blend_into(frame, prem[:, c0:c0 + W], inv3[:, c0:c0 + W])

    def _draw_leaves(self, frame: np.ndarray, i: int) -> None:
        W = self.layout.width
        t = i / self.fps
        margin = 0.05 * W
        for x0, y0, vx, amp, freq, ph, spin, size, ci in self.leaves:
            x = (x0 + vx * i) % (W + 2 * margin) - margin
            y = y0 + amp * math.sin(2 * math.pi * freq * t + ph)
            ang = math.degrees(spin * t + ph)
            cv2.ellipse(frame, fixed((x, y)), fixed((size, size * 0.45)), ang, 0, 360, self._leaf_colours[int(ci)], -1, cv2.LINE_AA, SHIFT)


def scale_c(c, f: float) -> tuple[int, int, int]:
    return tuple(int(min(255, v * f)) for v in c)  # type: ignore[return-value]

