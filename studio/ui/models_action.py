"""The window's "Models…" action: light to create, it imports the Models window only when clicked."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from studio.ui import i18n
from studio.ui.i18n import tr


class _ActionLabeller(QObject):
    """Relabels the Models action on a language change; a child of the action, so it goes with it."""

    def __init__(self, action: QAction) -> None:
        super().__init__(action)
        self.action = action

    def relabel(self, *_language) -> None:
        self.action.setText(tr("Models…"))
        self.action.setToolTip(tr("Install and manage video models"))


def install_models_action(window) -> QAction:
    """Add "Models…" to the main window's toolbar (the editor offers the diffusers models in its
    shot panel with `register_diffusion_models` when it builds it)."""
    services = getattr(window, "services", None)
    if services is not None and hasattr(services.engine, "settings_source"):
        # Each job the window submits carries the saved memory profile to the engine.
        services.engine.settings_source = lambda: services.settings
    action = QAction(window)
    action.setObjectName("models")
    from studio.ui import theme as _theme

    action.setIcon(_theme.icon("film"))  # so a narrow window can show it as an icon (its tooltip names it)

    def open_dialog() -> None:
        dialog = getattr(window, "models_dialog", None)
        if dialog is None:
            from studio.ui.models_dialog import ModelsDialog

            if services is not None and hasattr(window, "apply_settings"):
                # Through the window, so its own copy of the settings (saved again on any change) stays current.
                dialog = ModelsDialog(window, settings_source=lambda: services.settings,
                                      store_settings=window.apply_settings)
            else:
                dialog = ModelsDialog(window)
            window.models_dialog = dialog
        dialog.refresh()
        dialog.show()
        dialog.raise_()

    action.triggered.connect(lambda checked=False: open_dialog())
    labeller = _ActionLabeller(action)
    labeller.relabel()
    i18n.notifier.language_changed.connect(labeller.relabel)
    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        toolbar.insertAction(getattr(window, "act_settings", None), action) if hasattr(window, "act_settings") else toolbar.addAction(action)
    window.addAction(action)
    window.act_models = action
    return action
