"""Scene plans of prompts: each actor's kind, action and target, the place and the weather.

Half the prompts are English (the grammar), half Japanese (fugashi + unidic-lite).
Each row: prompt, place, weather, and per actor noun (kind, actions in order, target,
source). None for a place or target means "no claim"; "-" means "must be none".
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from studio.domain.model import Character, StoryBible
from studio.understanding import plan_scene

# (prompt, place, weather, {noun: (kind, actions, target, source)})
EN = [
    ("A red ball falls and bounces on the wooden floor", "room", "clear", {"ball": ("object", ["fall", "bounce"], "-", "-")}),
    ("The cat jumps down from the window", None, "clear", {"cat": ("animal", ["jump_down"], "-", "window")}),
    ("At night, in the rain, a man opens the door", None, "rain", {"man": ("person", ["open"], "door", "-")}),
    ("She hands him the cup in the kitchen", "kitchen", "clear", {"woman": ("person", ["give"], "cup", "-")}),
    ("A dog chases the cat while it rains", None, "rain", {"dog": ("animal", ["run"], "cat", "-"), "cat": ("animal", [], "-", "-")}),
    ("A glass falls off the table and breaks", "room", "clear", {"glass": ("object", ["fall", "break"], "-", "table")}),
    ("A woman walks down the street with an umbrella", "street", "clear", {"woman": ("person", ["hold", "walk"], None, "-"), "umbrella": ("object", [], "-", "-")}),
    ("A bird flies over the beach at sunset", "beach", "clear", {"bird": ("animal", ["fly"], "-", "-")}),
    ("A black cat sleeps on the sofa in the living room", "room", "clear", {"cat": ("animal", ["sleep"], "-", "-")}),
    ("The car drives down the road in the snow", "street", "snow", {"car": ("object", ["drive"], "-", "-")}),
    ("A boy kicks the ball in the park", "park", "clear", {"man": ("person", ["kick"], "ball", "-"), "ball": ("object", ["roll"], "-", "man")}),
    ("She drops the cup on the floor", "room", "clear", {"woman": ("person", ["drop"], "cup", "-"), "cup": ("object", ["fall", "break"], "-", "-")}),
    ("A man throws the ball", None, "clear", {"man": ("person", ["throw"], "ball", "-"), "ball": ("object", ["bounce"], "-", "-")}),
    ("The man picks up the book", None, "clear", {"man": ("person", ["pick_up"], "book", "-")}),
    ("A small dog runs in the classroom", "classroom", "clear", {"dog": ("animal", ["run"], "-", "-")}),
    ("The girl opens the window in the morning", None, "clear", {"woman": ("person", ["open"], "window", "-")}),
    ("A cup falls on the kitchen floor and breaks", "kitchen", "clear", {"cup": ("object", ["fall", "break"], "-", "-")}),
    ("A man reads a book in the library", "library", "clear", {"man": ("person", ["read"], "book", "-")}),
    ("In the fog, a dog walks on the beach", "beach", "fog", {"dog": ("animal", ["walk"], "-", "-")}),
    ("The woman gives the book to the man", None, "clear", {"woman": ("person", ["give"], "book", "-"), "man": ("person", [], "-", "-")}),
    ("A bird jumps down from the table", "room", "clear", {"bird": ("animal", ["jump_down"], "-", "table")}),
    ("The ball rolls across the floor while it snows", "room", "snow", {"ball": ("object", ["roll"], "-", "-")}),
    ("A cat and a dog sit in the cafe", "cafe", "clear", {"cat": ("animal", ["sit"], "-", "-"), "dog": ("animal", ["sit"], "-", "-")}),
    ("A man closes the door of the office", "office", "clear", {"man": ("person", ["close"], "door", "-")}),
]
JA = [
    ("男の子が公園でボールを蹴る", "park", "clear", {"man": ("person", ["kick"], "ball", "-"), "ball": ("object", ["roll"], "-", "man")}),
    ("女がコップを落とす", None, "clear", {"woman": ("person", ["drop"], "cup", "-"), "cup": ("object", ["fall", "break"], "-", "-")}),
    ("男がボールを投げる", None, "clear", {"man": ("person", ["throw"], "ball", "-"), "ball": ("object", ["bounce"], "-", "-")}),
    ("猫が窓から飛び降りる", None, "clear", {"cat": ("animal", ["jump_down"], "-", "window")}),
    ("夜、雨の中で男がドアを開ける", None, "rain", {"man": ("person", ["open"], "door", "-")}),
    ("赤いボールが木の床に落ちて跳ねる", "room", "clear", {"ball": ("object", ["fall", "bounce"], "-", "-")}),
    ("長い黒髪の女の子が茶色の犬と公園を走る", "park", "clear", {"woman": ("person", ["run"], "-", "-"), "dog": ("animal", ["run"], "-", "-")}),
    ("彼女が彼にカップを渡す", None, "clear", {"woman": ("person", ["give"], "cup", "-"), "man": ("person", [], "-", "-")}),
    ("台所でグラスが落ちて割れる", "kitchen", "clear", {"glass": ("object", ["fall", "break"], "-", "-")}),
    ("雨が降る中、犬が走る", None, "rain", {"dog": ("animal", ["run"], "-", "-")}),
    ("鳥が海の上を飛ぶ", "beach", "clear", {"bird": ("animal", ["fly"], "-", "-")}),
    ("黒い猫がソファーで眠る", "room", "clear", {"cat": ("animal", ["sleep"], "-", "-")}),
    ("夕方、車が道を走る", "street", "clear", {"car": ("object", ["drive"], "-", "-")}),
    ("雪の中で犬が歩く", None, "snow", {"dog": ("animal", ["walk"], "-", "-")}),
    ("教室で少年が本を読む", "classroom", "clear", {"man": ("person", ["read"], "book", "-")}),
    ("カップがテーブルから落ちる", "room", "clear", {"cup": ("object", ["fall"], "-", "table")}),
    ("女性が傘を開く", None, "clear", {"woman": ("person", ["open"], "umbrella", "-")}),
    ("犬が猫を追いかける", None, "clear", {"dog": ("animal", ["run"], "cat", "-")}),
    ("霧の朝、男が森を歩く", "forest", "fog", {"man": ("person", ["walk"], "-", "-")}),
    ("ボールが床で跳ねる", "room", "clear", {"ball": ("object", ["bounce"], "-", "-")}),
    ("猫がカフェで寝る", "cafe", "clear", {"cat": ("animal", ["sleep"], "-", "-")}),
    ("男が女に本を渡す", None, "clear", {"man": ("person", ["give"], "book", "-")}),
    ("窓が開く", None, "clear", {"window": ("object", ["open"], "-", "-")}),
    ("小さい鳥が窓から飛ぶ", None, "clear", {"bird": ("animal", ["fly"], "-", "window")}),
]

# New places and weather phrasings (bedroom, station, grey sky, drizzle/小雨, falling snow), animals,
# objects and two-actor interactions.
EN_PLACES = [
    ("A cat sleeps on the bed in the bedroom", "bedroom", "clear", {"cat": ("animal", ["sleep"], "-", "-")}),
    ("The woman opens the window of the bedroom", "bedroom", "clear", {"woman": ("person", ["open"], "window", "-")}),
    ("The dog jumps down from the bed", "bedroom", "clear", {"dog": ("animal", ["jump_down"], "-", "bed")}),
    ("A woman drops the cup in the bedroom and it breaks", "bedroom", "clear",
     {"woman": ("person", ["drop"], "cup", "-"), "cup": ("object", ["fall", "break"], "-", "-")}),
    ("A man waits at the station", "station", "clear", {"man": ("person", ["wait"], "-", "-")}),
    ("A dog runs along the platform at the station", "station", "clear", {"dog": ("animal", ["run"], "-", "-")}),
    ("Under a grey sky, a dog chases the ball on the beach", "beach", "overcast",
     {"dog": ("animal", ["run"], "ball", "-"), "ball": ("object", [], "-", "-")}),
    ("Under a grey sky, the man walks down the street", "street", "overcast", {"man": ("person", ["walk"], "-", "-")}),
    ("As snow falls, a girl walks in the park", "park", "snow", {"woman": ("person", ["walk"], "-", "-")}),
    ("A bird flies over the station as snow falls", "station", "snow", {"bird": ("animal", ["fly"], "-", "-")}),
    ("In the drizzle, a woman opens her umbrella", None, "rain", {"woman": ("person", ["open"], "umbrella", "-")}),
    ("A boy throws the ball to the dog in the park", "park", "clear",
     {"man": ("person", ["throw"], "ball", "-"), "ball": ("object", ["bounce"], "-", "-"), "dog": ("animal", [], "-", "-")}),
    ("The girl gives the book to the boy in the lesson", "classroom", "clear",
     {"woman": ("person", ["give"], "book", "-"), "man": ("person", [], "-", "-")}),
    ("A cat knocks the glass off the table", "room", "clear",
     {"cat": ("animal", ["hit"], "glass", "table"), "glass": ("object", ["fall", "break"], "-", "-")}),
]
JA_PLACES = [
    ("寝室で猫がベッドで眠る", "bedroom", "clear", {"cat": ("animal", ["sleep"], "-", "-")}),
    ("寝室で女の子が窓を開ける", "bedroom", "clear", {"woman": ("person", ["open"], "window", "-")}),
    ("犬がベッドから飛び降りる", "bedroom", "clear", {"dog": ("animal", ["jump_down"], "-", "bed")}),
    ("駅で男が待つ", "station", "clear", {"man": ("person", ["wait"], "-", "-")}),
    ("駅のホームで犬が走る", "station", "clear", {"dog": ("animal", ["run"], "-", "-")}),
    ("小雨の中、女性が傘を開く", None, "rain", {"woman": ("person", ["open"], "umbrella", "-")}),
    ("小雨が降る中、男が駅に歩く", "station", "rain", {"man": ("person", ["walk"], "-", "-")}),
    ("曇り空の下、犬がボールを追いかける", None, "overcast",
     {"dog": ("animal", ["run"], "ball", "-"), "ball": ("object", [], "-", "-")}),
    ("灰色の空の下で少年が公園を歩く", "park", "overcast", {"man": ("person", ["walk"], "-", "-")}),
    ("空が曇る中、女が歩く", None, "overcast", {"woman": ("person", ["walk"], "-", "-")}),
    ("雪が降る中、鳥が駅の上を飛ぶ", "station", "snow", {"bird": ("animal", ["fly"], "-", "-")}),
    ("学生が教室で授業を受ける", "classroom", "clear", {"person": ("person", ["sit"], "-", "-")}),
    ("授業中に男の子が本を落とす", "classroom", "clear",
     {"man": ("person", ["drop"], "book", "-"), "book": ("object", ["fall"], "-", "-")}),
    ("少女が少年に本を渡す", None, "clear", {"woman": ("person", ["give"], "book", "-"), "man": ("person", [], "-", "-")}),
    ("猫がテーブルからグラスを落とす", "room", "clear",
     {"cat": ("animal", ["drop"], "glass", "table"), "glass": ("object", ["fall", "break"], "-", "-")}),
    ("猫と犬が寝室で眠る", "bedroom", "clear", {"cat": ("animal", ["sleep"], "-", "-"), "dog": ("animal", ["sleep"], "-", "-")}),
]


def _check(prompt, place, weather, actors):
    plan = plan_scene(prompt)
    if place is not None:
        assert plan.place == place, plan.summary()
    assert plan.weather == weather, plan.summary()
    for noun, (kind, verbs, target, source) in actors.items():
        actor = plan.actor(noun)
        assert actor is not None, f"{noun} missing: {plan.summary()}"
        assert actor.kind == kind, plan.summary()
        assert list(actor.verbs) == verbs, plan.summary()
        targets = {a.target for a in actor.actions}
        sources = {a.source for a in actor.actions}
        if target == "-":
            assert targets <= {None}, plan.summary()
        elif target is not None:
            assert target in targets, plan.summary()
        if source == "-":
            assert sources <= {None}, plan.summary()
        else:
            assert source in sources, plan.summary()
    return plan


@pytest.mark.parametrize("prompt,place,weather,actors", EN, ids=[p for p, *_ in EN])
def test_english_plans(prompt, place, weather, actors):
    plan = _check(prompt, place, weather, actors)
    assert plan.language == "en"


@pytest.mark.parametrize("prompt,place,weather,actors", JA, ids=[p for p, *_ in JA])
def test_japanese_plans(prompt, place, weather, actors):
    plan = _check(prompt, place, weather, actors)
    assert plan.language == "ja"


def test_issue_examples_do_not_give_the_action_to_a_person():
    ball = plan_scene("A red ball falls and bounces on the wooden floor")
    assert [a.noun for a in ball.actors] == ["ball"]
    assert ball.floor == "wood" and ball.indoor
    assert ball.actor("ball").colours == ("red",)
    cat = plan_scene("猫が窓から飛び降りる")
    assert cat.actor("cat").position == "window"
    assert not any(a.kind in ("person", "character") for a in cat.actors)


def test_a_generic_man_is_not_the_bible_character():
    bible = StoryBible((Character("hana", "Hana", "long dark hair, yellow raincoat"),))
    plan = plan_scene("夜、雨の中で男がドアを開ける", bible)
    assert [a.noun for a in plan.actors if a.kind != "object"] == ["man"]
    assert plan.time_of_day == "night"
    assert plan.actor("man").gender == "male"


def test_long_dark_hair_reaches_the_characters_look():
    bible = StoryBible((Character("hana", "Hana", "long dark hair, yellow raincoat"),))
    plan = plan_scene("Hana walks while it rains", bible)
    hana = plan.actor("hana")
    assert hana.kind == "character" and hana.look == ("long black hair",)
    assert plan.weather == "rain"
    ja = plan_scene("長い黒髪の女の子が茶色の犬と公園を走る")
    assert ja.actor("woman").look == ("long black hair",)
    assert ja.actor("dog").colours == ("brown",)


def test_unknown_words_are_kept_and_reported():
    plan = plan_scene("A zebra juggles on the wooden floor")
    assert "zebra" in plan.unknown and "juggles" in plan.unknown
    assert plan.actors == ()  # never silently the default character
    ja = plan_scene("キリンが床で踊る")
    assert "キリン" in ja.unknown
    assert "not understood" in plan.summary()


def test_studio_plan_command_prints_json(tmp_path):
    out = subprocess.run([sys.executable, "-m", "studio", "plan", "猫が窓から飛び降りる", "--json"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    data = json.loads(out)
    assert data["actors"][0]["noun"] == "cat" and data["actors"][0]["actions"][0]["source"] == "window"


def test_bible_characters_by_name_in_both_languages():
    bible = StoryBible((Character("c1", "ハナ", "長い黒髪、黄色いコート"), Character("c2", "Ken", "short brown hair")))
    plan = plan_scene("ハナがKenに本を渡す", bible)
    hana, ken = plan.actor("c1"), plan.actor("c2")
    assert hana.kind == "character" and hana.look == ("long black hair",)
    assert ken.look == ("short brown hair",) and plan.unknown == ()
    give = hana.actions[0]
    assert (give.verb, give.target, give.recipient) == ("give", "book", "c2")
    assert "give book to Ken" in plan.summary()
    en = plan_scene("Ken and the dog run in the park", bible)
    assert en.actor("c2").verbs == ("run",) and en.actor("dog").verbs == ("run",) and en.place == "park"


def test_studio_plan_reads_the_projects_bible(tmp_path):
    from studio.persistence.bundle import save_project
    from tests.support.projects import small_project

    bundle = save_project(small_project("Mei walks"), tmp_path / "p.studio")
    out = subprocess.run([sys.executable, "-m", "studio", "plan", "Mei opens the door", "--project", str(bundle)],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "Mei (long black hair): open door" in out


@pytest.mark.parametrize("prompt,place,weather,actors", EN_PLACES, ids=[p for p, *_ in EN_PLACES])
def test_english_places_and_weather(prompt, place, weather, actors):
    plan = _check(prompt, place, weather, actors)
    assert plan.language == "en" and plan.unknown == (), plan.summary()


@pytest.mark.parametrize("prompt,place,weather,actors", JA_PLACES, ids=[p for p, *_ in JA_PLACES])
def test_japanese_places_and_weather(prompt, place, weather, actors):
    plan = _check(prompt, place, weather, actors)
    assert plan.language == "ja" and plan.unknown == (), plan.summary()


@pytest.mark.parametrize("prompt,actors", [
    ("女の人が男の人に黄色いボールを投げて、男の人がそれを取る",
     {"woman": ("person", ["throw"], "ball", "-"), "man": ("person", ["catch"], "ball", "-")}),
    ("女の人がドアを開ける", {"woman": ("person", ["open"], "door", "-")}),
    ("男の方が猫を押す", {"man": ("person", ["push"], "cat", "-"), "cat": ("animal", [], "-", "-")}),
])
def test_onna_no_hito_is_the_woman_not_an_unknown_word(prompt, actors):
    # 女の人 / 男の方 are one word: the woman, the man (not a person modified by an unknown 女)
    plan = _check(prompt, None, "clear", actors)
    assert not plan.unknown, plan.summary()
    assert [a.noun for a in plan.actors if a.kind == "person"] == [n for n, v in actors.items() if v[0] == "person"]


def test_a_lesson_is_a_classroom_not_an_unknown_word():
    for prompt in ("授業を受ける", "学生が授業を受ける", "授業中に男の子が本を落とす", "A student listens in the lesson"):
        plan = plan_scene(prompt)
        assert plan.place == "classroom" and plan.indoor, plan.summary()
        assert "授業" not in plan.unknown and "lesson" not in plan.unknown, plan.summary()


AOI = Character("aoi", "Aoi", "young woman, long dark hair, navy coat, white shirt, red backpack")
KAI = Character("kai", "Kai", "young man, short black hair, grey hoodie")
STUDENT = Character("sora", "Sora", "young student, short brown hair, yellow raincoat")


@pytest.mark.parametrize("prompt", ["She hands him the cup", "彼女が彼にカップを渡す"])
def test_pronouns_bind_to_the_cast_not_beside_it(prompt):
    """The story's protagonist is "she": two people give and receive, not the protagonist plus a new woman."""
    plan = plan_scene(prompt, StoryBible((AOI,)))
    people = [a for a in plan.actors if a.kind in ("character", "person")]
    assert [(a.key, a.kind) for a in people] == [("aoi", "character"), ("man", "person")], plan.summary()
    give = plan.actor("aoi").actions[0]
    assert (give.verb, give.target, give.recipient) == ("give", "cup", "man")
    # With a man in the cast too, "him" is him.
    both = plan_scene(prompt, StoryBible((AOI, KAI)))
    give = both.actor("aoi").actions[0]
    assert give.recipient == "kai" and not any(a.kind == "person" for a in both.actors), both.summary()


def test_a_pronoun_never_takes_a_character_of_the_other_gender():
    plan = plan_scene("He opens the door", StoryBible((AOI,)))
    assert plan.actor("aoi") is None and plan.actor("man").verbs == ("open",), plan.summary()
    # A cast character whose look says no gender is whoever the first pronoun is; the other is someone new.
    plan = plan_scene("She hands him the cup", StoryBible((STUDENT,)))
    assert plan.actor("sora").actions[0].recipient == "man" and plan.actor("woman") is None, plan.summary()
    # Named first, then "she": the same character, once.
    plan = plan_scene("Aoi walks in. She sits at the table", StoryBible((AOI,)))
    assert [a.key for a in plan.actors if a.kind != "object"] == ["aoi"] and plan.actor("aoi").verbs == ("walk", "sit")


def test_a_pronoun_binds_only_to_the_shots_cast():
    """A bible character not cast on the shot is not who "she" is (the engines are given the cast only)."""
    plan = plan_scene("She opens the window", StoryBible((AOI,)), characters=())
    assert plan.actor("aoi") is None and plan.actor("woman").verbs == ("open",), plan.summary()


def test_a_pronoun_prefers_the_cast_member_whose_look_says_so():
    """Sora's look says no gender; Kai's says man: "he" is Kai, even though Sora was named first."""
    plan = plan_scene("Sora sits. He waves", StoryBible((STUDENT, KAI)))
    assert plan.actor("kai").verbs == ("wave",) and plan.actor("sora").verbs == ("sit",), plan.summary()


def test_the_prompt_sentence_for_a_video_model_says_the_new_place_and_sky():
    from studio.domain.scene_plan import scene_sentence

    sentence = scene_sentence(plan_scene("Under a grey sky, a cat sleeps on the bed in the bedroom"))
    assert sentence.startswith("Indoors, a bedroom, by day, under an overcast sky."), sentence
    assert "The cat sleeps on the bed." in sentence, sentence


@pytest.mark.parametrize("prompt,actors", [
    ("She puts the cup down", {"woman": ("person", ["put_down"], "cup", "-")}),
    ("The boy picks the ball up", {"man": ("person", ["pick_up"], "ball", "-")}),
    ("A girl puts the book down on the table", {"woman": ("person", ["put_down"], "book", None)}),
])
def test_a_particle_after_the_object_belongs_to_the_verb(prompt, actors):
    # "puts the cup down" is "puts down the cup": the cup is what is put down, "down" is no unknown word
    plan = _check(prompt, None, "clear", actors)
    assert not plan.unknown, plan.summary()
    assert all(a.recipient is None for actor in plan.actors for a in actor.actions), plan.summary()


@pytest.mark.parametrize("prompt,actors", [
    ("In the kitchen she hands him the cup", {"woman": ("person", ["give"], "cup", "-")}),
    ("At night she opens the door", {"woman": ("person", ["open"], "door", "-")}),
    ("In the rain he kicks the ball", {"man": ("person", ["kick"], "ball", "-")}),
])
def test_a_pronoun_after_a_leading_phrase_is_the_subject(prompt, actors):
    # "in the kitchen she": the pronoun starts the subject, it does not become the kitchen's head noun
    plan = _check(prompt, None, "rain" if "rain" in prompt else "clear", actors)
    assert not plan.unknown, plan.summary()
