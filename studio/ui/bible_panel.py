"""The story bible: the cast (name and look), the style and the setting, shared by every shot."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.domain.model import Character, Project, new_id
from studio.services.document import rename_character
from studio.ui import theme
from studio.ui.i18n import tr
from studio.ui.prompt_editor import _LineEdit


class StoryBiblePanel(QFrame):
    edit_requested = Signal(object, str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self._project: Project | None = None
        self._loading = False
        self.title = QLabel()
        self.title.setObjectName("PanelTitle")
        self.cast_label = QLabel()
        self.cast_label.setObjectName("Muted")
        self._cameo_source = lambda: []  # () -> [(cameo id, label)]: set by the window (the cameo vault)
        self._cameo_choices: list[tuple[str, str]] = []
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("CastTable")
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setWordWrap(True)
        self.add_button = QToolButton()
        self.add_button.setIcon(theme.icon("add"))
        self.remove_button = QToolButton()
        self.remove_button.setIcon(theme.icon("delete"))
        self.style_label = QLabel()
        self.style_label.setObjectName("Muted")
        self.style_edit = _LineEdit()
        self.style_edit.setObjectName("StyleEdit")
        self.setting_label = QLabel()
        self.setting_label.setObjectName("Muted")
        self.setting_edit = _LineEdit()
        self.setting_edit.setObjectName("SettingEdit")

        head = QHBoxLayout()
        head.addWidget(self.cast_label)
        head.addStretch(1)
        head.addWidget(self.add_button)
        head.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.style_label)
        layout.addWidget(self.style_edit)
        layout.addWidget(self.setting_label)
        layout.addWidget(self.setting_edit)

        self.table.itemChanged.connect(self._cell_edited)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.style_edit.textEdited.connect(lambda t: self._bible_field("style", t, tr("Edit style")))
        self.setting_edit.textEdited.connect(lambda t: self._bible_field("setting", t, tr("Edit setting")))
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(tr("Story bible"))
        self.cast_label.setText(tr("Characters"))
        self.table.setHorizontalHeaderLabels([tr("Name"), tr("Look"), tr("Cameo")])
        self.add_button.setToolTip(tr("Add a character"))
        self.remove_button.setToolTip(tr("Remove the selected character"))
        self.style_label.setText(tr("Style"))
        self.style_edit.setPlaceholderText(tr("e.g. hand-drawn animatic, soft light"))
        self.setting_label.setText(tr("Setting"))
        self.setting_edit.setPlaceholderText(tr("e.g. a small seaside town in autumn"))
        self._fill_cameo_column()

    def set_cameo_source(self, source) -> None:
        """Where the cameo column's choices come from: () -> [(cameo id, label)] (read on `refresh_cameos`)."""
        self._cameo_source = source

    def refresh_cameos(self) -> None:
        """Reread the castable cameos (after the wizard made one, or one was revoked)."""
        choices = list(self._cameo_source())
        if choices != self._cameo_choices:
            self._cameo_choices = choices
            self._fill_cameo_column()

    def _fill_cameo_column(self) -> None:
        if self._project is None:
            return
        was, self._loading = self._loading, True
        try:
            for row, c in enumerate(self._project.bible.characters):
                combo = self.table.cellWidget(row, 2)
                if combo is None:
                    combo = QComboBox()
                    combo.setObjectName("CameoCombo")
                    combo.currentIndexChanged.connect(lambda _i, combo=combo: self._cameo_chosen(combo))
                    self.table.setCellWidget(row, 2, combo)
                combo.blockSignals(True)
                combo.clear()
                combo.addItem(tr("None"), None)
                for cameo_id, label in self._cameo_choices:
                    combo.addItem(label, cameo_id)
                if c.cameo_id and combo.findData(c.cameo_id) < 0:
                    # Cast before, but not castable now (revoked, expired, another machine's): renders will say why.
                    combo.addItem(tr("{c} (unavailable)", c=c.cameo_id), c.cameo_id)
                combo.setCurrentIndex(max(0, combo.findData(c.cameo_id)))
                combo.setProperty("character_id", c.id)
                combo.blockSignals(False)
        finally:
            self._loading = was

    def _cameo_chosen(self, combo) -> None:
        if self._loading or self._project is None:
            return
        p, cid = self._project, combo.property("character_id")
        cameo_id = combo.currentData()
        char = p.bible.character(cid)
        if char is None or char.cameo_id == cameo_id:
            return
        chars = tuple(replace(c, cameo_id=cameo_id) if c.id == cid else c for c in p.bible.characters)
        self.edit_requested.emit(replace(p, bible=replace(p.bible, characters=chars)), tr("Cast cameo"), None)

    def set_project(self, project: Project | None) -> None:
        old = self._project
        self._project = project
        if project is None:
            return
        if old is not None and old.bible == project.bible and self.table.rowCount() == len(project.bible.characters):
            return
        self._loading = True
        try:
            chars = project.bible.characters
            self.table.setRowCount(len(chars))
            for row, c in enumerate(chars):
                for col, text in enumerate((c.name, c.look)):
                    item = self.table.item(row, col)
                    if item is None:
                        item = QTableWidgetItem()
                        self.table.setItem(row, col, item)
                    if item.text() != text:
                        item.setText(text)
                    item.setData(Qt.UserRole, c.id)
            self._fill_cameo_column()
            self.table.resizeRowsToContents()
            if self.style_edit.text() != project.bible.style:
                self.style_edit.setText(project.bible.style)
            if self.setting_edit.text() != project.bible.setting:
                self.setting_edit.setText(project.bible.setting)
        finally:
            self._loading = False

    def _cell_edited(self, item: QTableWidgetItem) -> None:
        if self._loading or self._project is None:
            return
        cid = item.data(Qt.UserRole)
        p = self._project
        char = p.bible.character(cid)
        if char is None:
            return
        text = item.text().strip()
        if item.column() == 0:
            if text and text != char.name:
                self.edit_requested.emit(rename_character(p, cid, text), tr("Rename character"), None)
            elif not text:
                self._loading = True
                item.setText(char.name)
                self._loading = False
        elif text != char.look:
            chars = tuple(replace(c, look=text) if c.id == cid else c for c in p.bible.characters)
            self.edit_requested.emit(replace(p, bible=replace(p.bible, characters=chars)), tr("Edit look"), None)

    def _add(self) -> None:
        p = self._project
        if p is None:
            return
        n = len(p.bible.characters) + 1
        name = tr("Character{n}", n=n)
        c = Character(new_id("char"), name, "")
        self.edit_requested.emit(replace(p, bible=replace(p.bible, characters=p.bible.characters + (c,))), tr("Add character"), None)
        self.table.editItem(self.table.item(self.table.rowCount() - 1, 0))

    def _remove(self) -> None:
        p = self._project
        row = self.table.currentRow()
        if p is None or row < 0 or row >= len(p.bible.characters):
            return
        cid = p.bible.characters[row].id
        chars = tuple(c for c in p.bible.characters if c.id != cid)
        shots = tuple(replace(s, characters=tuple(x for x in s.characters if x != cid)) for s in p.shots)
        self.edit_requested.emit(replace(p, bible=replace(p.bible, characters=chars), shots=shots), tr("Remove character"), None)

    def _bible_field(self, name: str, text: str, undo_text: str) -> None:
        if self._loading or self._project is None:
            return
        p = self._project
        self.edit_requested.emit(replace(p, bible=replace(p.bible, **{name: text})), undo_text, ("bible", name))
