"""Choose a template to start a new storyboard from: what each one is, its shots, its canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.domain.story import TEMPLATES, StoryTemplate, split_story
from studio.ui import i18n
from studio.ui.i18n import tr


class TemplateDialog(QDialog):
    """A list of the templates (title, summary, shots, canvas) in the interface language."""

    def __init__(self, aspect: str = "16:9", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TemplateDialog")
        self.setWindowTitle(tr("Start from a template"))
        self.setMinimumSize(520, 420)
        self.aspect = aspect
        self.lang = "ja" if i18n.language() == "ja" else "en"
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Each template is a short storyboard that shows the prompt grammar at work; edit any shot after."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setObjectName("TemplateList")
        self.list.setWordWrap(True)
        self.list.setSpacing(4)
        for t in TEMPLATES:
            item = QListWidgetItem(self._describe(t))
            item.setData(Qt.UserRole, t.id)
            item.setToolTip("\n".join(f"{i}. {beat}" for i, beat in enumerate(split_story(t.story[self.lang]), 1)))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.list, 1)
        self.shots = QLabel()
        self.shots.setObjectName("TemplateShots")
        self.shots.setWordWrap(True)
        self.shots.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.shots)
        self.list.currentRowChanged.connect(self._show_shots)
        self._show_shots(0)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(tr("Create"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _describe(self, t: StoryTemplate) -> str:
        aspect = t.aspect or self.aspect
        return f"{t.title[self.lang]}\n{t.summary[self.lang]}\n" + tr("{n} shots · {aspect}", n=t.shot_count(), aspect=aspect)

    def _show_shots(self, row: int) -> None:
        if 0 <= row < len(TEMPLATES):
            beats = split_story(TEMPLATES[row].story[self.lang])
            self.shots.setText("\n".join(f"{i}. {beat}" for i, beat in enumerate(beats, 1)))

    def template_id(self) -> str:
        item = self.list.currentItem()
        return item.data(Qt.UserRole) if item is not None else TEMPLATES[0].id

    def chosen_aspect(self) -> str:
        """The canvas the project gets: the template's own (vertical short-form) or the one picked."""
        t = next(t for t in TEMPLATES if t.id == self.template_id())
        return t.aspect or self.aspect
