"""Consent: the plain statement a person agrees to, point by point, and the record kept of it.

The statement is versioned; a record keeps the exact text the person saw, each
point they confirmed, the name they typed as a signature, when, and the app
version, so it can be shown back to them (and to anyone they share the cameo
with) word for word.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from studio import __version__

CONSENT_VERSION = "1"


@dataclass(frozen=True)
class ConsentPoint:
    key: str
    en: str
    ja: str

    def text(self, lang: str = "en") -> str:
        return self.ja if lang == "ja" else self.en


CONSENT_POINTS: tuple[ConsentPoint, ...] = (
    ConsentPoint(
        "capture",
        "Studio will record a short video of my face (and, if a microphone is available, my voice reading a few digits) "
        "to check that I am a live person and to learn what my face looks like.",
        "Studio は、生きた本人であることを確かめ、顔の特徴を覚えるために、私の顔の短い動画（マイクがあれば数字を読み上げる声も）を記録します。",
    ),
    ConsentPoint(
        "storage",
        "What is kept is a face descriptor (128 numbers) and a few face pictures, encrypted, only on this computer. "
        "The recording itself is not kept. Nothing is uploaded.",
        "保存されるのは顔の特徴量（128 個の数値）と数枚の顔画像だけで、暗号化してこのコンピューターにのみ保存します。録画そのものは保存しません。何もアップロードしません。",
    ),
    ConsentPoint(
        "use",
        "My face will appear only in videos rendered with my cameo, as my permission allows (only me, people I approve, or everyone), "
        "and every such render is written in a usage ledger I can read.",
        "私の顔は、私の許可（自分のみ・承認した人・全員）の範囲で、私のカメオを使ったレンダーにだけ使われます。そのレンダーはすべて、私が読める使用記録に残ります。",
    ),
    ConsentPoint(
        "revoke",
        "I can revoke this cameo at any time with 'studio cameo revoke' or in the app: the face data is deleted at once, "
        "a record of the revocation is kept, and any later render that casts it is refused.",
        "「studio cameo revoke」またはアプリからいつでもこのカメオを取り消せます。顔データはすぐに削除され、取り消しの記録が残り、以後このカメオを使うレンダーは拒否されます。",
    ),
)


def consent_statement(lang: str = "en") -> str:
    """The whole statement as shown to the person, one numbered point per line."""
    return "\n".join(f"{i}. {p.text(lang)}" for i, p in enumerate(CONSENT_POINTS, 1))


class ConsentError(Exception):
    """Consent was not given in full; the message says what is missing."""


@dataclass(frozen=True)
class ConsentRecord:
    """The proof of consent stored with a cameo."""

    name: str
    """The person who consented (the cameo's name)."""
    signature: str
    """The name they typed to sign."""
    given_at: str
    """ISO 8601 UTC."""
    statement_version: str
    statement_language: str
    statement: str
    points_confirmed: tuple[str, ...]
    app_version: str
    os_user: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["points_confirmed"] = list(self.points_confirmed)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ConsentRecord":
        return cls(**{**d, "points_confirmed": tuple(d["points_confirmed"])})

    def check(self) -> None:
        """Raise ConsentError unless every point is confirmed and the signature is there."""
        missing = [p.key for p in CONSENT_POINTS if p.key not in self.points_confirmed]
        if missing:
            raise ConsentError(f"consent is missing for: {', '.join(missing)}")
        if not self.signature.strip():
            raise ConsentError("consent needs your typed name as a signature")


def give_consent(name: str, signature: str, confirmed: list[str] | tuple[str, ...], lang: str = "en") -> ConsentRecord:
    """Make the consent record for ``name``; raises ConsentError if anything is missing.

    The signature must be the person's name as typed (case and spacing aside):
    typing the name is what signs the statement.
    """
    name, signature = name.strip(), signature.strip()
    if not name:
        raise ConsentError("a cameo needs a name")
    if not signature:
        raise ConsentError("type your name to sign the consent")
    if " ".join(signature.casefold().split()) != " ".join(name.casefold().split()):
        raise ConsentError(f"the signature {signature!r} does not match the name {name!r}; type the same name")
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = ""
    record = ConsentRecord(
        name=name,
        signature=signature,
        given_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        statement_version=CONSENT_VERSION,
        statement_language=lang,
        statement=consent_statement(lang),
        points_confirmed=tuple(p.key for p in CONSENT_POINTS if p.key in set(confirmed)),
        app_version=__version__,
        os_user=user,
    )
    record.check()
    return record
