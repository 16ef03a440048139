"""The interface speaks English and Japanese: every string has a translation, and Japanese can be drawn."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from studio.ui import i18n

STUDIO = Path(__file__).resolve().parents[2] / "studio"


def _tr_literals() -> dict[str, str]:
    """Every string literal passed straight to ``tr(...)`` anywhere in the package, with where it is."""
    found: dict[str, str] = {}
    for path in sorted(STUDIO.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            arg = node.args[0]
            if name == "tr" and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, f"{path.relative_to(STUDIO.parent)}:{node.lineno}")
    return found


def test_every_interface_string_has_a_japanese_translation():
    literals = _tr_literals()
    assert len(literals) > 100  # the scan really found the interface
    missing = {k: where for k, where in literals.items() if k not in i18n.JA}
    assert not missing, "add these to studio/ui/i18n.py JA:\n" + "\n".join(f"{w}: {k!r}" for k, w in missing.items())


def _placeholders(text: str) -> set[str]:
    # Only plain {name} fields are placeholders; "{sfx: door}" in help text is prompt grammar.
    return {f for _, f, spec, _ in string.Formatter().parse(text) if f and not spec}


def test_translations_keep_their_placeholders():
    for key, value in i18n.JA.items():
        assert _placeholders(value) == _placeholders(key), key


def test_language_follows_the_setting_and_tr_fills_fields():
    i18n.set_language("ja")
    try:
        assert i18n.tr("Generate") == "生成"
        assert i18n.tr("Take {n}", n=3) == "テイク 3"
        assert i18n.tr("a string nobody translated") == "a string nobody translated"
    finally:
        i18n.set_language("en")
    assert i18n.tr("Take {n}", n=3) == "Take 3"


@pytest.mark.usefixtures("qapp")
def test_a_japanese_font_is_installed():
    """Japanese must render as glyphs, not boxes: the setup installs a CJK font where the machine lacks one."""
    from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

    families = QFontDatabase.families(QFontDatabase.WritingSystem.Japanese)
    assert families, "no font with Japanese glyphs (scripts/setup installs fonts-noto-cjk)"
    metrics = QFontMetrics(QFont(families[0]))
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "絵コンテを作る生成ストーリーバイブル")
    assert metrics.horizontalAdvance("生成") > 0


def test_the_dialogs_qt_draws_itself_follow_the_language(qapp):
    """File dialogs and standard buttons come from Qt's own catalogue (qtbase_ja), switched with ours."""
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QPushButton

    def texts() -> tuple[set[str], str]:
        dialog = QFileDialog(None, "x")
        dialog.setOption(QFileDialog.DontUseNativeDialog)
        buttons = {b.text() for b in dialog.findChildren(QPushButton)}
        box = QDialogButtonBox(QDialogButtonBox.Cancel)
        cancel = box.button(QDialogButtonBox.Cancel).text()
        dialog.deleteLater()
        box.deleteLater()
        return buttons, cancel

    try:
        i18n.set_language("ja")
        buttons, cancel = texts()
        assert "キャンセル" in buttons and cancel == "キャンセル", (buttons, cancel)
    finally:
        i18n.set_language("en")
    buttons, cancel = texts()
    assert "Cancel" in buttons and cancel == "Cancel", (buttons, cancel)


def test_switching_languages_back_and_forth_keeps_no_new_translators(qapp):
    from PySide6.QtCore import QTranslator

    i18n.set_language("ja")
    i18n.set_language("en")
    before = len(qapp.findChildren(QTranslator))
    for _ in range(5):
        i18n.set_language("ja")
        i18n.set_language("en")
    assert len(qapp.findChildren(QTranslator)) == before  # the soak found +2 each switch
