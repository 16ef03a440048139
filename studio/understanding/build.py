"""Turning parsed clauses into a `ScenePlan`: one builder for both languages.

The English grammar and the Japanese reader each reduce a sentence to clauses
(subject, verbs, object, recipient, source, place, onto) of noun phrases; this
module binds those phrases to actors, places, times and weather, so the two
languages cannot drift apart in what they mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from studio.domain.model import Character
from studio.domain.scene_plan import (APPEARANCE, COLOURS, FLOORS, GENDER, NOUNS, PLACES, SKY_WORDS, TIMES, WEATHER,
                                      PlanAction, PlanActor, ScenePlan, lookup)


@dataclass
class Phrase:
    """A noun phrase: its head word (a lemma in Japanese) and the words that modify it."""

    head: str
    mods: list[str] = field(default_factory=list)


@dataclass
class Clause:
    subject: Phrase | None = None
    verbs: list[tuple[str, str]] = field(default_factory=list)
    """(action, word as written)."""
    obj: Phrase | None = None
    recipient: Phrase | None = None
    source: Phrase | None = None
    onto: Phrase | None = None
    companions: list[Phrase] = field(default_factory=list)
    """Who does it with the subject (犬と走る, "with a dog")."""
    carried: list[Phrase] = field(default_factory=list)
    """What the subject has with them ("with an umbrella"): a hold action on it."""
    per_verb: dict[int, dict[str, Phrase]] = field(default_factory=dict)
    """Source/onto said right after verb i ("falls and bounces *on the floor*"); -1: before any verb."""


@dataclass
class _Draft:
    key: str
    kind: str
    noun: str
    name: str = ""
    character_id: str | None = None
    gender: str | None = None
    colours: list[str] = field(default_factory=list)
    look: list[str] = field(default_factory=list)
    actions: list[PlanAction] = field(default_factory=list)
    position: str = "center"


class PlanBuilder:
    """Collects what clauses say; `plan()` freezes it."""

    def __init__(self, text: str, language: str, characters: tuple[Character, ...] = (),
                 cast: tuple[Character, ...] | None = None) -> None:
        self.text = text
        self.language = language
        self.ja = language == "ja"
        self.characters = characters
        self.cast = characters if cast is None else cast
        """The shot's cast: who a pronoun may be (the bible's characters by default)."""
        self.actors: list[_Draft] = []
        self.place: str | None = None
        self.floor: str | None = None
        self.time: str | None = None
        self.weather: str | None = None
        self.unknown: list[str] = []

    # -- words that are not actors

    def note_unknown(self, word: str) -> None:
        if word and word not in self.unknown and word not in _FILLER:
            self.unknown.append(word)

    def setting_word(self, word: str, mods: list[str] = ()) -> bool:
        """Take ``word`` as a place, time or weather word; False if it is none of them."""
        if word in _FILLER and word not in ("floor",):
            # 海の上, 雨の中: the place or weather is in the modifiers
            # (灰色の空の下: the sky's own modifiers are the words before it)
            return any([self.setting_word(m, mods[:i]) for i, m in enumerate(mods)]) or True
        if word in SKY_WORDS or word == "曇り空":
            # "under a grey sky", 灰色の空, 曇り空: overcast; a plain or blue sky says nothing more
            grey = word == "曇り空" or any(lookup(COLOURS, m, self.ja) in ("grey", "black") or
                                            lookup(WEATHER, m, self.ja) == "overcast" for m in mods)
            if grey:
                self.weather = self.weather or "overcast"
            return True
        place = lookup(PLACES, word, self.ja)
        if place is not None:
            if self.place is None or (self.place == "room" and place != "room"):
                self.place = place
            for m in mods:
                floor = lookup(FLOORS, m, self.ja)
                if floor:
                    self.floor = floor
            if word in ("floor", "床"):
                self.floor = self.floor or next((lookup(FLOORS, m, self.ja) for m in mods if lookup(FLOORS, m, self.ja)), None)
            for m in mods:
                if not self.setting_word(m) and not lookup(FLOORS, m, self.ja) and not self._modifier_known(m):
                    self.note_unknown(m)
            return True
        time = lookup(TIMES, word, self.ja)
        if time is not None:
            self.time = self.time or time
            for m in mods:
                self.setting_word(m)  # 霧の朝: a foggy morning
            return True
        weather = lookup(WEATHER, word, self.ja)
        if weather is not None:
            self.weather = self.weather or weather
            return True
        return False

    def _modifier_known(self, m: str) -> bool:
        return any(lookup(t, m, self.ja) for t in (COLOURS, APPEARANCE, FLOORS)) or m in _FILLER

    # -- actors

    def character_named(self, word: str) -> Character | None:
        folded = word.casefold().lstrip("@")
        return next((c for c in self.characters if c.name.casefold() == folded), None)

    def actor_for(self, phrase: Phrase | None, new: bool = True) -> _Draft | None:
        """The actor a phrase names (made on first mention); None for a place/time/unknown word."""
        if phrase is None:
            return None
        head = phrase.head
        ch = self.character_named(head)
        if ch is not None:
            draft = self._character_draft(ch)
            self._apply_mods(draft, phrase.mods)
            return draft
        noun = lookup(NOUNS, head, self.ja)
        if noun is None:
            if head in ("it", "それ") and self.actors:
                things = [a for a in self.actors if a.kind in ("object", "animal")]
                return things[-1] if things else None
            if not self.setting_word(head, phrase.mods) and head not in _FILLER:
                for m in phrase.mods:
                    if not self._modifier_known(m) and not self.setting_word(m):
                        self.note_unknown(m)
                self.note_unknown(head)
            return None
        kind = NOUNS[noun][0]
        pronoun = head in _PRONOUNS
        if pronoun:
            bound = self._bind_pronoun(GENDER[noun])
            if bound is not None:
                return bound
        existing = [a for a in self.actors if a.noun == noun]
        if existing and (not phrase.mods or self._same_look(existing[-1], phrase.mods)) and not _indefinite(phrase):
            draft = existing[-1]
        else:
            count = sum(1 for a in self.actors if a.noun == noun)
            draft = _Draft(noun if count == 0 else f"{noun}{count + 1}", kind, noun, gender=GENDER.get(noun))
            self.actors.append(draft)
        self._apply_mods(draft, phrase.mods)
        return draft

    def _bind_pronoun(self, gender: str) -> _Draft | None:
        """Who "she"/"him" (彼女/彼) is: someone of that gender already in the shot, else a character cast on
        it whose look does not say otherwise (the story's protagonist), else None (a generic man or woman).

        A pronoun never adds the bible's character beside a generic person: "She hands him the cup" with
        Aoi cast is Aoi handing the cup to a man, two people on screen, not three.
        """
        same = [a for a in self.actors if a.kind in ("character", "person") and a.gender == gender]
        if same:
            return same[-1]
        taken = {a.character_id for a in self.actors}
        free = [c for c in self.cast if c.id not in taken]
        match = next((c for c in free if character_gender(c) == gender), None)
        if match is not None:  # a cast member whose look says so, before one whose look says nothing
            return self._character_draft(match)
        unsexed = [a for a in self.actors if a.kind == "character" and a.gender is None]
        if unsexed:
            unsexed[-1].gender = gender
            return unsexed[-1]
        ch = next((c for c in free if character_gender(c) is None), None)
        if ch is not None:
            draft = self._character_draft(ch)
            draft.gender = gender
            return draft
        return None

    def _character_draft(self, ch: Character) -> _Draft:
        draft = next((a for a in self.actors if a.character_id == ch.id), None)
        if draft is None:
            draft = _Draft(ch.id, "character", "person", name=ch.name, character_id=ch.id, gender=character_gender(ch))
            self.actors.append(draft)
        return draft

    def _same_look(self, draft: _Draft, mods: list[str]) -> bool:
        colours = [lookup(COLOURS, m, self.ja) for m in mods if lookup(COLOURS, m, self.ja)]
        return not colours or set(colours) <= set(draft.colours)

    def _apply_mods(self, draft: _Draft, mods: list[str]) -> None:
        size = [lookup(APPEARANCE, m, self.ja) for m in mods]
        hair = "hair" in size
        for m in mods:
            colour = lookup(COLOURS, m, self.ja)
            app = lookup(APPEARANCE, m, self.ja)
            if m in ("黒髪", "金髪", "長髪"):
                colour = {"黒髪": "black", "金髪": "blonde", "長髪": None}[m]
                if m == "長髪":
                    size.append("long")
            if colour and hair:
                pass  # the hair's colour: it goes to the look below, not the coat
            elif colour and colour not in draft.colours:
                draft.colours.append(colour)
            elif colour is None and app is None and m not in _FILLER and lookup(FLOORS, m, self.ja) is None:
                if not self.setting_word(m):
                    self.note_unknown(m)
        if hair:
            hair_colour = next((lookup(COLOURS, m, self.ja) for m in mods if lookup(COLOURS, m, self.ja)), None)
            if "黒髪" in mods:
                hair_colour = "black"
            if "金髪" in mods:
                hair_colour = "blonde"
            words = [w for w in ("long" if "long" in size else "", "short" if "short" in size else "", hair_colour or "", "hair") if w]
            phrase = " ".join(words)
            if phrase not in draft.look:
                draft.look.append(phrase)
        else:
            for s in size:
                if s in ("small", "big") and s not in draft.look:
                    draft.look.append(s)

    # -- clauses

    def add_clause(self, clause: Clause) -> None:
        subject = self.actor_for(clause.subject)
        obj = self.actor_for(clause.obj)
        recipient = self.actor_for(clause.recipient)
        source_actor = self._where(clause.source)
        onto_actor = self._where(clause.onto)
        roles = {k: {r: self._where(p) for r, p in v.items()} for k, v in clause.per_verb.items()}
        carried = [self.actor_for(p) for p in clause.carried]
        if subject is None:
            if not clause.verbs:
                return
            if obj is not None and obj.kind in ("object", "animal") and all(v in _INTRANSITIVE for v, _ in clause.verbs):
                subject, obj = obj, None
            else:
                return
        companions = [self.actor_for(p) for p in clause.companions]
        if subject is None:
            return
        last_source = source_actor
        for t in carried:
            if t is not None:
                subject.actions.append(PlanAction("hold", "with", target=t.key))
                t.position = "hands"
        for i, (verb, word) in enumerate(clause.verbs):
            verb = _NOUN_VERB.get((subject.noun, verb), verb)
            mine = roles.get(i, {})
            lead = roles.get(-1, {})
            src = mine.get("source") or lead.get("source") or source_actor
            on = mine.get("onto") or lead.get("onto") or onto_actor
            if src:
                last_source = src
            act = PlanAction(verb, word, target=obj.key if obj else None, recipient=recipient.key if recipient else None,
                             source=src, onto=on)
            if obj is None and subject.actions and subject.actions[-1].verb == verb and verb in _INTRANSITIVE:
                continue  # "drops the cup and it breaks": the dropped cup already breaks
            subject.actions.append(act)
            for c in companions:
                if c is not None:
                    c.actions.append(replace(act))
            if obj is None and verb == "drop":
                act = replace(act, verb="fall")
                subject.actions[-1] = act
            motion = OBJECT_MOTION.get(verb) if obj is not None and obj.kind == "object" else None
            if motion:  # the kicked ball rolls away, the dropped cup falls (and a fragile one breaks)
                for m in motion:
                    if m == "break" and obj.noun not in FRAGILE:
                        continue
                    obj.actions.append(PlanAction(m, word, source=subject.key if m in ("roll", "fly_off") else None))
            if obj is not None and verb in ("pick_up", "catch"):
                obj.position = "hands"
            if obj is not None and (verb in ("give", "hold") or (verb == "open" and obj.noun == "umbrella")):
                obj.position = "hands"  # in the subject's hands (and, when given, then in the receiver's)
        if last_source:
            subject.position = last_source
        elif onto_actor in ("floor", "table", "window", "sofa", "desk", "bed"):
            subject.position = subject.position if subject.position != "center" else onto_actor

    def _where(self, phrase: Phrase | None) -> str | None:
        """A source or goal: a set piece's name (window, floor, table) or an actor's key."""
        if phrase is None:
            return None
        noun = lookup(NOUNS, phrase.head, self.ja)
        if noun is not None:
            actor = self.actor_for(phrase)
            return actor.key if actor else noun
        english = _SET_PIECES.get(phrase.head)
        self.setting_word(phrase.head, phrase.mods)
        if english:
            return english
        if lookup(PLACES, phrase.head, self.ja) is None and lookup(TIMES, phrase.head, self.ja) is None \
                and lookup(WEATHER, phrase.head, self.ja) is None:
            self.note_unknown(phrase.head)
        return None

    def plan(self, setting_place: str | None = None) -> ScenePlan:
        actors = tuple(PlanActor(a.key, a.kind, a.noun, a.name, a.character_id, a.gender, tuple(a.colours),
                                 tuple(a.look), tuple(a.actions), a.position) for a in self.actors)
        place = self.place
        pieces = {x for a in self.actors for act in a.actions for x in (act.source, act.onto)}
        if place is None and (pieces & {"window", "table", "floor", "sofa"} or any(a.noun == "window" for a in self.actors)):
            place = "room"  # a window to jump from, a table to fall off: inside, whatever the story's usual place
        place = place or setting_place
        indoor = PLACES[place][0] if place else False
        if self.floor and place is None:
            place, indoor = "room", True
        return ScenePlan(self.text, self.language, place, indoor, self.floor, self.time or "day", self.weather or "clear",
                         actors, tuple(self.unknown))


# The same verb means another action for some actors: a bird's 飛ぶ flies, a car's 走る drives.
_NOUN_VERB = {("bird", "jump"): "fly", ("car", "run"): "drive", ("car", "walk"): "drive", ("ball", "jump"): "bounce"}
# What a thing does when someone acts on it (plan2): kicked or pushed it rolls away from them, thrown it
# flies and lands bouncing, dropped or knocked it falls (and a fragile one breaks where it lands).
OBJECT_MOTION = {"kick": ("roll",), "push": ("roll",), "throw": ("bounce",), "drop": ("fall", "break"),
                 "hit": ("fall", "break")}
FRAGILE = {"glass", "cup"}
_PRONOUNS = {"he", "him", "she", "her", "彼", "彼女"}
_INTRANSITIVE = {"fall", "bounce", "break", "roll", "open", "close"}
_SET_PIECES = {"floor": "floor", "床": "floor", "table": "table", "テーブル": "table", "テーブル-table": "table", "机": "table",
               "desk": "table", "sofa": "sofa", "ソファー": "sofa", "ground": "floor", "地面": "floor", "window": "window",
               "窓": "window", "street": "street", "road": "street", "bed": "bed", "ベッド": "bed", "ベッド-bed": "bed"}
SET_PIECES = frozenset(_SET_PIECES)
"""Words for the set pieces an actor comes from or lands on (a window, the floor, a table, a bed)."""
_FILLER = {"中", "上", "下", "前", "横", "そば", "外", "内", "方", "こと", "もの", "ground", "地面", "middle", "top", "floor", "living"}


_FEMALE_LOOK = re.compile(r"\b(woman|girl|lady|female|mother|she)\b|女性|女の子|少女|女|母", re.IGNORECASE)
_MALE_LOOK = re.compile(r"\b(man|boy|gentleman|male|father|he)\b|男性|男の子|少年|男|父", re.IGNORECASE)


def character_gender(ch: Character) -> str | None:
    """"female"/"male" when a character's look says so ("young woman, long dark hair"), else None."""
    female, male = bool(_FEMALE_LOOK.search(ch.look)), bool(_MALE_LOOK.search(ch.look))
    return "female" if female and not male else "male" if male and not female else None


def _indefinite(phrase: Phrase) -> bool:
    return "a" in phrase.mods or "an" in phrase.mods or "another" in phrase.mods or "もう一" in phrase.mods
