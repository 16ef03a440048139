"""The dark theme: one palette, one style sheet, line icons drawn as SVG files."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPalette
from PySide6.QtWidgets import QApplication

ICONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"

BG = "#14161c"
PANEL = "#1b1e26"
RAISED = "#242834"
BORDER = "#2e3340"
TEXT = "#e6e9f0"
MUTED = "#8b93a7"
ACCENT = "#7c5cff"
ACCENT_2 = "#ff5c8a"
OK = "#3ecf8e"
WARN = "#ffb454"
ERROR = "#ff6b6b"

# Prompt grammar colours (editor highlighting and the legend chips).
GRAMMAR_COLOURS = {
    "character": "#7cc4ff",
    "camera": "#ffb454",
    "dialogue": "#3ecf8e",
    "sound": "#ff7eb6",
}

# Fonts tried in order; Noto Sans CJK covers Japanese, so kana and kanji never show as boxes.
UI_FONTS = ["Inter", "Noto Sans", "Noto Sans CJK JP", "Noto Sans JP", "DejaVu Sans", "Sans Serif"]


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    path = ICONS_DIR / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def app_icon() -> QIcon:
    return icon("app")


def ui_font(point_size: float = 10.0) -> QFont:
    families = set(QFontDatabase.families())
    chosen = [f for f in UI_FONTS if f in families]
    font = QFont()
    if chosen:
        font.setFamilies(chosen)
    font.setPointSizeF(point_size)
    return font


def cjk_font_available() -> bool:
    return any("CJK" in f or f.endswith(" JP") for f in QFontDatabase.families())


STYLE_SHEET = f"""
* {{ outline: none; }}
QWidget {{ background: {BG}; color: {TEXT}; selection-background-color: {ACCENT}; selection-color: white; }}
QMainWindow::separator {{ background: {BORDER}; width: 1px; height: 1px; }}
QToolBar {{ background: {PANEL}; border: none; border-bottom: 1px solid {BORDER}; padding: 4px 8px; spacing: 4px; }}
QToolBar QToolButton {{ background: transparent; border: 1px solid transparent; border-radius: 6px; padding: 4px 8px; color: {TEXT}; }}
QToolBar QToolButton:hover {{ background: {RAISED}; border-color: {BORDER}; }}
QToolBar QToolButton:pressed, QToolBar QToolButton:checked {{ background: #2d2650; border-color: {ACCENT}; }}
QToolBar QToolButton:disabled {{ color: #555c6e; }}
QStatusBar {{ background: {PANEL}; border-top: 1px solid {BORDER}; color: {MUTED}; }}
QStatusBar QLabel {{ background: transparent; color: {MUTED}; padding: 0 6px; }}
QFrame#Panel, QWidget#Panel {{ background: {PANEL}; border: 1px solid {BORDER}; border-radius: 10px; }}
QLabel {{ background: transparent; }}
QLabel#PanelTitle {{ font-weight: 600; color: {TEXT}; font-size: 11pt; }}
QLabel#Muted, QLabel#Hint {{ color: {MUTED}; }}
QLabel#Note {{ color: {WARN}; }}
QLabel#Error {{ color: {ERROR}; }}
QLabel#Hero {{ font-size: 26pt; font-weight: 700; }}
QLabel#Timecode {{ font-family: "DejaVu Sans Mono", monospace; color: {TEXT}; }}
QLineEdit, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QComboBox {{
    background: {RAISED}; border: 1px solid {BORDER}; border-radius: 6px; padding: 4px 6px; color: {TEXT}; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus, QComboBox:focus {{ border-color: {ACCENT}; }}
QComboBox::drop-down {{ border: none; width: 18px; }}
QComboBox QAbstractItemView {{ background: {RAISED}; border: 1px solid {BORDER}; selection-background-color: {ACCENT}; }}
QPushButton {{ background: {RAISED}; border: 1px solid {BORDER}; border-radius: 6px; padding: 6px 12px; color: {TEXT}; }}
QPushButton:hover {{ border-color: #4a5166; background: #2a2f3c; }}
QPushButton:pressed {{ background: #1f2330; }}
QPushButton:disabled {{ color: #5a6172; background: {PANEL}; }}
QPushButton#Primary {{ background: {ACCENT}; border: 1px solid {ACCENT}; color: white; font-weight: 600; }}
QPushButton#Primary:hover {{ background: #8d72ff; }}
QPushButton#Primary:disabled {{ background: #3b3566; border-color: #3b3566; color: #a9a3c9; }}
QToolButton {{ background: transparent; border: 1px solid transparent; border-radius: 6px; padding: 3px; }}
QToolButton:hover {{ background: {RAISED}; border-color: {BORDER}; }}
QToolButton:checked {{ background: #2d2650; border-color: {ACCENT}; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ background: transparent; color: {MUTED}; padding: 6px 12px; border: none; border-bottom: 2px solid transparent; }}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 2px solid {ACCENT}; }}
QTabBar::tab:hover {{ color: {TEXT}; }}
QProgressBar {{ background: {RAISED}; border: none; border-radius: 3px; height: 6px; text-align: center; color: transparent; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
QSlider::groove:horizontal {{ height: 4px; background: {RAISED}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {ACCENT}; border-radius: 2px; }}
QSlider::handle:horizontal {{ width: 12px; height: 12px; margin: -5px 0; border-radius: 6px; background: {TEXT}; }}
QScrollArea {{ border: none; }}
QScrollBar:horizontal {{ height: 10px; background: transparent; }}
QScrollBar:vertical {{ width: 10px; background: transparent; }}
QScrollBar::handle {{ background: #3a4050; border-radius: 4px; min-width: 24px; min-height: 24px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
QListWidget, QTableWidget, QTreeWidget {{ background: {PANEL}; border: 1px solid {BORDER}; border-radius: 8px; }}
QListWidget::item {{ padding: 6px; border-radius: 6px; }}
QListWidget::item:selected {{ background: #2d2650; }}
QListWidget::item:hover {{ background: {RAISED}; }}
QHeaderView::section {{ background: {PANEL}; color: {MUTED}; border: none; border-bottom: 1px solid {BORDER}; padding: 4px; }}
QTableWidget {{ gridline-color: {BORDER}; }}
QSplitter::handle {{ background: {BG}; }}
QMenu {{ background: {RAISED}; border: 1px solid {BORDER}; padding: 4px; }}
QMenu::item {{ padding: 5px 18px; border-radius: 4px; }}
QMenu::item:selected {{ background: {ACCENT}; }}
QToolTip {{ background: {RAISED}; color: {TEXT}; border: 1px solid {BORDER}; padding: 4px; }}
QCheckBox::indicator {{ width: 16px; height: 16px; border: 1px solid {MUTED}; border-radius: 4px; background: {RAISED}; }}
QCheckBox::indicator:hover {{ border-color: {ACCENT}; }}
QCheckBox::indicator:checked {{ background: {ACCENT}; border-color: {ACCENT}; image: url({(ICONS_DIR / "check.svg").as_posix()}); }}
QCheckBox::indicator:disabled {{ border-color: {BORDER}; background: {PANEL}; }}
QDialog {{ background: {PANEL}; }}
"""


def apply_theme(app: QApplication) -> None:
    """Install the palette, the style sheet and a font that can show Japanese."""
    app.setStyle("Fusion")
    pal = QPalette()
    for role, colour in [
        (QPalette.Window, BG), (QPalette.WindowText, TEXT), (QPalette.Base, RAISED), (QPalette.AlternateBase, PANEL),
        (QPalette.Text, TEXT), (QPalette.Button, RAISED), (QPalette.ButtonText, TEXT), (QPalette.Highlight, ACCENT),
        (QPalette.HighlightedText, "#ffffff"), (QPalette.ToolTipBase, RAISED), (QPalette.ToolTipText, TEXT),
        (QPalette.PlaceholderText, MUTED), (QPalette.Link, ACCENT),
    ]:
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.Disabled, QPalette.Text, QColor("#5a6172"))
    pal.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#5a6172"))
    app.setPalette(pal)
    app.setFont(ui_font(10))
    app.setStyleSheet(STYLE_SHEET)
