"""The stem mixer: a shot's dialogue, foley, ambience and music levels, without regenerating.

Each stem has a dB slider and a mute button. The balance is stored in the
shot's engine_settings (`studio.domain.stems.with_stem_gain`), so it is saved,
undoable like every other shot edit, and applied by the export mix.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSlider, QToolButton, QWidget

from studio.domain.stems import STEM_GAIN_RANGE_DB, STEM_NAMES, shot_stem_gains, with_stem_gain
from studio.ui.i18n import tr

STEM_LABELS = {"dialogue": "Dialogue", "foley": "Foley", "ambience": "Ambience", "music": "Music"}
_STEPS_PER_DB = 2  # the slider moves in 0.5 dB steps


def format_db(db: float) -> str:
    """'+3.0 dB', '−6.5 dB', '0 dB' (a real minus sign)."""
    if abs(db) < 0.05:
        return "0 dB"
    return f"{'+' if db > 0 else '−'}{abs(db):.1f} dB"


class StemMixerWidget(QWidget):
    """Per-stem gain sliders and mute buttons for one shot.

    ``settings_changed(settings, undo_text, merge_key)`` carries the shot's new
    engine_settings; a slider drag shares one merge key per stem so it is one undo step.
    """

    settings_changed = Signal(object, str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings: tuple = ()
        self._loading = False
        self._shot_key: object = None
        self.sliders: dict[str, QSlider] = {}
        self.mutes: dict[str, QToolButton] = {}
        self.values: dict[str, QLabel] = {}
        self._names: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        lo, hi = STEM_GAIN_RANGE_DB
        for row, stem in enumerate(STEM_NAMES):
            name = QLabel()
            slider = QSlider(Qt.Horizontal)
            slider.setObjectName(f"StemGain_{stem}")
            slider.setRange(int(lo * _STEPS_PER_DB), int(hi * _STEPS_PER_DB))
            slider.setSingleStep(1)
            slider.setPageStep(6 * _STEPS_PER_DB)
            value = QLabel(format_db(0.0))
            value.setObjectName("Muted")
            value.setMinimumWidth(56)
            mute = QToolButton()
            mute.setObjectName(f"StemMute_{stem}")
            mute.setCheckable(True)
            mute.setText("M")
            slider.valueChanged.connect(lambda v, s=stem: self._gain_edited(s, v / _STEPS_PER_DB))
            mute.toggled.connect(lambda on, s=stem: self._mute_edited(s, on))
            grid.addWidget(name, row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(value, row, 2)
            grid.addWidget(mute, row, 3)
            self.sliders[stem], self.mutes[stem], self.values[stem], self._names[stem] = slider, mute, value, name
        grid.setColumnStretch(1, 1)
        self.retranslate()

    def retranslate(self) -> None:
        for stem, label in self._names.items():
            label.setText(tr(STEM_LABELS[stem]))
            self.mutes[stem].setText(tr("M"))  # 消音 in Japanese, as on the timeline's lanes
            self.mutes[stem].setToolTip(tr("Mute {stem}", stem=tr(STEM_LABELS[stem])))
            self.sliders[stem].setToolTip(tr("Level of the {stem} stem in this shot (export mix)", stem=tr(STEM_LABELS[stem])))

    def set_settings(self, settings: tuple, shot_key: object = None) -> None:
        """Show a shot's balance (its engine_settings); ``shot_key`` keeps undo merging per shot."""
        self._settings = tuple(settings)
        self._shot_key = shot_key
        gains = shot_stem_gains(self._settings)
        muted = {k[len("stem_mute."):] for k, v in self._settings if k.startswith("stem_mute.") and v is True}
        self._loading = True
        try:
            for stem in STEM_NAMES:
                stored = dict(self._settings).get(f"stem_gain_db.{stem}", 0.0)
                db = float(stored) if isinstance(stored, (int, float)) and not isinstance(stored, bool) else 0.0
                db = gains.get(stem, db) if stem not in muted else db
                self.sliders[stem].setValue(int(round(db * _STEPS_PER_DB)))
                self.values[stem].setText(format_db(self.sliders[stem].value() / _STEPS_PER_DB))
                self.mutes[stem].setChecked(stem in muted)
        finally:
            self._loading = False

    def settings(self) -> tuple:
        return self._settings

    def _gain_edited(self, stem: str, db: float) -> None:
        self.values[stem].setText(format_db(db))
        if self._loading:
            return
        self._settings = with_stem_gain(self._settings, stem, gain_db=db)
        self.settings_changed.emit(self._settings, tr("Change {stem} level", stem=tr(STEM_LABELS[stem])),
                                   ("stem_gain", stem, self._shot_key))

    def _mute_edited(self, stem: str, on: bool) -> None:
        if self._loading:
            return
        self._settings = with_stem_gain(self._settings, stem, muted=on)
        text = tr("Mute {stem}", stem=tr(STEM_LABELS[stem])) if on else tr("Unmute {stem}", stem=tr(STEM_LABELS[stem]))
        self.settings_changed.emit(self._settings, text, None)
