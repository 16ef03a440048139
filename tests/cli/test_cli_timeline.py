"""`studio timeline export|import` as a user runs them: real processes, real files."""

import json
import subprocess
import sys

import opentimelineio as otio
import pytest

pytestmark = pytest.mark.slow


def studio(*args):
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True, timeout=600)


def test_export_then_import_and_recut_from_the_command_line(tmp_path):
    assert studio("new", tmp_path / "t", "--shot-seconds", "0.5", "--aspect", "16:9").returncode == 0
    proc = studio("timeline", "export", tmp_path / "t.studio", "-o", tmp_path / "cut.fcpxml")
    assert proc.returncode == 0, proc.stderr
    assert "Rendered" in proc.stdout and "Wrote" in proc.stdout
    timeline = otio.adapters.read_from_file(str(tmp_path / "cut.fcpxml"))
    count = len(list(timeline.video_tracks()[0].find_clips()))
    assert count >= 2 and (tmp_path / "cut_media").is_dir()
    proc = studio("timeline", "import", tmp_path / "cut.fcpxml", "-o", tmp_path / "back.studio")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(studio("info", tmp_path / "back.studio", "--json").stdout)
    assert len(info["shots"]) == count
    # The editor drops the last clip (saved as .otio: the FCPXML adapter cannot rewrite a cut it read) and --into reports it.
    track = timeline.video_tracks()[0]
    del track[len(track) - 1]
    otio.adapters.write_to_file(timeline, str(tmp_path / "recut.otio"))
    proc = studio("timeline", "import", tmp_path / "recut.otio", "--into", tmp_path / "t.studio")
    assert proc.returncode == 0, proc.stderr
    assert "1 not in the timeline (kept)" in proc.stdout and "note:" in proc.stdout


def test_bad_timeline_is_one_clear_line_and_no_folder(tmp_path):
    (tmp_path / "bad.edl").write_text("this is not an EDL\x00\x01")
    proc = studio("timeline", "import", tmp_path / "bad.edl", "-o", tmp_path / "new.studio")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("studio: ") and "bad.edl" in lines[0], proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.edl"]
    proc = studio("timeline", "export", tmp_path / "none.studio", "-o", tmp_path / "x.otio")
    assert proc.returncode == 2 and "no such project" in proc.stderr


def test_deliver_png_sequence_and_a_wrong_suffix(tmp_path):
    assert studio("new", tmp_path / "t", "--shot-seconds", "0.25", "--aspect", "1:1").returncode == 0
    proc = studio("deliver", tmp_path / "t.studio", "-o", tmp_path / "x.mp4", "--codec", "prores")
    assert proc.returncode == 2 and "written as a .mov file" in proc.stderr
    proc = studio("deliver", tmp_path / "t.studio", "-o", tmp_path / "frames", "--codec", "png")
    assert proc.returncode == 0, proc.stderr
    assert "no C2PA manifest" in proc.stdout and (tmp_path / "frames" / "frame_000000.png").is_file()
