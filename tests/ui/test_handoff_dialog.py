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
