"""Timelines coming back: an editor's re-cut, timelines from elsewhere, and hostile files."""

import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from studio.interchange.importing import apply_recut, import_new_project
from studio.interchange.reading import MAX_CLIPS, plan_timeline, timeline_rate
from studio.interchange.timeline import TimelineError, export_timeline
from studio.media.decode import probe, read_all_frames
from studio.media.encode import write_take_video
from studio.persistence.bundle import load_project, media_path


def _copy_bundle(bundle: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(bundle, dest)
    return dest


def _clip_video(path: Path, frames: int, fps: int = 24, value: int = 200) -> Path:
    picture = np.zeros((frames, 72, 128, 3), np.uint8)
    for i in range(frames):
        picture[i, :, : 8 + 4 * i] = value
    write_take_video(path, picture, fps)
    return path


def test_an_editors_recut_comes_back_as_the_same_changes(rendered, tmp_path):
    project, bundle, _ = rendered
    bundle = _copy_bundle(bundle, tmp_path / "p.studio")
    export_timeline(project, bundle, tmp_path / "cut.otio")
    timeline = otio.adapters.read_from_file(str(tmp_path / "cut.otio"))
    track = timeline.video_tracks()[0]
    a, b, c = list(track)
    # The editor: swaps the first two, trims 3 frames off the head of shot 2 and 4 off its tail,
    # deletes shot 3 and adds a clip of their own.
    b.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(3, 24), otio.opentime.RationalTime(5, 24))
    del track[:]
    extra = otio.schema.Clip(
        name="Pickup", source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(10, 24)),
        media_reference=otio.schema.ExternalReference(target_url=_clip_video(tmp_path / "pickup.mp4", 10).as_uri()))
    for item in (b, a, extra):
        track.append(item)
    for t in timeline.audio_tracks():
        del t[2:]
    otio.adapters.write_to_file(timeline, str(tmp_path / "recut.otio"))

    report = apply_recut(tmp_path / "recut.otio", bundle)
    saved = load_project(bundle)
    s0, s1, s2 = project.shots
    assert [s.id for s in saved.shots][:2] == [s1.id, s0.id]
    assert saved.shots[3].id == s2.id  # removed in the editor: reported, kept at the end
    assert report.removed == [s2.id] and any("not in the timeline" in n for n in report.notes)
    assert report.added == [saved.shots[2].id] and saved.shots[2].title == "Pickup"
    assert saved.shots[2].duration_frames == 10 and saved.shots[2].selected_take is not None
    assert set(report.moved) >= {s0.id, s1.id}
    assert [s.duration_frames for s in saved.shots] == [5, 12, 10, 17]
    assert report.retimed == [s1.id]
    # The head trim: a new take that starts at the old take's frame 3 (the old take is kept).
    trimmed = saved.shots[0]
    assert len(trimmed.takes) == 2 and trimmed.selected_take.id != s1.selected_take.id
    new_frames = read_all_frames(media_path(bundle, trimmed.selected_take.video))
    old_frames = read_all_frames(media_path(bundle, s1.selected_take.video))
    # Takes are lossless masters: the trimmed take is exactly the old take's frames from 3 on.
    assert len(new_frames) == min(trimmed.duration_frames, len(old_frames) - 3)
    assert np.array_equal(new_frames, old_frames[3:3 + len(new_frames)])
    assert dict(trimmed.selected_take.stems).keys() == dict(s1.selected_take.stems).keys()


def test_recut_from_fcp_xml_recognises_shots_by_their_media(rendered, tmp_path):
    """FCP 7 XML drops our metadata; the take ids in the media file names still name the shots."""
    project, bundle, _ = rendered
    bundle = _copy_bundle(bundle, tmp_path / "p.studio")
    export_timeline(project, bundle, tmp_path / "cut.xml")
    timeline = otio.adapters.read_from_file(str(tmp_path / "cut.xml"))
    track = timeline.video_tracks()[0]
    items = list(track)
    del track[:]
    for item in reversed(items):
        track.append(item)
    otio.adapters.write_to_file(timeline, str(tmp_path / "recut.xml"))
    report = apply_recut(tmp_path / "recut.xml", bundle)
    assert [s.id for s in load_project(bundle).shots] == [s.id for s in reversed(project.shots)]
    assert report.added == [] and report.removed == []


def _timeline(clips, rate=24.0, media=None):
    t = otio.schema.Timeline(name="ext")
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    t.tracks.append(track)
    for i, n in enumerate(clips):
        ref = otio.schema.ExternalReference(target_url=media[i]) if media else otio.schema.MissingReference()
        track.append(otio.schema.Clip(name=f"c{i}", media_reference=ref, source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(n, rate))))
    return t


@pytest.mark.parametrize("rate,fps", [(24000 / 1001, 24), (30000 / 1001, 30), (30000 / 1001, 24), (25.0, 24)])
def test_other_frame_rates_convert_without_drift(rate, fps):
    lengths = [37, 2, 250, 13, 1001] * 200
    plan = plan_timeline(_timeline(lengths, rate), fps, Path("/nonexistent"))
    exact = timeline_rate(rate)
    assert exact == {23: Fraction(24000, 1001), 29: Fraction(30000, 1001), 25: 25}[int(rate)]
    total = sum(c.duration_frames for c in plan.clips)
    assert total == round(Fraction(sum(lengths)) / exact * fps)  # the whole cut: no drift at all
    edge = 0
    for n, clip, acc in zip(lengths, plan.clips, np.cumsum(lengths)):
        edge += clip.duration_frames
        assert abs(edge - Fraction(int(acc)) / exact * fps) <= Fraction(1, 2)  # every cut within half a frame
    assert (exact == fps) or any("converted to" in n for n in plan.notes)


def test_a_timeline_from_elsewhere_with_missing_media_makes_shots_with_notes(tmp_path):
    t = _timeline([48, 24], 30000 / 1001, media=[(tmp_path / "gone.mov").as_uri(), _clip_video(tmp_path / "v.mp4", 24, 30).as_uri()])
    otio.adapters.write_to_file(t, str(tmp_path / "ext.otio"))
    report = import_new_project(tmp_path / "ext.otio", tmp_path / "new.studio")
    p = load_project(tmp_path / "new.studio")
    assert p.fps == 30 and [s.title for s in p.shots] == ["c0", "c1"]
    assert [s.duration_frames for s in p.shots] == [48, 24]  # 48/29.97 s at 30 fps rounds to 48
    assert p.shots[0].selected_take is None and any("gone.mov is missing" in n for n in report.notes)
    assert probe(media_path(tmp_path / "new.studio", p.shots[1].selected_take.video)).frame_count == 24


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("case", ["garbage", "no_video", "empty", pytest.param("too_many", marks=pytest.mark.slow), "binary_xml"])
def test_bad_timelines_are_one_line_errors_and_leave_no_folder(tmp_path, case):
    src = tmp_path / "in"
    src.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    path = src / ("t.xml" if case == "binary_xml" else "t.otio")
    if case == "garbage":
        path.write_text("{ not json")
    elif case == "binary_xml":
        path.write_bytes(os.urandom(2000))
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "no_video":
        t = otio.schema.Timeline()
        t.tracks.append(otio.schema.Track(kind=otio.schema.TrackKind.Audio))
        otio.adapters.write_to_file(t, str(path))
    elif case == "too_many":
        otio.adapters.write_to_file(_timeline([1] * 20000), str(path))
    with pytest.raises(TimelineError) as err:
        import_new_project(path, out / "new.studio")
    message = str(err.value)
    assert "\n" not in message and str(path) in message or "timeline" in message
    if case == "too_many":
        assert f"at most {MAX_CLIPS}" in message
    if case == "no_video":
        assert "no video track" in message
    assert _listing(out) == set()


def test_absurd_durations_are_cut_or_left_out_with_a_note(tmp_path):
    t = _timeline([10, 10**6, 0, 10**9, 48])
    plan = plan_timeline(t, 24, tmp_path)
    assert [c.duration_frames for c in plan.clips] == [10, 600 * 24, 48]
    assert any("cut to 600 s" in n for n in plan.notes) and any("absurd" in n for n in plan.notes)


def test_media_paths_anywhere_read_nothing_but_named_videos_and_write_only_the_destination(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("private")
    fake = outside / "fake.mp4"
    fake.write_bytes(b"not a video at all")
    os.symlink("/dev/zero", outside / "zero.mp4")
    media = [secret.as_uri(), "/etc/passwd", fake.as_uri(), (outside / "zero.mp4").as_uri(), "../../../../etc/shadow.mp4",
             "https://example.com/a.mp4"]
    otio.adapters.write_to_file(_timeline([12] * len(media), media=media), str(tmp_path / "t.otio"))
    dest_parent = tmp_path / "dest"
    dest_parent.mkdir()
    before = _listing(tmp_path)
    report = import_new_project(tmp_path / "t.otio", dest_parent / "new.studio")
    p = load_project(dest_parent / "new.studio")
    assert len(p.shots) == 6 and all(s.selected_take is None for s in p.shots)
    assert len(report.notes) == 6
    # Only the destination was written; no file from outside was copied into it.
    assert _listing(tmp_path) - before == {x for x in _listing(tmp_path) if x.startswith("dest/new.studio")}
    assert [n.name for n in (dest_parent / "new.studio" / "media").iterdir()] == []
