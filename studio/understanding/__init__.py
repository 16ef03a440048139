"""Reading a shot's prompt into a `ScenePlan` (English grammar; Japanese via fugashi + unidic-lite).

Above the domain and beside sound/media: it imports a third-party analyser, and
every engine, the sound design and the window read the plan it returns.
"""

from __future__ import annotations

from studio.domain.model import Character, StoryBible
from studio.domain.prompt import parse_prompt
from studio.domain.scene_plan import PLACES, ScenePlan, is_japanese, lookup


def plan_scene(text: str, bible: StoryBible | None = None, characters: tuple[Character, ...] | None = None) -> ScenePlan:
    """The scene plan of a prompt, in the context of a story bible.

    ``characters`` are the shot's cast (default: the bible's); the bible's setting
    fills in a place the prompt does not name; each character's look text gives
    its colours and hair ("long dark hair" -> long black hair).
    """
    from studio.understanding.build import PlanBuilder, Phrase
    from studio.understanding.english import read_english
    from studio.understanding.japanese import read_japanese

    bible = bible or StoryBible()
    cast = tuple(characters) if characters is not None else bible.characters
    known = tuple(c.name for c in bible.characters)
    plain = parse_prompt(text, known).text
    language = "ja" if is_japanese(plain) else "en"
    builder = PlanBuilder(plain, language, tuple(bible.characters), cast)
    # A sentence may mix both; read each part with its own reader.
    (read_japanese if language == "ja" else read_english)(plain, builder=builder)
    setting_place = None
    if bible.setting:
        probe = PlanBuilder(bible.setting, "ja" if is_japanese(bible.setting) else "en")
        (read_japanese if probe.ja else read_english)(bible.setting, builder=probe)
        setting_place = probe.place
        if probe.weather and builder.weather is None:
            builder.weather = probe.weather
        if probe.time and builder.time is None:
            builder.time = probe.time
    # The looks of the characters in the shot.
    for draft in builder.actors:
        ch = next((c for c in bible.characters if c.id == draft.character_id), None)
        if ch is not None and ch.look:
            ja = is_japanese(ch.look)
            words = _look_words(ch.look, ja)
            # The look is read in its own language (an English look in a Japanese prompt), and what it
            # does not say about hair is not this prompt's unknown word.
            saved = (builder.ja, list(builder.unknown))
            builder.ja = ja
            builder._apply_mods(draft, words)
            builder.ja, builder.unknown = saved[0], saved[1]
    del Phrase
    return builder.plan(setting_place)


def _look_words(text: str, japanese: bool) -> list[str]:
    """Words of a look description as modifiers (colours, long/short, hair), unknown ones dropped."""
    from studio.domain.scene_plan import APPEARANCE, COLOURS

    if japanese:
        from studio.understanding.japanese import _tagger

        words = [w.feature.lemma or w.surface for w in _tagger()(text)]
    else:
        import re

        words = re.findall(r"[a-z]+", text.lower())
    out: list[str] = []
    # Only the hair phrase and its colour: "long dark hair, red coat" keeps the hair's words together.
    for i, w in enumerate(words):
        if lookup(APPEARANCE, w, japanese) == "hair" or w in ("黒髪", "金髪", "長髪"):
            out.extend(x for x in words[max(0, i - 3):i] if lookup(COLOURS, x, japanese) or lookup(APPEARANCE, x, japanese))
            out.append(w)
    return out


__all__ = ["plan_scene", "PLACES"]
