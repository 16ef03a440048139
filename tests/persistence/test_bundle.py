import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from studio.domain.model import (
    CameraMove,
    Character,
    DialogueLine,
    Project,
    Shot,
    SoundCue,
    SoundCueKind,
    SoundEvent,
    StoryBible,
    Take,
    TakeRecipe,
)
from studio.domain.story import storyboard_from_story
from studio.persistence.bundle import PROJECT_FILE, ProjectFileError, load_project, missing_media, save_project
from studio.persistence.schema import SCHEMA_VERSION


def rich_project() -> Project:
    p = storyboard_from_story("朝、大学に向かう→授業を受ける→夜カフェで勉強する")
    recipe = TakeRecipe("sketch", "1.0", 7, "p", "cp", 320, 180, 24, 96, "pan right", settings=(("k", 1.5),))
    take = Take("take_1", "2026-01-01T00:00:00+00:00", "take_1.mp4", (("foley", "take_1.foley.wav"),),
                (SoundEvent(12, "footstep", 0.8, -0.2, "c"),), recipe, 96)
    s0 = replace(p.shots[0], takes=(take,), selected_take_id="take_1", camera=CameraMove.ORBIT,
                 dialogue=(DialogueLine("おはよう", p.bible.characters[0].id, 10),),
                 sound_cues=(SoundCue(SoundCueKind.SFX, "door", 30),), engine_settings=(("steps", 30),))
    return replace(p.with_shot(s0), bible=replace(p.bible, characters=p.bible.characters + (Character("c2", "Ken", "", "cameo_1"),)))


def test_round_trip_keeps_everything(tmp_path):
    p = rich_project()
    bundle = save_project(p, tmp_path / "day")
    assert bundle.name == "day.studio" and (bundle / "media").is_dir()
    assert load_project(bundle) == p
    text = (bundle / PROJECT_FILE).read_text("utf-8")
    assert "朝の通学路" in text  # Japanese stays readable in the file
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION
    assert missing_media(p, bundle) == ["take_1.mp4", "take_1.foley.wav"]


def test_v1_file_is_migrated(tmp_path):
    bundle = tmp_path / "old.studio"
    bundle.mkdir()
    doc = {"format": "studio-project", "schema_version": 1, "id": "p", "title": "old", "fps": 25,
           "canvas": "640x360", "bible": {"characters": []},
           "shots": [{"id": "a", "prompt": "rain", "duration_seconds": 2.0}]}
    (bundle / PROJECT_FILE).write_text(json.dumps(doc))
    p = load_project(bundle)
    assert p.shots[0].duration_frames == 50 and p.canvas.width == 640
    assert json.loads((bundle / PROJECT_FILE).read_text())["schema_version"] == 1  # loading writes nothing


@pytest.mark.parametrize(
    "mutate, field, words",
    [
        (lambda d: d["shots"][1].__setitem__("duration_frames", "long"), "shots[1].duration_frames", "whole number"),
        (lambda d: d["shots"][0].__setitem__("duration_frames", 0), "shots[0].duration_frames", "out of range"),
        (lambda d: d["shots"][2].__setitem__("camera", "barrel roll"), "shots[2].camera", "not one of"),
        (lambda d: d.__setitem__("schema_version", 99), "schema_version", "newer Studio"),
        (lambda d: d["shots"][0]["takes"][0].__setitem__("video", "../../etc/passwd"), "shots[0].takes[0].video", "plain media"),
        (lambda d: d["canvas"].__setitem__("width", 641), "canvas", "even"),
        (lambda d: d.pop("title"), "title", "missing"),
        (lambda d: d["shots"][0].__setitem__("selected_take_id", "nope"), "shots[0].selected_take_id", "no take"),
    ],
)
def test_invalid_fields_are_named_and_nothing_changes(tmp_path, mutate, field, words):
    bundle = save_project(rich_project(), tmp_path / "p")
    doc = json.loads((bundle / PROJECT_FILE).read_text())
    mutate(doc)
    raw = json.dumps(doc).encode()
    (bundle / PROJECT_FILE).write_bytes(raw)
    before = sorted(os.listdir(bundle))
    with pytest.raises(ProjectFileError) as info:
        load_project(bundle)
    assert info.value.field == field
    assert words in str(info.value) and PROJECT_FILE in str(info.value)
    assert (bundle / PROJECT_FILE).read_bytes() == raw and sorted(os.listdir(bundle)) == before


@pytest.mark.parametrize("damage", ["truncate", "empty", "garbage", "not_utf8"])
def test_damaged_files_give_clear_errors(tmp_path, damage):
    bundle = save_project(rich_project(), tmp_path / "p")
    f = bundle / PROJECT_FILE
    data = f.read_bytes()
    f.write_bytes({"truncate": data[: len(data) // 2], "empty": b"", "garbage": b"\x00{]]",
                   "not_utf8": b'{"title": "\xff\xfe"}'}[damage])
    with pytest.raises(ProjectFileError) as info:
        load_project(bundle)
    msg = str(info.value)
    assert str(f) in msg
    assert any(w in msg for w in ("damaged", "truncated", "empty", "UTF-8"))


def test_missing_and_not_a_project(tmp_path):
    with pytest.raises(ProjectFileError, match="no such project"):
        load_project(tmp_path / "nothing.studio")
    (tmp_path / "folder.studio").mkdir()
    with pytest.raises(ProjectFileError, match="not a Studio project"):
        load_project(tmp_path / "folder.studio")


KILL_MID_SAVE = textwrap.dedent(
    """
    import os, signal, sys
    from dataclasses import replace
    from studio.domain.story import storyboard_from_story
    from studio.persistence import bundle as b
    p = storyboard_from_story("A walks -> B runs -> C jumps")
    b.save_project(p, sys.argv[1])
    print("saved", flush=True)
    # A large document that is still valid (save_project refuses what load_project would refuse).
    big = replace(p, title="SECOND", shots=tuple(replace(s, prompt="SECOND " * 2800) for s in p.shots))
    mode = sys.argv[2]
    real_fdopen = os.fdopen
    class Dying:
        def __init__(self, f): self.f = f
        def __enter__(self): return self
        def __exit__(self, *a): return False
        def write(self, data):
            self.f.write(data[: len(data) // 2]); self.f.flush()
            os.kill(os.getpid(), signal.SIGKILL)   # killed halfway through writing
        def flush(self): pass
        def fileno(self): return self.f.fileno()
    if mode == "write":
        b.os.fdopen = lambda fd, m: Dying(real_fdopen(fd, m))
    else:
        b.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)  # killed just before the rename
    b.save_project(big, sys.argv[1])
    print("not reached", flush=True)
    """
)


@pytest.mark.parametrize("mode", ["write", "rename"])
def test_save_killed_mid_write_keeps_previous_project(tmp_path, mode):
    target = tmp_path / "kill.studio"
    proc = subprocess.run([sys.executable, "-c", KILL_MID_SAVE, str(target), mode], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert "saved" in proc.stdout and "not reached" not in proc.stdout
    p = load_project(target)
    assert len(p.shots) == 3 and not p.title.startswith("SECOND")
    # the interrupted temporary file is left beside it, never in its place
    assert any(n.endswith(".tmp") for n in os.listdir(target))


def test_save_error_is_clear_and_keeps_previous(tmp_path, monkeypatch):
    import errno

    from studio.persistence import bundle as b

    bundle = save_project(rich_project(), tmp_path / "full")
    before = (bundle / PROJECT_FILE).read_bytes()

    def no_space(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(b.os, "fsync", no_space)
    with pytest.raises(ProjectFileError, match="disk is full"):
        save_project(replace(rich_project(), title="new"), bundle)
    assert (bundle / PROJECT_FILE).read_bytes() == before
    assert not [n for n in os.listdir(bundle) if n.endswith(".tmp")]


def test_autosave_recovery(tmp_path):
    import time

    from studio.persistence.bundle import discard_autosave, recoverable_autosave, write_autosave

    p = rich_project()
    bundle = save_project(p, tmp_path / "a")
    assert recoverable_autosave(bundle) is None
    time.sleep(0.01)
    edited = replace(p, title="edited, never saved")
    write_autosave(edited, bundle)
    assert recoverable_autosave(bundle) == edited
    assert load_project(bundle) == p  # the saved project is untouched
    (bundle / "project.autosave.json").write_text("{broken")
    assert recoverable_autosave(bundle) is None
    discard_autosave(bundle)
    assert not (bundle / "project.autosave.json").exists()
