"""Issue 16 items 9 and 11: hostile text and numbers end in a schema error naming the file and the field."""

from __future__ import annotations

import json

import pytest

from studio.cli import main as cli_main
from studio.domain.model import Canvas
from studio.persistence.bundle import PROJECT_FILE, ProjectFileError, load_project, save_project
from studio.persistence.schema import project_to_dict
from tests.support.projects import small_project


def write_doc(tmp_path, doc_text: str):
    bundle = tmp_path / "h.studio"
    (bundle / "media").mkdir(parents=True)
    (bundle / PROJECT_FILE).write_text(doc_text, encoding="utf-8")
    return bundle


def current_doc() -> dict:
    return project_to_dict(small_project("a ball bounces", frames=4, size=(64, 64)))


def v1_doc(**changes) -> dict:
    doc = current_doc()
    doc["schema_version"] = 1
    for s in doc["shots"]:
        s.pop("duration_frames")
        s["duration_seconds"] = 1.0
    doc.update(changes)
    return doc


@pytest.mark.parametrize("fps", ["24", None, 1e308, 0, True])
def test_v1_migration_with_a_bad_fps_names_the_field(tmp_path, fps):
    bundle = write_doc(tmp_path, json.dumps(v1_doc(fps=fps)))
    with pytest.raises(ProjectFileError) as info:
        load_project(bundle)
    assert info.value.field == "fps" and info.value.path.name == PROJECT_FILE


@pytest.mark.parametrize("secs", ["Infinity", "1e308", "-1", "NaN"])
def test_v1_migration_with_a_bad_duration_names_the_shot(tmp_path, secs):
    text = json.dumps(v1_doc()).replace('"duration_seconds": 1.0', f'"duration_seconds": {secs}', 1)
    with pytest.raises(ProjectFileError) as info:
        load_project(write_doc(tmp_path, text))
    assert info.value.field == "shots[0].duration_seconds"


def test_deep_nesting_and_huge_integers_are_project_errors(tmp_path, capsys):
    deep = write_doc(tmp_path, "[" * 5000 + "]" * 5000)
    with pytest.raises(ProjectFileError, match="nested too deeply"):
        load_project(deep)
    text = json.dumps(current_doc()).replace('"seed": 100', '"seed": ' + "9" * 5000, 1)
    (deep / PROJECT_FILE).write_text(text)
    with pytest.raises(ProjectFileError, match="too long"):
        load_project(deep)
    assert cli_main(["info", str(deep)]) == 1
    err = capsys.readouterr().err
    assert "project.json" in err and "internal error" not in err and "Traceback" not in err


def test_a_lone_surrogate_is_refused_on_load_naming_the_field(tmp_path, capsys):
    doc = current_doc()
    doc["shots"][0]["prompt"] = "a ball \ud800 bounces"
    bundle = write_doc(tmp_path, json.dumps(doc))  # json.dumps escapes it as \\ud800: valid JSON text
    with pytest.raises(ProjectFileError) as info:
        load_project(bundle)
    assert info.value.field == "shots[0].prompt" and "surrogate" in info.value.message
    assert cli_main(["render", str(bundle), "-o", str(tmp_path / "o.mp4"), "-q"]) == 1
    assert "shots[0].prompt" in capsys.readouterr().err


def test_a_canvas_larger_than_4k_is_refused_in_projects(tmp_path):
    with pytest.raises(ValueError, match="larger than Studio renders"):
        Canvas(8192, 8192)
    assert Canvas(4096, 2160) and Canvas(2160, 3840)
    doc = current_doc()
    doc["canvas"] = {"width": 16384, "height": 16384}
    with pytest.raises(ProjectFileError) as info:
        load_project(write_doc(tmp_path, json.dumps(doc)))
    assert info.value.field == "canvas.width"
    doc["canvas"] = {"width": 4096, "height": 4096}
    (tmp_path / "h.studio" / PROJECT_FILE).write_text(json.dumps(doc))
    with pytest.raises(ProjectFileError) as info:
        load_project(tmp_path / "h.studio")
    assert info.value.field == "canvas"


def test_a_recipe_with_a_huge_canvas_is_refused(tmp_path):
    from studio.provenance.recipe import RecipeError, build_recipe, parse_recipe

    project = small_project("a ball bounces", frames=4, size=(64, 64))
    doc = json.loads(build_recipe(project, []))
    doc["project"]["canvas"] = {"width": 16384, "height": 16384}
    with pytest.raises(RecipeError, match="canvas"):
        parse_recipe(json.dumps(doc))
