"""Takes stream into lossless masters: old H.264 takes still export, a cancel leaves nothing,
and a long shot renders and exports in bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from studio.domain.model import Take, TakeRecipe
from studio.engine.protocol import CancelledError, CancelToken, Progress
from studio.media.audio_io import write_wav
from studio.media.decode import probe, read_all_frames
from studio.media.encode import write_mp4
from studio.media.master import is_lossless_master
from studio.persistence.bundle import load_project, media_dir, save_project
from studio.services.export import ExportOptions, export_project
from studio.services.takes import render_shot
from tests.support.projects import small_project

ROOT = Path(__file__).resolve().parents[2]


def test_new_takes_are_lossless_masters_and_old_h264_takes_still_export(tmp_path):
    project = small_project("Mei walks in the park", "Mei reads in the library", frames=12)
    bundle = save_project(project, tmp_path / "p")
    project, new_take = render_shot(project, bundle, project.shots[0])
    assert is_lossless_master(media_dir(bundle) / new_take.video)
    # Shot 2's take as an old project stored it: lossy H.264 (crf 12, yuv420p) under the same kind of name.
    frames = np.zeros((12, 180, 320, 3), np.uint8)
    for i in range(12):
        frames[i, :, : 20 + 20 * i] = (200, 120, 40)
    old_name = "take_00000000abcd.mp4"
    write_mp4(media_dir(bundle) / old_name, iter(frames), fps=24, width=320, height=180, crf=12, frame_count=12)
    write_wav(media_dir(bundle) / "take_00000000abcd.ambience.wav", np.full((12 * 2000, 2), 0.05, np.float32))
    assert not is_lossless_master(media_dir(bundle) / old_name)
    shot = project.shots[1]
    request_recipe = TakeRecipe(engine="sketch", engine_version="1.0", seed=shot.seed, prompt=shot.prompt,
                                composed_prompt=shot.prompt, width=320, height=180, fps=24, frames=12,
                                camera=shot.camera.value)
    old = Take(id="take_00000000abcd", created_at="2025-01-01T00:00:00+00:00", video=old_name,
               stems=(("ambience", "take_00000000abcd.ambience.wav"),), events=(), recipe=request_recipe, frames=12)
    project = project.with_shot(project.shot(shot.id).with_take(old))
    save_project(project, bundle)
    project = load_project(bundle)

    report = export_project(project, bundle, tmp_path / "out.mp4", ExportOptions())
    assert report.rendered_shots == (), "both takes were used as they are"
    out = read_all_frames(report.path)
    assert out.shape == (24, 180, 320, 3)
    # The old take's picture (an orange bar growing to the right) is what shot 2 shows.
    assert out[12 + 11, 90, 200, 0] > 150 and out[12, 90, 200, 0] < 60
    assert probe(report.path).video_codec == "h264" and probe(report.path).pix_fmt == "yuv420p"


def test_a_render_cancelled_mid_shot_leaves_no_partial_master_and_no_take(tmp_path):
    project = small_project("Mei walks in the park", frames=48)
    bundle = save_project(project, tmp_path / "p")
    before = (bundle / "project.json").read_bytes()
    cancel = CancelToken()
    seen: list[list[str]] = []

    def on_event(event):
        if isinstance(event, Progress) and event.stage == "render" and event.step == 20:
            seen.append(sorted(os.listdir(media_dir(bundle))))  # the master is being written right now
            cancel.cancel()

    with pytest.raises(CancelledError):
        render_shot(project, bundle, project.shots[0], on_event=on_event, cancel=cancel)
    assert len(seen) == 1 and any(".partial-" in name for name in seen[0])
    assert os.listdir(media_dir(bundle)) == [], "no partial master, no stems"
    assert (bundle / "project.json").read_bytes() == before
    assert load_project(bundle).shots[0].takes == ()


_RENDER_ONE_SHOT = """
import resource, sys
from dataclasses import replace
from studio.persistence.bundle import save_project
from studio.services.export import ExportOptions, export_project
from tests.support.projects import small_project
seconds = float(sys.argv[1])
project = small_project("Mei runs through the rain in the park", size=(1280, 720), frames=int(seconds * 24))
bundle = save_project(project, sys.argv[2] + "/p")
export_project(project, bundle, __import__("pathlib").Path(sys.argv[2]) / "out.mp4", ExportOptions(quality="draft"))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def _peak_rss(seconds: float, folder: Path) -> int:
    folder.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", _RENDER_ONE_SHOT, str(seconds), str(folder)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_long_shots_frames_are_never_held_whole(tmp_path):
    # 1 s and 6 s of 1280x720: held whole (in the engine, the store or the export) the 120 more frames
    # would add 330 MB to the peak; streamed, the picture adds nothing. The sound still grows with the
    # shot (its stems are whole float arrays: about 8 MB per second of shot at the peak), hence the margin.
    short = _peak_rss(1, tmp_path / "short")
    long = _peak_rss(6, tmp_path / "long")
    assert long - short < 150 * 2**20, f"peak RSS grew by {(long - short) / 2**20:.0f} MiB for 5 s more of shot"
