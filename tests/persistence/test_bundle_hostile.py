"""Issue 16: the bundle is safe from symlinks and odd files (FIFOs) in media/."""

from __future__ import annotations

import contextlib
import os
import signal

import pytest

from studio.cli import main as cli_main
from studio.persistence.bundle import load_project, save_project
from studio.services.export import export_project
from tests.support.projects import small_project


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail (instead of hanging the suite) when the block blocks."""
    def on_alarm(*_):
        raise TimeoutError(f"blocked for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_new_force_never_deletes_through_a_media_link(tmp_path, capsys):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "holiday.jpg").write_bytes(b"precious")
    (outside / "take_0123456789ab.mp4").write_bytes(b"looks like a take but is not in this bundle")
    assert cli_main(["new", str(tmp_path / "a.studio")]) == 0
    (tmp_path / "a.studio" / "media").rmdir()
    (tmp_path / "a.studio" / "media").symlink_to(outside)
    assert cli_main(["new", str(tmp_path / "a.studio"), "--force"]) == 0
    assert sorted(p.name for p in outside.iterdir()) == ["holiday.jpg", "take_0123456789ab.mp4"]
    media = tmp_path / "a.studio" / "media"
    assert media.is_dir() and not media.is_symlink()
    load_project(tmp_path / "a.studio")


def test_new_force_with_media_linked_to_the_bundle_keeps_the_project(tmp_path):
    assert cli_main(["new", str(tmp_path / "b.studio")]) == 0
    (tmp_path / "b.studio" / "media").rmdir()
    (tmp_path / "b.studio" / "media").symlink_to(".")
    assert cli_main(["new", str(tmp_path / "b.studio"), "--force"]) == 0
    assert load_project(tmp_path / "b.studio").shots  # project.json was not deleted


def test_saving_refuses_to_write_through_a_media_link(tmp_path, capsys):
    project = small_project("a ball bounces", frames=4, size=(64, 64))
    bundle = save_project(project, tmp_path / "c.studio")
    (bundle / "media").rmdir()
    (bundle / "media").symlink_to(tmp_path)
    assert cli_main(["render", str(bundle), "-o", str(tmp_path / "out.mp4"), "-q"]) == 1
    assert "link" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.studio"]


def test_only_studio_take_names_are_removed_as_unused(tmp_path):
    from studio.services.takes import remove_unused_media

    project = small_project("a ball bounces", frames=4, size=(64, 64))
    bundle = save_project(project, tmp_path / "d.studio")
    media = bundle / "media"
    (media / "notes.txt").write_text("mine")
    (media / "take_0123456789ab.mp4").write_bytes(b"old take")
    os.mkfifo(media / "take_aaaaaaaaaaaa.wav")
    assert remove_unused_media(project, bundle) == ["take_0123456789ab.mp4"]
    assert sorted(p.name for p in media.iterdir()) == ["notes.txt", "take_aaaaaaaaaaaa.wav"]


def test_a_fifo_in_media_does_not_hang_info_or_render(tmp_path, capsys):
    project = small_project("a ball bounces", frames=4, size=(64, 64))
    bundle = save_project(project, tmp_path / "e.studio")
    project = export_project(project, bundle, tmp_path / "first.mp4").project
    take = project.shots[0].selected_take
    for name in [take.video, *(n for _, n in take.stems)]:
        (bundle / "media" / name).unlink()
        os.mkfifo(bundle / "media" / name)
    with deadline(60):
        assert cli_main(["info", str(bundle)]) == 0
        assert "render" in capsys.readouterr().out  # the take is reported damaged, to render again
        assert cli_main(["info", str(bundle / "media" / take.video)]) == 1
        assert "regular file" in capsys.readouterr().err
        assert cli_main(["render", str(bundle), "-o", str(tmp_path / "again.mp4"), "-q"]) == 0
