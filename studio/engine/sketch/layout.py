"""Where things stand in a shot: eye level, the ground at each depth, figure size.

Every part of the Sketch engine places things through this one perspective, so a
door on a far wall, a character and a bench in the foreground agree in scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from studio.engine.sketch.camera import ACTION_DEPTH

# Depths of the scenery planes (scene units; the action plane is ACTION_DEPTH).
SKY = math.inf
FAR = 20.0
MID = 4.0
NEAR = ACTION_DEPTH
FORE = 1.05


# The middle distance sits where each place looks best: a back wall close behind
# the action indoors, a street's far side or a campus further off outdoors.
MID_DEPTHS: dict[str | None, float] = {
    "city": 7.0, "university": 12.0, "park": 6.0, "forest": 5.0, "beach": 5.0, "mountain": 6.0, "station": 4.0,
}


def mid_depth(place: str | None, indoor: bool) -> float:
    """Depth of the middle-distance layer (and of a door in it) for a place."""
    return MID if indoor else MID_DEPTHS.get(place, 6.0)


@dataclass(frozen=True)
class Layout:
    """Perspective of a ``width``×``height`` canvas at rest."""

    width: int
    height: int

    @property
    def eye_y(self) -> float:
        """The horizon: where the ground at infinity meets the sky."""
        return self.height * (0.40 if self.width >= self.height else 0.44)

    @property
    def feet_y(self) -> float:
        """Ground line under the characters (the action plane)."""
        return self.height * 0.86

    @property
    def figure_h(self) -> float:
        """An adult's height on the action plane, in pixels."""
        return min(0.40 * self.height, 0.62 * self.width)

    def scale_at(self, depth: float) -> float:
        """Size of a thing at ``depth`` relative to the same thing on the action plane."""
        return 0.0 if math.isinf(depth) else ACTION_DEPTH / depth

    def ground_y(self, depth: float) -> float:
        """Screen y at rest of the ground under something at ``depth``."""
        return self.eye_y + (self.feet_y - self.eye_y) * self.scale_at(depth)

    def metre(self, depth: float = ACTION_DEPTH) -> float:
        """Pixels per metre at ``depth`` (an adult is about 1.7 m)."""
        return self.figure_h / 1.7 * self.scale_at(depth)
