import pytest

from studio.domain.model import (
    CameraMove,
    Canvas,
    Character,
    Project,
    Shot,
    StoryBible,
    parse_camera,
    resolve_shot,
)
from studio.domain.timing import frame_to_sample, timecode


def _project(n=3):
    return Project("t", shots=tuple(Shot(f"s{i}", f"prompt {i}", 24 * (i + 1)) for i in range(n)))


def test_aspect_presets():
    assert (Canvas.from_aspect("16:9").width, Canvas.from_aspect("16:9").height) == (1280, 720)
    assert (Canvas.from_aspect("9:16").width, Canvas.from_aspect("9:16").height) == (720, 1280)
    assert Canvas.from_aspect("1:1", 1080) == Canvas(1080, 1080)
    assert Canvas(1920, 1080).aspect == "16:9"
    with pytest.raises(ValueError):
        Canvas.from_aspect("4:3")
    with pytest.raises(ValueError):
        Canvas(101, 100)


def test_derived_timing_follows_reorder():
    p = _project()
    assert p.total_frames == 24 + 48 + 72
    assert p.start_frame("s2") == 72
    moved = p.move_shot("s2", 0)
    assert [s.id for s in moved.shots] == ["s2", "s0", "s1"]
    assert moved.start_frame("s0") == 72 and moved.start_frame("s2") == 0
    assert p.shots[0].id == "s0"  # the original value is untouched (undo keeps it)


def test_edits_are_values():
    p = _project()
    shorter = p.with_shot(Shot("s1", "x", 10))
    assert shorter.total_frames == p.total_frames - 48 + 10
    with pytest.raises(ValueError):
        Project("dup", shots=(Shot("a", "", 1), Shot("a", "", 1)))
    with pytest.raises(ValueError):
        Shot("z", "", 0)


@pytest.mark.parametrize(
    "phrase, move",
    [("dolly in", CameraMove.DOLLY_IN), ("Pan Left", CameraMove.PAN_LEFT), ("ズームイン", CameraMove.ZOOM_IN),
     ("orbit", CameraMove.ORBIT), ("固定", CameraMove.STATIC), ("tilt up", CameraMove.TILT_UP)],
)
def test_camera_phrases(phrase, move):
    assert parse_camera(phrase) is move


def test_camera_phrase_unknown():
    with pytest.raises(ValueError, match="unknown camera"):
        parse_camera("barrel roll")


def test_resolve_merges_prompt_marks_with_fields():
    hana = Character("c1", "Hana", "red coat")
    bible = StoryBible((hana,))
    shot = Shot("s", '@Hana opens the door [camera: zoom out] "Hi!" {sfx: door} @Ghost', 24, camera=CameraMove.PAN_LEFT)
    r = resolve_shot(shot, bible)
    assert r.camera is CameraMove.ZOOM_OUT
    assert r.characters == (hana,)
    assert r.unknown_characters == ("Ghost",)
    assert r.dialogue[0].text == "Hi!" and r.dialogue[0].speaker_id == "c1"
    assert [(c.kind.value, c.description) for c in r.sound_cues] == [("sfx", "door")]


def test_frame_to_sample_is_exact_and_timecode():
    assert frame_to_sample(24, 24) == 48000
    assert frame_to_sample(1, 30) == 1600
    assert frame_to_sample(1001, 24) == 2002000
    assert timecode(24 * 3661 + 5, 24) == "01:01:01:05"
