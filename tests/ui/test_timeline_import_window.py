"""Import a timeline as a new project from the window: real .otio/.xml/.edl written by OTIO's adapters.

The action asks for the timeline and for where to save the new project (the dialogs are
answered here), imports off the UI thread, opens the new project, and shows the notes
that name missing media.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest

from studio.media.decode import read_all_frames
from studio.media.encode import write_take_video
from studio.persistence.bundle import load_project, media_path


def _video(path: Path, frames: int, value: int) -> Path:
    picture = np.zeros((frames, 72, 128, 3), np.uint8)
    for i in range(frames):
        picture[i, :, : 8 + 4 * i] = value
    write_take_video(path, picture, 24)
    return path


def _editors_timeline(folder: Path) -> list[tuple[str, Path, int]]:
    """Three clips as an editor's tool names them: two with media on disk, one whose file is gone."""
    clips = [("Opening", _video(folder / "opening.mp4", 24, 200), 24),
             ("Pickup", folder / "pickup_gone.mov", 12),
             ("Ending", _video(folder / "ending.mp4", 12, 90), 12)]
    timeline = otio.schema.Timeline(name="Editor cut")
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for name, path, n in clips:
        length = otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(n, 24))
        ref = otio.schema.ExternalReference(target_url=path.as_uri(), available_range=length)
        track.append(otio.schema.Clip(name=name, media_reference=ref, source_range=length))
    for suffix in (".otio", ".xml", ".edl"):
        otio.adapters.write_to_file(timeline, str(folder / f"cut{suffix}"))
    return clips


def _answer_dialogs(monkeypatch, timeline: Path, destination: Path) -> list[str]:
    from studio.ui import timeline_import

    asked: list[str] = []

    def open_name(parent, caption, folder, filters):
        asked.append(filters)
        return str(timeline), filters

    def save_name(parent, caption, suggested, filters):
        asked.append(suggested)
        return str(destination), filters

    monkeypatch.setattr(timeline_import.QFileDialog, "getOpenFileName", staticmethod(open_name))
    monkeypatch.setattr(timeline_import.QFileDialog, "getSaveFileName", staticmethod(save_name))
    return asked


@pytest.mark.parametrize("suffix", [".otio", ".xml", ".edl"])
def test_a_timeline_imported_from_the_window_opens_as_a_new_project_with_notes(window, qtbot, tmp_path, monkeypatch, suffix):
    folder = tmp_path / "from_editor"
    folder.mkdir()
    clips = _editors_timeline(folder)
    destination = tmp_path / "projects" / "Editor cut"  # no suffix typed: .studio is added
    destination.parent.mkdir()
    asked = _answer_dialogs(monkeypatch, folder / f"cut{suffix}", destination)
    before = sorted(p.name for p in folder.iterdir())

    window.act_import_timeline.trigger()
    qtbot.waitUntil(lambda: window.document.bundle is not None
                    and Path(window.document.bundle) == destination.with_suffix(".studio"), timeout=60_000)

    assert "*.edl" in asked[0] and asked[1].endswith(".studio")
    bundle = destination.with_suffix(".studio")
    project = window.document.project
    assert [s.title for s in project.shots] == [name for name, _, _ in clips]
    assert [s.duration_frames for s in project.shots] == [24, 12, 12] and project.fps == 24
    assert window.pages.currentIndex() == 1  # the storyboard of the new project is showing
    # Available media became takes holding the editor's frames; the missing file, a shot with no take.
    opening, pickup, ending = project.shots
    assert pickup.selected_take is None
    for shot, (_, source, _) in ((opening, clips[0]), (ending, clips[2])):
        assert shot.selected_take is not None and shot.selected_take.source == "import"
        assert np.array_equal(read_all_frames(media_path(bundle, shot.selected_take.video)), read_all_frames(source))
    # The note naming the missing file is shown to the user, not only logged.
    box = window.timeline_import.notes_box
    assert box is not None and box.isVisible()
    assert "pickup_gone.mov" in box.informativeText() and "no take" in box.informativeText()
    assert "3 shots, 2 with media" in window.status_label.text()
    # Saved where the user chose, and nothing written beside the timeline.
    assert [s.id for s in load_project(bundle).shots] == [s.id for s in project.shots]
    assert sorted(p.name for p in folder.iterdir()) == before
    assert sorted(p.name for p in destination.parent.iterdir()) == ["Editor cut.studio"]
    box.close()


def test_a_timeline_otio_cannot_read_says_so_and_leaves_no_project(window, qtbot, tmp_path, monkeypatch):
    bad = tmp_path / "broken.otio"
    bad.write_text("{ not a timeline", "utf-8")
    destination = tmp_path / "out" / "Broken.studio"
    destination.parent.mkdir()
    _answer_dialogs(monkeypatch, bad, destination)
    opened_before = window.document.bundle
    with qtbot.waitSignal(window.timeline_import.runner.failed, timeout=30_000):
        window.act_import_timeline.trigger()
    assert "Could not import the timeline" in window.status_label.text() and "broken.otio" in window.status_label.text()
    assert list(destination.parent.iterdir()) == []  # no folder, no partial folder
    assert window.document.bundle == opened_before


def test_an_existing_destination_is_refused_before_any_work(window, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "from_editor"
    folder.mkdir()
    _editors_timeline(folder)
    taken = tmp_path / "Taken.studio"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine", "utf-8")
    _answer_dialogs(monkeypatch, folder / "cut.otio", taken)
    window.act_import_timeline.trigger()
    assert "already exists" in window.status_label.text()
    assert not window.timeline_import.runner.running()
    assert sorted(p.name for p in taken.iterdir()) == ["keep.txt"]


def test_the_import_action_sits_beside_open_and_speaks_japanese(window):
    from studio.ui import i18n

    actions = [a.objectName() for a in window.toolbar.actions()]
    assert actions.index("import_timeline") == actions.index("open") + 1
    previous = i18n.language()
    try:
        i18n.set_language("ja")
        assert window.act_import_timeline.text() == "タイムラインを読み込む…"
    finally:
        i18n.set_language(previous)
    assert window.act_import_timeline.text() == "Import a timeline…"
