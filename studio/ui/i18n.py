"""Interface language: English keys, a Japanese catalogue, switched at runtime.

Every user-visible string goes through `tr`. English is the key itself; the
catalogue below maps it to Japanese. Widgets re-label themselves in
``retranslate()`` when `i18n.notifier.language_changed` fires, so switching in
the settings dialog takes effect without a restart. (A Python catalogue rather
than .ts/.qm: it needs no build step, and a test checks it covers every key.)
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QObject, Signal

LANGUAGES = {"en": "English", "ja": "日本語"}
_current = "en"


class _Notifier(QObject):
    language_changed = Signal(str)


notifier = _Notifier()


def resolve(setting: str) -> str:
    """The language to use for a settings value ("system", "en" or "ja")."""
    if setting in LANGUAGES:
        return setting
    return "ja" if QLocale.system().name().startswith("ja") else "en"


def set_language(lang: str) -> None:
    global _current
    lang = resolve(lang)
    if lang != _current:
        _current = lang
        notifier.language_changed.emit(lang)


def language() -> str:
    return _current


def tr(text: str, **values: object) -> str:
    """``text`` in the current language, with ``{name}`` fields filled from ``values``."""
    out = JA.get(text, text) if _current == "ja" else text
    return out.format(**values) if values else out


JA: dict[str, str] = {
}
