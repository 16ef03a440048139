"""The scene plan: who does what, where, with what, in one shot — as plain typed values.

The parsers in `studio.understanding` build it from a prompt (English grammar,
Japanese through a morphological analyser); every engine, the sound design and
the window read it, so what the window explains is what every engine is given.
The vocabulary below is data: nouns with their kind, verbs with their canonical
action, and the sound each object makes. Nothing here imports a third-party library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# ----------------------------------------------------------------------------- vocabulary

# actor noun -> (kind, English words, Japanese lemmas)
NOUNS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "cat": ("animal", ("cat", "cats", "kitten"), ("猫", "ねこ", "ネコ", "子猫")),
    "dog": ("animal", ("dog", "dogs", "puppy"), ("犬", "いぬ", "イヌ", "子犬")),
    "bird": ("animal", ("bird", "birds", "sparrow", "crow", "pigeon"), ("鳥", "とり", "小鳥", "鳩", "カラス", "雀")),
    "ball": ("object", ("ball", "balls"), ("ボール", "ボール-ball", "球", "毬")),
    "cup": ("object", ("cup", "mug", "cups"), ("カップ", "カップ-cup", "コップ", "湯飲み", "マグ")),
    "glass": ("object", ("glass", "vase", "bottle"), ("グラス", "ガラス-glass", "ガラス", "花瓶", "瓶")),
    "umbrella": ("object", ("umbrella",), ("傘",)),
    "door": ("object", ("door", "doors"), ("ドア", "ドア-door", "扉", "戸")),
    "window": ("object", ("window", "windows"), ("窓",)),
    "car": ("object", ("car", "cars", "taxi"), ("車", "自動車", "タクシー")),
    "book": ("object", ("book", "books", "notebook"), ("本", "ノート", "ノート-note")),
    "man": ("person", ("man", "boy", "guy", "he", "him", "father", "gentleman"), ("男", "男性", "少年", "男の子", "男の人", "彼", "父")),
    "woman": ("person", ("woman", "girl", "lady", "she", "her", "mother"), ("女", "女性", "少女", "女の子", "女の人", "彼女", "母")),
    "person": ("person", ("person", "someone", "student", "child", "kid", "figure", "friend"), ("人", "誰か", "学生", "子供", "友達")),
}
GENDER = {"man": "male", "woman": "female"}

# action -> (English verb forms, Japanese lemmas). Sound says what the event sounds like.
VERBS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "walk": (("walk", "walks", "walking", "walked", "stroll", "strolls", "wander", "wanders"), ("歩く", "散歩", "向かう")),
    "run": (("run", "runs", "running", "ran", "sprint", "sprints", "rush", "rushes", "jog", "jogs", "chase", "chases"),
            ("走る", "駆ける", "追い掛ける", "追いかける", "急ぐ")),
    "jump_down": (("jump down", "jumps down", "leaps down", "hops down", "jumps off", "leaps off"), ("飛び下りる", "飛び降りる")),
    "jump": (("jump", "jumps", "jumping", "leap", "leaps", "hop", "hops"), ("跳ぶ", "飛ぶ", "ジャンプ")),
    "fall": (("fall", "falls", "falling", "fell", "tumble", "tumbles", "trip", "trips"), ("落ちる", "転ぶ", "倒れる", "落下")),
    "bounce": (("bounce", "bounces", "bouncing", "bounced", "rebound", "rebounds"), ("跳ねる", "弾む", "バウンド")),
    "break": (("break", "breaks", "breaking", "shatter", "shatters", "smash", "smashes"), ("割れる", "壊れる", "砕ける", "割る", "壊す")),
    "open": (("open", "opens", "opening", "opened"), ("開ける", "開く", "開く-他動詞")),
    "close": (("close", "closes", "shut", "shuts", "slam", "slams"), ("閉める", "閉じる", "閉まる")),
    "give": (("give", "gives", "hand", "hands", "pass", "passes"), ("渡す", "あげる", "上げる", "手渡す", "くれる")),
    "sit": (("sit", "sits", "sitting", "sat", "study", "studies", "studying", "write", "writes", "writing", "attend",
             "attends", "listen", "listens", "work", "works"), ("座る", "腰掛ける", "勉強", "受ける", "聞く", "書く", "学ぶ", "働く")),
    "sleep": (("sleep", "sleeps", "sleeping", "nap", "naps"), ("寝る", "眠る")),
    "read": (("read", "reads", "reading"), ("読む",)),
    "wave": (("wave", "waves", "waving"), ("振る",)),
    "dance": (("dance", "dances", "dancing"), ("踊る", "ダンス")),
    "drive": (("drive", "drives", "driving"), ("走る-車", "運転")),
    "fly": (("fly", "flies", "flying"), ("飛ぶ-鳥",)),
    "roll": (("roll", "rolls", "rolling"), ("転がる",)),
    "hold": (("hold", "holds", "holding", "carry", "carries"), ("持つ", "抱える", "差す")),
    # Transitive actions on a thing (plan2): the thing then moves (see build.OBJECT_MOTION).
    "kick": (("kick", "kicks", "kicked", "kicking"), ("蹴る", "蹴飛ばす")),
    "throw": (("throw", "throws", "threw", "throwing", "toss", "tosses", "tossed"), ("投げる", "放る")),
    "catch": (("catch", "catches", "caught", "catching"), ("取る", "キャッチ", "捕る", "受け取る", "捕まえる")),
    "push": (("push", "pushes", "pushed", "pushing", "shove", "shoves"), ("押す",)),
    "pick_up": (("pick", "picks", "picked", "lift", "lifts", "lifted"), ("拾う", "持ち上げる", "拾い上げる")),
    "drop": (("drop", "drops", "dropped", "dropping"), ("落とす",)),
    "put_down": (("put", "puts", "place", "places", "set", "sets"), ("置く",)),
    "hit": (("hit", "hits", "hitting", "strike", "strikes", "knock", "knocks"), ("叩く", "打つ", "殴る")),
    "wait": (("wait", "waits", "waiting", "waited", "stand", "stands", "standing"), ("待つ", "立つ", "佇む")),
    "look": (("look", "looks", "watch", "watches", "stare", "stares"), ("見る", "眺める", "見つめる")),
}
# Verbs that are the weather, not an actor's action ("while it rains", 雨が降る).
WEATHER_VERBS = {"rain": ("rain", "rains", "raining", "rained"), "snow": ("snow", "snows", "snowing")}

# place -> (indoor, English nouns, Japanese lemmas); the floor words say what the floor is.
PLACES: dict[str, tuple[bool, tuple[str, ...], tuple[str, ...]]] = {
    "kitchen": (True, ("kitchen",), ("台所", "キッチン")),
    "classroom": (True, ("classroom", "class", "lesson", "lecture", "seminar"), ("教室", "授業", "講義", "ゼミ")),
    "cafe": (True, ("cafe", "café", "diner"), ("カフェ", "喫茶店")),
    "library": (True, ("library",), ("図書館",)),
    "office": (True, ("office",), ("オフィス", "事務所", "会社")),
    "bedroom": (True, ("bedroom", "bed"), ("寝室", "ベッドルーム", "ベッド", "ベッド-bed", "布団")),
    "room": (True, ("room", "living room", "house", "home", "apartment", "hall", "hallway", "floor", "table", "desk", "sofa"),
             ("部屋", "居間", "家", "廊下", "床", "机", "テーブル", "テーブル-table", "ソファー")),
    "station": (False, ("station", "platform", "train"), ("駅", "ホーム", "電車", "プラットホーム", "ホーム-home")),
    "street": (False, ("street", "road", "city", "town", "sidewalk", "crossing"), ("道", "通り", "街", "町", "道路", "交差点")),
    "beach": (False, ("beach", "sea", "shore", "coast"), ("海", "浜", "ビーチ", "海岸", "砂浜")),
    "forest": (False, ("forest", "woods"), ("森", "林")),
    "park": (False, ("park", "garden", "field", "meadow", "lawn"), ("公園", "庭", "野原", "草原")),
    "mountain": (False, ("mountain", "hill"), ("山", "丘")),
}
FLOORS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "wood": (("wooden", "wood", "timber", "parquet"), ("木", "木製", "フローリング")),
    "tile": (("tiled", "tile", "stone", "marble"), ("タイル", "石", "大理石")),
    "carpet": (("carpet", "carpeted", "rug"), ("絨毯", "カーペット")),
}
TIMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "morning": (("morning", "dawn", "sunrise"), ("朝", "早朝", "夜明け")),
    "evening": (("evening", "sunset", "dusk"), ("夕方", "夕暮れ", "夕焼け")),
    "night": (("night", "midnight", "tonight"), ("夜", "深夜", "夜中")),
    "day": (("day", "noon", "afternoon", "daytime"), ("昼", "午後", "日中")),
}
WEATHER: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rain": (("rain", "rainy", "drizzle", "drizzling", "storm", "downpour", "shower", "showers"), ("雨", "大雨", "小雨", "霧雨", "嵐", "にわか雨")),
    "snow": (("snow", "snowy", "blizzard", "snowfall", "snowflakes"), ("雪", "吹雪", "大雪", "小雪")),
    "fog": (("fog", "foggy", "mist", "misty"), ("霧",)),
    "wind": (("wind", "windy", "breeze"), ("風", "強風")),
    "overcast": (("overcast", "cloudy", "clouds", "grey-sky"), ("曇り", "曇天", "曇", "曇る")),
}
SKY_WORDS = ("sky", "skies", "空")
"""A sky is weather when its colour says so: "under a grey sky" is overcast, 灰色の空 too."""
# Colour words (English, Japanese lemmas) -> the colour names the Sketch look understands.
COLOURS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "red": (("red", "crimson"), ("赤い", "赤", "真っ赤")),
    "blue": (("blue",), ("青い", "青")),
    "green": (("green",), ("緑", "緑色")),
    "yellow": (("yellow",), ("黄色い", "黄色")),
    "black": (("black", "dark", "jet"), ("黒い", "黒", "真っ黒")),
    "white": (("white",), ("白い", "白", "真っ白")),
    "brown": (("brown", "chestnut"), ("茶色", "茶色い", "茶")),
    "grey": (("grey", "gray", "silver"), ("灰色", "グレー")),
    "orange": (("orange", "ginger"), ("オレンジ", "オレンジ-orange", "橙")),
    "blonde": (("blonde", "blond", "golden"), ("金髪", "金色")),
    "pink": (("pink",), ("ピンク", "桃色")),
}
APPEARANCE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "long": (("long",), ("長い",)),
    "short": (("short",), ("短い",)),
    "small": (("small", "little", "tiny"), ("小さい", "小さな")),
    "big": (("big", "large", "huge"), ("大きい", "大きな")),
    "hair": (("hair",), ("髪", "髪の毛", "黒髪", "金髪", "長髪")),
}
# What each object's events sound like: (action, noun) -> foley kind, else action -> foley kind.
EVENT_SOUNDS: dict[tuple[str, str], str] = {
    ("break", "glass"): "glass", ("break", "cup"): "glass", ("fall", "glass"): "glass",
    ("fall", "book"): "thud", ("fall", "cup"): "clink", ("bounce", "ball"): "bounce", ("fall", "ball"): "bounce",
    ("open", "door"): "door_open", ("close", "door"): "door", ("open", "window"): "door_open",
    ("open", "umbrella"): "whoosh", ("jump_down", "cat"): "paw", ("jump", "cat"): "paw",
    ("drive", "car"): "engine",
    # Someone acting on a ball: the foot's thump, the arm's whoosh on the release, the smack into the hands.
    ("kick", "ball"): "thud", ("push", "ball"): "thud", ("throw", "ball"): "whoosh", ("catch", "ball"): "clap",
    ("put_down", "cup"): "clink", ("put_down", "glass"): "clink", ("put_down", "book"): "thud", ("put_down", "ball"): "bounce",
}
ACTION_SOUNDS = {"fall": "thud", "jump_down": "thud", "jump": "thud", "bounce": "bounce", "break": "impact",
                 "close": "door", "open": "door_open", "walk": "footstep", "run": "footstep"}


def event_sound(action: str, noun: str) -> str | None:
    """The foley kind of ``noun`` doing ``action`` (a glass breaking: glass), or None if silent."""
    return EVENT_SOUNDS.get((action, noun)) or ACTION_SOUNDS.get(action)


def lookup(table: dict, word: str, japanese: bool) -> str | None:
    """The key of ``table`` whose English words (or Japanese lemmas) include ``word``."""
    for key, entry in table.items():
        words = entry[-1] if japanese else entry[-2]
        if word in words:
            return key
    return None


# ----------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PlanAction:
    """One thing an actor does, in order: ``verb`` on ``target`` (an actor key), from ``source``, at ``place``."""

    verb: str
    word: str
    """As written (a lemma for Japanese)."""
    target: str | None = None
    """What it is done to: "door" in "opens the door"."""
    recipient: str | None = None
    """Who receives it: "him" in "hands him the cup" (an actor key)."""
    source: str | None = None
    """Where from: "window" in "jumps down from the window"."""
    onto: str | None = None
    """Where to or on: "floor" in "bounces on the floor"."""


@dataclass(frozen=True)
class PlanActor:
    """Someone or something in the shot."""

    key: str
    """Unique in the plan: a character id, or a noun ("ball", "cat", "cat2")."""
    kind: str
    """"character" (from the story bible), "person", "animal" or "object"."""
    noun: str
    name: str = ""
    character_id: str | None = None
    gender: str | None = None
    colours: tuple[str, ...] = ()
    """Colour names said about it, in order ("red" ball; "black" hair)."""
    look: tuple[str, ...] = ()
    """Appearance phrases said about it, as plain English ("long black hair")."""
    actions: tuple[PlanAction, ...] = ()
    position: str = "center"
    """Where on the set: "left", "center", "right", or a set piece ("window", "floor", "table")."""

    @property
    def verbs(self) -> tuple[str, ...]:
        return tuple(a.verb for a in self.actions)


@dataclass(frozen=True)
class ScenePlan:
    """A typed description of one shot, read by every engine, the sound design and the window."""

    text: str
    language: str
    """"en" or "ja"."""
    place: str | None = None
    indoor: bool = False
    floor: str | None = None
    time_of_day: str = "day"
    weather: str = "clear"
    actors: tuple[PlanActor, ...] = ()
    unknown: tuple[str, ...] = ()
    """Words read but not understood, in order: shown to the user, never guessed into a default."""

    def actor(self, key_or_noun: str) -> PlanActor | None:
        return next((a for a in self.actors if a.key == key_or_noun), None) or next(
            (a for a in self.actors if a.noun == key_or_noun), None)

    def has(self, noun: str) -> bool:
        return any(a.noun == noun for a in self.actors)

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """One readable line of what was understood ("a red ball falls, bounces on the floor; ...")."""
        parts: list[str] = []
        where = self.place or "unspecified place"
        if self.floor:
            where += f" ({self.floor} floor)"
        head = f"{where}, {'indoors' if self.indoor else 'outdoors'}, {self.time_of_day}"
        if self.weather != "clear":
            head += f", {self.weather}"
        parts.append(head)
        names = {a.key: a.name or a.noun for a in self.actors}
        for a in self.actors:
            who = a.name or " ".join((*a.colours, a.noun))
            if a.look:
                who += " (" + ", ".join(a.look) + ")"
            did = []
            for act in a.actions:
                phrase = act.verb.replace("_", " ")
                if act.target:
                    phrase += f" {names.get(act.target, act.target)}"
                if act.recipient:
                    phrase += f" to {names.get(act.recipient, act.recipient)}"
                if act.source:
                    phrase += f" from {names.get(act.source, act.source)}"
                if act.onto:
                    phrase += f" on {names.get(act.onto, act.onto)}"
                did.append(phrase)
            parts.append(who + (": " + ", ".join(did) if did else ""))
        line = "; ".join(parts)
        if self.unknown:
            line += " | not understood: " + ", ".join(self.unknown)
        return line


def scene_sentence(plan: ScenePlan) -> str:
    """The plan as one plain English sentence for a text-to-video model ("Indoors, a room with a wood
    floor, by day. The red ball falls, then bounces on the floor.")."""
    if not plan.actors and plan.place is None:
        return ""
    where = ("Indoors" if plan.indoor else "Outdoors") + (f", a {plan.place}" if plan.place else "")
    if plan.floor:
        where += f" with a {plan.floor} floor"
    when = {"day": "by day", "night": "at night", "morning": "in the morning", "evening": "in the evening"}[plan.time_of_day]
    sky = {"clear": "", "overcast": ", under an overcast sky"}.get(plan.weather, f", in the {plan.weather}")
    parts = [f"{where}, {when}{sky}."]
    names = {a.key: (a.name or f"the {a.noun}") for a in plan.actors}
    for a in plan.actors:
        if not a.actions:
            continue
        who = a.name or "the " + " ".join((*a.colours, a.noun))
        if a.look:
            who += " with " + " and ".join(a.look)
        verbs = []
        for act in a.actions:
            v = act.verb.replace("_", " ")
            v = {"give": "gives", "jump down": "jumps down", "fly": "flies", "pick up": "picks up", "put down": "puts down",
                 "catch": "catches", "push": "pushes"}.get(v, v + ("es" if v.endswith(("s", "sh", "ch")) else "s"))
            if act.target:
                v += f" {names.get(act.target, act.target)}"
            if act.recipient:
                v += f" to {names.get(act.recipient, act.recipient)}"
            if act.source:
                v += f" from the {names.get(act.source, act.source).removeprefix('the ')}"
            if act.onto:
                # a cat jumps down *onto* the floor, but sleeps *on* the bed
                prep = "on" if act.verb in ("sit", "sleep", "wait", "read", "look", "dance", "walk", "run") else "onto"
                v += f" {prep} the {names.get(act.onto, act.onto).removeprefix('the ')}"
            verbs.append(v)
        s = f"{who} " + ", then ".join(verbs) + "."
        parts.append(s[0].upper() + s[1:])
    return " ".join(parts)


def empty_plan(text: str = "", language: str = "en") -> ScenePlan:
    return ScenePlan(text=text, language=language)


def is_japanese(text: str) -> bool:
    """True when the text holds kana or kanji (the Japanese reader then parses it)."""
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


__all__ = ["ScenePlan", "PlanActor", "PlanAction", "NOUNS", "VERBS", "PLACES", "event_sound", "is_japanese", "field"]
