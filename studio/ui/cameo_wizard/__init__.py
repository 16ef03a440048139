"""The cameo wizard (consent, liveness, identity) and the window's action that opens it.

The wizard module (numpy, OpenCV on demand) loads when first used, not with the window.
"""

from studio.ui.cameo_wizard.action import add_cameo_action


def __getattr__(name: str):
    if name == "CameoWizardDialog":
        from studio.ui.cameo_wizard.wizard import CameoWizardDialog

        return CameoWizardDialog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CameoWizardDialog", "add_cameo_action"]
