import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.domain.model import Character, StoryBible, Take, TakeRecipe
from studio.domain.story import storyboard_from_story
from studio.provenance.recipe import MAX_RECIPE_BYTES, RecipeError, build_recipe, parse_recipe
from dataclasses import replace


def exported():
    p = storyboard_from_story("朝、大学に向かう→授業を受ける→夜カフェで勉強する")
    p = replace(p, bible=replace(p.bible, characters=(replace(p.bible.characters[0], cameo_id="cameo_secret"),)))
    takes = []
    for i, s in enumerate(p.shots):
        r = TakeRecipe("sketch", "1.0", s.seed, s.prompt, "c", 1280, 720, 24, s.duration_frames, s.camera.value)
        takes.append((s, Take(f"t{i}", "", f"t{i}.mp4", (), (), r, s.duration_frames)))
    return p, takes


def test_round_trip_without_takes_or_cameos():
    p, takes = exported()
    text = build_recipe(p, takes)
    assert "cameo_secret" not in text
    r = parse_recipe(text)
    assert [s.id for s in r.project.shots] == [s.id for s in p.shots]
    assert all(not s.takes for s in r.project.shots)
    assert [s.recipe.seed for s in r.shots] == [s.seed for s in p.shots]
    assert [s.start_frame for s in r.shots] == [0, 96, 192]
    assert r.project.bible.characters[0].cameo_id is None
    assert r.engines == ["sketch 1.0"]


@pytest.mark.parametrize(
    "text, words",
    [
        (None, "no Studio recipe"),
        ("", "no Studio recipe"),
        ("{", "not valid JSON"),
        ('{"format": "other"}', "not a Studio recipe"),
        ('{"format": "studio-recipe", "version": 9}', "not supported"),
        ("[" * 5000 + "]" * 5000, "JSON|deeply|not a Studio"),
        ('{"format": "studio-recipe", "version": 1, "project": {"x": 1}}', "invalid at"),
    ],
)
def test_hostile_recipes_are_refused_clearly(text, words):
    with pytest.raises(RecipeError, match=words):
        parse_recipe(text)


def test_oversized_recipe_refused():
    with pytest.raises(RecipeError, match="byte limit"):
        parse_recipe('{"a": "' + "x" * MAX_RECIPE_BYTES + '"}')


def test_traversal_and_unknown_shot_refused():
    p, takes = exported()
    doc = json.loads(build_recipe(p, takes))
    doc["project"]["shots"][0]["reference_image"] = "../../home/user/.ssh/id_rsa"
    with pytest.raises(RecipeError, match="reference_image"):
        parse_recipe(json.dumps(doc))
    doc = json.loads(build_recipe(p, takes))
    doc["shots"][0]["shot_id"] = "shot_elsewhere"
    with pytest.raises(RecipeError, match="no shot"):
        parse_recipe(json.dumps(doc))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.lists(st.sampled_from(["project", "shots", 0, 1, "recipe", "bible", "characters", "canvas", "seed",
                                      "fps", "width", "prompt", "takes", "title", "duration_frames", "camera"]),
                     min_size=1, max_size=4),
       value=json_values)
def test_fuzzed_recipes_never_crash(path, value):
    """Any field replaced by any JSON value: a Recipe or a RecipeError, nothing else."""
    p, takes = exported()
    doc = json.loads(build_recipe(p, takes))
    node = doc
    for key in path[:-1]:
        if isinstance(node, dict) and isinstance(key, str) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
    last = path[-1]
    if isinstance(node, dict) and isinstance(last, str):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = value
    try:
        parse_recipe(json.dumps(doc))
    except RecipeError:
        pass
