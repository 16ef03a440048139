"""The cameo wizard (consent, live capture with liveness, identity) and its main-window action."""

from studio.ui.cameo_wizard.wizard import CameoWizardDialog, add_cameo_action

__all__ = ["CameoWizardDialog", "add_cameo_action"]
