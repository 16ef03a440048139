"""From a story to a storyboard.

``split_story`` cuts a story into beats (at →, ->, line breaks, sentence ends
such as 。 and ., and words like "then" / それから); ``storyboard_from_story``
makes a Project from them with one consistent cast, a camera and sound per shot.
"""

from __future__ import annotations

import re
from dataclasses import replace

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
    """The story's beats, in order, trimmed, empties dropped."""
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
    for m in _JA_NAME.finditer(story):
        if m.group(1) not in names:
            names.append(m.group(1))
    for line in re.split(r"[\n.!?。→]|->", story):
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


# -- per shot choices ---------------------------------------------------------------

_TITLE_NOUNS = {
    "en": {
        "walk": "walk", "run": "run", "jump": "jump", "fall": "fall", "ball": "game", "dance": "dance",
        "classroom": "lecture", "cafe": "cafe", "library": "library", "office": "office", "room": "home",
        "station": "station", "university": "campus", "beach": "beach", "forest": "forest", "park": "park",
        "mountain": "mountain", "city": "city", "door": "arrival", "sit": "study", "wave": "greeting",
    },
    "ja": {
        "walk": "通学路", "run": "ダッシュ", "jump": "ジャンプ", "fall": "転倒", "ball": "ボール遊び", "dance": "ダンス",
        "classroom": "授業", "cafe": "カフェ", "library": "図書館", "office": "オフィス", "room": "部屋",
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
        return _fallback_title(text, lang, scene.time_of_day)
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
        # A pronoun (or no name at all) means the protagonist is in the shot.
        if not on_screen or ((_FEMALE.search(beat) or _MALE.search(beat)) and cast[0].id not in on_screen):
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


TEMPLATE_STORY_EN = (
    "Establishing shot: the city at dawn, rain on the streets → "
    "@Aoi walks to the station under an umbrella → "
    "At the cafe, @Aoi opens the door and smiles: \"Good morning!\""
)


def template_project(*, title: str = "Untitled story", aspect: str = "16:9", fps: int = 24, shot_seconds: float = 4.0) -> Project:
    """The starting point for `studio new` without a story: three shots that show the grammar."""
    p = storyboard_from_story(TEMPLATE_STORY_EN.replace("@", ""), title=title, aspect=aspect, fps=fps, shot_seconds=shot_seconds)
    hero = p.bible.characters[0]
    prompts = [
        "Establishing shot: the city at dawn, rain on the streets {ambience: rain} [camera: dolly in]",
        f"@{hero.name} walks to the station under an umbrella {{sfx: footsteps}}",
        f"At the cafe, @{hero.name} opens the door {{sfx: door}} and smiles: \"Good morning!\"",
    ]
    shots = [replace(s, prompt=pr) for s, pr in zip(p.shots, prompts)]
    return replace(p, shots=tuple(shots))


def _story_title(shot_titles: list[str], lang: str) -> str:
    joined = " → ".join(shot_titles[:4]) + (" …" if len(shot_titles) > 4 else "")
    return joined[:80] or ("新しい物語" if lang == "ja" else "New story")


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
