"""The render farm choice in Settings: saved, cleaned, chosen in the dialog (no Ray needed)."""

from __future__ import annotations

import json

from studio.services.settings import Settings, load_settings, save_settings


def test_the_farm_choice_round_trips_and_a_bad_value_falls_back_to_in_process(tmp_path):
    path = tmp_path / "settings.json"
    save_settings(Settings(render_farm="ray://10.0.0.5:10001"), path)
    assert load_settings(path).render_farm == "ray://10.0.0.5:10001"
    path.write_text(json.dumps({"render_farm": 42}), "utf-8")
    assert load_settings(path).render_farm == ""


def test_the_settings_dialog_offers_in_process_local_and_an_address(qtbot):
    from studio.ui.dialogs import SettingsDialog

    dialog = SettingsDialog(Settings(render_farm="local"))
    qtbot.addWidget(dialog)
    assert dialog.farm.currentData() == "local" and not dialog.farm_address.isEnabled()
    dialog.farm.setCurrentIndex(dialog.farm.findData("address"))
    assert dialog.farm_address.isEnabled()
    dialog.farm_address.setText("  head.studio.lan:6379 ")
    assert dialog.result_settings().render_farm == "head.studio.lan:6379"
    dialog.farm.setCurrentIndex(dialog.farm.findData(""))
    assert dialog.result_settings().render_farm == ""
