"""Issue 16 item 10: temporary files of killed saves, renders and exports are swept on export and on open."""

from __future__ import annotations

import os
import time

from studio.persistence.bundle import save_project
from studio.persistence.lock import sweep_stale_temp_files
from studio.services.export import export_project
from tests.support.projects import small_project


def _old(path, content=b"x"):
    path.write_bytes(content)
    t = time.time() - 3600
    os.utime(path, (t, t))
    return path


def test_export_sweeps_only_studios_own_stale_temporary_names(tmp_path):
    project = small_project("a ball bounces", frames=4, size=(64, 64))
    bundle = save_project(project, tmp_path / "p.studio")
    out = tmp_path / "out"
    out.mkdir()
    stale = [
        _old(bundle / ".project.json.ab12_x9z.tmp"),
        _old(bundle / "media" / ".take_0123456789ab.partial-0123456789ab.mp4"),
        _old(bundle / "media" / ".take_0123456789ab.ambience.partial-aaaaaaaaaaaa.wav"),
        _old(out / ".film.partial-bbbbbbbbbbbb.mp4"),
    ]
    outside = _old(tmp_path / "precious.txt", b"keep")
    kept = [
        _old(bundle / "notes.tmp"),                                   # not a Studio name
        _old(out / ".other.partial-cccccccccccc.mp4"),                # another export's partial
        bundle / "media" / ".take_fedcba987654.partial-dddddddddddd.mp4",  # fresh: a writer's work in progress
    ]
    kept[-1].write_bytes(b"in progress")
    link = bundle / "media" / ".take_111111111111.partial-eeeeeeeeeeee.mp4"
    link.symlink_to(outside)  # a link with a Studio name: removed as a link? never followed
    export_project(project, bundle, out / "film.mp4")
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept) and outside.read_bytes() == b"keep"
    assert link.is_symlink()  # Studio deletes regular files only


def test_opening_a_project_sweeps_it_unless_another_process_writes(tmp_path):
    bundle = save_project(small_project("a ball bounces", frames=4, size=(64, 64)), tmp_path / "q.studio")
    stale = _old(bundle / ".project.json.zz99_abc.tmp")
    assert sweep_stale_temp_files(bundle) == [stale.name] and not stale.exists()


def test_the_command_line_sweeps_on_load_too(tmp_path, capsys):
    """`studio info` (and every command that loads a bundle) sweeps like the window's open did alone."""
    from studio.cli import main as cli_main

    bundle = save_project(small_project("a ball bounces", frames=4, size=(64, 64)), tmp_path / "r.studio")
    stale = [_old(bundle / ".project.json.zz99_abc.tmp"),
             _old(bundle / "media" / ".take_0123456789ab.partial-0123456789ab.mp4")]
    fresh = bundle / ".project.json.yy88_abc.tmp"
    fresh.write_bytes(b"a save in progress")
    assert cli_main(["info", str(bundle)]) == 0
    assert not any(p.exists() for p in stale) and fresh.exists()
