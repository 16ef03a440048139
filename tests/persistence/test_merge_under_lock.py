"""Issue 16 item 7: two writers of one project (the window and a `studio render`): the later save keeps
the takes the other one saved, under the bundle lock. Before, the window's save wrote its own copy of
project.json over the render's, and the render's takes were orphaned in media/."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace


from studio.persistence.bundle import load_project, save_project
from studio.persistence.merge import merge_takes
from studio.services.document import ProjectDocument
from studio.services.export import export_project
from studio.services.takes import render_shot
from tests.support.projects import small_project


def _all_takes(project):
    return {t.id for s in project.shots for t in s.takes}


def _cli(*args, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_window_saving_after_a_cli_render_keeps_the_renders_takes(qapp, tmp_path):
    bundle = save_project(small_project("a ball bounces", "a cat sleeps", frames=4, size=(64, 64)), tmp_path / "p.studio")
    doc = ProjectDocument(autosave_seconds=3600)
    doc.open(bundle)
    # The window makes a take of shot 2 (not saved yet) and edits a title...
    project, window_take = render_shot(doc.project, bundle, doc.project.shots[1])
    doc.apply(replace(project, title="edited in the window"), "edit")
    # ...while `studio render` in a terminal renders the shots it finds without a take and saves.
    done = _cli("render", bundle, "-o", tmp_path / "out.mp4", "-q", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    cli_takes = _all_takes(load_project(bundle))
    assert len(cli_takes) == 2
    doc.save()
    saved = load_project(bundle)
    assert cli_takes <= _all_takes(saved) and window_take.id in _all_takes(saved)
    assert saved.title == "edited in the window"
    # Shot 1 had no take in the window: the render's take is selected there; shot 2 keeps the window's.
    assert saved.shots[0].selected_take_id in cli_takes
    assert saved.shots[1].selected_take_id == window_take.id
    assert doc.project == saved and not doc.dirty
    # Every take file in media/ belongs to a take of the project (nothing orphaned).
    names = {f for s in saved.shots for t in s.takes for f in (t.video, *(n for _, n in t.stems))}
    assert {p.name for p in (bundle / "media").iterdir()} <= names


def test_recovering_an_autosave_written_after_a_render_keeps_the_renders_takes(qapp, tmp_path):
    """The window autosaved (without the takes a terminal render had just saved), then crashed."""
    import os
    import time

    from studio.persistence.bundle import write_autosave

    bundle = save_project(small_project("a ball bounces", frames=4, size=(64, 64)), tmp_path / "p.studio")
    open_in_window = load_project(bundle)
    export_project(load_project(bundle), bundle, tmp_path / "out.mp4")  # the terminal's render
    rendered = _all_takes(load_project(bundle))
    auto = write_autosave(replace(open_in_window, title="unsaved edit"), bundle)
    later = time.time() + 5
    os.utime(auto, (later, later))  # written after project.json
    doc = ProjectDocument(autosave_seconds=3600)
    doc.open(bundle, recover=True)
    assert doc.project.title == "unsaved edit" and not _all_takes(doc.project)
    doc.save()
    saved = load_project(bundle)
    assert saved.title == "unsaved edit" and rendered <= _all_takes(saved)


def test_a_take_removed_in_the_window_stays_removed(qapp, tmp_path):
    bundle = save_project(small_project("a ball bounces", frames=4, size=(64, 64)), tmp_path / "p.studio")
    project, first = render_shot(load_project(bundle), bundle, load_project(bundle).shots[0])
    save_project(project, bundle)
    doc = ProjectDocument(autosave_seconds=3600)
    doc.open(bundle)
    shot = doc.project.shots[0]
    doc.apply(doc.project.with_shot(replace(shot, takes=(), selected_take_id=None)), "remove take")
    doc.save()
    assert load_project(bundle).shots[0].takes == ()


def test_a_render_started_before_the_window_saved_keeps_the_windows_takes(tmp_path):
    """The export read the project, then the window saved a take: the export's saves keep it."""
    bundle = save_project(small_project("a ball bounces", "a cat sleeps", frames=4, size=(64, 64)), tmp_path / "p.studio")
    stale = load_project(bundle)  # what `studio render` read
    project, window_take = render_shot(load_project(bundle), bundle, load_project(bundle).shots[1])
    save_project(project, bundle)  # the window saves
    report = export_project(stale, bundle, tmp_path / "out.mp4")
    assert window_take.id in _all_takes(load_project(bundle))
    assert window_take.id in _all_takes(report.project)


def test_merge_rules():
    base = small_project("one", "two", frames=4, size=(64, 64))
    from studio.domain.model import Shot, Take, TakeRecipe

    def take(i):
        r = TakeRecipe(engine="sketch", engine_version="1", model=None, seed=1, prompt="", composed_prompt="",
                       negative_prompt="", width=64, height=64, fps=24, frames=4, camera="static")
        return Take(id=f"take_{i:012x}", created_at="", video=f"take_{i:012x}.mp4", stems=(), events=(), recipe=r,
                    frames=4)

    disk = base.with_shot(base.shots[0].with_take(take(1)))
    disk = disk.insert_shot(Shot(id="shot_new", prompt="three", duration_frames=4, takes=(take(2),),
                                 selected_take_id=take(2).id), 1)
    mine = base.with_shot(base.shots[0].with_take(take(3)))  # this writer selected its own take of shot 0
    merged = merge_takes(mine, base, disk)
    assert [t.id for t in merged.project.shots[0].takes] == [take(3).id, take(1).id]
    assert merged.project.shots[0].selected_take_id == take(3).id
    assert [s.id for s in merged.project.shots] == ["shot_0", "shot_new", "shot_1"]
    assert set(merged.takes) == {take(1).id, take(2).id} and merged.shots == ("shot_new",)
    only_takes = merge_takes(mine, mine, disk, selection=False, shots=False)
    assert [s.id for s in only_takes.project.shots] == ["shot_0", "shot_1"]
    assert merge_takes(disk, disk, disk).project is disk

# The document's autosave timer needs an application: pytest-qt's qapp (a QApplication), never a
# QCoreApplication of our own, which would outlive this file and break every widget test after it.
