"""A real cameo in a test vault, so renders that cast it are allowed (no camera needed)."""

from __future__ import annotations

import contextlib

import numpy as np


@contextlib.contextmanager
def no_os_keyring():
    """Keep tests out of the user's keyring: the vault falls back to its 0600 key file."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def make_cameo(name: str = "Mei", seed: int = 0):
    """Create a cameo owned by this machine's user in the vault under $STUDIO_DATA_DIR; returns it."""
    from studio.cameo.consent import CONSENT_POINTS, give_consent
    from studio.cameo.vault import Biometrics, Vault

    rng = np.random.default_rng(seed)
    crops = tuple(rng.integers(0, 256, (160, 160, 3), dtype=np.uint8) for _ in range(3))
    with no_os_keyring():
        return Vault().create(name, give_consent(name, name, [p.key for p in CONSENT_POINTS]),
                              Biometrics(rng.normal(0, 0.1, 128), crops))
