"""A small, explicit English grammar for shot prompts.

    sentence := clause ((","|"while"|"when"|"as"|"then"|"and" NP) clause)*
    clause   := PP* NP? VP
    VP       := VERB PARTICLE? (NP NP? | PP)* ("and" VERB PARTICLE? (NP | PP)*)*
    NP       := DET? MOD* NOUN | PRONOUN | NAME
    PP       := PREP NP

Each verb binds to its own clause's subject (the ball falls, not whoever is on
screen); prepositions decide what a noun is to the verb (from: source; on/onto/
into: where to; in/at: place, time or weather); "while it rains" is weather.
Words the grammar cannot place are kept and reported.
"""

from __future__ import annotations

import re

from studio.domain.model import Character
from studio.domain.scene_plan import APPEARANCE, COLOURS, NOUNS, lookup, VERBS, WEATHER_VERBS, ScenePlan
from studio.understanding.build import Clause, Phrase, PlanBuilder

DETERMINERS = {"a", "an", "the", "his", "her", "their", "its", "some", "this", "that", "my", "our", "your", "one", "two"}
PREPOSITIONS = {"on", "onto", "in", "into", "at", "from", "off", "to", "towards", "toward", "through", "across", "under",
                "near", "by", "with", "out", "over", "of", "inside", "outside", "along", "around", "past", "beside", "behind"}
_PRONOUNS = {"he", "she", "him", "her", "it", "they", "them", "i", "we", "you"}
PARTICLES = {"down", "up", "away", "over", "off", "open", "out", "around", "back"}
BREAKS = {"while", "when", "as", "then", "after", "before", "because"}
CONNECT = {"and", "but"}
SKIP = {"is", "are", "was", "it's", "there", "very", "slowly", "quickly", "suddenly", "gently", "again", "just",
        "also", "together", "then", "softly", "loudly"}
_SOURCE = {"from", "off", "out"}
_ONTO = {"on", "onto", "into", "to", "towards", "toward", "over", "across", "along", "through"}
_PLACE = {"of", "in", "at", "inside", "near", "by", "beside", "behind", "outside", "around", "under", "past"}

_VERB_FORMS: dict[str, str] = {}
for _action, (_en, _ja) in VERBS.items():
    for _w in _en:
        if " " not in _w:
            _VERB_FORMS.setdefault(_w, _action)
_WEATHER_FORMS = {w: k for k, ws in WEATHER_VERBS.items() for w in ws}
_NOUN_WORDS = {w for _, en, _ in NOUNS.values() for w in en}
# Words both noun and verb: a verb only right after a subject or "and".
_AMBIGUOUS = {"waves", "hands", "walk", "run", "drop", "look", "watch", "rain", "snow", "dance", "hand", "glass", "open"}


def _tokens(text: str) -> list[str]:
    return re.findall(r"@?[\w'é\-]+|[,.;!?]", text.lower().replace("’", "'"))


def _verb(word: str) -> str | None:
    return _VERB_FORMS.get(word)


class _Parser:
    def __init__(self, tokens: list[str], builder: PlanBuilder) -> None:
        self.toks = tokens
        self.i = 0
        self.b = builder
        self.last_subject: Phrase | None = None

    def peek(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def is_name(self, w: str) -> bool:
        return self.b.character_named(w) is not None

    def noun_phrase(self) -> Phrase | None:
        """DET? MOD* NOUN: the head is the last word before a verb, preposition or break."""
        start = self.i
        words: list[str] = []
        indefinite = False
        while (w := self.peek()) is not None:
            if w in DETERMINERS:
                if words:
                    break  # "in the rain a ball ...": a new phrase starts
                indefinite = indefinite or w in ("a", "an", "another")
                self.i += 1
                continue
            if w in PREPOSITIONS or w in BREAKS or w in CONNECT or w in ",.;!?":
                break
            if words and (_verb(w) or w in _WEATHER_FORMS) and (w not in _AMBIGUOUS or words[-1] in _NOUN_WORDS or self.is_name(words[-1])):
                break
            if not words and _verb(w) and w not in _AMBIGUOUS and w not in COLOURS_EN:
                break
            if words and w in _PRONOUNS:
                break  # "in the kitchen she ...", "at night he ...": a pronoun starts the next phrase
            words.append(w)
            self.i += 1
            if w in _NOUN_WORDS or self.is_name(w):
                # a noun ends the phrase unless a noun follows it ("coffee cup", "kitchen floor")
                nxt = self.peek()
                if nxt is None or nxt not in _NOUN_WORDS:
                    break
        if not words:
            self.i = start
            return None
        words = [w for w in words if w not in SKIP]
        if not words:
            return None
        head = next((w for w in reversed(words) if w in _NOUN_WORDS or self.is_name(w)), words[-1])
        mods = [w for w in words if w != head]
        if indefinite:
            mods.insert(0, "a")
        return Phrase(head.lstrip("@"), [m for m in mods if m not in ("a",)] + (["another"] if "another" in words else []))

    def clause(self) -> Clause | None:
        c = Clause()
        pending_pp: list[tuple[str, Phrase]] = []
        # leading PPs ("At night, in the rain, ...") and the subject
        while (w := self.peek()) is not None and w in PREPOSITIONS:
            self.i += 1
            np_ = self.noun_phrase()
            if np_ is not None:
                pending_pp.append((w, np_, -1))
            if self.peek() == ",":
                self.i += 1
        w = self.peek()
        if w is not None and w in ("it",) and self.peek(1) in _WEATHER_FORMS:
            self.b.weather = self.b.weather or _WEATHER_FORMS[self.peek(1)]
            self.i += 2
            return None
        if w is not None and not _verb(w) or (w in _AMBIGUOUS and self.peek(1) is not None and _verb(self.peek(1) or "")):
            c.subject = self.noun_phrase()
        if c.subject is None and self.peek() is not None and _verb(self.peek() or ""):
            c.subject = self.last_subject
        # verbs, their particles, objects and PPs
        while (w := self.peek()) is not None:
            if w in SKIP:
                self.i += 1
                continue
            if w in _WEATHER_FORMS and (c.subject is None or c.subject.head == "it"):
                self.b.weather = self.b.weather or _WEATHER_FORMS[w]
                self.i += 1
                continue
            action = _verb(w)
            if action:
                self.i += 1
                part = self.peek()
                if part in PARTICLES:
                    if action == "jump" and part in ("down", "off"):
                        action = "jump_down"
                    if part == "open" and action != "open":
                        action = "open"
                    self.i += 1 if part != "off" else 0
                c.verbs.append((action, w))
                continue
            if w in PREPOSITIONS:
                self.i += 1
                if w == "out" and self.peek() == "of":
                    self.i += 1
                if w == "with":
                    np_ = self.noun_phrase()
                    if np_ is not None:
                        kind = NOUNS.get(lookup(NOUNS, np_.head, False) or "", ("",))[0]
                        if np_.head == "hair" or lookup(APPEARANCE, np_.head, False):
                            if c.subject is not None:
                                c.subject.mods.extend(np_.mods + [np_.head])
                        elif kind in ("person", "animal") or self.is_name(np_.head):
                            c.companions.append(np_)
                        else:
                            c.carried.append(np_)
                    continue
                np_ = self.noun_phrase()
                if np_ is not None:
                    pending_pp.append((w, np_, len(c.verbs) - 1))
                continue
            if w in CONNECT:
                nxt = self.peek(1)
                if nxt is not None and (_verb(nxt) or nxt in SKIP):
                    self.i += 1
                    continue
                if not c.verbs and c.subject is not None:
                    # "a cat and a dog sit": both are the subject
                    self.i += 1
                    np_ = self.noun_phrase()
                    if np_ is not None:
                        c.companions.append(np_)
                    continue
                break
            if w in BREAKS or w in ",.;!?":
                break
            if w == "it" and c.verbs and self.peek(1) in (None, ",", ".", "and", "while", "when"):
                self.i += 1
                things = [a for a in self.b.actors if a.kind in ("object", "animal")]
                c.obj = c.obj or (Phrase(things[-1].noun) if things else None)
                continue
            if w in PARTICLES and w not in PREPOSITIONS and c.verbs and c.obj is not None:
                # a particle after the object: "puts the cup down", "picks the ball up"
                self.i += 1
                if w == "open" and c.verbs[-1][0] != "open":
                    c.verbs[-1] = ("open", c.verbs[-1][1])
                continue
            np_ = self.noun_phrase()
            if np_ is None:
                self.b.note_unknown(w)
                self.i += 1
                continue
            if not c.verbs:
                if c.subject is None:
                    c.subject = np_
                else:
                    # two noun phrases and no verb: "Hana and a dog" -> companions
                    c.companions.append(np_)
                continue
            if c.obj is None:
                c.obj = np_
            else:
                # "hands him the cup": the first was the one who receives
                c.recipient, c.obj = c.obj, np_
        for prep, np_, k in pending_pp:
            self._attach(c, prep, np_, k)
        if c.subject is not None and c.verbs:
            self.last_subject = c.subject
        return c

    def _attach(self, c: Clause, prep: str, np_: Phrase, k: int) -> None:
        b = self.b
        roles = c.per_verb.setdefault(k, {})
        person_or_thing = b.character_named(np_.head) is not None or np_.head in _NOUN_WORDS
        if prep in _SOURCE:
            roles.setdefault("source", np_)
        elif prep in _ONTO:
            if prep == "to" and person_or_thing and c.verbs and c.verbs[-1][0] in ("give", "throw"):
                c.recipient = c.recipient or np_
            elif person_or_thing and np_.head not in ("window", "door", "table"):
                roles.setdefault("onto", np_)
            elif not b.setting_word(np_.head, np_.mods) or np_.head in ("floor", "table", "sofa", "desk", "ground", "bed"):
                roles.setdefault("onto", np_)
        else:
            if person_or_thing and np_.head not in ("window", "door"):
                roles.setdefault("onto", np_)
            elif not b.setting_word(np_.head, np_.mods):
                if np_.head in ("window", "door"):
                    roles.setdefault("onto", np_)
                else:
                    b.note_unknown(np_.head)

    def parse(self) -> None:
        while self.peek() is not None:
            w = self.peek()
            if w in BREAKS or w in CONNECT or w in ",.;!?":
                self.i += 1
                continue
            before = self.i
            c = self.clause()
            if c is not None:
                self.b.add_clause(c)
            if self.i == before:
                self.b.note_unknown(w or "")
                self.i += 1


COLOURS_EN = {w for en, _ in COLOURS.values() for w in en}


def read_english(text: str, characters: tuple[Character, ...] = (), builder: PlanBuilder | None = None) -> PlanBuilder:
    """Parse English ``text`` into ``builder`` (a new one if None) and return it."""
    builder = builder or PlanBuilder(text, "en", characters)
    _Parser(_tokens(text), builder).parse()
    return builder


def plan_english(text: str, characters: tuple[Character, ...] = ()) -> ScenePlan:
    return read_english(text, characters).plan()
