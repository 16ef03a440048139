"""What provenance and the feed learn from the cameo vault."""

from __future__ import annotations

import hashlib
import json

import pytest

from studio.cameo.vault import Vault
from studio.services.cameo_credits import consent_reference, may_use_cameo, my_cameo_ids
from tests.support.cameos import make_cameo, no_os_keyring


@pytest.fixture(autouse=True)
def _no_keyring():
    with no_os_keyring():
        yield


def test_no_vault_means_no_cameos_and_no_permission():
    assert my_cameo_ids() == [] and not may_use_cameo("cameo_0123456789ab")
    assert consent_reference("cameo_0123456789ab") is None
    assert not Vault().root.exists()  # asking created nothing


def test_my_cameo_is_mine_permitted_and_cited_by_its_consent_record():
    cameo = make_cameo("Mei")
    assert my_cameo_ids() == [cameo.id] and may_use_cameo(cameo.id)
    ref = consent_reference(cameo.id)
    digest = hashlib.sha256(json.dumps(cameo.consent, sort_keys=True, ensure_ascii=False,
                                       separators=(",", ":")).encode()).hexdigest()
    assert ref == f"{cameo.id}/consent@{cameo.consent['given_at']};statement={cameo.consent['statement_version']};sha256={digest}"
    Vault().revoke(cameo.id, "changed my mind")
    assert my_cameo_ids() == [] and not may_use_cameo(cameo.id)
