"""The vault: encryption at rest, private files, keyring or key file, revocation, permissions, packages, ledger."""

import base64
import json
import os
import stat
from datetime import timedelta

import numpy as np
import pytest

from studio.cameo.consent import CONSENT_POINTS, give_consent
from studio.cameo.vault import Biometrics, CameoNotPermitted, Vault, VaultError, parse_expiry


def _bio(seed=0):
    rng = np.random.default_rng(seed)
    crops = tuple(rng.integers(0, 256, (160, 160, 3), dtype=np.uint8) for _ in range(3))
    return Biometrics(rng.normal(0, 0.1, 128), crops)


def _consent(name="Eileen"):
    return give_consent(name, name, [p.key for p in CONSENT_POINTS])


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_biometrics_are_encrypted_and_private(tmp_path):
    vault = Vault(tmp_path / "v")
    bio = _bio()
    cameo = vault.create("Eileen", _consent(), bio)
    folder = vault.root / cameo.id
    blob = (folder / "biometrics.enc").read_bytes()
    # Neither the descriptor nor a crop appears in the file as stored.
    assert bio.embedding.tobytes()[:64] not in blob and bio.crops[0].tobytes()[:256] not in blob
    back = vault.biometrics(cameo.id)
    np.testing.assert_array_equal(back.embedding, bio.embedding)
    np.testing.assert_array_equal(back.crops[2], bio.crops[2])
    assert _mode(vault.root) == 0o700 and _mode(folder) == 0o700
    for f in folder.iterdir():
        assert _mode(f) == 0o600, f
    assert vault.key_location == "file" and _mode(vault.root / "vault.key") == 0o600
    # The consent record went in with the cameo, word for word.
    meta = json.loads((folder / "cameo.json").read_text())
    assert meta["consent"]["statement"].startswith("1. Studio will record")
    assert meta["consent"]["points_confirmed"] == [p.key for p in CONSENT_POINTS]


def test_tampered_or_swapped_biometrics_do_not_decrypt(tmp_path):
    vault = Vault(tmp_path / "v")
    a = vault.create("A", _consent("A"), _bio(1))
    b = vault.create("B", _consent("B"), _bio(2))
    path = vault.root / a.id / "biometrics.enc"
    data = bytearray(path.read_bytes())
    data[40] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(VaultError, match="cannot be decrypted"):
        vault.biometrics(a.id)
    # B's (valid) file under A's id: authenticated with the id, so refused too.
    path.write_bytes((vault.root / b.id / "biometrics.enc").read_bytes())
    with pytest.raises(VaultError, match="cannot be decrypted"):
        vault.biometrics(a.id)


def test_vault_key_lives_in_the_os_keyring_when_one_works(tmp_path):
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1
        store = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    keyring.set_keyring(MemoryKeyring())
    vault = Vault(tmp_path / "v")
    cameo = vault.create("Eileen", _consent(), _bio())
    assert vault.key_location == "keyring" and not (vault.root / "vault.key").exists()
    assert len(MemoryKeyring.store) == 1
    # A fresh Vault object (a new app run) reads it back from the keyring.
    np.testing.assert_array_equal(Vault(tmp_path / "v").biometrics(cameo.id).embedding, _bio().embedding)


def test_revoke_deletes_biometrics_keeps_a_record_and_refuses_renders(tmp_path):
    vault = Vault(tmp_path / "v")
    cameo = vault.create("Eileen", _consent(), _bio())
    assert vault.check_render_allowed(cameo.id).id == cameo.id
    vault.revoke(cameo.id, reason="changed my mind")
    assert not (vault.root / cameo.id / "biometrics.enc").exists()
    record = vault.revocation(cameo.id)
    assert record["reason"] == "changed my mind" and record["biometrics_deleted"] is True
    assert vault.get(cameo.id).revoked
    with pytest.raises(CameoNotPermitted, match="revoked"):
        vault.check_render_allowed(cameo.id)
    with pytest.raises(CameoNotPermitted):
        vault.biometrics(cameo.id)
    with pytest.raises(CameoNotPermitted):
        vault.export_package(cameo.id, tmp_path / "x.cameo")


def test_ledger_records_every_use(tmp_path):
    vault = Vault(tmp_path / "v")
    cameo = vault.create("Eileen", _consent(), _bio())
    vault.record_use(cameo.id, {"kind": "render", "take": "take_1", "draft": True})
    vault.record_use(cameo.id, {"kind": "render", "take": "take_2", "draft": False})
    entries = vault.ledger(cameo.id)
    assert [e["take"] for e in entries] == ["take_1", "take_2"]
    assert entries[0]["draft"] is True and entries[0]["by"] == vault.owner_id()
    assert _mode(vault.root / cameo.id / "ledger.jsonl") == 0o600


def _two_people(tmp_path):
    owner = Vault(tmp_path / "owner")
    friend = Vault(tmp_path / "friend")
    cameo = owner.create("Eileen", _consent(), _bio())
    return owner, friend, cameo


def test_signed_package_round_trip_for_an_approved_person(tmp_path):
    owner, friend, cameo = _two_people(tmp_path)
    pkg = owner.export_package(cameo.id, tmp_path / "e.cameo", permission="approved", approved=(friend.owner_id(),))
    assert _mode(pkg) == 0o600
    imported = friend.import_package(pkg)
    assert imported.imported and imported.owner == owner.owner_id() and imported.permission == "approved"
    assert friend.check_render_allowed(imported.id).id == cameo.id
    np.testing.assert_array_equal(friend.biometrics(imported.id).embedding, _bio().embedding)
    assert [e["kind"] for e in owner.ledger(cameo.id)] == ["export"]
    # An imported cameo is not the importer's to re-share or re-permission.
    with pytest.raises(CameoNotPermitted):
        friend.export_package(imported.id, tmp_path / "again.cameo")
    with pytest.raises(CameoNotPermitted):
        friend.set_permission(imported.id, "everyone")


def test_unpermitted_packages_are_refused(tmp_path):
    owner, friend, cameo = _two_people(tmp_path)
    stranger = Vault(tmp_path / "stranger")
    only_me = owner.export_package(cameo.id, tmp_path / "only.cameo")
    with pytest.raises(CameoNotPermitted, match="not shared with you"):
        friend.import_package(only_me)
    approved = owner.export_package(cameo.id, tmp_path / "appr.cameo", permission="approved", approved=(friend.owner_id(),))
    with pytest.raises(CameoNotPermitted, match="not shared with you"):
        stranger.import_package(approved)
    everyone = owner.export_package(cameo.id, tmp_path / "all.cameo", permission="everyone")
    assert stranger.import_package(everyone).permission == "everyone"
    assert not (stranger.root / cameo.id).joinpath("x").exists()


@pytest.mark.parametrize("change", ["payload", "permission", "expiry", "signature"])
def test_tampered_packages_are_refused(tmp_path, change):
    owner, friend, cameo = _two_people(tmp_path)
    pkg = owner.export_package(cameo.id, tmp_path / "e.cameo", permission="approved", approved=("0" * 32,))
    doc = json.loads(pkg.read_text())
    if change == "payload":
        raw = bytearray(base64.b64decode(doc["payload"]))
        raw[-100] ^= 0xFF
        doc["payload"] = base64.b64encode(bytes(raw)).decode()
    elif change == "permission":
        doc["manifest"]["permission"] = "everyone"
        doc["manifest"]["cameo"]["permission"] = "everyone"
    elif change == "expiry":
        doc["manifest"]["expires_at"] = "2999-01-01T00:00:00+00:00"
    else:
        doc["signature"] = base64.b64encode(b"\0" * 64).decode()
    bad = tmp_path / "bad.cameo"
    bad.write_text(json.dumps(doc))
    with pytest.raises(CameoNotPermitted, match="tampered|changed after it was signed"):
        friend.import_package(bad)
    assert friend.list() == []


def test_expired_packages_are_refused_and_imported_cameos_expire(tmp_path, monkeypatch):
    owner, friend, cameo = _two_people(tmp_path)
    from studio.cameo import vault as vault_module

    past = vault_module._now() - timedelta(days=1)
    old = owner.export_package(cameo.id, tmp_path / "old.cameo", permission="everyone", expires=past)
    with pytest.raises(CameoNotPermitted, match="expired"):
        friend.import_package(old)
    soon = owner.export_package(cameo.id, tmp_path / "soon.cameo", permission="everyone", expires=parse_expiry("1h"))
    imported = friend.import_package(soon)
    assert friend.check_render_allowed(imported.id)
    later = vault_module._now() + timedelta(hours=2)
    monkeypatch.setattr(vault_module, "_now", lambda: later)
    with pytest.raises(CameoNotPermitted, match="expired"):
        friend.check_render_allowed(imported.id)


def test_unreadable_package_gets_a_clear_message(tmp_path):
    vault = Vault(tmp_path / "v")
    junk = tmp_path / "junk.cameo"
    junk.write_text("not json")
    with pytest.raises(VaultError, match="junk.cameo is not a readable cameo package"):
        vault.import_package(junk)
    with pytest.raises(VaultError, match="does not exist"):
        vault.import_package(tmp_path / "missing.cameo")
    with pytest.raises(VaultError, match="expiry"):
        parse_expiry("next tuesday")


def test_permission_changes_apply_to_renders(tmp_path):
    owner, friend, cameo = _two_people(tmp_path)
    pkg = owner.export_package(cameo.id, tmp_path / "e.cameo", permission="everyone")
    imported = friend.import_package(pkg)
    # The friend's copy says "everyone"; forging it locally to exclude the friend is caught at render time.
    meta_path = friend.root / imported.id / "cameo.json"
    meta = json.loads(meta_path.read_text())
    meta["permission"] = "only_me"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(CameoNotPermitted, match="not permitted"):
        friend.check_render_allowed(imported.id)
    assert owner.set_permission(cameo.id, "approved", (friend.owner_id(),)).approved == (friend.owner_id(),)
