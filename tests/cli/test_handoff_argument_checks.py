"""`studio timeline export` and `studio deliver` check their arguments the same way, before any work."""

from __future__ import annotations

import pytest

from studio.cli import main
from studio.persistence.bundle import load_project, save_project
from tests.support.projects import small_project


@pytest.fixture
def unrendered(tmp_path):
    project = small_project("Mei walks", frames=6, size=(64, 36))
    return save_project(project, tmp_path / "p")


def _err(capsys, argv) -> str:
    assert main(argv) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["timeline", "export", "{p}", "-o", "{tmp}/nofolder/cut.otio"],
    ["deliver", "{p}", "-o", "{tmp}/nofolder/out.mp4"],
    ["deliver", "{p}", "-o", "{tmp}/nofolder/frames", "--codec", "png"],
])
def test_a_missing_output_folder_is_refused_before_any_shot_renders(unrendered, tmp_path, capsys, argv):
    argv = [a.format(p=unrendered, tmp=tmp_path) for a in argv]
    err = _err(capsys, argv)
    assert f"{tmp_path / 'nofolder'}: no such folder; create it first" in err
    media = unrendered / "media"
    assert not media.exists() or not any(media.iterdir())  # nothing rendered on the way to the error
    assert all(s.selected_take is None for s in load_project(unrendered).shots)


@pytest.mark.parametrize("argv,nothing", [
    (["timeline", "export", "{p}", "-o", "{tmp}/cut.otio"], "no cut to export"),
    (["deliver", "{p}", "-o", "{tmp}/out.mp4"], "nothing to deliver"),
])
def test_an_empty_storyboard_and_a_folder_in_the_way_read_the_same_in_both(tmp_path, capsys, argv, nothing):
    empty = save_project(small_project("x", frames=6, size=(64, 36)).with_shots([]), tmp_path / "e")
    argv_empty = [a.format(p=empty, tmp=tmp_path) for a in argv]
    assert f"{empty}: the storyboard has no shots, so there is {nothing}" in _err(capsys, argv_empty)
    missing = [a.format(p=tmp_path / "none.studio", tmp=tmp_path) for a in argv]
    assert "no such project" in _err(capsys, missing)
    out = argv_empty[argv_empty.index("-o") + 1]
    (tmp_path / out.rsplit("/", 1)[1]).mkdir()
    assert "a folder with that name is in the way" in _err(capsys, argv_empty)


def test_each_command_still_names_its_own_format_rules(unrendered, tmp_path, capsys):
    assert "unknown timeline format '.mp3'" in _err(capsys, ["timeline", "export", str(unrendered), "-o", str(tmp_path / "x.mp3")])
    assert "prores is written as a .mov file" in _err(capsys, ["deliver", str(unrendered), "-o", str(tmp_path / "x.mp4"),
                                                              "--codec", "prores"])
    (tmp_path / "frames").mkdir()
    assert "already exists; a PNG sequence goes into a new folder" in _err(
        capsys, ["deliver", str(unrendered), "-o", str(tmp_path / "frames"), "--codec", "png"])
