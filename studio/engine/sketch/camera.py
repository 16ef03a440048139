"""The virtual camera: a smooth move over the shot and what it does to each depth.

A point drawn at rest position ``p`` on a plane at depth ``d`` appears on screen at

    q = F + s(d)·(p − F) + o(d) + shake

where ``F`` is the point the camera looks at. Dolly moves the camera forward (``tz``)
so near planes grow faster than far ones, zoom scales every plane alike, pans and
tilts slide planes (with a little truck so depth still reads), and an orbit slides
planes in front of the action one way and those behind it the other way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from studio.domain.model import CameraMove, SoundEvent

ACTION_DEPTH = 1.6
"""Depth of the plane the characters stand on; the camera's moves are tuned to it."""

SHAKE_DECAY = (1.0, 0.5, 0.25, 0.1)
"""A shake starts at full strength on its event frame and dies within four frames,
so the biggest frame-to-frame change is exactly on the event."""

WHOOSH_SPEED = 0.06
"""Peak speed (canvas diagonals per second) above which a camera move whooshes."""


def ease_in_out(t: float) -> float:
    """Smoothstep: zero speed at both ends."""
    t = min(1.0, max(0.0, t))
    return t * t * (3 - 2 * t)


@dataclass(frozen=True)
class CameraState:
    """Where the camera is at one frame, in screen pixels and scene units."""

    yaw: float = 0.0
    """Screen pixels the scene slides left (pan right), rotation part."""
    truck: float = 0.0
    """Screen pixels the action plane slides from the camera moving sideways."""
    pitch: float = 0.0
    """Screen pixels the scene slides down (tilt up)."""
    orbit: float = 0.0
    """Orbit slide of things at infinity, pixels; zero on the action plane."""
    tz: float = 0.0
    """How far the camera has moved forward, scene units."""
    zoom: float = 1.0


class CameraRig:
    """A camera move over ``frames`` frames on a ``width``×``height`` canvas."""

    def __init__(self, move: CameraMove, width: int, height: int, frames: int, fps: int) -> None:
        self.move = move
        self.width, self.height = width, height
        self.frames = max(1, frames)
        self.fps = fps
        self.focus = (width / 2.0, height * 0.58)
        # A short hold at each end reads as a deliberate move, and gives the move a start frame.
        self.hold = int(round(self.frames * 0.06)) if self.frames > 12 else 0
        self._states = [self._state_at(self._progress(i)) for i in range(self.frames)]
        self._shake = np.zeros((self.frames, 2), np.int32)

    # -- the move

    def _progress(self, i: int) -> float:
        span = self.frames - 1 - 2 * self.hold
        if span <= 0:
            return 0.0
        return ease_in_out((i - self.hold) / span)

    def _state_at(self, e: float) -> CameraState:
        W, H, m = self.width, self.height, self.move
        if m in (CameraMove.PAN_LEFT, CameraMove.PAN_RIGHT):
            sign = 1.0 if m is CameraMove.PAN_RIGHT else -1.0
            travel = 0.25 * W * e * sign
            return CameraState(yaw=travel * 0.75, truck=travel * 0.25)
        if m in (CameraMove.TILT_UP, CameraMove.TILT_DOWN):
            sign = 1.0 if m is CameraMove.TILT_UP else -1.0
            return CameraState(pitch=0.22 * H * e * sign)
        if m in (CameraMove.DOLLY_IN, CameraMove.DOLLY_OUT):
            # Both end framed as at rest on the far end, so layers never need to shrink below 1.
            k = e if m is CameraMove.DOLLY_IN else 1.0 - e
            return CameraState(tz=ACTION_DEPTH * (1 - 1 / 1.3) * k)
        if m in (CameraMove.ZOOM_IN, CameraMove.ZOOM_OUT):
            k = e if m is CameraMove.ZOOM_IN else 1.0 - e
            return CameraState(zoom=1.0 + 0.3 * k)
        if m is CameraMove.ORBIT:
            return CameraState(orbit=0.12 * W * (2 * e - 1))
        return CameraState()

    def state(self, i: int) -> CameraState:
        return self._states[min(max(i, 0), self.frames - 1)]

    # -- what the move does to a plane at depth d

    def plane(self, depth: float, i: int, shake: bool = True) -> tuple[float, float, float]:
        """``(s, ox, oy)`` for a plane at ``depth`` on frame ``i``: q = F + s·(p − F) + o."""
        st = self.state(i)
        near = 0.0 if math.isinf(depth) else ACTION_DEPTH / depth
        s = st.zoom * (1.0 if math.isinf(depth) else depth / (depth - st.tz))
        ox = -st.yaw - st.truck * near + st.orbit * (near - 1.0)
        oy = st.pitch * (0.8 + 0.2 * near)
        if shake:
            sx, sy = self._shake[min(max(i, 0), self.frames - 1)]
            ox += float(sx)
            oy += float(sy)
        return s, ox, oy

    def project(self, p: tuple[float, float], depth: float, i: int, shake: bool = True) -> tuple[float, float, float]:
        """Screen position of rest point ``p`` at ``depth`` on frame ``i``, and its scale."""
        s, ox, oy = self.plane(depth, i, shake)
        fx, fy = self.focus
        return fx + s * (p[0] - fx) + ox, fy + s * (p[1] - fy) + oy, s

    def layer_affine(self, depth: float, origin: tuple[float, float], i: int, drift: tuple[float, float] = (0.0, 0.0),
                     period: int = 0) -> tuple[float, float, float]:
        """``(scale, tx, ty)`` taking a layer's pixel (j, k) to frame pixel (scale·j + tx, scale·k + ty).

        A layer whose picture repeats every ``period`` pixels across drifts by the
        remainder: a whole period later it shows the same pixels again.
        """
        s, ox, oy = self.plane(depth, i)
        fx, fy = self.focus
        x0 = origin[0] + (math.fmod(drift[0] * i, period) if period else drift[0] * i)
        y0 = origin[1] + drift[1] * i
        return s, s * (x0 - fx) + fx + ox, s * (y0 - fy) + fy + oy

    def visible_rect(self, depth: float, margin: float = 0.0, drift: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float, float, float]:
        """The rest-coordinate box a plane must cover so the camera never sees past its edge."""
        fx, fy = self.focus
        xs: list[float] = []
        ys: list[float] = []
        for i in range(self.frames):
            s, ox, oy = self.plane(depth, i, shake=False)
            for qx, qy in ((-margin, -margin), (self.width + margin, self.height + margin)):
                xs.append(fx + (qx - fx - ox) / s - drift[0] * i)
                ys.append(fy + (qy - fy - oy) / s - drift[1] * i)
        return min(xs), min(ys), max(xs), max(ys)

    # -- shake and whoosh

    def set_shakes(self, events: tuple[SoundEvent, ...] | list[SoundEvent]) -> None:
        """Shake the picture on every impact, bounce and door slam, starting on its frame."""
        shake = np.zeros((self.frames, 2), np.float64)
        base = 0.0125 * min(self.width, self.height)
        for ev in events:
            if ev.kind not in ("impact", "bounce", "door"):
                continue
            amp = max(1.5, base * (0.55 + 0.45 * min(1.0, ev.strength)))
            side = 0.3 * (1 if ev.pan >= 0 else -1)
            for k, decay in enumerate(SHAKE_DECAY):
                if ev.frame + k < self.frames:
                    shake[ev.frame + k, 1] += amp * decay
                    shake[ev.frame + k, 0] += amp * decay * side
        self._shake = np.round(shake).astype(np.int32)

    @property
    def max_shake(self) -> int:
        return int(np.abs(self._shake).max()) if self._shake.size else 0

    def shake_at(self, i: int) -> tuple[int, int]:
        sx, sy = self._shake[min(max(i, 0), self.frames - 1)]
        return int(sx), int(sy)

    def whoosh(self) -> SoundEvent | None:
        """A whoosh on the first moving frame when the move is fast enough to hear."""
        if self.move is CameraMove.STATIC or self.frames < 3:
            return None
        diag = math.hypot(self.width, self.height)
        corners = ((0.0, 0.0), (float(self.width), float(self.height)))
        peak, direction = 0.0, 0.0
        for depth in (1.05, ACTION_DEPTH, 4.0, 12.0, math.inf):
            prev = None
            for i in range(self.frames):
                pts = [self.project(c, depth, i, shake=False)[:2] for c in corners]
                if prev is not None:
                    for (x0, y0), (x1, y1) in zip(prev, pts):
                        v = math.hypot(x1 - x0, y1 - y0) * self.fps / diag
                        if v > peak:
                            peak, direction = v, x1 - x0
                prev = pts
        if peak < WHOOSH_SPEED:
            return None
        start = self.hold
        strength = min(1.0, 0.4 + 0.6 * (peak - WHOOSH_SPEED) / (2 * WHOOSH_SPEED))
        pan = 0.0 if abs(direction) < 1e-6 else (0.5 if direction > 0 else -0.5)
        return SoundEvent(start, "whoosh", round(strength, 3), pan, "camera")
