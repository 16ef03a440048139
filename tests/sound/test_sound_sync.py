"""Sync measured from files alone: known offsets recovered within one frame; `studio sync-check`."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from studio.media.decode import read_audio, read_frames
from studio.media.encode import write_mp4
from studio.sound.motion import analyse_motion
from studio.sound.sync import estimate_offset, measure_sync
from tests.sound.clips import bouncing_ball_clip, impact_soundtrack

FPS = 24
IMPACTS = [14, 31, 45, 62, 84, 101, 119]
N = 135
OFFSETS_MS = (0.0, 40.0, -40.0, 120.0, -120.0)


def test_estimate_offset_on_event_lists():
    v = np.array([10, 23, 41, 57, 80])
    a = v / FPS + 0.0731
    est = estimate_offset(v, a, FPS)
    assert est.offset_ms == pytest.approx(73.1, abs=0.5)
    assert est.matched == 5 and est.confidence >= 0.75  # one stray pairing at another lag caps it
    empty = estimate_offset([], a, FPS)
    assert empty.confidence == 0.0 and empty.matched == 0


def test_a_metronome_is_told_apart_at_the_clips_ends_or_said_to_be_ambiguous():
    """Issue 16 (sync-check on regular rhythms): a beat every 12 frames fits +100 ms and -400 ms equally in
    the middle. Where the beat starts and stops inside the clip, only +100 ms leaves no event without its
    partner; where it runs from edge to edge nothing can tell, and the estimate says so and by how much.
    (Searched within ±500 ms: within the default ±250 ms the -400 ms rival is outside the window.)"""
    beat = np.arange(24, 24 * 4.5 + 1, 12.0)  # frames 24..108 of a 6 s clip at 24 fps
    wide = 500.0
    est = estimate_offset(beat, beat / FPS + 0.1, FPS, picture_seconds=6.0, sound_seconds=6.0, max_offset_ms=wide)
    assert est.measurable and est.offset_ms == pytest.approx(100.0, abs=1.0), est
    assert est.unexplained[0] == 0 and min(est.unexplained[1:]) >= 2
    # Without the clip's lengths (or with the beat filling the clip) the two offsets cannot be told apart.
    blind = estimate_offset(beat, beat / FPS + 0.1, FPS, max_offset_ms=wide)
    assert not blind.measurable and "ambiguous by ±12.0 frames" in blind.reason
    assert estimate_offset(beat, beat / FPS + 0.1, FPS).measurable  # ±250 ms: only +100 ms is inside
    filling = np.arange(2, 6 * FPS - 1, 12.0)
    est = estimate_offset(filling, filling / FPS + 0.1, FPS, picture_seconds=6.0, sound_seconds=6.1, max_offset_ms=wide)
    assert not est.measurable and est.reason.startswith("periodic") and est.period_frames == pytest.approx(12.0, abs=0.1)


@pytest.fixture(scope="module")
def shifted_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sync")
    clip = bouncing_ball_clip(IMPACTS, N)
    files = {}
    for off in OFFSETS_MS:
        path = folder / f"ball_{int(off):+d}.mp4"
        write_mp4(path, clip, fps=FPS, width=320, height=180, audio=impact_soundtrack(IMPACTS, N, FPS, offset_ms=off))
        files[off] = path
    return files


def test_offsets_recovered_within_one_frame_from_the_file(shifted_files):
    # The picture is the same in every file: analyse it once, decoded from the first file.
    motion = analyse_motion(read_frames(shifted_files[0.0]), FPS)
    for off, path in shifted_files.items():
        audio, sr = read_audio(path)
        est = measure_sync(None, audio, FPS, sr, motion=motion)
        assert abs(est.offset_ms - off) <= 1000 / FPS, (off, est)
        assert abs(est.offset_ms - off) <= 5.0, (off, est)  # in practice: within a few ms
        assert est.confidence >= 0.5 and est.matched >= 5


def _studio(*args):
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], capture_output=True, text=True, timeout=300)


def test_sync_check_command_json_and_text(shifted_files):
    proc = _studio("sync-check", shifted_files[-40.0], "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["offset_ms"] == pytest.approx(-40.0, abs=1000 / FPS)
    assert data["offset_frames"] == pytest.approx(-40.0 * FPS / 1000, abs=1.0)
    assert data["fps"] == 24 and 0.0 <= data["confidence"] <= 1.0
    text = _studio("sync-check", shifted_files[120.0])
    assert text.returncode == 0 and "late" in text.stdout and "confidence" in text.stdout


def test_sync_check_bad_input_is_one_clear_line(tmp_path):
    for target, words in ((tmp_path / "missing.mp4", "no such file"), (tmp_path / "junk.mp4", "junk.mp4")):
        if "junk" in target.name:
            target.write_bytes(b"not a video at all")
        proc = _studio("sync-check", target)
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode != 0 and len(lines) == 1 and words in lines[0] and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_exported_studio_video_is_in_sync(tmp_path):
    from studio.persistence.bundle import save_project
    from studio.services.export import export_project
    from tests.support.projects import small_project

    project = small_project("a ball bounces on the floor of an empty room", "Mei jumps in the park", frames=72)
    bundle = save_project(project, tmp_path / "p")
    report = export_project(project, bundle, tmp_path / "out.mp4")
    proc = _studio("sync-check", report.path, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["matched_events"] >= 3, data
    assert abs(data["offset_frames"]) <= 1.0, data


def test_sync_check_silent_video_and_bad_option(tmp_path):
    silent = tmp_path / "silent.mp4"
    write_mp4(silent, bouncing_ball_clip([10], 24), fps=FPS, width=320, height=180)
    for args, words in (([silent], "has no sound"), ([silent, "--max-offset-ms", "0"], "--max-offset-ms")):
        proc = _studio("sync-check", *args)
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert proc.returncode == 2 and len(lines) == 1 and words in lines[0], proc.stderr
