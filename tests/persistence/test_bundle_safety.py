"""Saving never writes what loading refuses, and never changes who may read the project."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from studio.persistence.bundle import PROJECT_FILE, ProjectFileError, load_project, save_project
from tests.support.projects import small_project


def test_a_project_that_would_not_load_is_not_saved(tmp_path):
    bundle = save_project(small_project("Mei walks"), tmp_path / "p.studio")
    before = (bundle / PROJECT_FILE).read_bytes()
    broken = small_project("Mei walks")
    broken = broken.with_shot(replace(broken.shots[0], seed=-5))
    with pytest.raises(ProjectFileError) as failure:
        save_project(broken, bundle)
    assert failure.value.field == "shots[0].seed" and "previous version is unchanged" in str(failure.value)
    assert (bundle / PROJECT_FILE).read_bytes() == before
    assert load_project(bundle).shots[0].seed == 100


def test_saving_keeps_the_project_file_mode(tmp_path):
    bundle = save_project(small_project("Mei walks"), tmp_path / "shared.studio")
    file = bundle / PROJECT_FILE
    umask = os.umask(0o022)
    os.umask(umask)
    # mkstemp's owner-only 0600 used to replace the file's mode on every save.
    assert file.stat().st_mode & 0o777 == 0o666 & ~umask
    file.chmod(0o640)
    save_project(load_project(bundle), bundle)
    assert file.stat().st_mode & 0o777 == 0o640
