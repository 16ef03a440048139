"""The memory profile is a saved setting: it survives a restart, old files load, and it reaches the engine."""

from __future__ import annotations

import json

import pytest

from studio.engine.diffusion.catalogue import PROFILES
from studio.services.settings import (
    MEMORY_PROFILES,
    SETTINGS_VERSION,
    Settings,
    engine_settings,
    load_settings,
    save_settings,
)


def test_choices_are_auto_then_the_catalogue_profiles():
    assert MEMORY_PROFILES == ("auto", *PROFILES)
    assert "VRAM" in Settings.help("memory_profile") and "STUDIO_MEMORY_PROFILE" in Settings.help("memory_profile")


def test_saved_profile_survives_a_restart(tmp_path):
    path = tmp_path / "settings.json"
    save_settings(Settings(memory_profile="group_offload", volume=0.4), path)
    assert json.loads(path.read_text("utf-8"))["memory_profile"] == "group_offload"
    again = load_settings(path)
    assert again.memory_profile == "group_offload" and again.volume == pytest.approx(0.4)


def test_a_file_written_before_the_setting_existed_loads_with_auto(tmp_path):
    path = tmp_path / "settings.json"
    old = {"language": "ja", "recent_projects": ["/p/a.studio"], "volume": 0.3, "autosave_seconds": 60,
           "default_aspect": "9:16", "loop_playback": True, "projects_folder": "/p", "version": 1}
    path.write_text(json.dumps(old), "utf-8")
    s = load_settings(path)
    assert s.memory_profile == "auto" and s.version == SETTINGS_VERSION
    assert (s.language, s.recent_projects, s.autosave_seconds, s.default_aspect, s.loop_playback, s.projects_folder) == (
        "ja", ("/p/a.studio",), 60, "9:16", True, "/p")


def test_an_unknown_profile_falls_back_to_auto_and_keeps_the_rest(tmp_path, caplog):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"memory_profile": "turbo", "volume": 0.2, "version": 1}), "utf-8")
    s = load_settings(path)
    assert s.memory_profile == "auto" and s.volume == pytest.approx(0.2)
    assert "turbo" in caplog.text


def test_only_a_chosen_profile_travels_in_the_request():
    assert engine_settings(Settings()) == {}
    assert engine_settings(Settings(memory_profile="fp8")) == {"memory_profile": "fp8"}


def test_engine_takes_the_request_profile_and_the_environment_overrides_it(tmp_path, monkeypatch):
    """The engine's profile choice reads the request's memory_profile; STUDIO_MEMORY_PROFILE beats it."""
    from studio.engine.diffusion import engine as engine_module
    from studio.engine.diffusion.engine import DiffusersEngine
    from studio.engine.protocol import CancelToken
    from tests.engine.diffusion.test_diffusion_engine import make_request
    from tests.support.tiny_models import build_wan

    model = build_wan(tmp_path / "wan")
    asked = []
    real = engine_module.choose_profile

    def spy(spec, device, free, requested=None):
        asked.append(requested)
        return real(spec, device, free, requested)

    monkeypatch.setattr(engine_module, "choose_profile", spy)
    monkeypatch.delenv("STUDIO_MEMORY_PROFILE", raising=False)
    engine = DiffusersEngine()
    settings = {"memory_profile": "group_offload", "steps": 1}
    engine.generate(make_request(model, settings=settings), lambda e: None, CancelToken())
    monkeypatch.setenv("STUDIO_MEMORY_PROFILE", "fp8")
    engine.generate(make_request(model, settings=settings), lambda e: None, CancelToken())
    assert asked == ["group_offload", "fp8"]
