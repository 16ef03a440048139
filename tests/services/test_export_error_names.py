"""An export failure names the file the user chose (day.mp4), never the hidden partial file beside it."""

from __future__ import annotations

import errno

import pytest

from studio.media._atomic import describe_os_error
from studio.media.errors import MediaError
from studio.persistence.bundle import save_project
from studio.services import export as export_module
from studio.services.export import export_project
from tests.support.projects import small_project


def test_a_disk_full_export_names_day_mp4(tmp_path, monkeypatch):
    project = small_project("Mei walks in the park", frames=6)
    bundle = save_project(project, tmp_path / "p")
    seen = []

    def full_disk(path, *args, **kwargs):
        seen.append(path)
        raise MediaError(describe_os_error(OSError(errno.ENOSPC, "No space left on device"), path))

    monkeypatch.setattr(export_module, "write_mp4", full_disk)
    with pytest.raises(MediaError) as info:
        export_project(project, bundle, tmp_path / "day.mp4")
    assert seen and ".partial" in seen[0].name  # the encoder really wrote to the hidden file
    message = str(info.value)
    assert "day.mp4" in message and ".partial" not in message and "disk is full" in message
    assert str(tmp_path / "day.mp4") in message
