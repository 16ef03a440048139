import pytest

from studio.domain.scene import describe_scene
from studio.domain.story import split_story, storyboard_from_story, template_project


def test_japanese_example_gives_three_shots_one_character():
    p = storyboard_from_story("朝、大学に向かう→授業を受ける→夜カフェで勉強する")
    assert len(p.shots) == 3
    assert len(p.bible.characters) == 1
    hero = p.bible.characters[0].id
    assert all(s.characters == (hero,) for s in p.shots)
    assert [s.title for s in p.shots] == ["朝の通学路", "授業", "夜のカフェ"]
    scenes = [describe_scene(s.prompt) for s in p.shots]
    assert (scenes[0].time_of_day, scenes[0].place) == ("morning", "university")
    assert scenes[1].place == "classroom"
    assert (scenes[2].time_of_day, scenes[2].place) == ("night", "cafe")
    assert p.shots[0].camera.value.startswith("pan")  # a walk is tracked
    assert p.shots[2].sound_cues[0].description == "cafe"


def test_english_example():
    p = storyboard_from_story(
        "In the morning she walks to the university → she attends a lecture → at night she studies in a cafe",
        aspect="9:16", fps=30, shot_seconds=2.5,
    )
    assert [s.title for s in p.shots] == ["morning walk", "lecture", "night cafe"]
    assert (p.canvas.width, p.canvas.height, p.fps) == (720, 1280, 30)
    assert all(s.duration_frames == 75 for s in p.shots)
    assert "woman" in p.bible.characters[0].look
    assert len({s.seed for s in p.shots}) == 3


@pytest.mark.parametrize(
    "story, beats",
    [
        ("A -> B -> C", ["A", "B", "C"]),
        ("line one\nline two", ["line one", "line two"]),
        ("She wakes up. Then she runs to the station, then she jumps.", ["She wakes up", "she runs to the station", "she jumps"]),
        ("起きる。それから走る。", ["起きる", "走る"]),
        ("It costs 3.5 dollars.", ["It costs 3.5 dollars"]),
    ],
)
def test_split_story(story, beats):
    assert split_story(story) == beats


def test_named_characters_are_kept_across_shots():
    p = storyboard_from_story("In the morning Ken walks to the park and then he plays ball with Yuki.")
    names = {c.id: c.name for c in p.bible.characters}
    assert sorted(names.values()) == ["Ken", "Yuki"]
    assert [names[c] for c in p.shots[1].characters] == ["Ken", "Yuki"]


def test_empty_story_and_template():
    with pytest.raises(ValueError):
        storyboard_from_story("  → \n ")
    t = template_project()
    assert len(t.shots) == 3 and all("@" in s.prompt or "{" in s.prompt for s in t.shots)


def test_titles_of_unknown_scenes_do_not_repeat_the_time():
    from studio.domain.story import storyboard_from_story

    assert storyboard_from_story("夜、犬が眠る").shots[0].title == "夜・犬が眠る"
    assert storyboard_from_story("At night the dog sleeps").shots[0].title == "night: dog sleeps"
    assert storyboard_from_story("The robot paints a mural").shots[0].title == "robot paints mural"


def test_at_names_in_a_story_cast_those_characters_in_japanese_and_english():
    p = storyboard_from_story("朝、@葵が駅に向かう→夜、@葵 はカフェで勉強する→@Ai と@さくらが話す")
    names = {c.id: c.name for c in p.bible.characters}
    assert list(names.values()) == ["葵", "Ai", "さくら"]  # @葵が ends before the particle; a two-letter name counts
    assert [[names[i] for i in s.characters] for s in p.shots] == [["葵"], ["葵"], ["Ai", "さくら"]]


def test_a_quoted_line_is_never_cut_and_is_not_a_name():
    beats = split_story('At the cafe, @Aoi smiles: "Good morning! Ready?" Then she sits → 「おはよう！元気？」と@葵が言う')
    assert beats == ['At the cafe, @Aoi smiles: "Good morning! Ready?"', "she sits", "「おはよう！元気？」と@葵が言う"]
    p = storyboard_from_story('@Aoi smiles: "Good morning!"')
    assert [c.name for c in p.bible.characters] == ["Aoi"]  # "Good" is speech, not a second character


def test_a_beat_about_a_thing_or_an_animal_casts_nobody():
    p = storyboard_from_story("@Ren kicks the ball → A red ball falls and bounces on the floor → 猫が窓から飛び降りる → He laughs")
    ren = p.bible.characters[0].id
    assert [s.characters for s in p.shots] == [(ren,), (), (), (ren,)]


def test_every_template_builds_in_both_languages():
    from studio.domain.story import TEMPLATES

    for t in TEMPLATES:
        for lang in ("en", "ja"):
            p = template_project(t.id, lang=lang)
            assert p.title == t.title[lang] and len(p.shots) == t.shot_count() == len(t.titles[lang])
            assert [s.title for s in p.shots] == list(t.titles[lang])
            assert p.bible.characters and all(c.name for c in p.bible.characters)
