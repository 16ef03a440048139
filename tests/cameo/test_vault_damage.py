"""Issue 16 item 5: a damaged vault says which file and what to do; it never mints a key over encrypted files."""

from __future__ import annotations

import pytest

from studio.cameo.vault import Vault, VaultError
from studio.cli import main as cli_main
from tests.support.cameos import make_cameo


def test_a_lost_vault_key_is_never_silently_replaced(capsys):
    cameo = make_cameo("Mei")
    vault = Vault()
    (vault.root / "vault.key").unlink()
    with pytest.raises(VaultError) as info:
        Vault().biometrics(cameo.id)
    assert "vault key is missing" in info.value.message and "Mei" in info.value.message
    assert "restore vault.key" in info.value.hint and "studio cameo reset" in info.value.hint
    assert not (vault.root / "vault.key").exists()  # nothing minted
    assert cli_main(["cameo", "list"]) == 1
    assert "vault key is missing" in capsys.readouterr().err


def test_revoke_with_a_lost_key_records_first_and_completes(capsys):
    cameo = make_cameo("Mei")
    vault = Vault()
    (vault.root / "vault.key").unlink()
    assert cli_main(["cameo", "revoke", cameo.id, "--yes"]) == 0
    v = Vault()
    assert v.get(cameo.id).revoked and v.revocation(cameo.id)["biometrics_deleted"] is True
    assert not (v.root / cameo.id / "biometrics.enc").exists()


def test_a_deleted_owner_key_is_not_replaced_by_a_new_identity():
    make_cameo("Mei")
    vault = Vault()
    (vault.root / "owner.key.enc").unlink()
    with pytest.raises(VaultError) as info:
        Vault().owner_id()
    assert "owner.key.enc" in info.value.message and not (vault.root / "owner.key.enc").exists()


def test_a_truncated_cameo_record_and_a_torn_ledger_line_are_named(capsys):
    a = make_cameo("Mei")
    b = make_cameo("Ken", seed=1)
    vault = Vault()
    vault.record_use(b.id, {"kind": "render"})
    with open(vault.root / b.id / "ledger.jsonl", "a") as f:
        f.write('{"kind": "rend')  # torn mid-append
    meta = vault.root / a.id / "cameo.json"
    meta.write_bytes(meta.read_bytes()[:40])
    assert cli_main(["cameo", "list"]) == 0
    out, err = capsys.readouterr()
    assert "Ken" in out and str(meta) in err and "ledger.jsonl: line 2" in err
    (vault.root / b.id / "cameo.json").write_text("")
    assert cli_main(["cameo", "list"]) == 1
    assert "no cameos yet" not in capsys.readouterr().out


def test_reset_deletes_the_vault_only_when_confirmed(capsys):
    make_cameo("Mei")
    assert cli_main(["cameo", "reset"]) == 2
    assert Vault().list()
    assert cli_main(["cameo", "reset", "--yes"]) == 0
    assert not Vault().root.exists()
