"""Colour for the Sketch engine: time-of-day light, weather, depth haze and the bible's style.

Every colour the engine draws passes through one `Palette`, so a night scene, a
foggy one or a "noir" story stays consistent without any per-frame colour work:
the grading happens once per colour, at draw time of the pre-rendered layers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RGB = tuple[float, float, float]


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear blend from ``a`` (t=0) to ``b`` (t=1)."""
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def scale(c: RGB, f: float) -> RGB:
    return (c[0] * f, c[1] * f, c[2] * f)


def clamp_rgb(c: RGB) -> tuple[int, int, int]:
    """Integer 0..255 colour, as cv2's drawing functions want it."""
    return tuple(int(round(min(255.0, max(0.0, v)))) for v in c)  # type: ignore[return-value]


def luminance(c: RGB) -> float:
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


def hex_rgb(code: str) -> RGB:
    code = code.lstrip("#")
    return (int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16))


@dataclass(frozen=True)
class Light:
    """How a time of day lights the world."""

    sky_top: RGB
    sky_horizon: RGB
    tint: RGB
    """Multiplier applied to every lit surface (1 = daylight)."""
    haze: RGB
    """The colour distant things fade into."""
    sun: RGB
    dark: bool
    """Night: windows and lamps glow, stars come out."""


# Indoors, lamps take over from the sky: a warm dim light at night, not moonlight.
INTERIOR_TINT: dict[str, RGB] = {
    "morning": (1.0, 0.97, 0.92),
    "day": (1.0, 1.0, 1.0),
    "evening": (0.93, 0.82, 0.72),
    "night": (0.62, 0.55, 0.48),
}

LIGHTS: dict[str, Light] = {
    "morning": Light(hex_rgb("7fb2e6"), hex_rgb("fbdcb8"), (1.02, 0.97, 0.90), hex_rgb("f0dccb"), hex_rgb("fff1cf"), False),
    "day": Light(hex_rgb("5d9fe0"), hex_rgb("cfe6f7"), (1.0, 1.0, 1.0), hex_rgb("cfe1ef"), hex_rgb("fffbe8"), False),
    "evening": Light(hex_rgb("4a4f8f"), hex_rgb("f6a070"), (1.0, 0.80, 0.66), hex_rgb("e7a58a"), hex_rgb("ffd08a"), False),
    "night": Light(hex_rgb("0d1430"), hex_rgb("2c3868"), (0.30, 0.35, 0.55), hex_rgb("26305a"), hex_rgb("f4f0dc"), True),
}


@dataclass(frozen=True)
class Grade:
    """A colour grade read from the story bible's style text."""

    saturation: float = 1.0
    lift: float = 0.0
    """Mix toward white (pastel) when positive."""
    warmth: float = 0.0
    """Positive: toward amber; negative: toward blue."""
    sepia: bool = False
    contrast: float = 1.0
    vignette: float = 0.28


_STYLE_WORDS: list[tuple[tuple[str, ...], dict]] = [
    (("noir", "monochrome", "black and white", "black-and-white", "b&w", "grayscale", "greyscale", "モノクロ", "白黒"),
     {"saturation": 0.0, "contrast": 1.15, "vignette": 0.42}),
    (("sepia", "vintage", "retro", "old film", "セピア", "レトロ"), {"sepia": True, "vignette": 0.38}),
    (("pastel", "soft", "watercolor", "watercolour", "パステル", "水彩", "やわらか"), {"saturation": 0.72, "lift": 0.16}),
    (("warm", "cozy", "cosy", "golden", "暖か", "温か", "あたたか"), {"warmth": 0.12}),
    (("cool", "cold", "icy", "blue tone", "クール", "冷た", "寒色"), {"warmth": -0.12}),
    (("vivid", "vibrant", "saturated", "colorful", "colourful", "鮮やか", "カラフル"), {"saturation": 1.25}),
    (("moody", "gloomy", "dark", "dramatic", "ダーク", "暗い"), {"contrast": 1.1, "vignette": 0.4}),
]


def grade_from_style(style: str) -> Grade:
    """Read a colour grade from free style text (English or Japanese)."""
    s = style.lower()
    fields: dict = {}
    for words, values in _STYLE_WORDS:
        if any(w in s for w in words):
            for key, value in values.items():
                # Later words refine, but a monochrome look is never re-saturated.
                if key == "saturation" and "saturation" in fields:
                    value = min(value, fields[key])
                fields[key] = value
    return Grade(**fields)


class Palette:
    """Turns a design colour into the final colour for this scene's light, depth and style."""

    def __init__(self, time_of_day: str, weather: str, style: str = "", indoor: bool = False) -> None:
        self.indoor = indoor
        self.time_of_day = time_of_day if time_of_day in LIGHTS else "day"
        self.weather = weather
        self.light = LIGHTS[self.time_of_day]
        self.grade = grade_from_style(style)
        light = self.light
        tint = light.tint
        haze = light.haze
        sky_top, sky_horizon = light.sky_top, light.sky_horizon
        # Weather greys the sky and flattens the light; fog thickens the haze.
        self.haze_strength = {"fog": 1.35, "rain": 0.9, "snow": 0.85, "overcast": 0.75}.get(weather, 0.55)
        if weather in ("rain", "snow", "fog", "overcast"):
            grey = (luminance(sky_horizon),) * 3
            overcast = {"rain": 0.75, "snow": 0.55, "fog": 0.7, "overcast": 0.7}[weather]
            sky_top = mix(sky_top, scale(grey, 0.75 if weather == "rain" else 1.0), overcast)
            sky_horizon = mix(sky_horizon, grey, overcast)
            haze = mix(haze, grey, 0.6)
            dim = {"rain": 0.78, "snow": 0.95, "fog": 0.9, "overcast": 0.88}[weather]
            tint = scale(tint, dim)
        self._tint = tint
        self._interior_tint = INTERIOR_TINT[self.time_of_day]
        self._haze = haze
        self.sky_top = self.graded(sky_top)
        self.sky_horizon = self.graded(sky_horizon)
        self.haze = self.graded(haze)
        self.dark = light.dark
        self.sunny = weather not in ("rain", "snow", "fog", "overcast")

    # -- the three ways a colour is used

    def lit(self, design: RGB, depth: float = 1.6, haze_extra: float = 0.0) -> tuple[int, int, int]:
        """A surface lit by the scene's light and faded by distance (depth in scene units)."""
        c = (design[0] * self._tint[0], design[1] * self._tint[1], design[2] * self._tint[2])
        h = self.haze_amount(depth) + haze_extra
        c = mix(c, self._haze, min(1.0, max(0.0, h)))
        return clamp_rgb(self.graded(c))

    def interior(self, design: RGB) -> tuple[int, int, int]:
        """A surface indoors, lit by the room's lamps rather than the sky."""
        t = self._interior_tint
        return clamp_rgb(self.graded((design[0] * t[0], design[1] * t[1], design[2] * t[2])))

    def emissive(self, design: RGB) -> tuple[int, int, int]:
        """A light source (lamp, lit window, sun): not darkened by night, only graded."""
        return clamp_rgb(self.graded(design))

    def character(self, design: RGB) -> tuple[int, int, int]:
        """Characters keep their colours readable: half the light's tint, no haze.

        The same character then looks like themselves at night as well as by day.
        """
        t = mix((1.0, 1.0, 1.0), self._interior_tint if self.indoor else self._tint, 0.55)
        return clamp_rgb(self.graded((design[0] * t[0], design[1] * t[1], design[2] * t[2])))

    def haze_amount(self, depth: float) -> float:
        if math.isinf(depth):
            return 1.0
        return self.haze_strength * max(0.0, (depth - 1.2)) / (depth + 3.5)

    def graded(self, c: RGB) -> RGB:
        """The bible's style applied to one colour."""
        g = self.grade
        y = luminance(c)
        if g.sepia:
            c = mix((y, y, y), (y * 1.07 + 8, y * 0.95 + 2, y * 0.78 - 4), 1.0)
            y = luminance(c)
        if g.saturation != 1.0:
            c = (y + (c[0] - y) * g.saturation, y + (c[1] - y) * g.saturation, y + (c[2] - y) * g.saturation)
        if g.contrast != 1.0:
            c = tuple(128 + (v - 128) * g.contrast for v in c)  # type: ignore[assignment]
        if g.warmth:
            w = g.warmth
            c = (c[0] * (1 + w), c[1] * (1 + w * 0.25), c[2] * (1 - w))
        if g.lift:
            c = mix(c, (255.0, 255.0, 255.0), g.lift)
        return (min(255.0, max(0.0, c[0])), min(255.0, max(0.0, c[1])), min(255.0, max(0.0, c[2])))
