"""The main window: start page, then the editor (shot / story bible, preview, queue, timeline).

The window wires widgets to services; it holds no project state of its own.
Every edit becomes ``document.apply(new_project, text)`` (undoable); engine
work goes to the `EngineBridge`; playback to the `PlayerEngine`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from studio import APP_NAME
from studio.domain.model import Project, Shot
from studio.services.document import (
    ProjectDocument,
    duplicate_shots,
    move_shots,
    remove_shots,
    set_shot_duration,
    split_shot,
)
from studio.services.jobs import JobQueue, JobState
from studio.services.settings import Settings, projects_folder, save_settings, unique_bundle
from studio.ui import i18n, theme
from studio.ui.cameo_wizard import add_cameo_action
from studio.ui.i18n import tr
from studio.ui.feed import FeedIntegration
from studio.ui.start_page import StartPageWidget

if TYPE_CHECKING:
    from studio.services.player_engine import PlayerEngine
    from studio.services.qt_engine import EngineBridge
    from studio.services.qt_import import MediaImporter
    from studio.ui.dialogs import ExportDialog, SettingsDialog

# The editor page (shot panel, player, queue, timeline) and what it imports (numpy among them) are
# built after the window's first frame is on screen, or the first time anything asks for them.
REDO_KEYS = ["Ctrl+Y", "Ctrl+Shift+Z"]

log = logging.getLogger(__name__)


def _castable_cameos() -> list[tuple[str, str]]:
    from studio.services.cameo_credits import castable_cameos

    return castable_cameos()


@dataclass
class Services:
    """What the window works with; built by `studio.app.build_services`."""

    settings: Settings
    document: ProjectDocument
    jobs: JobQueue
    engine: EngineBridge
    player: PlayerEngine
    importer: MediaImporter
    settings_path: Path | None = None
    engines: tuple[str, ...] = ("sketch",)


class _EditorPart:
    """An attribute of the editor page: reading it builds the page (once), then the instance's own value answers."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, window, owner=None):
        if window is None:
            return self
        window._build_editor()
        return window.__dict__[self.name]


class _FirstPaint(QObject):
    """Calls ``then`` once, from the event loop, right after ``window``'s first Paint event; then goes away."""

    def __init__(self, window: QWidget, then) -> None:
        super().__init__(window)
        self._then = then
        window.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, obj, self._then)
        return False


class MainWindow(QMainWindow):
    # The editor page's widgets: built after the first frame (see `_build_editor`).
    thumbnails = _EditorPart()
    shot_panel = _EditorPart()
    bible_panel = _EditorPart()
    side_tabs = _EditorPart()
    player_panel = _EditorPart()
    queue_panel = _EditorPart()
    timeline_panel = _EditorPart()
    timeline = _EditorPart()
    editor_split = _EditorPart()

    def __init__(self, services: Services) -> None:
        self._editor_built = False
        self._shutting_down = False
        super().__init__()
        self.setObjectName("MainWindow")
        self.services = s = services
        self.settings = s.settings
        self.document = s.document
        self.engine = s.engine
        self.player = s.player
        self.jobs = s.jobs
        self.setWindowIcon(theme.app_icon())
        self.resize(1440, 900)
        self.setMinimumSize(QSize(960, 640))
        self._job_shots: dict[str, str] = {}
        self._status_job: str | None = None
        self._play_offset = 0
        self._export_dialog: ExportDialog | None = None

        # -- widgets: what the first frame shows (the start page, the toolbar); the editor page is
        # a placeholder until `_build_editor` fills it.
        self.start_page = StartPageWidget()
        self.editor_page = QWidget()
        el = QVBoxLayout(self.editor_page)
        el.setContentsMargins(10, 10, 10, 6)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start_page)
        self.pages.addWidget(self.editor_page)
        self.setCentralWidget(self.pages)

        self.status_label = QLabel()
        self.save_state = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.save_state)

        self._make_actions()
        self._connect()
        self.pages.currentChanged.connect(lambda _: self._update_actions())
        self.feed = FeedIntegration(self)  # the feed page (built when first shown), its toolbar action, dropped MP4s -> remix
        self.act_cameo = add_cameo_action(self)  # opens the cameo wizard (consent, liveness, identity)
        self.start_page.set_default_aspect(self.settings.default_aspect)
        self.start_page.set_recent(list(self.settings.recent_projects))
        self.retranslate()
        self._update_actions()
        self._first_paint = _FirstPaint(self, self._build_editor)  # the rest is built right after the first frame

    # ------------------------------------------------------------------ after the first frame
    def _build_editor(self, sync: bool = True) -> None:
        """Build the editor page (shot / story bible, preview, queue, timeline) and wire it; once.

        Runs right after the first frame is on screen, or earlier when something asks for one of
        its widgets (opening a project from the command line, tests)."""
        if self._editor_built or self._shutting_down:
            return
        self._editor_built = True
        # Import what the first generated take needs (PyAV, the take store) on a helper thread
        # now: imported lazily on the UI thread it held it 40-75 ms (more on a fresh clone, which
        # compiles the modules). A UI-thread import meanwhile waits on the module lock, off-CPU.
        _warm_take_imports()
        self.player.start()  # the playback thread opens the sound device
        from studio.ui.bible_panel import StoryBiblePanel
        from studio.ui.models_dialog import register_diffusion_models
        from studio.ui.player import PlayerPanel
        from studio.ui.prompt_editor import ShotPanel
        from studio.ui.queue_panel import QueuePanel
        from studio.ui.thumbnails import ThumbnailCache
        from studio.ui.timeline import TimelinePanel

        s = self.services
        d = self.__dict__  # the instance's own values, which `_EditorPart` reads from now on
        d["thumbnails"] = ThumbnailCache(self)
        register_diffusion_models()  # the diffusers engine's models, offered in the shot panel
        d["shot_panel"] = ShotPanel()
        self.shot_panel.set_engines(list(s.engines))
        d["bible_panel"] = StoryBiblePanel()
        d["side_tabs"] = side_tabs = QTabWidget()
        side_tabs.setObjectName("SideTabs")
        side_tabs.addTab(self.shot_panel, "")
        side_tabs.addTab(self.bible_panel, "")
        # The cameo column lists the vault's castable cameos; read when the bible is shown, never at start-up.
        self.bible_panel.set_cameo_source(_castable_cameos)
        side_tabs.currentChanged.connect(
            lambda i: side_tabs.widget(i) is self.bible_panel and self.bible_panel.refresh_cameos())
        side_tabs.setMinimumWidth(340)
        d["player_panel"] = PlayerPanel(self.player)
        d["queue_panel"] = QueuePanel(self.jobs)
        self.queue_panel.setMinimumWidth(240)
        d["timeline_panel"] = TimelinePanel()
        d["timeline"] = self.timeline_panel.timeline
        self.timeline_panel.bind(self.player, self.document)  # audio lanes: the takes' stems, the player's mute/solo

        upper = QSplitter(Qt.Horizontal)
        upper.addWidget(self.side_tabs)
        upper.addWidget(self.player_panel)
        upper.addWidget(self.queue_panel)
        upper.setStretchFactor(0, 0)
        upper.setStretchFactor(1, 1)
        upper.setStretchFactor(2, 0)
        upper.setSizes([380, 820, 260])
        upper.setChildrenCollapsible(False)
        d["editor_split"] = split = QSplitter(Qt.Vertical)
        split.addWidget(upper)
        split.addWidget(self.timeline_panel)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setChildrenCollapsible(False)
        split.setSizes([700, 220])  # the timeline keeps its cards; the editor gets the rest
        self.editor_page.layout().addWidget(split)

        # Delete only acts when the timeline has focus, so it never eats a text field's Delete.
        self.timeline.addAction(self.act_delete)
        self._connect_editor()
        self.player_panel.set_volume(self.settings.volume)
        self.player_panel.set_loop(self.settings.loop_playback)
        self.retranslate()  # the editor's tabs and panels, in the current language
        if sync and self.document.is_open():  # a project opened before the editor was built
            self._project_changed(self.document.project)
            project = self.document.project
            if project and project.shots and not self.timeline.selected_ids():
                self.timeline.select([project.shots[0].id])
        self._update_actions()

    # ------------------------------------------------------------------ actions and wiring
    def _action(self, name: str, icon: str | None, shortcut, slot, *, context=Qt.WindowShortcut) -> QAction:
        a = QAction(self)
        a.setObjectName(name)
        if icon:
            a.setIcon(theme.icon(icon))
        if shortcut:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            a.setShortcuts([QKeySequence(x) for x in shortcuts])
            a.setShortcutContext(context)
        a.triggered.connect(lambda checked=False: slot())
        self.addAction(a)
        return a

    def _make_actions(self) -> None:
        A = self._action
        self.act_new = A("new", "new", QKeySequence.New, self.new_project)
        self.act_open = A("open", "open", QKeySequence.Open, self.open_dialog)
        self.act_save = A("save", "save", QKeySequence.Save, self.save)
        self.act_undo = A("undo", "undo", QKeySequence.Undo, self.undo)
        # Both redo keys, each once: QKeySequence.Redo already holds Ctrl+Shift+Z on Linux, and
        # registering a key twice makes Qt refuse it ("Ambiguous shortcut overload").
        self.act_redo = A("redo", "redo", REDO_KEYS, self.redo)
        self.act_generate = A("generate", "generate", ["Ctrl+Return", "Ctrl+G"], self.generate_selected)
        self.act_generate_all = A("generate_all", "generate", "Ctrl+Shift+G", self.generate_missing)
        self.act_export = A("export", "export", "Ctrl+E", self.show_export)
        self.act_settings = A("settings", "settings", "Ctrl+,", self.show_settings)
        self.act_duplicate = A("duplicate", "duplicate", "Ctrl+D", self.duplicate_selected)
        self.act_split = A("split", "split", "Ctrl+K", self.split_at_playhead)
        self.act_delete = A("delete", "delete", [QKeySequence.Delete, "Backspace"], self.delete_selected,
                            context=Qt.WidgetWithChildrenShortcut)
        self.act_add_shot = A("add_shot", "add", "Ctrl+Shift+N", self.add_shot)
        self.act_move_left = A("move_left", None, "Alt+Left", lambda: self.nudge_selected(-1))
        self.act_move_right = A("move_right", None, "Alt+Right", lambda: self.nudge_selected(1))
        self.act_select_all = A("select_all", None, None, lambda: self.timeline.select_all())
        self.act_play = A("play", "play", "Space", self.player.toggle)
        self.act_step_back = A("step_back", None, ",", lambda: self.player.step(-1))
        self.act_step_forward = A("step_forward", None, ".", lambda: self.player.step(1))
        self.act_home = A("to_start", None, "Home", lambda: self.player.seek(0))
        self.act_zoom_in = A("zoom_in", "zoom_in", ["Ctrl+=", "Ctrl++"], lambda: self.timeline.zoom(1.25))
        self.act_zoom_out = A("zoom_out", "zoom_out", "Ctrl+-", lambda: self.timeline.zoom(0.8))
        self.removeAction(self.act_delete)  # the timeline takes it when the editor is built

        tb = QToolBar()
        tb.setObjectName("MainToolBar")
        tb.setMovable(False)
        tb.setIconSize(QSize(18, 18))
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        for a in (self.act_new, self.act_open, self.act_save):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_undo)
        tb.addAction(self.act_redo)
        tb.addSeparator()
        for a in (self.act_add_shot, self.act_duplicate, self.act_split, self.act_delete):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_generate)
        tb.addAction(self.act_generate_all)
        tb.addAction(self.act_export)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        spacer.setStyleSheet("background: transparent;")  # the theme paints every QWidget in the page colour
        tb.addWidget(spacer)
        tb.addAction(self.act_zoom_out)
        tb.addAction(self.act_zoom_in)
        tb.addAction(self.act_settings)
        # Icon-only (with tooltips) so the toolbar fits a 1280-pixel window in English and Japanese.
        for a in (self.act_undo, self.act_redo, self.act_duplicate, self.act_split, self.act_delete, self.act_zoom_in,
                  self.act_zoom_out, self.act_settings):
            w = tb.widgetForAction(a)
            if w is not None:
                w.setToolButtonStyle(Qt.ToolButtonIconOnly)
        self.addToolBar(tb)
        self.toolbar = tb
        from studio.ui.models_action import install_models_action

        install_models_action(self)  # "Models…": install and manage the diffusers engine's video models
        from studio.ui.timeline_import import install_timeline_import_action

        install_timeline_import_action(self)  # "Import a timeline…" as a new project, beside Open

    def _connect(self) -> None:
        d = self.document
        d.project_changed.connect(self._project_changed)
        d.dirty_changed.connect(lambda _: self._update_title())
        d.undo_stack.changed.connect(self._update_actions)
        d.autosaved.connect(lambda _: self._set_save_state(tr("Autosaved")))
        d.autosave_failed.connect(lambda m: self.show_message(tr("Autosave failed: {m}", m=m), error=True))
        self.engine.take_ready.connect(self._take_ready)
        self.engine.job_failed.connect(self._job_failed)
        self.engine.job_cancelled.connect(self._job_cancelled)
        self.engine.preview_ready.connect(self._preview)
        self.jobs.job_changed.connect(self._job_changed)
        self.services.importer.imported.connect(self._imported)
        self.player.position_changed.connect(self._player_moved)
        self.start_page.story_submitted.connect(self.new_from_story)
        self.start_page.template_requested.connect(self.new_from_template)
        self.start_page.open_requested.connect(self.open_dialog)
        self.start_page.recent_requested.connect(self.open_project)
        # A bound method (not a lambda): Qt drops the connection when this window is destroyed.
        i18n.notifier.language_changed.connect(self._language_changed)

    def _connect_editor(self) -> None:
        for panel in (self.shot_panel, self.bible_panel):
            panel.edit_requested.connect(self._apply_edit)
        self.shot_panel.generate_requested.connect(self.generate_selected)
        t = self.timeline
        t.selection_changed.connect(self._selection_changed)
        t.shots_moved.connect(self.move_shots)
        t.duration_changed.connect(self.change_duration)
        t.files_dropped.connect(self.import_files)
        t.seek_requested.connect(self._timeline_seek)
        t.shot_activated.connect(self._focus_prompt)
        t.context_menu_requested.connect(self._card_menu)
        self.queue_panel.cancel_requested.connect(self.engine.cancel)
        self.player_panel.mode_changed.connect(lambda _: self._update_program())
        self.player_panel.volume_changed.connect(lambda v: self._store_settings(replace(self.settings, volume=v)))
        self.player_panel.loop_changed.connect(lambda v: self._store_settings(replace(self.settings, loop_playback=v)))
        self.thumbnails.ready.connect(lambda _: self._refresh_cards())

    def _language_changed(self, _language: str) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        labels = {
            self.act_new: ("New", "New project (start page)"),
            self.act_open: ("Open", "Open a project"),
            self.act_save: ("Save", "Save the project"),
            self.act_undo: ("Undo", "Undo"),
            self.act_redo: ("Redo", "Redo"),
            self.act_generate: ("Generate", "Generate the selected shots (Ctrl+Enter)"),
            self.act_generate_all: ("Generate all", "Generate every shot that has no current take (Ctrl+Shift+G)"),
            self.act_export: ("Export", "Export the storyboard as an MP4 (Ctrl+E)"),
            self.act_settings: ("Settings", "Settings"),
            self.act_duplicate: ("Duplicate", "Duplicate the selected shots (Ctrl+D)"),
            self.act_split: ("Split", "Split the shot at the playhead (Ctrl+K)"),
            self.act_delete: ("Delete", "Delete the selected shots (Delete)"),
            self.act_add_shot: ("Add shot", "Add an empty shot after the selection"),
            self.act_move_left: ("Move earlier", "Move the selected shots earlier (Alt+Left)"),
            self.act_move_right: ("Move later", "Move the selected shots later (Alt+Right)"),
            self.act_select_all: ("Select all", "Select all shots"),
            self.act_play: ("Play", "Play / pause (Space)"),
            self.act_step_back: ("Previous frame", "Previous frame"),
            self.act_step_forward: ("Next frame", "Next frame"),
            self.act_home: ("Go to start", "Go to start"),
            self.act_zoom_in: ("Zoom in", "Zoom the timeline in (Ctrl+=)"),
            self.act_zoom_out: ("Zoom out", "Zoom the timeline out (Ctrl+-)"),
        }
        for action, (text, tip) in labels.items():
            action.setText(tr(text))
            action.setToolTip(tr(tip))
        self.start_page.retranslate()
        if self._editor_built:
            self.side_tabs.setTabText(0, tr("Shot"))
            self.side_tabs.setTabText(1, tr("Story bible"))
            for w in (self.shot_panel, self.bible_panel, self.player_panel, self.queue_panel):
                w.retranslate()
            self.timeline.update()
        if self.document.is_open():
            self._set_save_state(tr("Unsaved changes") if self.document.dirty else tr("Saved"))
        self._update_title()
        self._update_actions()

    # ------------------------------------------------------------------ projects
    def _ask_yes_no(self, title: str, text: str) -> bool:
        """Asks the user (tests replace this)."""
        return QMessageBox.question(self, title, text, QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes) == QMessageBox.Yes

    def _ask_save_changes(self) -> str:
        """"save", "discard" or "cancel" (tests replace this)."""
        box = QMessageBox(QMessageBox.Warning, tr("Unsaved changes"), tr("Save the changes to this project first?"),
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(box.exec(), "cancel")

    def _confirm_leave(self) -> bool:
        if not self.document.dirty:
            return True
        answer = self._ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def show_message(self, text: str, error: bool = False, timeout_ms: int = 8000) -> None:
        self.status_label.setStyleSheet(f"color: {theme.ERROR if error else theme.MUTED};")
        self.status_label.setText(text)
        if timeout_ms:
            # The label as context: the timer is dropped if the window is deleted before it fires.
            QTimer.singleShot(timeout_ms, self.status_label,
                              lambda t=text: self.status_label.text() == t and self.status_label.setText(""))

    def new_from_story(self, story: str, aspect: str = "16:9") -> Path | None:
        from studio.domain.story import storyboard_from_story

        try:
            project = storyboard_from_story(story, aspect=aspect)
        except ValueError as exc:
            self.show_message(str(exc), error=True)
            return None
        return self._create(project)

    def new_from_template(self, aspect: str = "16:9", template_id: str | None = None) -> Path | None:
        """A new project from a template the user picks (or ``template_id``), in the interface language."""
        from studio.domain.story import template_project

        if template_id is None:
            from studio.ui.template_dialog import TemplateDialog

            dialog = TemplateDialog(aspect, self)
            if self._exec_dialog(dialog) != QDialog.Accepted:
                return None
            template_id, aspect = dialog.template_id(), dialog.chosen_aspect()
        return self._create(template_project(template_id, lang=i18n.language(), aspect=aspect))

    def _exec_dialog(self, dialog) -> int:
        """Run a modal dialog (tests replace this to answer it)."""
        return dialog.exec()

    def _create(self, project: Project) -> Path | None:
        if not self._confirm_leave():
            return None
        folder = projects_folder(self.settings)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            bundle = self.document.new(project, unique_bundle(folder, project.title))
        except Exception as exc:
            self.show_message(tr("Could not create the project: {m}", m=getattr(exc, "message", str(exc))), error=True)
            return None
        self._opened(bundle)
        return bundle

    def open_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Open a project (a .studio folder)"), str(projects_folder(self.settings)))
        if folder:
            self.open_project(folder)

    def open_project(self, path: str | Path) -> bool:
        from studio.persistence.bundle import PROJECT_FILE, ProjectFileError, bundle_path

        chosen = Path(path)
        if chosen.is_dir() and not bundle_path(chosen).exists():
            # Name the folder the user chose, never the NAME.studio we would have tried next to it.
            self.show_message(tr("{f} is not a Studio project: it has no {p} inside. Choose a .studio folder.",
                                 f=str(chosen), p=PROJECT_FILE), error=True)
            return False
        if not self._confirm_leave():
            return False
        try:
            recover = False
            if self.document.recoverable(path) is not None:
                recover = self._ask_yes_no(tr("Recover unsaved work?"),
                                           tr("Studio closed before this project was saved. Recover the unsaved changes?"))
            bundle = self.document.open(path, recover=recover)
        except ProjectFileError as exc:
            self.show_message(tr("Could not open the project: {m}", m=str(exc)), error=True)
            self._store_settings(self.settings.without_recent(path))
            self.start_page.set_recent(list(self.settings.recent_projects))
            return False
        self._opened(bundle)
        if recover:
            self.show_message(tr("Recovered the unsaved work. Save to keep it."))
        return True

    def _opened(self, bundle: Path) -> None:
        from studio.services.memory import release_free_memory

        self._forget_previous_project()
        release_free_memory()  # the previous project's takes and buffers, freed by worker threads
        self._store_settings(self.settings.with_recent(bundle))
        self.start_page.set_recent(list(self.settings.recent_projects))
        self.pages.setCurrentIndex(1)
        project = self.document.project
        if project and project.shots:
            self.timeline.select([project.shots[0].id])
        self._update_program()
        self._set_save_state(tr("Saved") if not self.document.dirty else tr("Unsaved changes"))
        self._update_actions()

    def undo(self) -> None:
        if self.act_undo.isEnabled():
            self.document.undo()

    def redo(self) -> None:
        if self.act_redo.isEnabled():
            self.document.redo()

    def new_project(self) -> bool:
        """New: ask about unsaved changes, close the project, show the start page."""
        if not self._confirm_leave():
            return False
        if self.document.is_open():
            self._close_project()
        self.show_start_page()
        return True

    def _close_project(self) -> None:
        self._forget_previous_project()
        self.document.close()

    def _forget_previous_project(self) -> None:
        """Nothing of one project may show in the next: its queued jobs, its finished ones, its playhead."""
        for info in self.jobs.active():
            self.engine.cancel(info.job_id)
        self.jobs.clear_finished()
        self._job_shots.clear()
        self.player.pause()  # playing on into the next project would play its shots unasked
        self.player.seek(0)
        self.timeline.set_playhead(0)
        # Nor its pictures: thumbnails and drawn tiles of the previous project's takes (a session
        # opens project after project; kept, they grew the window by megabytes a project).
        bundle = self.document.bundle
        if bundle is not None:
            from studio.persistence.bundle import media_dir

            self.thumbnails.keep_only_under(media_dir(bundle))
        else:
            self.thumbnails.discard_where(lambda _k: True)
        self.timeline.forget_other_projects()

    def show_start_page(self) -> None:
        self.start_page.set_recent(list(self.settings.recent_projects))
        self.pages.setCurrentIndex(0)
        self._update_actions()

    def save(self) -> bool:
        if not self.document.is_open():
            return False
        try:
            self.document.save()
        except Exception as exc:
            self.show_message(tr("Could not save: {m}", m=getattr(exc, "message", str(exc))), error=True)
            return False
        self._set_save_state(tr("Saved"))
        self.show_message(tr("Saved {p}", p=str(self.document.bundle)))
        return True

    def _store_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.services.settings = settings
        try:
            save_settings(settings, self.services.settings_path)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)

    # ------------------------------------------------------------------ edits
    def _apply_edit(self, project: Project, text: str, merge_key: object = None) -> None:
        if self.document.is_open():
            self.document.apply(project, text, merge_key)

    def selected_ids(self) -> list[str]:
        return self.timeline.selected_ids() if self._editor_built else []

    def move_shots(self, ids: list[str], index: int) -> None:
        p = self.document.project
        if p is None:
            return
        new = move_shots(p, ids, index)
        if new != p:
            self.document.apply(new, tr("Move shots") if len(ids) > 1 else tr("Move shot"))
            self.timeline.select(ids)

    def nudge_selected(self, delta: int) -> None:
        p, ids = self.document.project, self.selected_ids()
        if p is None or not ids:
            return
        first = p.index_of(ids[0])
        last = p.index_of(ids[-1])
        target = first - 1 if delta < 0 else last + 2
        if 0 <= target <= len(p.shots):
            self.move_shots(ids, target)

    def change_duration(self, shot_id: str, frames: int) -> None:
        p = self.document.project
        if p is not None:
            self.document.apply(set_shot_duration(p, shot_id, frames), tr("Change duration"))

    def duplicate_selected(self) -> None:
        p, ids = self.document.project, self.selected_ids()
        if p is None or not ids:
            return
        new, copies = duplicate_shots(p, ids)
        self.document.apply(new, tr("Duplicate shots") if len(ids) > 1 else tr("Duplicate shot"))
        self.timeline.select(copies)

    def split_at_playhead(self) -> None:
        p = self.document.project
        if p is None or not p.shots:
            return
        frame = self.timeline.playhead
        target, at = None, 0
        for s in p.shots:
            start = p.start_frame(s.id)
            if start < frame < start + s.duration_frames:
                target, at = s, frame - start
                break
        if target is None or (self.selected_ids() and target.id not in self.selected_ids()):
            ids = self.selected_ids()
            if not ids:
                return
            target = p.shot(ids[0])
            at = target.duration_frames // 2
        new, second = split_shot(p, target.id, at)
        if second is None:
            self.show_message(tr("A one-frame shot can't be split."))
            return
        self.document.apply(new, tr("Split shot"))
        self.timeline.select([second])

    def delete_selected(self) -> None:
        p, ids = self.document.project, self.selected_ids()
        if p is None or not ids:
            return
        index = p.index_of(ids[0])
        new = remove_shots(p, ids)
        self.document.apply(new, tr("Delete shots") if len(ids) > 1 else tr("Delete shot"))
        if new.shots:
            self.timeline.select([new.shots[min(index, len(new.shots) - 1)].id])

    def add_shot(self) -> None:
        from studio.domain.model import new_id, stable_seed

        p = self.document.project
        if p is None:
            return
        ids = self.selected_ids()
        index = p.index_of(ids[-1]) + 1 if ids else len(p.shots)
        sid = new_id("shot")
        shot = Shot(id=sid, prompt="", duration_frames=4 * p.fps, seed=stable_seed(sid))
        self.document.apply(p.insert_shot(shot, index), tr("Add shot"))
        self.timeline.select([sid])
        self._focus_prompt(sid)

    def import_files(self, paths: list[str], index: int) -> None:
        p, bundle = self.document.project, self.document.bundle
        if p is None or bundle is None:
            return
        self.show_message(tr("Importing {n} file(s)…", n=len(paths)), timeout_ms=0)
        self.services.importer.start(bundle, [Path(x) for x in paths], fps=p.fps, index=index)

    def _imported(self, shots: list[Shot], index: int, errors: list) -> None:
        p = self.document.project
        if p is None:
            return
        if shots:
            new = p
            for i, shot in enumerate(shots):
                new = new.insert_shot(shot, min(index + i, len(new.shots)))
            self.document.apply(new, tr("Import {n} file(s)", n=len(shots)))
            self.timeline.select([s.id for s in shots])
        if errors:
            self.show_message("; ".join(tr("Could not import {f}: {m}", f=f, m=m) for f, m in errors), error=True)
        elif shots:
            self.show_message(tr("Imported {n} file(s).", n=len(shots)))

    # ------------------------------------------------------------------ generation
    def generate_selected(self) -> list[str]:
        p, bundle = self.document.project, self.document.bundle
        if p is None or bundle is None:
            return []
        ids = self.selected_ids()
        if not ids:
            self.show_message(tr("No shot is selected: click a shot to generate it, or use Generate all for the whole storyboard."))
            return []
        if not self._warn_engine_unready([p.shot(i) for i in ids]):
            return []
        return [self._submit(p, bundle, p.shot(i)) for i in ids]

    def generate_missing(self) -> list[str]:
        from studio.engine.protocol import GenerateRequest
        from studio.services.take_status import take_is_current

        p, bundle = self.document.project, self.document.bundle
        if p is None or bundle is None:
            return []
        busy = {j.shot_id for j in self.jobs.active()}
        out = []
        if not self._warn_engine_unready(list(p.shots)):
            return []
        for s in p.shots:
            t = s.selected_take
            if s.id in busy or (t is not None and take_is_current(t, GenerateRequest.for_shot(p, s))):
                continue
            out.append(self._submit(p, bundle, s))
        if not out:
            self.show_message(tr("Every shot already has a current take."))
        return out

    def diffusers_ready(self, shot: Shot) -> tuple[bool, bool]:
        """(GPU usable, model installed) for a Diffusers shot; tests replace this."""
        from studio.services.models import diffusers_readiness

        model = dict(shot.engine_settings).get("model")
        return diffusers_readiness(str(model) if model else None)

    def _warn_engine_unready(self, shots: list[Shot]) -> bool:
        """Before a Diffusers render that cannot run: say why and offer the Models window. True: go ahead."""
        diffusion = [s for s in shots if s.engine == "diffusers"]
        if not diffusion:
            return True
        gpu, installed = self.diffusers_ready(diffusion[0])
        if gpu and installed:
            return True
        reasons = []
        if not gpu:
            reasons.append(tr("this computer has no usable GPU, so video models would take hours per shot or fail"))
        if not installed:
            reasons.append(tr("no video model is installed yet"))
        text = tr("The Diffusers engine can't render here: {r}. Open the Models window to see what this machine can run, "
                  "or switch the shot's engine to Sketch.", r="; ".join(reasons))
        self.show_message(text, error=True, timeout_ms=0)
        if self._ask_yes_no(tr("Diffusers engine not ready"), text + "\n\n" + tr("Open the Models window now?")):
            models = next((a for a in self.actions() if a.objectName() == "models"), None)
            if models is not None:
                models.trigger()
        return False

    def _submit(self, project: Project, bundle: Path, shot: Shot) -> str:
        job_id = self.engine.submit(project, bundle, shot)
        self._job_shots[job_id] = shot.id
        state = self.timeline.card_state(shot.id)
        state.progress, state.failed = 0.0, False
        self.timeline.set_card_state(shot.id, state)
        title = shot.display_title(project.index_of(shot.id))
        others = [j for j in self.jobs.active() if j.job_id != job_id]
        # The status bar names the shot that is rendering; one queued behind others says it waits.
        self.show_message(tr("Queued {t}.", t=title) if others else tr("Generating {t}…", t=title))
        return job_id

    def _job_changed(self, job_id: str) -> None:
        info = self.jobs.get(job_id)
        if info is None:
            return
        state = self.timeline.card_state(info.shot_id)
        state.progress = None if info.state.finished else info.fraction
        self.timeline.set_card_state(info.shot_id, state)
        if info.state is JobState.RUNNING and info.stage == "render" and self._status_job != job_id:
            self._status_job = job_id
            self.show_message(tr("Generating {t}…", t=info.title))
        if self.player_panel.live_job == job_id and info.state is JobState.RUNNING:
            self.player_panel.view.set_badge(tr("Saving take…") if info.stage == "store"
                                             else tr("Generating… {p}%", p=int(info.fraction * 100)))

    def _preview(self, job_id: str, frame) -> None:
        shot_id = self._job_shots.get(job_id)
        if shot_id is None:
            return
        state = self.timeline.card_state(shot_id)
        state.thumbnail = self.thumbnails.put_frame(f"live:{job_id}", frame)
        self.timeline.set_card_state(shot_id, state)
        if shot_id in self.selected_ids()[:1]:
            info = self.jobs.get(job_id)
            pct = int(info.fraction * 100) if info else 0
            self.player_panel.show_live(job_id, frame, tr("Generating… {p}%", p=pct))

    def _take_ready(self, job_id: str, shot_id: str, take) -> None:
        self._job_shots.pop(job_id, None)
        self.player_panel.end_live(job_id)
        p = self.document.project
        if p is None or not any(s.id == shot_id for s in p.shots):
            return  # the shot was deleted meanwhile; the take's files stay in media/
        shot = p.shot(shot_id)
        self.document.apply(p.with_shot(shot.with_take(take)), tr("Generate take"))
        self.show_message(tr("New take for {t}.", t=shot.display_title(p.index_of(shot_id))))

    def _job_failed(self, job_id: str, message: str, hint: str) -> None:
        shot_id = self._job_shots.pop(job_id, None)
        self.player_panel.end_live(job_id)
        if shot_id:
            state = self.timeline.card_state(shot_id)
            state.failed, state.progress = True, None
            self.timeline.set_card_state(shot_id, state)
            self._refresh_cards()
        if "studio models" in hint or "studio " in hint[:8]:
            hint = tr("open the Models window (toolbar) to install or check the model")  # a window user has no command line
        self.show_message(tr("Generation failed: {m}", m=message) + (f" — {hint}" if hint else ""), error=True, timeout_ms=0)

    def _job_cancelled(self, job_id: str) -> None:
        shot_id = self._job_shots.pop(job_id, None)
        self.player_panel.end_live(job_id)
        if shot_id:
            self._refresh_cards()
        self.show_message(tr("Generation cancelled."))

    # ------------------------------------------------------------------ export and settings
    def show_export(self) -> ExportDialog | None:
        p, bundle = self.document.project, self.document.bundle
        if p is None or bundle is None:
            return None
        if not p.shots:
            self.show_message(tr("Nothing to export: the storyboard has no shots."), error=True)
            return None
        previous = self._export_dialog
        if previous is not None:
            if previous.isVisible() and previous.runner.running():
                previous.raise_()  # one export at a time: the one under way comes forward
                return previous
            # A closed dialog is only hidden (kept, each export left one behind), and an idle one
            # may belong to the previous project: the new one replaces it.
            previous.hide()
            previous.deleteLater()
        from studio.ui.dialogs import ExportDialog

        dialog = ExportDialog(p, bundle, self)
        dialog.exported.connect(self._exported)
        dialog.recut_ready.connect(lambda project: self.document.apply(project, tr("Re-cut from the editor")))
        self._export_dialog = dialog
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _exported(self, report) -> None:
        """Takes the export rendered on the way join the project (one undoable step)."""
        if getattr(report, "feed_note", ""):  # a full disk under the feed: the entry waits, the user is told
            self.show_message(tr("The video is complete, but the feed could not be written; it joins the feed when it can."),
                              error=True, timeout_ms=0)
        from studio.services.memory import release_free_memory

        release_free_memory()  # the export's frame and sound buffers
        p = self.document.project
        if p is None or not report.rendered_shots:
            return
        new = p
        for sid in report.rendered_shots:
            take = report.project.shot(sid).selected_take
            if take is not None and any(s.id == sid for s in new.shots):
                new = new.with_shot(new.shot(sid).with_take(take))
        self.document.apply(new, tr("Render for export"))

    def show_settings(self) -> SettingsDialog:
        from studio.ui.dialogs import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.setModal(True)
        dialog.show()
        return dialog

    def apply_settings(self, settings: Settings) -> None:
        self._store_settings(settings)
        self.document.set_autosave_interval(settings.autosave_seconds)
        self.player_panel.set_volume(settings.volume)
        self.start_page.set_default_aspect(settings.default_aspect)
        i18n.set_language(settings.language)

    # ------------------------------------------------------------------ views
    def _project_changed(self, project: Project | None) -> None:
        self._build_editor(sync=False)  # (once) the editor shows the project
        self.timeline.set_project(project)
        self.bible_panel.set_project(project)
        ids = self.selected_ids()
        self.shot_panel.set_shot(project, ids[0] if ids else None)
        self._refresh_cards()
        self._update_program()
        self._update_title()
        self._update_actions()
        if project is not None:
            self._set_save_state(tr("Unsaved changes") if self.document.dirty else tr("Saved"))

    def _selection_changed(self, ids: list[str]) -> None:
        self.shot_panel.set_shot(self.document.project, ids[0] if ids else None)
        self._update_actions()
        if self.player_panel.mode == "shot":
            self._update_program()

    def _refresh_cards(self) -> None:
        """Bring each card's thumbnail, "changed" and "failed" marks up to date; repaint only cards that changed.

        Called on every project change and every thumbnail that arrives: a shot whose inputs are
        the very same objects as last time (the document replaces only what an edit touched)
        keeps its answer, so a storyboard of many shots is not re-read on each change."""
        from studio.engine.protocol import GenerateRequest
        from studio.persistence.bundle import media_dir
        from studio.services.take_status import take_is_current

        p, bundle = self.document.project, self.document.bundle
        if p is None or bundle is None:
            return
        running = {self._job_shots[j] for j in self._job_shots}
        from studio.services.cameo_casting import REVOKED, withdrawn_cameo_takes

        withdrawn = withdrawn_cameo_takes(p)  # takes showing a revoked cameo are marked on their cards
        # What a shot's "changed" mark depends on besides the shot: the request's project-wide parts.
        context = (p.bible, p.canvas, p.fps, p.engine_settings, p.negative_prompt, p.quality)
        known = self._card_inputs = getattr(self, "_card_inputs", {})
        for s in p.shots:
            state = self.timeline.card_state(s.id)
            before = (state.thumbnail, state.stale, state.failed, state.withdrawn)
            take = s.selected_take
            why = set(withdrawn.get(take.id, {}).values()) if take is not None else set()
            state.withdrawn = (REVOKED if REVOKED in why else next(iter(why))) if why else None
            if s.id not in running:
                if take is not None:
                    state.thumbnail = self.thumbnails.request(media_dir(bundle) / take.video)
                elif s.reference_image:
                    state.thumbnail = self.thumbnails.request(media_dir(bundle) / s.reference_image)
                else:
                    state.thumbnail = None
            seen = known.get(s.id)
            if seen is not None and seen[0] is s and all(a is b for a, b in zip(seen[1], context)):
                state.stale = seen[2]
            else:
                state.stale = take is not None and not take_is_current(take, GenerateRequest.for_shot(p, s))
                known[s.id] = (s, context, state.stale)
            if take is not None:
                state.failed = False
            if (state.thumbnail, state.stale, state.failed, state.withdrawn) != before:
                self.timeline.set_card_state(s.id, state)  # repaints that card's column only
        for shot_id in set(known) - {s.id for s in p.shots}:
            del known[shot_id]

    def _update_program(self) -> None:
        from studio.services.player_engine import program_for

        p = self.document.project
        if p is None:
            return
        self.player_panel.set_canvas(p.canvas.width, p.canvas.height)
        ids = self.selected_ids()
        if self.player_panel.mode == "shot" and ids:
            program = program_for(p, self.document.bundle, [ids[0]])
            offset = p.start_frame(ids[0])
        else:
            program = program_for(p, self.document.bundle)
            offset = 0
        self._play_offset = offset
        self.player_panel.set_timing(p.fps, program.total_frames, offset)
        if program != self.player.program:
            self.player.set_program(program)

    def _player_moved(self, frame: int) -> None:
        self.timeline.set_playhead(self._play_offset + frame)
        if self.player.playing:
            self.timeline_panel.follow_playhead()

    def _timeline_seek(self, frame: int) -> None:
        if self.player_panel.mode != "storyboard":
            self.player_panel.set_mode("storyboard")
        self.player.seek(frame)
        self.timeline.set_playhead(frame)

    def _focus_prompt(self, shot_id: str) -> None:
        self.timeline.select([shot_id])
        self.side_tabs.setCurrentWidget(self.shot_panel)
        self.shot_panel.prompt_edit.setFocus()

    def _card_menu(self, pos) -> None:
        menu = QMenu(self)
        for a in (self.act_generate, None, self.act_duplicate, self.act_split, self.act_delete, None, self.act_move_left,
                  self.act_move_right):
            menu.addSeparator() if a is None else menu.addAction(a)
        menu.popup(pos)

    def _update_title(self) -> None:
        p = self.document.project
        if p is None:
            self.setWindowTitle(APP_NAME)
            return
        self.setWindowTitle(f"{'● ' if self.document.dirty else ''}{p.title} — {APP_NAME}")

    def _set_save_state(self, text: str) -> None:
        self.save_state.setText(text)

    def _update_actions(self) -> None:
        open_ = self.document.is_open() and self.pages.currentIndex() == 1
        has_sel = bool(self.selected_ids()) and open_
        stack = self.document.undo_stack
        # Only in the editor: from the start page or the feed an undo would change a project nobody sees.
        self.act_undo.setEnabled(open_ and stack.can_undo())
        self.act_redo.setEnabled(open_ and stack.can_redo())
        self.act_undo.setToolTip(tr("Undo {t}", t=stack.undo_text()) if stack.can_undo() else tr("Undo"))
        self.act_redo.setToolTip(tr("Redo {t}", t=stack.redo_text()) if stack.can_redo() else tr("Redo"))
        for a in (self.act_save, self.act_export, self.act_add_shot, self.act_generate_all, self.act_play,
                  self.act_zoom_in, self.act_zoom_out):
            a.setEnabled(open_)
        for a in (self.act_generate, self.act_duplicate, self.act_split, self.act_delete, self.act_move_left,
                  self.act_move_right):
            a.setEnabled(has_sel)

    # ------------------------------------------------------------------ small windows
    COMPACT_BELOW = 1400
    """Below this width the toolbar's secondary actions show icons only (tooltips keep their names)."""

    def _fit_toolbar(self) -> None:
        """Keep every toolbar action in view down to 1024 px: secondary ones drop their text first.

        Whatever still does not fit (a long translation) goes to Qt's overflow (») menu.
        """
        compact = self.width() < self.COMPACT_BELOW
        style = Qt.ToolButtonIconOnly if compact else Qt.ToolButtonTextBesideIcon
        for a in self.toolbar.actions():
            if a.objectName() in ("new", "open", "save", "add_shot", "export", "feed", "models", "cameo"):
                w = self.toolbar.widgetForAction(a)
                if w is not None and hasattr(w, "setToolButtonStyle"):
                    w.setToolButtonStyle(style)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_toolbar()

    # ------------------------------------------------------------------ shutdown
    def closeEvent(self, event) -> None:  # noqa: N802
        if not self._shutting_down and not self._confirm_leave():
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        if self._shutting_down:
            return
        self._shutting_down = True
        if self._export_dialog is not None:
            self._export_dialog.runner.cancel()
            self._export_dialog.runner.wait(10)
        self.engine.shutdown()
        self.player.shutdown()
        self.feed.shutdown()
        if self._editor_built:
            self.thumbnails.shutdown()
            self.timeline_panel.shutdown()
        self.document.wait_for_autosave()


def _warm_take_imports() -> None:
    """Import the modules the first take lands through, off the UI thread (no torch among them)."""
    import threading

    def run() -> None:
        try:
            import studio.services.takes  # noqa: F401
        except Exception:  # a broken install shows itself where the module is used, with its message
            return
        from studio.engine.runner import freeze_imported_objects

        freeze_imported_objects()  # everything imported so far stays out of full collections on the UI thread

    threading.Thread(target=run, name="warm-imports", daemon=True).start()
