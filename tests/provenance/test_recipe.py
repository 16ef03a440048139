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


# --------------------------------------------------------------------------- more hostile input


def _parse_and_remix(text):
    """A recipe read from a file either parses (and then remixes into a valid project) or is a RecipeError."""
    from studio.provenance.remix import remix_project

    try:
        recipe = parse_recipe(text)
    except RecipeError as exc:
        assert str(exc)  # always a readable reason
        return None
    result = remix_project(recipe, may_use_cameo=lambda _: True)
    assert all(c.cameo_id is None for c in result.project.bible.characters)  # no credentials, no cameo
    assert result.project.id != recipe.project.id
    return result


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400) | st.text(max_size=400))
def test_arbitrary_bytes_and_text_never_crash(data):
    _parse_and_remix(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cuts=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 40), st.text(max_size=6)), min_size=1, max_size=5))
def test_corrupted_recipe_text_never_crashes(cuts):
    """Characters of a real recipe deleted or replaced anywhere (a damaged or edited file)."""
    p, takes = exported()
    text = build_recipe(p, takes)
    for at, length, insert in cuts:
        at %= len(text)
        text = text[:at] + insert + text[at + length:]
    _parse_and_remix(text)


hostile_scalars = st.sampled_from([
    -1, 0, 2**31, 2**63, 10**400, -(10**30), 1e308, -1e308, 1.5, True, False, None, "", "0", "../../etc/passwd",
    "C:\\Windows\\system32", "\x00", "\ud800", "😀" * 50, "a" * 10_000, [], {}, [[[]]], {"": {"": {}}},
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_field_given_hostile_values_never_crashes(data):
    """Walk to any node of a real recipe and replace it, or add an unexpected key beside it."""
    p, takes = exported()
    doc = json.loads(build_recipe(p, takes))
    node = doc
    for _ in range(data.draw(st.integers(0, 6))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = data.draw(st.integers(0, len(node) - 1))
        else:
            break
        if not isinstance(node[key], (dict, list)):
            break
        node = node[key]
    value = data.draw(hostile_scalars | json_values)
    if isinstance(node, dict):
        key = data.draw(st.sampled_from(sorted(node)) | st.text(max_size=8)) if node else data.draw(st.text(max_size=8))
        node[key] = value
    elif isinstance(node, list):
        node.append(value) if not node or data.draw(st.booleans()) else node.__setitem__(0, value)
    try:
        text = json.dumps(doc, ensure_ascii=data.draw(st.booleans()))
    except (ValueError, OverflowError):
        return
    _parse_and_remix(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prompts=st.lists(st.text(min_size=1, max_size=60).filter(lambda s: s.strip()), min_size=1, max_size=4),
       seeds=st.lists(st.integers(0, 2**31 - 1), min_size=4, max_size=4),
       title=st.text(max_size=40))
def test_any_storyboard_round_trips_through_the_recipe(prompts, seeds, title):
    """English, Japanese or any other text: what is built is what is read back, seeds and all."""
    from studio.domain.model import Project, Shot

    shots = tuple(Shot(id=f"shot_{i}", prompt=t, duration_frames=12 + i, seed=seeds[i]) for i, t in enumerate(prompts))
    project = Project(title=title, shots=shots, id="project_x")
    takes = []
    for i, s in enumerate(shots):
        r = TakeRecipe("sketch", "1.0", s.seed, s.prompt, "c", 1280, 720, 24, s.duration_frames, "static",
                       settings=(("cameo.cameo_abc.similarity", 0.9), ("quality", "draft")))
        takes.append((s, Take(f"t{i}", "", f"t{i}.mp4", (), (), r, s.duration_frames)))
    text = build_recipe(project, takes)
    assert "cameo_abc" not in text  # cameo measurements never travel in a recipe
    recipe = parse_recipe(text)
    assert [s.prompt for s in recipe.project.shots] == list(prompts)
    assert recipe.project.title == title
    assert [s.recipe.seed for s in recipe.shots] == seeds[: len(prompts)]
    remixed = _parse_and_remix(text).project
    assert [(s.seed, s.engine, dict(s.engine_settings)) for s in remixed.shots] == [
        (seeds[i], "sketch", {"quality": "draft"}) for i in range(len(prompts))]
