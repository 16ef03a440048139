"""The start page: write a story (it becomes a storyboard), start from a template, or open a recent project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.ui import theme
from studio.ui.i18n import tr
from studio.ui.aspects import ASPECT_LABELS


class StartPageWidget(QWidget):
    story_submitted = Signal(str, str)
    """story text, aspect."""
    template_requested = Signal(str)
    """aspect."""
    open_requested = Signal()
    recent_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StartPage")
        self.hero = QLabel()
        self.hero.setObjectName("Hero")
        self.tagline = QLabel()
        self.tagline.setObjectName("Muted")
        self.tagline.setWordWrap(True)
        self.story_label = QLabel()
        self.story_label.setObjectName("PanelTitle")
        self.story_edit = QPlainTextEdit()
        self.story_edit.setObjectName("StoryEdit")
        self.story_edit.setMinimumHeight(140)
        self.aspect = QComboBox()
        self.aspect.setObjectName("NewAspect")
        for key in ASPECT_LABELS:
            self.aspect.addItem("", key)
        self.create_button = QPushButton()
        self.create_button.setObjectName("Primary")
        self.create_button.setIcon(theme.icon("story"))
        self.template_button = QPushButton()
        self.template_button.setObjectName("TemplateButton")
        self.template_button.setIcon(theme.icon("template"))
        self.open_button = QPushButton()
        self.open_button.setIcon(theme.icon("open"))
        self.recent_label = QLabel()
        self.recent_label.setObjectName("PanelTitle")
        self.recent = QListWidget()
        self.recent.setObjectName("RecentList")
        self.recent.setIconSize(QSize(20, 20))
        self.no_recent = QLabel()
        self.no_recent.setObjectName("Muted")

        left = QFrame()
        left.setObjectName("Panel")
        ll = QVBoxLayout(left)
        ll.setContentsMargins(24, 24, 24, 24)
        ll.setSpacing(10)
        ll.addWidget(self.hero)
        ll.addWidget(self.tagline)
        ll.addSpacing(10)
        ll.addWidget(self.story_label)
        ll.addWidget(self.story_edit, 1)
        row = QHBoxLayout()
        row.addWidget(self.aspect)
        row.addStretch(1)
        row.addWidget(self.template_button)
        row.addWidget(self.create_button)
        ll.addLayout(row)
        right = QFrame()
        right.setObjectName("Panel")
        rl = QVBoxLayout(right)
        rl.setContentsMargins(20, 24, 20, 20)
        head = QHBoxLayout()
        head.addWidget(self.recent_label)
        head.addStretch(1)
        head.addWidget(self.open_button)
        rl.addLayout(head)
        rl.addWidget(self.recent, 1)
        rl.addWidget(self.no_recent)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(40, 32, 40, 32)
        outer.setSpacing(20)
        outer.addWidget(left, 3)
        outer.addWidget(right, 2)

        self.create_button.clicked.connect(self._submit)
        self.template_button.clicked.connect(lambda: self.template_requested.emit(self.aspect.currentData()))
        self.open_button.clicked.connect(self.open_requested)
        self.recent.itemActivated.connect(lambda item: self.recent_requested.emit(item.data(Qt.UserRole)))
        self.story_edit.textChanged.connect(lambda: self.create_button.setEnabled(bool(self.story_edit.toPlainText().strip())))
        self.create_button.setEnabled(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.hero.setText("Studio")
        self.tagline.setText(tr("Write a story; get a storyboard of shots with sound, made on your own machine."))
        self.story_label.setText(tr("New project from a story"))
        self.story_edit.setPlaceholderText(tr("In the morning she walks to the university → she attends a lecture → at night she studies in a cafe"))
        for i in range(self.aspect.count()):
            self.aspect.setItemText(i, tr(ASPECT_LABELS[self.aspect.itemData(i)]))
        self.create_button.setText(tr("Create storyboard"))
        self.template_button.setText(tr("Start from a template"))
        self.open_button.setText(tr("Open…"))
        self.recent_label.setText(tr("Recent projects"))
        self.no_recent.setText(tr("Projects you open appear here."))

    def set_default_aspect(self, aspect: str) -> None:
        self.aspect.setCurrentIndex(max(0, self.aspect.findData(aspect)))

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for p in paths:
            path = Path(p)
            if not (path / "project.json").is_file():
                continue
            item = QListWidgetItem(theme.icon("film"), f"{path.stem}\n{path.parent}")
            item.setData(Qt.UserRole, str(path))
            item.setToolTip(str(path))
            self.recent.addItem(item)
        self.no_recent.setVisible(self.recent.count() == 0)

    def _submit(self) -> None:
        story = self.story_edit.toPlainText().strip()
        if story:
            self.story_submitted.emit(story, self.aspect.currentData())
