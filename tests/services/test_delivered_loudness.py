"""The loudness promises, measured on the delivered files by an independent meter (ffmpeg's ebur128).

Dialogue and loud foley hits over a quiet bed: the exported AAC keeps its
true-peak ceiling (AAC adds overshoot on top of what was limited), lands within
±1 LU of the target, and the foley hits keep their punch.
"""

from __future__ import annotations

import numpy as np
import pytest

from studio.media.decode import read_audio
from studio.persistence.bundle import save_project
from studio.services.delivery import PRESETS, deliver
from studio.services.export import ExportOptions, ensure_takes, export_project
from studio.services.takes import load_take_stems
from studio.sound import loudness
from studio.sound.mix import join_shots, shot_stem_gains
from tests.support.ebur128 import ffmpeg_loudness, foley_hits, punch
from tests.support.projects import small_project

pytestmark = pytest.mark.slow

MAX_MEDIAN_PUNCH_LOSS_DB = 5.0
MAX_PUNCH_LOSS_DB = 8.0
"""How much peak-to-loudness ratio a foley hit may lose to the limiter (median over hits, and the worst hit)."""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loud")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STUDIO_DATA_DIR", str(folder / "data"))
        mp.setenv("STUDIO_LOG_DIR", str(folder / "logs"))
        project = small_project('Mei says "good morning, everyone, it is a lovely day" {sfx: door slam} {ambience: room}',
                                "Mei walks across the hall {sfx: footsteps} {sfx: clap} {ambience: room}",
                                frames=48, size=(160, 96))
        bundle = save_project(project, folder / "p")
        project, _ = ensure_takes(project, bundle, list(project.shots))
        save_project(project, bundle)
    takes = [(s, s.selected_take) for s in project.shots]
    stems = [load_take_stems(bundle, t, s.duration_frames, project.fps) for s, t in takes]
    program = join_shots(stems, shot_gains=[shot_stem_gains(s.engine_settings) for s, _ in takes])
    foley = join_shots([{"foley": s["foley"]} for s in stems])
    return project, bundle, program, foley


def _check(path, program, foley, target, ceiling):
    lufs, peak = ffmpeg_loudness(path)
    assert peak <= ceiling, f"{path.name}: true peak {peak} dBTP over the {ceiling} dBTP promise"
    assert lufs == pytest.approx(target, abs=1.0)
    decoded, _ = read_audio(path)
    hits = foley_hits(foley)
    assert len(hits) >= 2
    loss = np.array([punch(program, h) - punch(decoded[: program.shape[0]], h) for h in hits])
    assert np.median(loss) <= MAX_MEDIAN_PUNCH_LOSS_DB and loss.max() <= MAX_PUNCH_LOSS_DB, loss
    return lufs, peak


def test_export_keeps_the_streaming_promise(rendered, tmp_path):
    project, bundle, program, foley = rendered
    # The premise: this programme needs limiting to reach -14 LUFS under -1 dBTP.
    assert loudness.true_peak(program) - loudness.integrated_loudness(program) > 13.0
    report = export_project(project, bundle, tmp_path / "out.mp4", ExportOptions())
    _check(report.path, program, foley, -14.0, -1.0)


@pytest.mark.parametrize("preset", ["ebu-r128", "atsc-a85"])
def test_broadcast_deliveries_keep_their_promise(rendered, tmp_path, preset):
    project, bundle, program, foley = rendered
    spec = PRESETS[preset]
    report = deliver(project, bundle, tmp_path / "out.mp4", preset=preset, codec="h264", size=(160, 96))
    _check(report.path, program, foley, spec.loudness_lufs, spec.true_peak_db)


def test_export_encodes_its_sound_once(rendered, tmp_path, monkeypatch):
    """The AAC round trip that checks the ceiling writes the delivered track: no second AAC encode."""
    import studio.services.export as export
    from studio.media import encode

    project, bundle, program, foley = rendered
    encodes: list[str] = []
    original = encode._AudioFeed.__init__

    def counted(self, container, stream, *args, **kwargs):
        encodes.append(type(container).__name__)
        original(self, container, stream, *args, **kwargs)

    monkeypatch.setattr(encode._AudioFeed, "__init__", counted)
    monkeypatch.setattr(export, "encode_sound", lambda *a, **k: pytest.fail("the sound was encoded a second time"))
    report = export_project(project, bundle, tmp_path / "out.mp4", ExportOptions())
    assert len(encodes) == 1, encodes  # one AAC encode of the programme, through its ceiling check
    _check(report.path, program, foley, -14.0, -1.0)
