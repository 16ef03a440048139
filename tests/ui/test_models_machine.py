"""Issue 11: the Models window says what the machine has (GPU, VRAM, free disk), what each memory
profile means and what a CPU-only machine can run, and asks before an install that cannot work here."""

from __future__ import annotations

import shutil
from collections import namedtuple

import pytest
import torch

from studio.services import models as model_service
from studio.services.settings import MEMORY_PROFILES
from studio.ui import i18n


@pytest.fixture
def hf_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("STUDIO_MEMORY_PROFILE", raising=False)
    return tmp_path / "hf" / "hub"


@pytest.fixture
def questions(monkeypatch):
    """Record every confirmation the dialog asks; answer with ``questions.answer``."""
    from PySide6.QtWidgets import QMessageBox

    from studio.ui import models_dialog

    class Recorder(list):
        answer = QMessageBox.No

    asked = Recorder()

    def question(parent, title, text, *args, **kwargs):
        asked.append((title, text))
        return asked.answer

    monkeypatch.setattr(models_dialog.QMessageBox, "question", staticmethod(question))
    return asked


def _dialog(qtbot):
    from studio.ui.models_dialog import ModelsDialog

    dialog = ModelsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_cpu_only_machine_is_told_and_an_install_asks_first(themed_app, qtbot, config, hf_cache, questions, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    dialog = _dialog(qtbot)
    assert "No NVIDIA GPU found" in dialog.machine_label.text()
    assert "Sketch engine" in dialog.cpu_note.text() and "NVIDIA GPU" in dialog.cpu_note.text()
    # The free disk where models are stored: the cache folder (not created yet) and its disk's free space.
    text = dialog.disk_label.text()
    assert str(hf_cache) in text and "GB free" in text
    shown = float(text.split(" GB free")[0])
    assert abs(shown - shutil.disk_usage(hf_cache.parent.parent).free / 1e9) < 0.5

    # Installing a catalogue model asks first, saying it needs a GPU; "No" downloads nothing.
    dialog.select_model("ltx-2")
    dialog.install_selected()
    assert len(questions) == 1
    title, message = questions[0]
    assert "LTX" in title
    assert "needs an NVIDIA GPU; on this machine only the Sketch engine can render" in message
    assert not dialog.installer.busy() and "was not installed" in dialog.status.text()
    assert not hf_cache.exists()

    # "Yes" goes ahead (offline here, so it stops with the reason; nothing reaches the network).
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    questions.answer = QMessageBox.Yes
    with qtbot.waitSignal(dialog.installer.finished, timeout=10000) as done:
        dialog.install_selected()
    assert len(questions) == 2 and "offline" in done.args[1]


def test_a_gpu_is_named_and_too_little_disk_asks_first(themed_app, qtbot, config, hf_cache, questions, monkeypatch):
    props = namedtuple("Props", "total_memory")(141 * 2**30)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index=0: "NVIDIA H200")
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda index=0: props)
    usage = namedtuple("Usage", "total used free")
    free = {"bytes": 5 * 10**9}
    monkeypatch.setattr(model_service.shutil, "disk_usage", lambda path: usage(10**12, 10**12 - free["bytes"], free["bytes"]))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    dialog = _dialog(qtbot)
    assert dialog.machine_label.text() == "This machine: NVIDIA H200 with 141 GB of GPU memory (VRAM)."
    assert "5.0 GB free" in dialog.disk_label.text()

    spec = model_service.require_spec("ltx-2")
    assert spec.download_gb > 5
    dialog.select_model("ltx-2")
    dialog.install_selected()
    assert len(questions) == 1
    message = questions[0][1]
    assert "NVIDIA GPU" not in message  # there is one
    assert f"needs {spec.download_gb:.1f} GB of disk space; only 5.0 GB is free in {hf_cache}" in message
    assert not dialog.installer.busy()

    # With a GPU and room enough, Install goes straight ahead.
    free["bytes"] = 10**13
    dialog.refresh()
    with qtbot.waitSignal(dialog.installer.finished, timeout=10000):
        dialog.install_selected()
    assert len(questions) == 1


def test_memory_profiles_are_words_with_explanations(themed_app, qtbot, config, hf_cache, questions, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    dialog = _dialog(qtbot)
    combo = dialog.profile_combo
    assert [combo.itemData(i) for i in range(combo.count())] == list(MEMORY_PROFILES)
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels[0] == "Automatic"
    for i, label in enumerate(labels):
        assert label not in MEMORY_PROFILES and "_" not in label, label
        assert len(combo.itemData(i, 3)) > 40  # Qt.ToolTipRole: an explanation
    combo.setCurrentIndex(combo.findData("group_offload"))
    assert combo.toolTip() == model_service.PROFILE_DESCRIPTIONS["group_offload"][1]
    assert "Layers streamed to the GPU" in dialog.status.text()
    # The VRAM column shows numbers; its tooltip names the profiles in words, never their ids.
    cells = [dialog.table.item(r, 4) for r in range(dialog.table.rowCount())]
    for cell in cells:
        assert not any(p in cell.text() for p in MEMORY_PROFILES[1:]), cell.text()
        assert not any(p in cell.toolTip() for p in MEMORY_PROFILES[1:]), cell.toolTip()
    assert any("Least GPU memory (slowest): " in c.toolTip() for c in cells)

    i18n.set_language("ja")
    try:
        assert combo.itemText(0) == "自動"
        assert "NVIDIA GPU が見つかりません" in dialog.machine_label.text()
        assert "空き容量" in dialog.disk_label.text()
        assert "スケッチエンジン" in dialog.cpu_note.text()
    finally:
        i18n.set_language("en")
