"""The command line as a user runs it: real processes, real files."""

import json
import subprocess
import sys

import pytest

from studio.media.decode import probe


def studio(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


def one_clear_line(proc):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("studio: "), proc.stderr
    return lines[0]


def test_new_from_japanese_story_and_info(tmp_path):
    proc = studio("new", tmp_path / "day", "--story", "朝、大学に向かう→授業を受ける→夜カフェで勉強する", "--aspect", "9:16", "--shot-seconds", "1")
    assert proc.returncode == 0, proc.stderr
    assert "3 shots" in proc.stdout and "720x1280" in proc.stdout
    info = json.loads(studio("info", tmp_path / "day.studio", "--json").stdout)
    assert [s["title"] for s in info["shots"]] == ["朝の通学路", "授業", "夜のカフェ"]
    assert len(info["characters"]) == 1 and info["frames"] == 72
    again = studio("new", tmp_path / "day", "--story", "x")
    assert "already exists" in one_clear_line(again)


@pytest.mark.slow
def test_render_writes_mp4_and_info_reads_the_recipe(tmp_path):
    assert studio("new", tmp_path / "t", "--shot-seconds", "0.5", "--aspect", "1:1").returncode == 0
    proc = studio("render", tmp_path / "t.studio", "-o", tmp_path / "t.mp4", "--shots", "1,3", "--quality", "draft")
    assert proc.returncode == 0, proc.stderr
    assert "Wrote" in proc.stdout
    info = probe(tmp_path / "t.mp4")
    assert info.frame_count == 24 and (info.width, info.height) == (720, 720)
    data = json.loads(studio("info", tmp_path / "t.mp4", "--json").stdout)
    assert data["kind"] == "video" and data["recipe_summary"]["shots"] == 2
    assert data["recipe"]["project"]["title"] == "A rainy morning"  # named after its template, not "Untitled story"
    text = studio("info", tmp_path / "t.mp4").stdout
    assert "Studio recipe" in text and "sketch" in text


@pytest.mark.parametrize(
    "args, words",
    [
        (["render", "{tmp}/missing.studio", "-o", "{tmp}/x.mp4"], "no such project"),
        (["render", "{tmp}/bad.studio", "-o", "{tmp}/x.mp4"], "damaged"),
        (["render", "{tmp}/ok.studio", "-o", "{tmp}/nofolder/x.mp4"], "no such folder"),
        (["render", "{tmp}/ok.studio", "-o", "{tmp}/x.avi"], ".mp4"),
        (["render", "{tmp}/ok.studio", "-o", "{tmp}/x.mp4", "--shots", "9"], "shots 1..3"),
        (["render", "{tmp}/ok.studio", "-o", "{tmp}/x.mp4", "--engine", "nope"], "unknown engine"),
        (["info", "{tmp}/notavideo.mp4"], "notavideo.mp4"),
        (["info", "{tmp}/nothing"], "no such file"),
        (["new", "{tmp}/e", "--story", " → "], "empty"),
    ],
)
def test_bad_input_gives_one_clear_line(tmp_path, args, words):
    studio("new", tmp_path / "ok")
    (tmp_path / "bad.studio").mkdir()
    (tmp_path / "bad.studio" / "project.json").write_text('{"format": "studio-project", "schema_ver')
    (tmp_path / "notavideo.mp4").write_bytes(b"not a video at all" * 100)
    proc = studio(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert words in one_clear_line(proc)
    assert not (tmp_path / "x.mp4").exists()


def test_info_columns_line_up_with_japanese_titles():
    from studio.cli import _pad

    assert _pad("授業", 6) == "授業  "  # two columns per kanji
    assert _pad("夜のカフェで勉強", 7) == "夜のカ "  # never splits a wide character
    assert _pad("lecture", 9) == "lecture  "


def test_new_force_over_a_rendered_project_leaves_no_orphaned_media(tmp_path):
    from studio.cli import main
    from studio.persistence.bundle import load_project, media_dir

    bundle = tmp_path / "p.studio"
    assert main(["new", str(bundle), "--story", "Mei walks in the park", "--shot-seconds", "0.5"]) == 0
    assert main(["render", str(bundle), "-o", str(tmp_path / "a.mp4"), "-q"]) == 0
    assert any(media_dir(bundle).iterdir())
    assert main(["new", str(bundle), "--story", "Ken runs in the city", "--force"]) == 0
    assert [p.name for p in media_dir(bundle).iterdir() if not p.name.startswith(".")] == []
    assert "Ken" in load_project(bundle).shots[0].prompt
