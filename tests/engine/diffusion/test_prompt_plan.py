"""The diffusers prompt composer is given the same scene plan the Sketch engine draws."""

from __future__ import annotations

from studio.engine.diffusion.prompting import compose_prompt
from tests.engine.sketch_support import HANA, request


def test_composed_prompt_carries_the_plan_in_plain_english():
    text = compose_prompt(request("猫が窓から飛び降りる"))
    assert text.startswith("猫が窓から飛び降りる.")
    assert "The cat jumps down from the window." in text and "Indoors" in text
    ball = compose_prompt(request("A red ball falls and bounces on the wooden floor"))
    assert "The red ball falls, then bounces onto the floor." in ball and "wood floor" in ball


def test_a_characters_look_in_the_plan_is_the_bibles():
    text = compose_prompt(request("Hana walks while it rains", cast=(HANA,)))
    assert "Hana with long black hair walks." in text and "in the rain" in text
