"""`studio render PROJECT --engine diffusers --model PATH` end to end on CPU, from a tiny saved pipeline."""

from __future__ import annotations

import json

import pytest

from studio.cli import main


@pytest.mark.slow
def test_render_with_the_diffusers_engine_writes_an_mp4_and_carries_continuity(tiny_models, tmp_path, capsys):
    from studio.media.decode import probe, read_all_frames
    from studio.persistence.bundle import load_project

    bundle = tmp_path / "day.studio"
    assert main(["new", str(bundle), "--story", "Mei walks to the university → Mei studies in a cafe at night",
                 "--aspect", "1:1", "--fps", "12", "--shot-seconds", "1"]) == 0
    out = tmp_path / "day.mp4"
    code = main(["render", str(bundle), "-o", str(out), "--engine", "diffusers", "--model", str(tiny_models["wan"]), "-q"])
    assert code == 0, capsys.readouterr().err
    info = probe(out)
    assert (info.width, info.height) == (720, 720)
    assert info.frame_count == 24 and info.audio_codec
    frames = read_all_frames(out)
    assert frames.shape[0] == 24 and frames.std() > 1.0

    project = load_project(bundle)
    first, second = (s.selected_take for s in project.shots)
    assert first.recipe.engine == second.recipe.engine == "diffusers"
    assert first.recipe.model == str(tiny_models["wan"])
    settings = [dict(t.recipe.settings) for t in (first, second)]
    # The second shot started from the last frame of the first shot's take (Wan 2.2 TI2V can).
    assert settings[0]["start_image"] == "none" and settings[1]["start_image"] == "start image"
    assert settings[1]["pipeline"] == "WanImageToVideoPipeline"
    assert settings[0]["seed_policy"] and settings[0]["model_frames"] == 9
    assert settings[0]["model"] == str(tiny_models["wan"]) and settings[0]["model_id"] == "tiny-wan"

    assert "Wrote" in capsys.readouterr().out
    assert main(["info", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["recipe_summary"]["engines"] == ["diffusers 1.0"]


def test_render_with_a_model_that_is_not_installed_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    bundle = tmp_path / "p.studio"
    assert main(["new", str(bundle), "--story", "Mei walks", "--fps", "12", "--shot-seconds", "1"]) == 0
    capsys.readouterr()
    out = tmp_path / "p.mp4"
    code = main(["render", str(bundle), "-o", str(out), "--engine", "diffusers", "--model", "ltx-2", "-q"])
    err = capsys.readouterr().err
    assert code == 1
    assert "model ltx-2 is not installed" in err and "studio models install ltx-2" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()
