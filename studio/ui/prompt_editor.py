"""The selected shot's prompt and settings.

The prompt editor highlights the grammar (`studio.domain.prompt.tokenize`),
completes ``@`` names from the story bible, and offers the marks as chips
that insert a snippet. Beside it: title, camera, duration, seed, engine,
model, the shot's takes, and Generate. Every change is one undoable edit
(typing in one field merges into one step).
"""

from __future__ import annotations

import random
from dataclasses import replace

from PySide6.QtCore import QEvent, QRegularExpression, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QRegularExpressionValidator, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.domain.model import CameraMove, Project, Shot, effective_camera, resolve_shot, with_camera
from studio.domain.prompt import TokenKind, tokenize
from studio.ui import theme
from studio.ui.i18n import language, tr
from studio.ui.stem_mixer import StemMixerWidget

CAMERA_LABELS = {
    CameraMove.STATIC: "Static",
    CameraMove.PAN_LEFT: "Pan left",
    CameraMove.PAN_RIGHT: "Pan right",
    CameraMove.TILT_UP: "Tilt up",
    CameraMove.TILT_DOWN: "Tilt down",
    CameraMove.DOLLY_IN: "Dolly in",
    CameraMove.DOLLY_OUT: "Dolly out",
    CameraMove.ZOOM_IN: "Zoom in",
    CameraMove.ZOOM_OUT: "Zoom out",
    CameraMove.ORBIT: "Orbit",
}

# Models each engine offers; the Sketch engine has one built in. Diffusion engines add theirs here.
ENGINE_MODELS: dict[str, list[str]] = {"sketch": []}
ENGINE_SHORT = {"sketch": "Sketch", "diffusers": "Diffusers"}
"""An engine's name in a take line, in the interface language."""
ENGINE_LABELS = {"sketch": "Sketch (instant animatic)", "diffusers": "Diffusers (video models on your GPU)"}


def ignore_undo_shortcuts(event: QEvent) -> bool:
    """True for a ShortcutOverride of undo/redo: let the window's project undo handle it."""
    if event.type() == QEvent.ShortcutOverride:
        if event.matches(QKeySequence.Undo) or event.matches(QKeySequence.Redo):
            event.ignore()
            return True
    return False


class PromptHighlighter(QSyntaxHighlighter):
    """Colours @names, [camera: …], "dialogue" and {sfx: …} as the user types."""

    def __init__(self, document, names_provider) -> None:
        super().__init__(document)
        self._names = names_provider
        self._formats: dict[TokenKind, QTextCharFormat] = {}
        for kind in TokenKind:
            f = QTextCharFormat()
            f.setForeground(QColor(theme.GRAMMAR_COLOURS[kind.value]))
            if kind in (TokenKind.CHARACTER, TokenKind.CAMERA):
                f.setFontWeight(600)
            if kind is TokenKind.SOUND:
                f.setFontItalic(True)
            self._formats[kind] = f
        self._unknown = QTextCharFormat()
        self._unknown.setForeground(QColor(theme.GRAMMAR_COLOURS["character"]))
        self._unknown.setUnderlineStyle(QTextCharFormat.WaveUnderline)
        self._unknown.setUnderlineColor(QColor(theme.WARN))

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        names = tuple(self._names())
        folded = {n.casefold() for n in names}
        for tok in tokenize(text, names):
            fmt = self._formats[tok.kind]
            if tok.kind is TokenKind.CHARACTER and tok.value.casefold() not in folded:
                fmt = self._unknown
            self.setFormat(tok.start, tok.end - tok.start, fmt)


class PromptEdit(QPlainTextEdit):
    """A plain text editor with @name completion from the story bible."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PromptEdit")
        self.setTabChangesFocus(True)
        self.setUndoRedoEnabled(False)  # the project's undo stack owns undo
        self._names: list[str] = []
        self._model = QStringListModel(self)
        self.completer = QCompleter(self._model, self)
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.completer.setCompletionMode(QCompleter.PopupCompletion)
        self.completer.activated.connect(self.insert_completion)
        self.highlighter = PromptHighlighter(self.document(), lambda: self._names)

    def set_names(self, names: list[str]) -> None:
        if names != self._names:
            self._names = list(names)
            self._model.setStringList(self._names)
            self.highlighter.rehighlight()

    def names(self) -> list[str]:
        return list(self._names)

    def _mention_prefix(self) -> str | None:
        """The text typed after an ``@`` right before the cursor, or None when not in a mention."""
        cursor = self.textCursor()
        block = cursor.block().text()[: cursor.positionInBlock()]
        at = block.rfind("@")
        if at < 0:
            return None
        prefix = block[at + 1 :]
        if any(ch.isspace() or ch in "@[]{}\"「」" for ch in prefix):
            return None
        return prefix

    def insert_completion(self, name: str) -> None:
        prefix = self._mention_prefix()
        if prefix is None:
            return
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.Left, QTextCursor.KeepAnchor, len(prefix))
        cursor.insertText(name + " ")
        self.setTextCursor(cursor)
        self.completer.popup().hide()

    def event(self, event) -> bool:
        if ignore_undo_shortcuts(event):
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        popup = self.completer.popup()
        if popup.isVisible() and event.key() in (Qt.Key_Enter, Qt.Key_Return, Qt.Key_Tab):
            index = popup.currentIndex()
            name = index.data() if index.isValid() else self.completer.currentCompletion()
            if name:
                self.insert_completion(name)
                return
        if event.key() in (Qt.Key_Enter, Qt.Key_Return) and not event.modifiers():
            # One prompt is one paragraph; Enter leaves the field (Ctrl+Enter generates).
            self.clearFocus()
            return
        super().keyPressEvent(event)
        prefix = self._mention_prefix()
        if prefix is None or not self._names:
            popup.hide()
            return
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0:
            popup.hide()
            return
        rect = self.cursorRect()
        rect.setWidth(max(160, popup.sizeHintForColumn(0) + 24))
        self.completer.complete(rect)
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))


class _LineEdit(QLineEdit):
    def event(self, event) -> bool:
        if ignore_undo_shortcuts(event):
            return True
        return super().event(event)


MAX_SEED = 2**63 - 1
"""The largest seed a project file holds (studio.persistence.schema): a QSpinBox stops at 2**31 - 1."""


class SeedEdit(_LineEdit):
    """A seed field for the whole 0..2**63-1 range (digits only); ``value_changed`` fires when editing ends."""

    value_changed = Signal(object)  # not Signal(int): a C++ int stops at 2**31 - 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SeedEdit")
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{1,19}"), self))
        self._value = 0
        self.setText("0")
        self.editingFinished.connect(self._commit)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:  # noqa: N802 (the QSpinBox name, so callers read the same)
        value = max(0, min(int(value), MAX_SEED))
        changed = value != self._value
        self._value = value
        if self.text() != str(value):
            self.setText(str(value))
        if changed:
            self.value_changed.emit(value)

    def _commit(self) -> None:
        text = self.text().strip()
        if not text:
            self.setText(str(self._value))
            return
        self.setValue(min(int(text), MAX_SEED))


class ShotPanel(QFrame):
    """Edits the selected shot. Emits edits as (new Project, undo text, merge key)."""

    edit_requested = Signal(object, str, object)
    generate_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self._project: Project | None = None
        self._shot_id: str | None = None
        self._loading = False

        self.heading = QLabel()
        self.heading.setObjectName("PanelTitle")
        self.position_label = QLabel()
        self.position_label.setObjectName("Muted")
        self.title_edit = _LineEdit()
        self.title_edit.setObjectName("ShotTitle")
        self.prompt_edit = PromptEdit()
        self.prompt_edit.setMinimumHeight(96)
        self.prompt_edit.setMaximumHeight(150)

        self.chips: dict[str, QToolButton] = {}
        # Two rows of chips: one row is wider than the panel in a 1024-pixel window (and in Japanese).
        chips_row = QHBoxLayout()
        chips_row.setSpacing(4)
        chips_row2 = QHBoxLayout()
        chips_row2.setSpacing(4)
        for kind, snippet in [("character", "@"), ("camera", "[camera: dolly in]"), ("dialogue", '"…"'), ("sound", "{sfx: door}")]:
            b = QToolButton()
            b.setObjectName(f"Chip_{kind}")
            b.setText(snippet)
            b.setCursor(Qt.PointingHandCursor)
            b.setStyleSheet(f"QToolButton {{ color: {theme.GRAMMAR_COLOURS[kind]}; border: 1px solid {theme.BORDER}; border-radius: 10px; padding: 1px 8px; }}")
            # The chip inserts what it shows, in the interface language (the prompt grammar reads both).
            b.clicked.connect(lambda _=False, b=b: self._insert_snippet(b.text()))
            (chips_row if kind in ("character", "camera") else chips_row2).addWidget(b)
            self.chips[kind] = b
        chips_row.addStretch(1)
        chips_row2.addStretch(1)

        self.camera_combo = QComboBox()
        for move in CameraMove:
            self.camera_combo.addItem("", move)
        self.duration_spin = QDoubleSpinBox()
        self.duration_spin.setDecimals(2)
        self.duration_spin.setRange(0.04, 600.0)
        self.duration_spin.setKeyboardTracking(False)
        self.frames_label = QLabel()
        self.frames_label.setObjectName("Muted")
        self.seed_spin = SeedEdit()
        self.dice = QToolButton()
        self.dice.setIcon(theme.icon("dice"))
        self.engine_combo = QComboBox()
        self.model_combo = QComboBox()
        self.take_combo = QComboBox()
        self.take_combo.setObjectName("TakeCombo")
        self.generate_button = QPushButton()
        self.generate_button.setObjectName("Primary")
        self.generate_button.setIcon(theme.icon("generate"))
        self.generate_button.setMinimumHeight(34)
        self.generate_button.clicked.connect(self.generate_requested)

        duration_row = QHBoxLayout()
        duration_row.addWidget(self.duration_spin, 1)
        duration_row.addWidget(self.frames_label)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.dice)

        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.form.setHorizontalSpacing(10)
        self.form.setVerticalSpacing(6)
        self._labels = [QLabel() for _ in range(6)]
        self.form.addRow(self._labels[0], self.camera_combo)
        self.form.addRow(self._labels[1], duration_row)
        self.form.addRow(self._labels[2], seed_row)
        self.form.addRow(self._labels[3], self.engine_combo)
        self.form.addRow(self._labels[4], self.model_combo)
        self.form.addRow(self._labels[5], self.take_combo)
        # Stem balance (dialogue/foley/ambience/music) is a shot setting: saved, undoable, no regeneration.
        self.stem_mixer = StemMixerWidget()
        self._sound_label = QLabel()
        self.form.addRow(self._sound_label, self.stem_mixer)
        self.stem_mixer.settings_changed.connect(self._stem_balance_edited)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("Muted")
        self.empty_label.setWordWrap(True)
        # The fields scroll instead of squeezing their rows when the window is short (1024×640);
        # the Generate button stays below them, always in view.
        self.fields = QWidget()
        self.fields.setObjectName("ShotFields")
        self.fields.setStyleSheet("#ShotFields { background: transparent; }")
        ed = QVBoxLayout(self.fields)
        ed.setContentsMargins(0, 0, 4, 0)
        ed.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.position_label)
        ed.addLayout(top)
        ed.addWidget(self.title_edit)
        ed.addWidget(self.prompt_edit)
        self._add_understood_line(ed)
        ed.addLayout(chips_row)
        ed.addLayout(chips_row2)
        ed.addLayout(self.form)
        ed.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("ShotScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.fields)
        self.scroll.viewport().setAutoFillBackground(False)
        self.editor = QWidget()
        outer = QVBoxLayout(self.editor)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        outer.addWidget(self.scroll, 1)
        outer.addWidget(self.generate_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.editor)

        self.title_edit.textEdited.connect(self._title_edited)
        self.prompt_edit.textChanged.connect(self._prompt_edited)
        self.camera_combo.currentIndexChanged.connect(self._camera_edited)
        self.duration_spin.valueChanged.connect(self._duration_edited)
        self.seed_spin.value_changed.connect(self._seed_edited)
        self.dice.clicked.connect(lambda: self.seed_spin.setValue(random.randrange(0, 2**31 - 1)))
        self.engine_combo.currentIndexChanged.connect(self._engine_edited)
        self.model_combo.currentIndexChanged.connect(self._model_edited)
        self.take_combo.currentIndexChanged.connect(self._take_selected)
        self.retranslate()
        self._show_editor(False)

    # -- language
    def retranslate(self) -> None:
        self.heading.setText(tr("Shot"))
        self.title_edit.setPlaceholderText(tr("Title (optional)"))
        self.prompt_edit.setPlaceholderText(tr('Describe the shot. @Name casts a character, [camera: pan left] moves the camera, "quotes" are dialogue, {sfx: door} adds a sound.'))
        for label, text in zip(self._labels, ["Camera", "Duration", "Seed", "Engine", "Model", "Take"]):
            label.setText(tr(text))
        self._sound_label.setText(tr("Sound"))
        self.stem_mixer.retranslate()
        self.dice.setToolTip(tr("New random seed"))
        tips = {"character": "Cast a character (@Name)", "camera": "Camera move", "dialogue": "A line of dialogue", "sound": "A sound effect"}
        snippets = {"character": "@", "camera": tr("[camera: dolly in]"), "dialogue": tr('"…"'), "sound": tr("{sfx: door}")}
        for kind, b in self.chips.items():
            b.setToolTip(tr(tips[kind]))
            b.setText(snippets[kind])
        self.generate_button.setText(tr("Generate"))
        self.generate_button.setToolTip(tr("Generate a new take of this shot (Ctrl+Enter)"))
        self.empty_label.setText(tr("Select a shot on the timeline to edit its prompt."))
        self._loading = True
        for i in range(self.camera_combo.count()):
            self.camera_combo.setItemText(i, tr(CAMERA_LABELS[self.camera_combo.itemData(i)]))
        for i in range(self.engine_combo.count()):
            name = self.engine_combo.itemData(i)
            if name in ENGINE_LABELS:
                self.engine_combo.setItemText(i, tr(ENGINE_LABELS[name]))
        self._loading = False
        if self._project is not None:
            self._load()

    # -- data in
    def set_engines(self, names: list[str]) -> None:
        self._loading = True
        self.engine_combo.clear()
        for n in names:
            self.engine_combo.addItem(tr(ENGINE_LABELS[n]) if n in ENGINE_LABELS else n, n)
        self._loading = False

    def set_shot(self, project: Project | None, shot_id: str | None) -> None:
        self._project = project
        self._shot_id = shot_id if project and shot_id and any(s.id == shot_id for s in project.shots) else None
        self._show_editor(self._shot_id is not None)
        if self._shot_id is not None:
            self._load()

    def shot(self) -> Shot | None:
        return self._project.shot(self._shot_id) if self._project and self._shot_id else None

    def _show_editor(self, on: bool) -> None:
        self.editor.setVisible(on)
        self.empty_label.setVisible(not on)

    def _load(self) -> None:
        shot, project = self.shot(), self._project
        if shot is None or project is None:
            return
        self._loading = True
        try:
            index = project.index_of(shot.id)
            self.position_label.setText(tr("{i} of {n}", i=index + 1, n=len(project.shots)))
            if self.title_edit.text() != shot.title:
                self.title_edit.setText(shot.title)
            self.title_edit.setPlaceholderText(shot.display_title(index) if not shot.title else tr("Title (optional)"))
            self.prompt_edit.set_names([c.name for c in project.bible.characters])
            if self.prompt_edit.toPlainText() != shot.prompt:
                cursor = self.prompt_edit.textCursor()
                pos = cursor.position()
                self.prompt_edit.setPlainText(shot.prompt)
                cursor = self.prompt_edit.textCursor()
                cursor.setPosition(min(pos, len(shot.prompt)))
                self.prompt_edit.setTextCursor(cursor)
            self._update_understood(shot.prompt)
            camera, source = effective_camera(shot)
            self.camera_combo.setCurrentIndex(list(CameraMove).index(camera))
            # The field shows what the render uses; a prompt mark says so, and editing the field rewrites the mark.
            self.camera_combo.setToolTip(tr("Set by the [camera: …] mark in the prompt; choosing here rewrites the mark.")
                                         if source == "prompt" else tr("Camera move"))
            fps = project.fps
            self.duration_spin.setSingleStep(1.0 / fps * max(1, fps // 4))
            self.duration_spin.setValue(shot.duration_frames / fps)
            self.frames_label.setText(tr("{f} frames", f=shot.duration_frames))
            self.seed_spin.setValue(shot.seed)
            i = self.engine_combo.findData(shot.engine)
            if i < 0:
                self.engine_combo.addItem(shot.engine, shot.engine)
                i = self.engine_combo.count() - 1
            self.engine_combo.setCurrentIndex(i)
            self._load_models(shot)
            self.stem_mixer.set_settings(shot.engine_settings, shot.id)
            self.take_combo.clear()
            if not shot.takes:
                self.take_combo.addItem(tr("No takes yet"), None)
                self.take_combo.setEnabled(False)
            else:
                self.take_combo.setEnabled(True)
                from studio.services.cameo_casting import REVOKED, withdrawn_cameo_takes

                withdrawn = withdrawn_cameo_takes(replace(project, shots=(shot,)))
                for n, take in enumerate(shot.takes, 1):
                    when = take.created_at[11:16] if len(take.created_at) >= 16 else ""
                    engine = tr(ENGINE_SHORT.get(take.recipe.engine, take.recipe.engine))
                    what = tr("imported") if take.source == "import" else f"{engine} · {tr('seed')} {take.recipe.seed}"
                    why = set(withdrawn.get(take.id, {}).values())
                    if why:  # revoked after this take was rendered: it is not exported again
                        what += "  ·  " + (tr("cameo revoked") if REVOKED in why else tr("cameo unavailable"))
                    self.take_combo.addItem(tr("Take {n}", n=n) + f"  ·  {what}  ·  {when}", take.id)
                self.take_combo.setCurrentIndex(max(0, self.take_combo.findData(shot.selected_take_id)))
        finally:
            self._loading = False

    def _load_models(self, shot: Shot) -> None:
        self.model_combo.clear()
        models = ENGINE_MODELS.get(shot.engine, [])
        if not models:
            self.model_combo.addItem(tr("Built in"), None)
            self.model_combo.setEnabled(False)
            return
        self.model_combo.setEnabled(True)
        for m in models:
            self.model_combo.addItem(m, m)
        current = dict(shot.engine_settings).get("model")
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(current)))

    # -- edits out
    def _emit(self, shot: Shot, text: str, merge_key: object | None = None) -> None:
        if self._project is None or self._loading:
            return
        self.edit_requested.emit(self._project.with_shot(shot), text, merge_key)

    def _title_edited(self, text: str) -> None:
        shot = self.shot()
        if shot and text != shot.title:
            self._emit(replace(shot, title=text), tr("Edit title"), ("title", shot.id))

    # -- what Studio understood (the scene plan every engine reads; issue 15)

    def _add_understood_line(self, layout) -> None:
        self.understood_label = QLabel()
        self.understood_label.setObjectName("Muted")
        self.understood_label.setWordWrap(True)
        self.understood_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.understood_label)

    def _update_understood(self, text: str) -> None:
        """Show the scene plan of ``text``: place, actors and actions; unknown words marked in red."""
        import html

        from studio.ui.understood import understood_line
        from studio.understanding import plan_scene

        if not text.strip():
            self.understood_label.setText("")
            return
        project = self._project
        shot = self.shot()
        # The shot's cast as every engine gets it (a "she" is the cast character, not someone new).
        cast = resolve_shot(replace(shot, prompt=text), project.bible).characters if project and shot else None
        plan = plan_scene(text, project.bible if project else None, cast)
        line = html.escape(tr("Studio understood: {plan}", plan=understood_line(plan)))
        if plan.unknown:
            marked = ("、" if language() == "ja" else ", ").join(f'<span style="color:#d64541; text-decoration:underline">{html.escape(w)}</span>'
                               for w in plan.unknown)
            line += "<br>" + html.escape(tr("Not understood: {words}")).format(words=marked)
        self.understood_label.setText(line)

    def _prompt_edited(self) -> None:
        shot = self.shot()
        text = self.prompt_edit.toPlainText()
        self._update_understood(text)
        if shot and not self._loading and text != shot.prompt:
            self._emit(replace(shot, prompt=text), tr("Edit prompt"), ("prompt", shot.id))

    def _camera_edited(self, index: int) -> None:
        shot = self.shot()
        move = self.camera_combo.itemData(index)
        if shot and move is not None and move != effective_camera(shot)[0]:
            self._emit(with_camera(shot, CameraMove(move)), tr("Change camera"))

    def _duration_edited(self, seconds: float) -> None:
        shot, project = self.shot(), self._project
        if shot and project:
            frames = max(1, round(seconds * project.fps))
            if frames != shot.duration_frames:
                self._emit(replace(shot, duration_frames=frames), tr("Change duration"), ("duration", shot.id))

    def _seed_edited(self, seed: int) -> None:
        shot = self.shot()
        if shot and seed != shot.seed:
            self._emit(replace(shot, seed=seed), tr("Change seed"), ("seed", shot.id))

    def _engine_edited(self, index: int) -> None:
        shot = self.shot()
        engine = self.engine_combo.itemData(index)
        if shot and engine and engine != shot.engine:
            self._emit(replace(shot, engine=engine), tr("Change engine"))

    def _model_edited(self, index: int) -> None:
        shot = self.shot()
        model = self.model_combo.itemData(index)
        if shot and model is not None and dict(shot.engine_settings).get("model") != model:
            settings = dict(shot.engine_settings)
            settings["model"] = model
            self._emit(replace(shot, engine_settings=tuple(sorted(settings.items()))), tr("Change model"))

    def _stem_balance_edited(self, settings: tuple, text: str, merge_key: object) -> None:
        shot = self.shot()
        if shot is not None:
            self._emit(replace(shot, engine_settings=settings), text, merge_key)

    def _take_selected(self, index: int) -> None:
        shot = self.shot()
        take_id = self.take_combo.itemData(index)
        if shot and take_id and take_id != shot.selected_take_id:
            self._emit(replace(shot, selected_take_id=take_id), tr("Choose take"))

    def _insert_snippet(self, snippet: str) -> None:
        cursor = self.prompt_edit.textCursor()
        text = self.prompt_edit.toPlainText()
        before = text[: cursor.position()]
        lead = "" if not before or before.endswith(" ") else " "
        cursor.insertText(lead + snippet)
        if snippet == '"…"':
            cursor.movePosition(QTextCursor.Left, QTextCursor.MoveAnchor, 1)
            cursor.movePosition(QTextCursor.Left, QTextCursor.KeepAnchor, 1)
        self.prompt_edit.setTextCursor(cursor)
        self.prompt_edit.setFocus()
        if snippet == "@":
            self.prompt_edit.completer.setCompletionPrefix("")
            rect = self.prompt_edit.cursorRect()
            rect.setWidth(180)
            self.prompt_edit.completer.complete(rect)
