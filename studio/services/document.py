"""The open project: the current immutable `Project`, its bundle, undo/redo and autosave.

Every edit goes through `ProjectDocument.apply(new_project, text)`, which pushes
a command holding the whole project before and after. Because projects are
immutable values, undo is a swap and no command can go stale.

QUndoStack lives in QtGui in Qt 6 and this layer may only use QtCore, so the
stack is a small QObject here with the same behaviour (clean index, merging of
consecutive edits that share a merge key, such as typing in one prompt).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from studio.domain.model import Project
from studio.persistence.bundle import (
    bundle_path,
    discard_autosave,
    load_project,
    recoverable_autosave,
    save_project,
    write_autosave,
)

log = logging.getLogger(__name__)

MERGE_WINDOW_S = 2.0
"""Typing edits to the same field merge into one undo step while they come this close together."""


@dataclass
class _Command:
    text: str
    before: Project
    after: Project
    merge_key: object | None
    at: float


class UndoStack(QObject):
    """Undo history of whole-project values (the QtCore stand-in for QUndoStack)."""

    changed = Signal()
    clean_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._commands: list[_Command] = []
        self._index = 0
        self._clean_index: int | None = 0

    # -- queries
    def can_undo(self) -> bool:
        return self._index > 0

    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    def undo_text(self) -> str:
        return self._commands[self._index - 1].text if self.can_undo() else ""

    def redo_text(self) -> str:
        return self._commands[self._index].text if self.can_redo() else ""

    def count(self) -> int:
        return len(self._commands)

    def index(self) -> int:
        return self._index

    def is_clean(self) -> bool:
        return self._clean_index == self._index

    # -- changes
    def push(self, text: str, before: Project, after: Project, merge_key: object | None = None) -> None:
        was_clean = self.is_clean()
        del self._commands[self._index :]
        if self._clean_index is not None and self._clean_index > self._index:
            self._clean_index = None  # the saved state was in the redo branch we just cut
        now = time.monotonic()
        top = self._commands[-1] if self._commands else None
        if (
            merge_key is not None
            and top is not None
            and top.merge_key == merge_key
            and now - top.at < MERGE_WINDOW_S
            and self._clean_index != self._index
        ):
            top.after, top.at = after, now
        else:
            self._commands.append(_Command(text, before, after, merge_key, now))
            self._index += 1
        self._emit(was_clean)

    def undo(self) -> Project | None:
        if not self.can_undo():
            return None
        was_clean = self.is_clean()
        self._index -= 1
        cmd = self._commands[self._index]
        cmd.merge_key = None  # never merge into a command that was undone and redone
        self._emit(was_clean)
        return cmd.before

    def redo(self) -> Project | None:
        if not self.can_redo():
            return None
        was_clean = self.is_clean()
        cmd = self._commands[self._index]
        self._index += 1
        self._emit(was_clean)
        return cmd.after

    def set_clean(self) -> None:
        was_clean = self.is_clean()
        self._clean_index = self._index
        if self._commands and self._index:
            self._commands[self._index - 1].merge_key = None
        self._emit(was_clean)

    def clear(self) -> None:
        was_clean = self.is_clean()
        self._commands.clear()
        self._index = 0
        self._clean_index = 0
        self._emit(was_clean)

    def _emit(self, was_clean: bool) -> None:
        self.changed.emit()
        if was_clean != self.is_clean():
            self.clean_changed.emit(self.is_clean())


class ProjectDocument(QObject):
    """The project being edited. Widgets read ``project`` and call ``apply``; nobody else mutates it."""

    project_changed = Signal(object)
    """The new Project value (after an edit, undo, redo, open or recover)."""
    path_changed = Signal(object)
    """The bundle Path, or None."""
    dirty_changed = Signal(bool)
    autosaved = Signal(object)
    """The autosave file Path (emitted on the UI thread after a background write)."""
    autosave_failed = Signal(str)
    _autosave_done = Signal(object, object, float)

    def __init__(self, parent: QObject | None = None, autosave_seconds: int = 30) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._bundle: Path | None = None
        self._base: Project | None = None
        """project.json as this document last read or wrote it: takes on disk it lacks came from another writer."""
        self.undo_stack = UndoStack(self)
        self.undo_stack.clean_changed.connect(lambda clean: self.dirty_changed.emit(not clean))
        self._autosaved_value: Project | None = None
        self._autosave_thread: threading.Thread | None = None
        self.last_autosave_ms: float | None = None
        self._autosave_timer = QTimer(self)
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._autosave_done.connect(self._on_autosave_done)
        self.set_autosave_interval(autosave_seconds)

    # -- state
    @property
    def project(self) -> Project | None:
        return self._project

    @property
    def bundle(self) -> Path | None:
        return self._bundle

    @property
    def dirty(self) -> bool:
        return self._project is not None and not self.undo_stack.is_clean()

    def is_open(self) -> bool:
        return self._project is not None

    # -- opening and saving
    def new(self, project: Project, path: str | Path) -> Path:
        """Start a new project and save it at once, so takes always have a bundle to land in."""
        bundle = save_project(project, path)
        self._set(project, bundle)
        return bundle

    def open(self, path: str | Path, *, recover: bool = False) -> Path:
        """Open a bundle (raises ProjectFileError). With ``recover`` the autosave replaces it, unsaved."""
        from studio.persistence.lock import sweep_stale_temp_files

        bundle = bundle_path(path)
        project = load_project(bundle)
        sweep_stale_temp_files(bundle)  # temporary files of killed saves and renders (none when another process writes)
        self._set(project, bundle)
        if recover:
            recovered = recoverable_autosave(bundle)
            if recovered is not None:
                self.apply(recovered, "Recover unsaved work")
                # The autosave may predate takes another process saved: the next save keeps those.
                self._base = recovered
        return bundle

    @staticmethod
    def recoverable(path: str | Path) -> Project | None:
        """The newer unsaved work left by a crash, if any."""
        return recoverable_autosave(bundle_path(path))

    def save(self) -> Path:
        if self._project is None or self._bundle is None:
            raise RuntimeError("no project is open")
        from studio.persistence.merge import save_merged

        # A `studio render` of this project in another process holds the lock: refuse (naming it)
        # rather than save over the takes it is adding; once it is done, keep the takes it saved.
        mine = self._project
        merged = save_merged(mine, self._bundle, base=self._base, what="the Studio window saving")
        self._base = merged.project
        if merged.project != mine:
            self._project = merged.project
            self.undo_stack.push("Add takes saved by another Studio process", mine, merged.project)
            self.project_changed.emit(merged.project)
        discard_autosave(self._bundle)
        self._autosaved_value = self._project
        self.undo_stack.set_clean()
        return self._bundle

    def save_as(self, path: str | Path) -> Path:
        """Save into another bundle (media files are copied along)."""
        import shutil

        if self._project is None:
            raise RuntimeError("no project is open")
        target = bundle_path(path)
        if self._bundle is not None and (self._bundle / "media").is_dir() and target != self._bundle:
            shutil.copytree(self._bundle / "media", target / "media", dirs_exist_ok=True)
        self._bundle = save_project(self._project, target)
        self._base = self._project
        self.path_changed.emit(self._bundle)
        self.undo_stack.set_clean()
        return self._bundle

    def close(self) -> None:
        if self._bundle is not None:
            discard_autosave(self._bundle)
        self._project, self._bundle, self._base = None, None, None
        self.undo_stack.clear()
        self.path_changed.emit(None)
        self.project_changed.emit(None)

    def _set(self, project: Project, bundle: Path) -> None:
        self._project, self._bundle, self._base = project, bundle, project
        self._autosaved_value = project
        self.undo_stack.clear()
        self.path_changed.emit(bundle)
        self.project_changed.emit(project)

    # -- editing
    def apply(self, new_project: Project, text: str, merge_key: object | None = None) -> None:
        """Make ``new_project`` current as one undoable step called ``text``."""
        if self._project is None:
            raise RuntimeError("no project is open")
        if new_project == self._project:
            return
        before = self._project
        self._project = new_project
        self.undo_stack.push(text, before, new_project, merge_key)
        self.project_changed.emit(new_project)

    def undo(self) -> None:
        p = self.undo_stack.undo()
        if p is not None:
            self._project = p
            self.project_changed.emit(p)

    def redo(self) -> None:
        p = self.undo_stack.redo()
        if p is not None:
            self._project = p
            self.project_changed.emit(p)

    # -- autosave
    def set_autosave_interval(self, seconds: int) -> None:
        self._autosave_timer.start(max(1, int(seconds)) * 1000)

    def autosave_now(self) -> bool:
        """Write the unsaved state to the autosave file on a background thread; False when nothing to do."""
        project, bundle = self._project, self._bundle
        if project is None or bundle is None or not self.dirty or project is self._autosaved_value:
            return False
        if self._autosave_thread is not None and self._autosave_thread.is_alive():
            return False

        def work() -> None:
            t0 = time.perf_counter()
            try:
                result: object = write_autosave(project, bundle)
            except Exception as exc:  # reported, never raised into the UI
                log.warning("autosave failed: %s", exc)
                result = exc
            self._autosave_done.emit(project, result, (time.perf_counter() - t0) * 1000)

        self._autosave_thread = threading.Thread(target=work, name="studio-autosave", daemon=True)
        self._autosave_thread.start()
        return True

    def wait_for_autosave(self, timeout: float = 5.0) -> None:
        if self._autosave_thread is not None:
            self._autosave_thread.join(timeout)

    def _on_autosave_done(self, project: Project, result: object, ms: float) -> None:
        self.last_autosave_ms = ms
        if isinstance(result, Exception):
            self.autosave_failed.emit(str(result))
            return
        self._autosaved_value = project
        self.autosaved.emit(result)


# --------------------------------------------------------------------------- storyboard edits
# Pure functions Project -> Project used by the window's commands; kept here (not in
# the widgets) so they are tested without a window.


def move_shots(project: Project, shot_ids: list[str], index: int) -> Project:
    """Move ``shot_ids`` (kept in storyboard order) so they start at gap ``index`` of the old order."""
    from dataclasses import replace

    moving = [s for s in project.shots if s.id in set(shot_ids)]
    if not moving:
        return project
    before = sum(1 for s in project.shots[: max(0, index)] if s.id in set(shot_ids))
    rest = [s for s in project.shots if s.id not in set(shot_ids)]
    at = max(0, min(len(rest), index - before))
    return replace(project, shots=tuple(rest[:at] + moving + rest[at:]))


def duplicate_shots(project: Project, shot_ids: list[str]) -> tuple[Project, list[str]]:
    """Each shot copied right after itself (new id, same takes); returns the copies' ids."""
    from dataclasses import replace

    from studio.domain.model import new_id

    shots, new_ids = [], []
    for s in project.shots:
        shots.append(s)
        if s.id in shot_ids:
            copy = replace(s, id=new_id("shot"))
            shots.append(copy)
            new_ids.append(copy.id)
    return replace(project, shots=tuple(shots)), new_ids


def split_shot(project: Project, shot_id: str, at_frame: int) -> tuple[Project, str | None]:
    """Cut a shot in two at ``at_frame`` (inside the shot); the second half is a new shot to generate."""
    from dataclasses import replace

    from studio.domain.model import new_id, stable_seed

    shot = project.shot(shot_id)
    if not 1 <= at_frame < shot.duration_frames:
        return project, None
    second_id = new_id("shot")
    first = replace(shot, duration_frames=at_frame)
    second = replace(shot, id=second_id, duration_frames=shot.duration_frames - at_frame, takes=(),
                     selected_take_id=None, seed=stable_seed(second_id),
                     title=(shot.title + " (2)") if shot.title else "")
    index = project.index_of(shot_id)
    return project.with_shot(first).insert_shot(second, index + 1), second_id


def remove_shots(project: Project, shot_ids: list[str]) -> Project:
    from dataclasses import replace

    return replace(project, shots=tuple(s for s in project.shots if s.id not in set(shot_ids)))


def set_shot_duration(project: Project, shot_id: str, frames: int) -> Project:
    from dataclasses import replace

    return project.with_shot(replace(project.shot(shot_id), duration_frames=max(1, int(frames))))


def rename_character(project: Project, character_id: str, new_name: str) -> Project:
    """Rename a character in the story bible and every ``@OldName`` in the prompts."""
    import re
    from dataclasses import replace

    old = project.bible.character(character_id)
    if old is None or not new_name.strip() or old.name == new_name:
        return project
    chars = tuple(replace(c, name=new_name) if c.id == character_id else c for c in project.bible.characters)
    pattern = re.compile("@" + re.escape(old.name) + r"(?![\w\-])" if old.name.isascii() else "@" + re.escape(old.name))
    shots = tuple(replace(s, prompt=pattern.sub("@" + new_name, s.prompt)) for s in project.shots)
    return replace(project, bible=replace(project.bible, characters=chars), shots=shots)
