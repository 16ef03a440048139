"""Saving without losing another writer's takes: merge what is on disk, under the bundle lock.

Two processes may hold the same project in memory: the window (saving when the user
asks) and a `studio render` in a terminal (saving after every shot it renders). The
bundle lock (`studio.persistence.lock`) keeps them from writing at the same moment, but
the later save still wrote its own copy of project.json, so the takes the other one had
added since were no longer in the file (their media orphaned in media/).

`save_merged` reads project.json under the lock and keeps every take another writer
saved since this one last read or wrote the file (``base``): a take on disk that
``base`` did not have was added elsewhere, and joins the in-memory project; a take
``base`` had and the in-memory project lacks was removed here on purpose, and stays
removed. A shot another writer added (with its takes) joins after the shot it follows
on disk. The other writer's selection wins only where this one did not change the
shot's selection itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from studio.domain.model import Project, Shot


@dataclass(frozen=True)
class Merged:
    project: Project
    """The in-memory project plus what the other writer added (what was saved)."""
    takes: tuple[str, ...] = ()
    """Ids of the takes that came from the file (added by another writer)."""
    shots: tuple[str, ...] = ()
    """Ids of the shots that came from the file."""


def merge_takes(mine: Project, base: Project | None, disk: Project, *, selection: bool = True,
                shots: bool = True) -> Merged:
    """``mine`` plus the takes (and shots) ``disk`` gained since ``base`` (None: ``base`` knew nothing).

    ``selection=False`` keeps every shot's selection as ``mine`` has it and ``shots=False`` adds no
    shot (an export of what the window shows: the takes join, what it exports does not change).
    """
    known_takes = {t.id for s in base.shots for t in s.takes} if base is not None else set()
    known_shots = {s.id for s in base.shots} if base is not None else set()
    base_shots = {s.id: s for s in base.shots} if base is not None else {}
    have_takes = {t.id for s in mine.shots for t in s.takes}
    mine_ids = {s.id for s in mine.shots}
    disk_shots = {s.id: s for s in disk.shots}
    added_takes: list[str] = []
    out: list[Shot] = []
    for shot in mine.shots:
        theirs = disk_shots.get(shot.id)
        new = [t for t in theirs.takes if t.id not in known_takes and t.id not in have_takes] if theirs else []
        if new:
            selected = shot.selected_take_id
            before = base_shots.get(shot.id)
            unchanged_here = before is None or before.selected_take_id == shot.selected_take_id
            if selection and unchanged_here and theirs.selected_take_id in {t.id for t in new}:
                selected = theirs.selected_take_id
            shot = replace(shot, takes=shot.takes + tuple(new), selected_take_id=selected)
            added_takes += [t.id for t in new]
        out.append(shot)
    # Shots the other writer added (a re-cut from an editor): after the shot they follow on disk.
    added_shots: list[str] = []
    previous: str | None = None
    for theirs in disk.shots if shots else ():
        if theirs.id not in known_shots and theirs.id not in mine_ids:
            at = 0 if previous is None else next((i + 1 for i, s in enumerate(out) if s.id == previous), len(out))
            out.insert(at, theirs)
            added_shots.append(theirs.id)
            added_takes += [t.id for t in theirs.takes if t.id not in have_takes]
        previous = theirs.id
    if not added_takes and not added_shots:
        return Merged(mine)
    return Merged(replace(mine, shots=tuple(out)), tuple(added_takes), tuple(added_shots))


def save_merged(project: Project, path: str | os.PathLike[str], *, base: Project | None, what: str) -> Merged:
    """Save ``project`` under the bundle lock, keeping what another writer saved since ``base``.

    Raises BundleBusy (naming the other process) while another process holds the lock, and
    ProjectFileError when the save fails (the previous file stays). A project.json that no longer
    loads is replaced by ``project`` (there is nothing in it to keep).
    """
    from studio.persistence.bundle import PROJECT_FILE, ProjectFileError, bundle_path, load_project, save_project
    from studio.persistence.lock import bundle_lock

    bundle = bundle_path(path)
    with bundle_lock(bundle, what):
        merged = Merged(project)
        if (bundle / PROJECT_FILE).is_file():
            try:
                merged = merge_takes(project, base, load_project(bundle))
            except ProjectFileError:
                pass
        save_project(merged.project, bundle)
    return merged
