"""The window's "Cameo…" action: light to create, it imports the wizard only when clicked."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction

from studio.ui import i18n
from studio.ui.i18n import tr


class _CameoAction(QObject):
    """Owns the window's "Cameo…" action; a child of the window, so its language slot dies with it."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.dialog = None
        self.action = QAction(window)
        self.action.setObjectName("cameo")
        from studio.ui import theme as _theme

        self.action.setIcon(_theme.icon("character"))  # a narrow window shows it as an icon (its tooltip names it)
        self.action.triggered.connect(self.open_wizard)
        i18n.notifier.language_changed.connect(self.retranslate)
        self.retranslate()

    def open_wizard(self, _checked: bool = False) -> None:
        from studio.ui.cameo_wizard.wizard import CameoWizardDialog

        self.dialog = CameoWizardDialog(self.window)
        self.dialog.setAttribute(Qt.WA_DeleteOnClose)
        self.dialog.open()

    def retranslate(self, _lang: str = "") -> None:
        self.action.setText(tr("Cameo…"))
        self.action.setToolTip(tr("Make a cameo of yourself: consent, a short liveness check, your face for casting"))


def add_cameo_action(window) -> QAction:
    """Add "Cameo…" to ``window`` (and its toolbar) that opens the wizard; returns the action."""
    owner = _CameoAction(window)
    window.addAction(owner.action)
    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        toolbar.addAction(owner.action)
    return owner.action
