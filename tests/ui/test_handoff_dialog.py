"""The Export dialog's hand-off: a timeline for an editor written from the window, read back with OTIO."""

from __future__ import annotations

import opentimelineio as otio

from studio.persistence.bundle import save_project
from studio.ui.dialogs import ExportDialog
from studio.ui.i18n import JA
from studio.ui.handoff_dialog import CHOICE_LABELS
from tests.support.projects import small_project


def test_export_dialog_writes_an_fcp_xml_timeline(qtbot, tmp_path):
    project = small_project("Mei walks", "Mei runs", frames=6, size=(128, 72))
    bundle = save_project(project, tmp_path / "p")
    dialog = ExportDialog(project, bundle)
    qtbot.addWidget(dialog)
    handoff = dialog.show_handoff()
    handoff.format.setCurrentIndex(handoff.format.findData(".xml"))
    assert handoff.destination.text().endswith(".xml")
    handoff.destination.setText(str(tmp_path / "cut.xml"))
    with qtbot.waitSignal(handoff.runner.finished, timeout=120_000):
        handoff.write_button.click()
    assert handoff.written == tmp_path / "cut.xml"
    timeline = otio.adapters.read_from_file(str(tmp_path / "cut.xml"))
    assert len(list(timeline.video_tracks()[0].find_clips())) == 2
    assert "cut.xml" in handoff.message.text()


def test_every_handoff_choice_has_a_japanese_label():
    assert all(label in JA for label in CHOICE_LABELS.values())


def test_a_recut_applied_from_the_window_is_one_undoable_step(small_window, qtbot, tmp_path):
    from studio.interchange.timeline import export_timeline
    from studio.services.export import ensure_takes

    window = small_window
    doc = window.document
    project, _ = ensure_takes(doc.project, doc.bundle, list(doc.project.shots))
    doc.apply(project, "render")
    before = [s.id for s in doc.project.shots]
    export_timeline(doc.project, doc.bundle, tmp_path / "cut.otio")
    timeline = otio.adapters.read_from_file(str(tmp_path / "cut.otio"))
    track = timeline.video_tracks()[0]
    first = track[0]
    del track[0]
    track.append(first)  # the editor moves the first shot to the end
    otio.adapters.write_to_file(timeline, str(tmp_path / "recut.otio"))
    export = window.show_export()
    handoff = export.show_handoff()
    with qtbot.waitSignal(handoff.recut_ready, timeout=60_000):
        handoff.apply_recut(tmp_path / "recut.otio")
    assert [s.id for s in doc.project.shots] == before[1:] + before[:1]
    assert "moved" in handoff.message.text() and "0 added" in handoff.message.text()
    assert doc.undo_stack.undo_text() == "Re-cut from the editor"
    doc.undo()
    assert [s.id for s in doc.project.shots] == before
    export.close()
