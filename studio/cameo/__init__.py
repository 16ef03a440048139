"""Cameo: consent-first capture of a person's face, liveness, identity and the encrypted vault (no Qt)."""
