"""From a story to a storyboard.

``split_story`` cuts a story into beats (at →, ->, line breaks, sentence ends
such as 。 and ., and words like "then" / それから); ``storyboard_from_story``
makes a Project from them with one consistent cast, a camera and sound per shot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from studio.domain.model import (
    CameraMove,
    Canvas,
    Character,
    Project,
    Shot,
    SoundCue,
    SoundCueKind,
    StoryBible,
    new_id,
    stable_seed,
)
from studio.domain.scene import describe_scene
from studio.domain.timing import seconds_to_frames

_ARROWS = r"→|->|⇒|=>|➡|＞"
_JA_THEN = r"それから|そして|その後|次に|そのあと"
_EN_THEN = r"(?:,\s*|\s+)(?:and\s+)?then\b[,]?"
_SENTENCE_END = r"(?<=[。！？!?])|(?<=[^\d\s.]\.)(?=\s|$)"


def is_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def split_story(story: str) -> list[str]:
    """The story's beats, in order, trimmed, empties dropped.

    A quoted line is never cut (\"Good morning!\" and 「おはよう！」 end in a sentence mark but
    are what a character says in the beat)."""
    quotes: list[str] = []

    def hide(m: re.Match) -> str:
        quotes.append(m.group(0))
        return chr(0xE000 + len(quotes) - 1)  # a private-use character: no rule below splits on it

    story = _QUOTED.sub(hide, story)
    if quotes:
        restore = re.compile("[\ue000-\uf8ff]")
        return [restore.sub(lambda m: quotes[ord(m.group(0)) - 0xE000], beat) for beat in _split_beats(story)]
    return _split_beats(story)


def _split_beats(story: str) -> list[str]:
    parts = re.split(_ARROWS, story)
    beats: list[str] = []
    for part in parts:
        for line in part.splitlines():
            for sentence in re.split(_SENTENCE_END, line):
                for piece in re.split(_JA_THEN, sentence):
                    for beat in re.split(_EN_THEN, piece, flags=re.IGNORECASE):
                        beat = beat.strip(" \t、,;；。．・.")
                        beat = re.sub(r"^(?:and|then)\s+", "", beat, flags=re.IGNORECASE).strip()
                        if beat and not re.fullmatch(r"[\W_]+", beat):
                            beats.append(beat)
    return beats


# -- the cast --------------------------------------------------------------------

_FEMALE = re.compile(r"\b(she|her|girl|woman|mother|sister)\b|彼女|女の子|女性|母|姉|妹", re.IGNORECASE)
_MALE = re.compile(r"\b(he|his|him|boy|man|father|brother)\b|彼(?!女)|男の子|男性|父|兄|弟", re.IGNORECASE)
# "@Name" in a story casts that character, as in a prompt: a Latin name, a kanji/katakana name
# (it ends where the hiragana particle starts: @葵が → 葵), or a hiragana name less a particle.
_AT_NAME = re.compile(r"@([A-Za-z][\w\-]*|[\u4e00-\u9fff\u30a0-\u30ff\u3005\u30fc]+|[\u3041-\u309f]+)")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|「[^」]*」|『[^』]*』")
_JA_PARTICLE_END = re.compile(r"(?:が|は|を|に|と|の|で|も|へ|から)$")
_JA_NAME = re.compile(r"([\u4e00-\u9fff\u30a0-\u30ff]{1,6})(?:さん|くん|君|ちゃん|先生)")
_EN_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,})\b")
_NOT_NAMES = {
    "The", "Then", "In", "At", "On", "She", "He", "They", "Her", "His", "After", "Before", "Later", "Morning",
    "Night", "Evening", "Tokyo", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}

_LOOKS = {
    "female": "young woman, long dark hair, navy coat, white shirt, red backpack",
    "male": "young man, short black hair, grey hoodie, blue jeans, green backpack",
    "neutral": "young student, short brown hair, yellow raincoat, black trousers, backpack",
}
_LOOKS_JA = {
    "female": "若い女性、長い黒髪、紺のコート、白いシャツ、赤いリュック",
    "male": "若い男性、短い黒髪、灰色のパーカー、青いジーンズ、緑のリュック",
    "neutral": "学生、短い茶色の髪、黄色いレインコート、黒いズボン、リュック",
}


def _find_cast(story: str) -> list[tuple[str, str]]:
    """(name, gender) for each named person; one protagonist when nobody is named."""
    names: list[str] = []
    for m in _AT_NAME.finditer(story):
        name = m.group(1)
        if "\u3041" <= name[0] <= "\u309f":
            name = _JA_PARTICLE_END.sub("", name) or name
        if name not in names:
            names.append(name)
    for m in _JA_NAME.finditer(story):
        if m.group(1) not in names:
            names.append(m.group(1))
    # A capitalised word inside a quoted line ("Good morning!") is speech, not someone on screen.
    unquoted = _QUOTED.sub(" ", story)
    for line in re.split(r"[\n.!?。→]|->", unquoted):
        line = line.strip()
        found = [m.group(1) for m in _EN_NAME.finditer(line)]
        # A capital at the start of a sentence is a name only when a verb follows ("Hana walks").
        first = re.match(r"([A-Z][a-z]{2,}) [a-z]+s\b", line)
        if first:
            found.insert(0, first.group(1))
        for n in found:
            if n not in _NOT_NAMES and n not in names and not describe_scene(n.lower()).place:
                names.append(n)
    gender = "female" if _FEMALE.search(story) else "male" if _MALE.search(story) else "neutral"
    if not names:
        names = ["アオイ" if is_japanese(story) else "Aoi"]
    return [(n, gender if i == 0 else "neutral") for i, n in enumerate(names)]


def _leading_actor_kind(beat: str) -> str | None:
    """The kind ("person", "animal", "object") of the first actor noun the beat names, if any."""
    from studio.domain.scene_plan import NOUNS

    lower = beat.lower()
    first: tuple[int, str] | None = None
    for kind, en, ja in NOUNS.values():
        for word in en:
            m = re.search(rf"\b{re.escape(word)}\b", lower)
            if m and (first is None or m.start() < first[0]):
                first = (m.start(), kind)
        for word in ja:
            i = beat.find(word.split("-")[0])
            if i >= 0 and (first is None or i < first[0]):
                first = (i, kind)
    if first is None:
        return None
    if _FEMALE.search(beat) or _MALE.search(beat):
        return "person"  # "the cat jumps onto her lap": someone is there
    return first[1]


# -- per shot choices ---------------------------------------------------------------

_TITLE_NOUNS = {
    "en": {
        "walk": "walk", "run": "run", "jump": "jump", "fall": "fall", "ball": "game", "dance": "dance",
        "classroom": "lecture", "cafe": "cafe", "library": "library", "office": "office", "room": "home", "bedroom": "bedroom", "kitchen": "kitchen",
        "station": "station", "university": "campus", "beach": "beach", "forest": "forest", "park": "park",
        "mountain": "mountain", "city": "city", "door": "arrival", "sit": "study", "wave": "greeting",
    },
    "ja": {
        "walk": "通学路", "run": "ダッシュ", "jump": "ジャンプ", "fall": "転倒", "ball": "ボール遊び", "dance": "ダンス",
        "classroom": "授業", "cafe": "カフェ", "library": "図書館", "office": "オフィス", "room": "部屋", "bedroom": "寝室", "kitchen": "台所",
        "station": "駅", "university": "大学", "beach": "海辺", "forest": "森", "park": "公園",
        "mountain": "山", "city": "街", "door": "到着", "sit": "勉強", "wave": "挨拶",
    },
}
_TIME_WORDS = {"en": {"morning": "morning", "evening": "evening", "night": "night"}, "ja": {"morning": "朝の", "evening": "夕方の", "night": "夜の"}}
_TRAVEL = ("walk", "run")


def shot_title(text: str, lang: str) -> str:
    """A short title such as "morning walk", "lecture", "night cafe" (or 朝の通学路, 授業, 夜のカフェ)."""
    scene = describe_scene(text)
    nouns = _TITLE_NOUNS[lang]
    travel = next((a for a in scene.actions if a in _TRAVEL), None)
    if travel and not scene.indoor:
        noun = nouns[travel]
    elif scene.place:
        noun = nouns[scene.place]
    elif scene.actions:
        noun = nouns.get(scene.actions[0], scene.actions[0])
    else:
        return _fallback_title(text.replace("@", ""), lang, scene.time_of_day)
    explicit_time = scene.time_of_day != "day" or re.search(r"\bday\b|昼", text.lower())
    prefix = _TIME_WORDS[lang].get(scene.time_of_day, "") if explicit_time else ""
    if lang == "en":
        return f"{prefix} {noun}".strip()
    return f"{prefix}{noun}"


_EN_FILLER = {"the", "a", "an", "at", "in", "on", "of", "to", "then", "and", "she", "he", "they", "it", "is", "are",
              "morning", "evening", "night", "day", "tonight", "afternoon"}
_JA_TIME_LEAD = re.compile(r"^(朝|昼|夕方|夕暮れ|夜中|深夜|夜)(に|は|の)?[、,，\s]*")


def _fallback_title(text: str, lang: str, time_of_day: str) -> str:
    """For a beat with no known place or action: its own first words, without the time words
    it already has ("At night the dog sleeps" -> "night: dog sleeps", 夜、犬が眠る -> 夜・犬が眠る)."""
    if lang == "en":
        words = [w for w in re.findall(r"[^\W\d_][\w'-]*", text) if w.casefold() not in _EN_FILLER]
        noun = " ".join(words[:3]) or text.strip()[:24]
        return f"{time_of_day}: {noun}" if time_of_day != "day" else noun
    noun = _JA_TIME_LEAD.sub("", text.strip())[:8] or text.strip()[:8]
    time_word = _TIME_WORDS["ja"].get(time_of_day, "").rstrip("の")
    return f"{time_word}・{noun}" if time_word else noun


def shot_camera(text: str, index: int) -> CameraMove:
    """A sensible camera: tracking moves follow travel, quiet moments push in."""
    scene = describe_scene(text)
    if "run" in scene.actions:
        return CameraMove.PAN_RIGHT
    if "walk" in scene.actions:
        return CameraMove.PAN_RIGHT if index % 2 == 0 else CameraMove.PAN_LEFT
    if "sit" in scene.actions or scene.indoor:
        return CameraMove.DOLLY_IN
    if "jump" in scene.actions or "dance" in scene.actions:
        return CameraMove.ORBIT
    return CameraMove.DOLLY_IN if index == 0 else CameraMove.STATIC


def shot_sound(text: str, setting: str = "") -> tuple[SoundCue, ...]:
    scene = describe_scene(text, setting)
    return tuple(SoundCue(SoundCueKind.AMBIENCE, bed) for bed in scene.ambience[:2])


def storyboard_from_story(
    story: str,
    *,
    title: str | None = None,
    aspect: str = "16:9",
    fps: int = 24,
    shot_seconds: float = 4.0,
) -> Project:
    """A new Project with one shot per beat of ``story`` and one consistent cast."""
    beats = split_story(story)
    if not beats:
        raise ValueError("the story is empty: write at least one sentence")
    lang = "ja" if is_japanese(story) else "en"
    cast = [
        Character(new_id("char"), name, (_LOOKS_JA if lang == "ja" else _LOOKS)[gender])
        for name, gender in _find_cast(story)
    ]
    duration = seconds_to_frames(shot_seconds, fps)
    shots = []
    for i, beat in enumerate(beats):
        on_screen = [c.id for c in cast if c.name in beat]
        # A pronoun (or no name at all) means the protagonist is in the shot, unless the beat is
        # about an animal or a thing and nobody ("A red ball falls…", 「猫が窓から飛び降りる」).
        about_a_thing = not on_screen and _leading_actor_kind(beat) in ("animal", "object")
        if not about_a_thing and (
                not on_screen or ((_FEMALE.search(beat) or _MALE.search(beat)) and cast[0].id not in on_screen)):
            on_screen.insert(0, cast[0].id)
        shot_id = new_id("shot")
        shots.append(
            Shot(
                id=shot_id,
                title=shot_title(beat, lang),
                prompt=beat,
                duration_frames=duration,
                camera=shot_camera(beat, i),
                sound_cues=shot_sound(beat),
                characters=tuple(on_screen),
                seed=stable_seed(shot_id),
            )
        )
    style = "手描きのアニマティック、柔らかい光" if lang == "ja" else "hand-drawn animatic, soft light"
    return Project(
        title=title or _story_title([s.title for s in shots], lang),
        fps=fps,
        canvas=Canvas.from_aspect(aspect),
        bible=StoryBible(tuple(cast), style=style, setting=""),
        shots=tuple(shots),
        created_at=_now(),
    )


@dataclass(frozen=True)
class StoryTemplate:
    """A ready-made storyboard to start from: its shots show the prompt grammar at work."""

    id: str
    title: dict[str, str]
    """Project title per language ("en", "ja")."""
    summary: dict[str, str]
    """One line that says what it is, per language."""
    story: dict[str, str]
    """The story per language, in the prompt grammar (@Name, {sfx: …}, [camera: …], "lines")."""
    titles: dict[str, tuple[str, ...]] | None = None
    """Each shot's title per language (else titles are made from the prompts)."""
    aspect: str | None = None
    """The canvas it is made for (vertical short-form), or None for the one the user picked."""

    def shot_count(self) -> int:
        return len(split_story(self.story["en"]))


TEMPLATES: tuple[StoryTemplate, ...] = (
    StoryTemplate(
        "rainy-morning",
        {"en": "A rainy morning", "ja": "雨の朝"},
        {"en": "Establishing shot, a walk, an arrival with a line: the grammar in three shots.",
         "ja": "全景、歩き、セリフのある到着。3ショットで文法がわかります。"},
        {"en": "Establishing shot: the city at dawn, rain on the streets {ambience: rain} [camera: dolly in] → "
               "@Aoi walks to the station under an umbrella {sfx: footsteps} → "
               "At the cafe, @Aoi opens the door {sfx: door} and smiles: \"Good morning!\"",
         "ja": "明け方の街の全景、雨の通り {環境音: 雨} [カメラ: ドリーイン] → "
               "@アオイが傘をさして駅まで歩く {効果音: 足音} → "
               "カフェで@アオイがドアを開けて微笑む {効果音: ドア}「おはよう！」"},
        titles={"en": ("rainy city", "walk to the station", "cafe"), "ja": ("雨の街", "駅への道", "カフェ")},
    ),
    StoryTemplate(
        "product-reveal",
        {"en": "Product reveal", "ja": "商品紹介"},
        {"en": "A cup on a table, a hand, a smile: a short advert with a push-in and a pan.",
         "ja": "テーブルのカップ、手、笑顔。寄りとパンで見せる短い広告。"},
        {"en": "Close-up: a white cup on a wooden table in the morning light [camera: dolly in] → "
               "@Mika picks up the cup and smiles {sfx: cup} → "
               "@Mika walks out into the sunny street with the cup [camera: pan right]: \"Made for mornings.\"",
         "ja": "アップ：朝の光の中、木のテーブルに白いカップ [カメラ: ドリーイン] → "
               "@ミカがカップを手に取って微笑む {効果音: カップ} → "
               "@ミカがカップを持って晴れた通りへ歩き出す [カメラ: 右にパン]「朝のために。」"},
        titles={"en": ("the cup", "first sip", "out the door"), "ja": ("カップ", "ひと口", "街へ")},
    ),
    StoryTemplate(
        "day-vertical",
        {"en": "A day in my life (vertical)", "ja": "わたしの一日（縦型）"},
        {"en": "Three beats of a day for short-form video, made 9:16.",
         "ja": "ショート動画向けの一日の3場面、9:16。"},
        {"en": "In the morning @Hana opens the window of her room → "
               "@Hana walks to the university {sfx: footsteps} [camera: pan left] → "
               "At night @Hana studies in the cafe while it rains {ambience: rain}",
         "ja": "朝、@ハナが部屋の窓を開ける → "
               "@ハナが大学まで歩く {効果音: 足音} [カメラ: 左にパン] → "
               "夜、雨の中@ハナがカフェで勉強する {環境音: 雨}"},
        titles={"en": ("morning", "to campus", "night cafe"), "ja": ("朝", "大学へ", "夜のカフェ")},
        aspect="9:16",
    ),
    StoryTemplate(
        "cat-and-ball",
        {"en": "The cat and the ball", "ja": "猫とボール"},
        {"en": "Animals and objects as actors: a ball bounces, a cat jumps, a boy laughs.",
         "ja": "動物や物が動く：ボールが跳ね、猫が跳び、少年が笑う。"},
        {"en": "A red ball falls and bounces on the wooden floor → "
               "A cat jumps down from the window → "
               "@Ren laughs in the living room: \"Got it!\"",
         "ja": "赤いボールが木の床に落ちて跳ねる → "
               "猫が窓から飛び降りる → "
               "リビングで@レンが笑う「つかまえた！」"},
        titles={"en": ("the ball", "the cat", "got it"), "ja": ("ボール", "猫", "つかまえた")},
    ),
)
"""The templates the start page offers, first the default one."""


def template(template_id: str) -> StoryTemplate:
    """The template with ``template_id``; ValueError naming the ones there are."""
    for t in TEMPLATES:
        if t.id == template_id:
            return t
    raise ValueError(f"no template {template_id!r}; there are: {', '.join(t.id for t in TEMPLATES)}")


def template_project(
    template_id: str = TEMPLATES[0].id,
    *,
    lang: str = "en",
    title: str | None = None,
    aspect: str | None = None,
    fps: int = 24,
    shot_seconds: float = 4.0,
) -> Project:
    """A new project from a template, in ``lang`` ("en" or "ja"), titled after it.

    ``aspect`` is the canvas the user picked; a template made for one canvas (vertical
    short-form) keeps its own unless ``aspect`` is given explicitly.
    """
    t = template(template_id)
    lang = "ja" if lang == "ja" else "en"
    project = storyboard_from_story(
        t.story[lang], title=title or t.title[lang], aspect=aspect or t.aspect or "16:9", fps=fps, shot_seconds=shot_seconds,
    )
    if t.titles:
        shots = tuple(replace(shot, title=name) for shot, name in zip(project.shots, t.titles[lang]))
        project = replace(project, shots=shots)
    return project


def _story_title(shot_titles: list[str], lang: str) -> str:
    joined = " → ".join(shot_titles[:4]) + (" …" if len(shot_titles) > 4 else "")
    return joined[:80] or ("新しい物語" if lang == "ja" else "New story")


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
