"""What a prompt says about the scene: place, time of day, weather, actions, sound beds.

One vocabulary, in English and Japanese, read by every part that needs it: the
Sketch engine draws from it, the sound design picks its beds from it, the story
splitter titles shots with it. Words are data here, not if-chains elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# place -> (indoor, English words, Japanese words)
PLACES: dict[str, tuple[bool, tuple[str, ...], tuple[str, ...]]] = {
    "classroom": (True, ("classroom", "lecture", "class", "lesson", "seminar"), ("教室", "授業", "講義", "ゼミ")),
    "cafe": (True, ("cafe", "café", "coffee", "coffee shop", "diner"), ("カフェ", "喫茶", "コーヒー")),
    "library": (True, ("library", "bookshop"), ("図書館", "本屋")),
    "office": (True, ("office", "meeting", "desk"), ("オフィス", "会社", "会議")),
    "bedroom": (True, ("bedroom",), ("寝室", "ベッドルーム")),
    "kitchen": (True, ("kitchen",), ("台所", "キッチン")),
    "room": (True, ("room", "home", "apartment", "house", "indoors"), ("部屋", "家", "自宅")),
    "station": (False, ("station", "train", "platform", "subway"), ("駅", "電車", "ホーム", "地下鉄")),
    "university": (False, ("university", "campus", "college", "school"), ("大学", "キャンパス", "学校")),
    "beach": (False, ("beach", "sea", "ocean", "shore", "waves", "coast"), ("海", "浜", "ビーチ", "海岸", "波")),
    "forest": (False, ("forest", "woods", "trees", "jungle"), ("森", "林", "木々")),
    "park": (False, ("park", "garden", "field", "meadow"), ("公園", "庭", "野原", "草原")),
    "mountain": (False, ("mountain", "hill", "summit", "cliff"), ("山", "丘", "崖")),
    "city": (False, ("city", "street", "town", "road", "downtown", "shop", "crossing"), ("街", "町", "都会", "道", "通り", "交差点", "渋谷", "東京")),
}

TIMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "morning": (("morning", "dawn", "sunrise", "breakfast"), ("朝", "早朝", "夜明け", "日の出")),
    "evening": (("evening", "sunset", "dusk", "twilight"), ("夕方", "夕暮れ", "夕日", "夕焼け")),
    "night": (("night", "midnight", "late", "dark", "stars", "moon"), ("夜", "深夜", "夜中", "星", "月")),
    "day": (("noon", "afternoon", "day", "daytime", "lunch"), ("昼", "午後", "日中", "ランチ")),
}

WEATHER: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rain": (("rain", "raining", "rainy", "storm", "drizzle", "umbrella"), ("雨", "嵐", "傘")),
    "snow": (("snow", "snowing", "snowy", "blizzard"), ("雪",)),
    "fog": (("fog", "foggy", "mist", "misty", "haze"), ("霧", "もや")),
    "wind": (("wind", "windy", "breeze", "gust"), ("風", "強風")),
}

ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "walk": (("walk", "walks", "walking", "stroll", "strolls", "heads to", "goes to", "commute", "commutes", "wander"), ("歩", "向かう", "通う", "散歩", "行く")),
    "run": (("run", "runs", "running", "sprint", "sprints", "jog", "jogs", "rush", "rushes", "chase"), ("走", "駆け", "急ぐ", "ダッシュ")),
    "jump": (("jump", "jumps", "jumping", "leap", "leaps", "hop", "hops"), ("跳", "飛び", "ジャンプ")),
    "fall": (("fall", "falls", "falling", "trip", "trips", "drop", "drops", "collapse"), ("転", "倒れ", "落ち")),
    "door": (("door", "doors", "enter", "enters", "leave", "leaves", "knock", "knocks", "slam"), ("ドア", "扉", "入る", "出る", "ノック")),
    "ball": (("ball", "bounce", "bounces", "bouncing", "dribble", "soccer", "basketball"), ("ボール", "弾む", "跳ねる", "サッカー", "バスケ")),
    "sit": (("sit", "sits", "sitting", "seated", "attend", "attends", "listen", "listens", "study", "studies", "studying", "read", "reads", "write", "writes"), ("座", "受ける", "聞く", "勉強", "読む", "書く", "学ぶ")),
    "wave": (("wave", "waves at", "greet", "greets"), ("手を振", "挨拶")),
    "dance": (("dance", "dances", "dancing"), ("踊", "ダンス")),
}

# Ambience bed for each place/weather, in order of precedence (weather beds win outdoors).
PLACE_AMBIENCE = {
    "classroom": "room", "cafe": "cafe", "library": "room", "office": "room", "room": "room", "bedroom": "room", "kitchen": "room",
    "station": "city", "university": "birds", "beach": "ocean", "forest": "birds",
    "park": "birds", "mountain": "wind", "city": "city", None: "room",
}
AMBIENCE_BEDS = ("rain", "wind", "city", "cafe", "birds", "ocean", "room")
_AMBIENCE_WORDS: dict[str, tuple[str, ...]] = {
    "rain": ("rain", "雨", "drizzle", "storm"),
    "wind": ("wind", "風", "breeze", "gust"),
    "city": ("city", "traffic", "street", "街", "交通", "都会", "crowd", "人混み"),
    "cafe": ("cafe", "café", "murmur", "chatter", "カフェ", "ざわめき", "restaurant"),
    "birds": ("birds", "bird", "forest", "鳥", "森", "park", "公園"),
    "ocean": ("ocean", "sea", "waves", "surf", "海", "波"),
    "room": ("room", "room tone", "quiet", "silence", "部屋", "静か"),
}


@dataclass(frozen=True)
class SceneDescription:
    place: str | None
    indoor: bool
    time_of_day: str
    weather: str
    actions: tuple[str, ...]
    ambience: tuple[str, ...]
    """Sound beds, main one first (from AMBIENCE_BEDS)."""


def _is_ascii_word(word: str) -> bool:
    return all(ord(ch) < 128 for ch in word)


def _matches(text: str, words: tuple[str, ...]) -> int:
    """Earliest position of any word in text, or -1. English words match on word boundaries."""
    best = -1
    for w in words:
        if _is_ascii_word(w):
            m = re.search(r"(?<![a-z])" + re.escape(w) + r"(?![a-z])", text)
            pos = m.start() if m else -1
        else:
            pos = text.find(w)
        if pos >= 0 and (best < 0 or pos < best):
            best = pos
    return best


def _first_match(text: str, table: dict[str, tuple]) -> str | None:
    """The table key whose words appear earliest in text."""
    found: list[tuple[int, str]] = []
    for key, entry in table.items():
        words = entry[-2] + entry[-1]
        pos = _matches(text, words)
        if pos >= 0:
            found.append((pos, key))
    return min(found)[1] if found else None


def describe_scene(text: str, setting: str = "", cues: tuple[str, ...] = ()) -> SceneDescription:
    """Read place, time, weather, actions and sound beds from a prompt.

    ``setting`` (the story bible's) fills in what the prompt leaves out;
    ``cues`` are ambience cue descriptions, which choose the bed first.
    """
    t = text.lower()
    s = setting.lower()
    place = _first_match(t, PLACES) or _first_match(s, PLACES)
    indoor = PLACES[place][0] if place else False
    time_of_day = _first_match(t, TIMES) or _first_match(s, TIMES) or "day"
    weather = _first_match(t, WEATHER) or _first_match(s, WEATHER) or "clear"
    if indoor and weather != "clear":
        # Rain seen through a window still sounds like rain, but you aren't in it.
        pass
    actions = tuple(k for k, (en, ja) in ACTIONS.items() if _matches(t, en + ja) >= 0)
    beds: list[str] = []
    for cue in cues:
        c = cue.lower()
        for bed, words in _AMBIENCE_WORDS.items():
            if _matches(c, words) >= 0 and bed not in beds:
                beds.append(bed)
    if weather in ("rain", "wind") and weather not in beds:
        beds.append(weather)
    if not beds or PLACE_AMBIENCE.get(place) not in beds:
        bed = PLACE_AMBIENCE.get(place, "room")
        if bed not in beds:
            beds.append(bed)
    return SceneDescription(place, indoor, time_of_day, weather, actions, tuple(beds))


def with_plan_weather(scene: SceneDescription, weather: str, time_of_day: str = "day") -> SceneDescription:
    """``scene`` with a scene plan's weather and time ("while it rains" is rain), its rain or wind bed first."""
    from dataclasses import replace

    beds = scene.ambience
    if weather in ("rain", "wind") and weather not in beds:
        beds = (weather,) + beds
    return replace(scene, weather=weather if weather != "clear" else scene.weather,
                   time_of_day=time_of_day if time_of_day != "day" else scene.time_of_day, ambience=beds)
