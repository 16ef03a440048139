"""Sketch engine: the place, the light, the weather and the style come from the words."""

import numpy as np

from sketch_support import HANA, luminance, motion, render


def test_japanese_night_rain_cafe():
    plan, night = render("夜、雨のカフェで勉強する", frames=24, seed=3)
    s = plan.scene
    assert (s.place, s.time_of_day, s.weather) == ("cafe", "night", "rain")
    assert "sit" in s.actions and plan.choreo.actors  # someone studies at a table
    assert plan.weather.behind  # rain falls outside the windows
    _, morning = render("朝、カフェで勉強する", frames=24, seed=3)
    assert luminance(night) < luminance(morning) - 15


def test_rain_adds_steady_motion():
    _, wet = render("夜、雨のカフェで勉強する", frames=24, seed=3)
    _, dry = render("夜、カフェで勉強する", frames=24, seed=3)
    d_wet, d_dry = motion(wet)[1:], motion(dry)[1:]
    assert d_wet.mean() > d_dry.mean() + 0.05
    # Steady: no frame of rain stands out like an event would.
    assert d_wet.max() < 2 * np.median(d_wet)


def test_night_sky_is_darker_and_has_stars_or_lit_windows():
    _, night = render("a city street at night", frames=2, seed=1)
    _, day = render("a city street at noon", frames=2, seed=1)
    top = lambda f: luminance(f[:, : f.shape[1] // 3])  # noqa: E731
    assert top(night) < top(day) - 60
    # Lit windows and stars: a few bright warm pixels in a dark picture.
    bright = (night[0].astype(np.int16).min(axis=-1) > 150).mean()
    assert bright > 0.001


def test_snow_whitens_the_ground_and_falls():
    _, snow = render("a snowy park", frames=12, seed=2)
    _, green = render("a park", frames=12, seed=2)
    h = snow.shape[1]
    assert luminance(snow[:, h // 2:]) > luminance(green[:, h // 2:]) + 15
    assert motion(snow)[1:].mean() > motion(green)[1:].mean()


def test_places_draw_different_pictures():
    pictures = {}
    for place in ("classroom", "cafe", "library", "office", "room", "station", "university", "beach", "forest",
                  "park", "mountain", "city", "open landscape"):
        plan, frames = render(f"the {place} in the afternoon", frames=1, seed=1, size=(160, 96))
        assert plan.scene.place == (None if place == "open landscape" else place)
        pictures[place] = frames[0].astype(np.int16)
    names = list(pictures)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert np.abs(pictures[a] - pictures[b]).mean() > 3, (a, b)


def test_noir_style_is_monochrome_and_pastel_is_lighter():
    _, colour = render("Hana walks in the park", cast=(HANA,), frames=2, seed=1)
    _, noir = render("Hana walks in the park", cast=(HANA,), frames=2, seed=1, style="film noir, モノクロ")
    _, pastel = render("Hana walks in the park", cast=(HANA,), frames=2, seed=1, style="pastel picture book")
    spread = lambda f: (f.max(axis=-1).astype(np.int16) - f.min(axis=-1)).mean()  # noqa: E731
    assert spread(noir) < 3 < spread(colour)
    assert luminance(pastel) > luminance(colour) + 5


def test_vignette_darkens_the_corners():
    _, frames = render("a quiet meadow at noon", frames=1, seed=1)
    f = frames[0].astype(np.float32)
    assert f[:8, :8].mean() < f[80:100, 150:170].mean()
