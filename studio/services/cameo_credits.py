"""What provenance and the feed ask the cameo vault: consent references, permission, "my" cameos.

Three small questions, answered from this machine's vault (`studio.cameo.vault`):

- `consent_reference(cameo_id)`: what the content credentials cite for a cameo
  that appears in an export — the cameo id, when and under which statement
  version consent was given, and a SHA-256 of the consent record as stored, so
  the owner can prove which record it was without the manifest carrying it.
- `may_use_cameo(cameo_id)`: whether the person remixing may put that cameo
  back into a remixed project (the same rule that allows rendering with it).
- `my_cameo_ids()`: the cameos whose owner is this machine's user, for the
  feed's "with my cameo" view.

None of them creates anything in the vault; with no vault they answer "none".
"""

from __future__ import annotations

import json
import logging

log = logging.getLogger(__name__)


def _vault(vault=None):
    if vault is not None:
        return vault
    from studio.cameo.vault import Vault

    return Vault()


def consent_reference(cameo_id: str, vault=None) -> str | None:
    """``cameo_id/consent@<given_at>;statement=<version>;sha256=<digest>``, or None when the vault has no such cameo."""
    from studio.cameo.vault import VaultError

    try:
        cameo = _vault(vault).get(cameo_id)
    except (VaultError, OSError, ValueError):
        return None
    import hashlib  # here: the window's start imports this module (the feed's defaults), not OpenSSL

    consent = cameo.consent or {}
    digest = hashlib.sha256(json.dumps(consent, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    return (f"{cameo.id}/consent@{consent.get('given_at', '')};statement={consent.get('statement_version', '')};"
            f"sha256={digest}")


def may_use_cameo(cameo_id: str, vault=None) -> bool:
    """Whether this machine's user may cast ``cameo_id`` (in the vault, not revoked or expired, permitted)."""
    from studio.cameo.vault import VaultError

    v = _vault(vault)
    try:
        if not v.root.is_dir():
            return False
        v.check_render_allowed(cameo_id)
        return True
    except (VaultError, OSError, ValueError):
        return False


def my_cameo_ids(vault=None) -> list[str]:
    """Ids of the active cameos this machine's user owns (empty when there is no vault yet)."""
    v = _vault(vault)
    try:
        cameos = v.list()
        if not cameos:
            return []
        me = v.owner_id()
        return [c.id for c in cameos if c.owner == me and not c.revoked]
    except Exception as exc:  # an unreadable vault must not break the feed
        log.info("cannot list my cameos: %s", exc)
        return []


def castable_cameos(vault=None) -> list[tuple[str, str]]:
    """(cameo id, label) of the cameos this user may cast now: active, not expired, permitted.

    For the story bible's cameo column; an unreadable vault gives an empty list, never an error.
    """
    from studio.cameo.vault import VaultError

    try:
        v = _vault(vault)
        cameos = v.list()
    except (VaultError, OSError, ValueError):
        return []
    out = []
    for c in cameos:
        if not c.revoked and may_use_cameo(c.id, v):
            out.append((c.id, c.name))
    return out
