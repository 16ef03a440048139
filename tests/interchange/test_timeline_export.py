"""The cut handed to an editor: every timeline format written, then read back with OpenTimelineIO."""

from pathlib import Path
from urllib.parse import unquote, urlparse

import opentimelineio as otio
import pytest

from studio.interchange.importing import import_new_project
from studio.interchange.timeline import FORMATS, METADATA_KEY, TimelineError, export_timeline, media_folder_for
from studio.media.audio_io import read_wav
from studio.media.decode import probe
from studio.persistence.bundle import load_project, media_path


def _local(url: str, base: Path) -> Path:
    u = urlparse(url)
    p = Path(unquote(u.path)) if u.scheme == "file" else Path(unquote(url))
    return p if p.is_absolute() else base / p


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_every_format_reads_back_with_the_cut(rendered, suffix, tmp_path):
    project, bundle, _ = rendered
    out = tmp_path / f"cut{suffix}"
    report = export_timeline(project, bundle, out)
    assert report.path == out and out.is_file()
    base = tmp_path
    kwargs = {}
    if suffix == ".otioz":
        (tmp_path / "x").mkdir()
        kwargs = {"extract_to_directory": str(tmp_path / "x")}
        base = tmp_path / "x"
        assert not media_folder_for(out).exists()  # bundled inside, nothing beside
    timeline = otio.adapters.read_from_file(str(out), **kwargs)
    clips = list(timeline.video_tracks()[0].find_clips())
    assert len(clips) == 3
    assert [c.name for c in clips] == ["Park", "Mei drinks tea", "Mei runs home"]
    assert [c.duration().rescaled_to(24).value for c in clips] == [12, 12, 17]
    for clip, shot in zip(clips, project.shots):
        path = _local(clip.media_reference.target_url, base)
        assert path.name == shot.selected_take.video
        assert path.read_bytes() == media_path(bundle, shot.selected_take.video).read_bytes()
    if suffix != ".edl":  # an EDL names picture events only
        stems = {t.name.lower() for t in timeline.audio_tracks()} if suffix in (".otio", ".otioz", ".kdenlive") else None
        if stems is not None:
            assert stems == {"dialogue", "foley", "ambience"}
        wavs = [_local(c.media_reference.target_url, base) for t in timeline.audio_tracks() for c in t.find_clips()]
        assert len(wavs) == 9
        for wav in wavs:
            samples, sr = read_wav(wav)
            assert sr == 48000
            frames = 17 if project.shots[2].selected_take.id in wav.name else 12
            assert samples.shape[0] == frames * 2000
    if suffix in (".otio", ".otioz", ".xml", ".fcpxml", ".edl"):
        assert [m.name.casefold() for m in clips[0].markers] == ["good morning"]
    if suffix in (".otio", ".otioz"):
        meta = clips[1].metadata[METADATA_KEY]
        shot = project.shots[1]
        assert (meta["prompt"], meta["seed"], meta["engine"], meta["shot_id"]) == (shot.prompt, 101, "sketch", shot.id)
        assert "model" in meta and meta["take_id"] == shot.selected_take.id


def test_otio_opened_back_gives_the_same_shots(rendered, tmp_path):
    project, bundle, _ = rendered
    export_timeline(project, bundle, tmp_path / "cut.otio")
    report = import_new_project(tmp_path / "cut.otio", tmp_path / "again.studio")
    again = load_project(tmp_path / "again.studio")
    assert report.notes == []
    assert again.fps == 24 and (again.canvas.width, again.canvas.height) == (128, 72)
    key = lambda s: (s.title, s.prompt, s.seed, s.duration_frames, s.engine, s.dialogue, s.camera, s.characters)
    assert [key(s) for s in again.shots] == [key(s) for s in project.shots]
    for old, new in zip(project.shots, again.shots):
        take = new.selected_take
        assert take is not None and take.source == "import"
        assert probe(media_path(tmp_path / "again.studio", take.video)).frame_count == old.selected_take.frames
        assert sorted(s for s, _ in take.stems) == sorted(s for s, _ in old.selected_take.stems)


def test_rational_time_has_no_drift_at_30_fps(tmp_path):
    """Clip edges are whole frames: the track's length is exactly the sum of the shots at 30 and 24 fps."""
    from studio.domain.model import Canvas, Project, Shot, Take, TakeRecipe
    from studio.interchange.timeline import build_timeline
    from studio.media.encode import write_take_video
    import numpy as np

    (tmp_path / "p.studio" / "media").mkdir(parents=True)
    write_take_video(tmp_path / "p.studio" / "media" / "take_a.mp4", np.zeros((3, 32, 32, 3), np.uint8), 30)
    recipe = TakeRecipe("import", "", 0, "", "", 32, 32, 30, 3, "static")
    take = Take("take_a", "", "take_a.mp4", (), (), recipe, 3, source="import")
    lengths = [1001, 7, 13, 29, 1, 997] * 50
    shots = [Shot(id=f"shot_{i}", prompt="", duration_frames=n, takes=(take,), selected_take_id="take_a")
             for i, n in enumerate(lengths)]
    project = Project("t", fps=30, canvas=Canvas(32, 32), shots=tuple(shots))
    timeline = build_timeline(project, tmp_path / "p.studio", tmp_path / "m")
    track = timeline.video_tracks()[0]
    assert track.duration() == otio.opentime.RationalTime(sum(lengths), 30)
    start = track.range_of_child_at_index(len(lengths) - 1).start_time
    assert start.value == sum(lengths[:-1]) and start.rate == 30


def test_unknown_suffix_and_missing_folder_are_one_line_errors(rendered, tmp_path):
    project, bundle, _ = rendered
    with pytest.raises(TimelineError, match="unknown timeline format '.mp3'"):
        export_timeline(project, bundle, tmp_path / "cut.mp3")
    with pytest.raises(TimelineError, match="no such folder"):
        export_timeline(project, bundle, tmp_path / "nowhere" / "cut.otio")
    assert list(tmp_path.iterdir()) == []
