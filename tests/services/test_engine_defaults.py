"""The memory profile saved in the window's settings reaches renders from the command line too."""

from __future__ import annotations

import json
from dataclasses import replace

from studio.cli import main
from studio.persistence.bundle import load_project, save_project
from studio.services.export import ExportOptions, export_project
from tests.support.projects import small_project


def _recorded(project, shot_index=0):
    take = project.shots[shot_index].selected_take
    return dict(take.recipe.settings)


def test_app_defaults_sit_under_the_shots_own_settings(tmp_path):
    project = small_project("Mei walks in the city", "Mei runs in the park", frames=6)
    project = project.with_shot(replace(project.shots[1], engine_settings=(("memory_profile", "gpu"),)))
    bundle = save_project(project, tmp_path / "p")
    report = export_project(project, bundle, tmp_path / "o.mp4",
                            ExportOptions(engine_defaults={"memory_profile": "model_offload"}))
    assert _recorded(report.project, 0)["memory_profile"] == "model_offload"  # the app's choice
    assert _recorded(report.project, 1)["memory_profile"] == "gpu"  # the shot's own choice wins


def test_render_command_honours_the_saved_memory_profile(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"version": 1, "memory_profile": "group_offload"}), "utf-8")
    monkeypatch.setenv("STUDIO_CONFIG_DIR", str(config))
    bundle = save_project(small_project("a ball bounces in the park", frames=6), tmp_path / "p")
    assert main(["render", str(bundle), "-o", str(tmp_path / "out.mp4"), "-q"]) == 0
    assert _recorded(load_project(bundle))["memory_profile"] == "group_offload"
