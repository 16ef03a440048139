"""Japanese shot prompts read through a morphological analyser (fugashi + unidic-lite).

Particles say what each noun is to the verb that follows: が/は the subject,
を the object (or the ground covered: 公園を走る), に the goal or the one who
receives, で the place (雨の中で: the weather), から the source, と a companion,
の a modifier of the next noun. Verb lemmas (飛び降りる, 落ちる, 跳ねる) map to
actions; a verb in て-form chains to the next with the same subject.
"""

from __future__ import annotations

from functools import lru_cache

from studio.domain.model import Character
from studio.domain.scene_plan import APPEARANCE, COLOURS, FLOORS, NOUNS, PLACES, TIMES, VERBS, WEATHER, ScenePlan, lookup
from studio.understanding.build import SET_PIECES, Clause, Phrase, PlanBuilder

_VERB_LEMMAS = {w: action for action, (_, ja) in VERBS.items() for w in ja}
_WEATHER_VERBS = {"降る": None, "曇る": "overcast"}
"""Verbs that are the weather: 雨が降る (the rain is its subject), 空が曇る (overcast)."""
_SKIP_POS = {"補助記号", "記号", "空白"}


@lru_cache(maxsize=1)
def _tagger():
    """The analyser, built once (loading the dictionary takes a moment)."""
    import fugashi  # noqa: PLC0415 - third-party, imported only when Japanese is read

    return fugashi.Tagger()


def _lemma(word) -> str:
    lemma = word.feature.lemma or word.surface
    return lemma


def _merge_names(words, names: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    """(surface, lemma, pos1, pos2) with a bible name split by the analyser put back together."""
    out: list[tuple[str, str, str, str]] = []
    items = [(w.surface, _lemma(w), w.feature.pos1, w.feature.pos2) for w in words]
    i = 0
    while i < len(items):
        merged = False
        for name in sorted(names, key=len, reverse=True):
            acc = ""
            for j in range(i, len(items)):
                acc += items[j][0]
                if acc == name:
                    out.append((name, name, "名詞", "固有名詞"))
                    i = j + 1
                    merged = True
                    break
                if not name.startswith(acc):
                    break
            if merged:
                break
        if not merged:
            out.append(items[i])
            i += 1
    return out


def read_japanese(text: str, characters: tuple[Character, ...] = (), builder: PlanBuilder | None = None) -> PlanBuilder:
    """Parse Japanese ``text`` into ``builder`` (a new one if None) and return it."""
    b = builder or PlanBuilder(text, "ja", characters)
    words = _merge_names(_tagger()(text.replace("@", "").replace("＠", "")), tuple(c.name for c in characters))
    clause = Clause()
    mods: list[str] = []
    noun: str | None = None
    subject: Phrase | None = None

    def phrase() -> Phrase | None:
        nonlocal noun, mods
        if noun is None:
            return None
        p = Phrase(noun, mods)
        noun, mods = None, []
        return p

    def flush_verbs() -> None:
        nonlocal clause
        if clause.verbs:
            if clause.subject is None:
                clause.subject = subject
            b.add_clause(clause)
            clause = Clause()
        else:
            # No verb yet: what was said before the subject is the next verb's (授業中に男の子が…: the lesson is
            # where the boy drops the book; 猫と犬が走る: the cat runs too).
            clause = Clause(obj=clause.obj, recipient=clause.recipient, companions=clause.companions,
                            per_verb=clause.per_verb)

    k = 0
    while k < len(words):
        surface, lemma, pos1, pos2 = words[k]
        nxt = words[k + 1] if k + 1 < len(words) else None
        if pos1 in _SKIP_POS:
            p = phrase()
            if p is not None and not b.setting_word(p.head, p.mods):
                b.note_unknown(p.head)
            k += 1
            continue
        if pos1 in ("名詞", "代名詞"):
            # サ変: ジャンプする, 散歩する
            if nxt is not None and nxt[1] in ("為る", "する") and lemma in _VERB_LEMMAS:
                clause.verbs.append((_VERB_LEMMAS[lemma], lemma))
                k += 2
                continue
            if noun is not None:
                # two nouns in a row: the first modifies the second (木 床, 茶色 犬)
                mods.append(noun)
            # the lemma when the vocabulary knows it (ドア-door), else the word as written (reported so)
            noun = surface if surface in _KNOWN_WORDS or lemma not in _KNOWN_WORDS else lemma
            k += 1
            continue
        if pos1 in ("形容詞", "形状詞", "連体詞"):
            mods.append(lemma if pos1 == "形容詞" else surface)
            k += 1
            continue
        if pos1 == "助詞":
            p = phrase()
            if (lemma == "の" and p is not None and nxt is not None and nxt[0] in ("人", "方")
                    and f"{p.head}の人" in _KNOWN_WORDS):
                # 女の人, 男の方: one word (the woman), not 人 modified by an unknown 女
                noun, mods = f"{p.head}の人", p.mods
                k += 2
                continue
            if lemma == "の" and p is not None:
                mods.extend(p.mods + [p.head])
            elif lemma in ("が", "は") and p is not None:
                if lookup(WEATHER, p.head, True) and nxt is not None and nxt[1] in _WEATHER_VERBS:
                    b.setting_word(p.head)
                    k += 2
                    continue
                flush_verbs()
                subject = p
                clause.subject = p
            elif lemma == "を" and p is not None:
                if lookup(PLACES, p.head, True) and lookup(NOUNS, p.head, True) is None:
                    b.setting_word(p.head, p.mods)
                else:
                    clause.obj = p
            elif lemma in ("に", "へ") and p is not None:
                kind = NOUNS.get(lookup(NOUNS, p.head, True) or "", ("",))[0]
                if kind in ("person",) or b.character_named(p.head):
                    clause.recipient = p
                elif lookup(TIMES, p.head, True):
                    b.setting_word(p.head)
                else:
                    clause.per_verb.setdefault(len(clause.verbs), {})["onto"] = p
            elif lemma == "で" and p is not None:
                if p.head == "中" and any(lookup(WEATHER, m, True) for m in p.mods):
                    for m in p.mods:
                        b.setting_word(m)
                elif not b.setting_word(p.head, p.mods) or p.head in SET_PIECES:
                    # ソファーで眠る: the sofa is where (a room), and what the cat sleeps on
                    clause.per_verb.setdefault(len(clause.verbs), {})["onto"] = p
            elif lemma == "から" and p is not None:
                clause.per_verb.setdefault(len(clause.verbs), {})["source"] = p
            elif lemma == "と" and p is not None:
                if clause.subject is None and subject is None:
                    clause.companions.append(p)
                    # "AとBが": A joins the subject that follows
                else:
                    clause.companions.append(p)
            elif lemma in ("て", "で") and p is None:
                pass  # 落ちて跳ねる: the chain continues with the same subject
            elif p is not None and not b.setting_word(p.head, p.mods):
                b.note_unknown(p.head)
            k += 1
            continue
        if pos1 == "動詞":
            if lemma in _WEATHER_VERBS:
                if _WEATHER_VERBS[lemma]:
                    b.weather = b.weather or _WEATHER_VERBS[lemma]
                k += 1
                continue
            p = phrase()
            if p is not None:
                # a noun straight before a verb, no particle (夜 歩く): setting, or unknown
                if not b.setting_word(p.head, p.mods):
                    b.note_unknown(p.head)
            action = _VERB_LEMMAS.get(lemma) or _VERB_LEMMAS.get(surface)
            if action is None:
                if lemma not in _AUX_VERBS:
                    b.note_unknown(lemma)
            else:
                if clause.per_verb.get(len(clause.verbs)):
                    # roles said before this verb belong to it
                    pass
                clause.verbs.append((action, lemma))
                # the next verb's roles start fresh
                roles = clause.per_verb.pop(len(clause.verbs) - 1, None)
                if roles:
                    clause.per_verb[len(clause.verbs) - 1] = roles
            # a verb that ends a clause (not て-form) closes it
            if nxt is None or nxt[2] not in ("助詞", "助動詞") or nxt[1] not in ("て", "で"):
                if nxt is None or nxt[2] not in ("助動詞",):
                    flush_verbs()
            k += 1
            continue
        if pos1 == "助動詞":
            k += 1
            continue
        k += 1
    p = phrase()
    if p is not None and not b.setting_word(p.head, p.mods):
        b.note_unknown(p.head)
    flush_verbs()
    return b


_AUX_VERBS = {"為る", "する", "いる", "居る", "ある", "有る", "来る", "行く", "始める", "続ける", "出す", "しまう", "仕舞う"}
_KNOWN_WORDS = ({w for _, _, ja in NOUNS.values() for w in ja} | {w for _, _, ja in PLACES.values() for w in ja}
                | {w for _, ja in TIMES.values() for w in ja} | {w for _, ja in WEATHER.values() for w in ja}
                | {w for _, ja in COLOURS.values() for w in ja} | {w for _, ja in APPEARANCE.values() for w in ja}
                | {w for _, ja in FLOORS.values() for w in ja})


def plan_japanese(text: str, characters: tuple[Character, ...] = ()) -> ScenePlan:
    return read_japanese(text, characters).plan()
