"""The prompt grammar.

A shot's prompt is free text (English or Japanese) with a few marks the editor
highlights and the engines read:

- ``@name`` casts a character from the story bible (``@Hana``, ``@ハナ``);
- ``[camera: dolly in]`` sets the camera directive;
- ``"quoted text"`` (also 「…」 and “…”) is a dialogue line, optionally
  ``@name: "line"`` to say who speaks;
- ``{sfx: door slam}``, ``{ambience: rain}`` and ``{music: soft piano}`` are
  sound cues.

`tokenize` returns spans for highlighting; `parse_prompt` the meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class TokenKind(str, Enum):
    CHARACTER = "character"
    CAMERA = "camera"
    DIALOGUE = "dialogue"
    SOUND = "sound"


@dataclass(frozen=True)
class PromptToken:
    kind: TokenKind
    start: int
    end: int
    text: str
    value: str
    """The meaning: a name, a camera phrase, a dialogue line, or ``kind:description``."""


# Names are letters, digits, '_' and '-' in any script; Japanese names included.
_NAME = r"[^\W\d][\w\-]*"
_PATTERNS: list[tuple[TokenKind, re.Pattern[str]]] = [
    (TokenKind.CAMERA, re.compile(r"\[\s*(?:camera|カメラ)\s*[:：]\s*([^\]]+?)\s*\]", re.IGNORECASE)),
    (TokenKind.SOUND, re.compile(r"\{\s*(sfx|ambience|ambient|music|効果音|環境音|音楽)\s*[:：]\s*([^}]+?)\s*\}", re.IGNORECASE)),
    (TokenKind.DIALOGUE, re.compile(r"\"([^\"]+)\"|「([^」]+)」|“([^”]+)”")),
    (TokenKind.CHARACTER, re.compile(r"@(" + _NAME + ")")),
]

_SOUND_KIND_ALIASES = {
    "ambient": "ambience",
    "効果音": "sfx",
    "環境音": "ambience",
    "音楽": "music",
}


def _trim_to_known(name: str, known_names: tuple[str, ...]) -> str:
    """``メイが`` -> ``メイ`` when メイ is a known name: Japanese puts particles right after names."""
    folded = name.casefold()
    best = ""
    for known in known_names:
        if folded.startswith(known.casefold()) and len(known) > len(best):
            best = known
    return name[: len(best)] if best else name


def tokenize(text: str, known_names: tuple[str, ...] = ()) -> list[PromptToken]:
    """All grammar marks in ``text``, in order, without overlaps.

    ``known_names`` (the story bible's) lets ``@メイが`` end the name before the particle.
    """
    found: list[PromptToken] = []
    taken = [False] * len(text)
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            if kind is TokenKind.SOUND:
                sound_kind = m.group(1).lower()
                sound_kind = _SOUND_KIND_ALIASES.get(sound_kind, sound_kind)
                value = f"{sound_kind}:{m.group(2).strip()}"
            elif kind is TokenKind.DIALOGUE:
                value = next(g for g in m.groups() if g is not None).strip()
            else:
                value = _trim_to_known(m.group(1).strip(), known_names)
            end = m.start() + 1 + len(value) if kind is TokenKind.CHARACTER else m.end()
            found.append(PromptToken(kind, m.start(), end, text[m.start() : end], value))
            for i in range(m.start(), end):
                taken[i] = True
    found.sort(key=lambda t: t.start)
    return found


@dataclass(frozen=True)
class ParsedDialogue:
    text: str
    speaker: str | None


@dataclass(frozen=True)
class ParsedPrompt:
    text: str
    """The prompt with marks removed and names kept (what a model should read)."""
    characters: tuple[str, ...]
    camera: str | None
    dialogue: tuple[ParsedDialogue, ...]
    sound_cues: tuple[tuple[str, str], ...]
    """(kind, description) with kind one of sfx, ambience, music."""


def parse_prompt(text: str, known_names: tuple[str, ...] = ()) -> ParsedPrompt:
    """Read the marks out of a prompt (``known_names``: see `tokenize`)."""
    tokens = tokenize(text, known_names)
    characters: list[str] = []
    camera: str | None = None
    dialogue: list[ParsedDialogue] = []
    cues: list[tuple[str, str]] = []
    plain_parts: list[str] = []
    cursor = 0
    last_character: str | None = None
    for tok in tokens:
        plain_parts.append(text[cursor : tok.start])
        cursor = tok.end
        if tok.kind is TokenKind.CHARACTER:
            if tok.value not in characters:
                characters.append(tok.value)
            last_character = tok.value
            plain_parts.append(tok.value)
        elif tok.kind is TokenKind.CAMERA:
            camera = tok.value
        elif tok.kind is TokenKind.DIALOGUE:
            # "@Hana: "line"" names the speaker; otherwise the last character cast speaks.
            between = text[max(0, tok.start - 3) : tok.start]
            speaker = last_character if (":" in between or "：" in between or last_character) else None
            dialogue.append(ParsedDialogue(tok.value, speaker))
        else:
            kind, _, desc = tok.value.partition(":")
            cues.append((kind, desc))
    plain_parts.append(text[cursor:])
    plain = re.sub(r"\s+", " ", "".join(plain_parts)).strip()
    plain = re.sub(r"\s+([,.!?、。])", r"\1", plain)
    plain = re.sub(r"[:：]\s*$", "", plain).strip()
    return ParsedPrompt(plain, tuple(characters), camera, tuple(dialogue), tuple(cues))


def camera_tag_span(prompt: str) -> tuple[int, int] | None:
    """Where the phrase of the ``[camera: …]`` mark that counts (the last, as in `parse_prompt`) sits."""
    pattern = dict(_PATTERNS)[TokenKind.CAMERA]
    matches = list(pattern.finditer(prompt))
    return matches[-1].span(1) if matches else None
