"""The "what Studio understood" line speaks the interface's language: every word of it, not only its labels."""

from __future__ import annotations

import re

import pytest

from studio.ui import i18n
from studio.ui.prompt_editor import ShotPanel
from studio.ui.understood import understood_line
from studio.understanding import plan_scene
from tests.support.projects import small_project


def _plain(html_text: str) -> str:
    return re.sub(r"<[^>]+>", "", html_text).replace("&amp;", "&")


@pytest.fixture
def japanese():
    i18n.set_language("ja")
    yield
    i18n.set_language("en")


PROMPTS = [
    "猫が窓から飛び降りる",
    "夜、雨の中で男がドアを開ける",
    "赤いボールが木の床に落ちて跳ねる",
    "長い黒髪の女の子が茶色の犬と公園を走る",
    "彼女が彼にカップを渡す",
    "曇り空の下、寝室で黒い猫が眠る",
    "小雨の中、駅で男が待つ",
    "A red ball falls and bounces on the wooden floor",
    "She hands him the cup in the kitchen",
    "Under a grey sky, a dog chases the cat in the park",
    "As snow falls, a girl opens the window of her bedroom",
    "A man kicks the ball at the station",
]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_the_line_has_no_english_words_in_japanese(qtbot, japanese, prompt):
    p = ShotPanel()
    qtbot.addWidget(p)
    project = small_project(prompt)
    p.set_shot(project, project.shots[0].id)
    text = _plain(p.understood_label.text())
    assert text.startswith("Studio の理解: "), text
    body = text.removeprefix("Studio の理解: ")
    names = {c.name for c in project.bible.characters}
    english = [w for w in re.findall(r"[A-Za-z]+", body) if w not in names]
    assert not english, (prompt, text)
    assert "理解できなかった語" not in text, text  # every word of these prompts is known


def test_japanese_line_reads_in_japanese_order(japanese):
    plan = plan_scene("猫が窓から飛び降りる")
    assert understood_line(plan) == "部屋、屋内、昼；猫：窓から飛び降りる；窓"
    give = understood_line(plan_scene("She hands him the cup in the kitchen"))
    assert give == "台所、屋内、昼；女性：男性にカップを渡す；カップ；男性"
    hair = understood_line(plan_scene("長い黒髪の女の子が茶色の犬と公園を走る"))
    assert hair == "公園、屋外、昼；女性（長い黒髪）：走る；茶色の犬：走る", hair
    weather = understood_line(plan_scene("Under a grey sky, a black cat sleeps in the bedroom"))
    assert weather.startswith("寝室、屋内、昼、曇り；黒い猫：眠る"), weather


def test_the_english_line_is_the_plans_summary():
    for prompt in PROMPTS[:7] + ["A zebra juggles on the wooden floor", "The cat jumps down from the window"]:
        plan = plan_scene(prompt)
        # same words as the plan's own summary, except the clearer "chase" for a run with a target
        assert understood_line(plan) == plan.summary().split(" | ")[0].replace("run ", "chase "), prompt


def test_unknown_words_stay_as_written_and_are_marked(qtbot, japanese):
    p = ShotPanel()
    qtbot.addWidget(p)
    project = small_project("キリンが床で踊る")
    p.set_shot(project, project.shots[0].id)
    html_text = p.understood_label.text()
    assert "理解できなかった語" in html_text and "text-decoration:underline\">キリン</span>" in html_text
    assert not re.findall(r"[A-Za-z]+", _plain(html_text).removeprefix("Studio の理解: ").split("理解")[0])


def test_a_pronoun_in_the_window_is_the_cast_character(qtbot):
    """The window reads the shot's cast as the engines do: "She" is Mei, not a second woman."""
    p = ShotPanel()
    qtbot.addWidget(p)
    project = small_project("She hands him the cup")  # Mei is cast on the shot
    mei = project.bible.characters[0]
    p.set_shot(project, project.shots[0].id)
    text = _plain(p.understood_label.text())
    assert f"{mei.name} (" in text and ": give cup to man" in text and "woman" not in text, text
