"""`studio cameo ...` headless: create from a file camera with --agree, refuse without consent, manage cameos."""

import json

import pytest

from studio import cli
from studio.cameo.vault import Vault

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("pinned_challenge")]


def run(*args):
    return cli.main(["cameo", *args])


def test_create_list_export_import_revoke(videos, capsys, tmp_path, monkeypatch):
    code = run("create", "--name", "Eileen", "--camera", str(videos["live"]), "--agree", "--signature", "Eileen")
    out = capsys.readouterr().out
    assert code == 0, out
    assert ">> turn left" in out and ">> read: " in out and "created cameo cameo_" in out
    vault = Vault()
    (cameo,) = vault.list()
    assert cameo.name == "Eileen" and cameo.permission == "only_me" and cameo.consent["signature"] == "Eileen"
    assert vault.biometrics(cameo.id).embedding.shape == (128,)

    assert run("list") == 0
    assert cameo.id in capsys.readouterr().out

    # Export for everyone, then import it into a second person's vault (another data folder).
    pkg = tmp_path / "eileen.cameo"
    assert run("export", "Eileen", "-o", str(pkg), "--permission", "everyone", "--expires", "2d") == 0
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "friend"))
    assert run("import", str(pkg)) == 0
    assert "imported cameo" in capsys.readouterr().out
    assert Vault().list()[0].imported
    assert run("import", str(pkg)) == 0  # importing again refreshes the expiry

    doc = json.loads(pkg.read_text())
    doc["manifest"]["expires_at"] = "2999-01-01T00:00:00+00:00"
    pkg.write_text(json.dumps(doc))
    assert run("import", str(pkg)) == 1
    assert "changed after it was signed" in capsys.readouterr().err

    assert run("revoke", Vault().list()[0].id, "--yes") == 0
    assert Vault().list()[0].revoked
    assert run("ledger", Vault().list()[0].id) == 0
    assert "import" in capsys.readouterr().out


def test_create_refuses_without_consent_and_opens_nothing(videos, capsys, monkeypatch):
    import cv2

    opened = []
    monkeypatch.setattr(cv2, "VideoCapture", lambda *a: opened.append(a))
    # Not a terminal and no --agree: refused.
    assert run("create", "--name", "Eileen", "--camera", str(videos["live"])) == 2
    assert "consent is needed before anything is captured" in capsys.readouterr().err
    # --agree without a signature, or with someone else's name: refused.
    assert run("create", "--name", "Eileen", "--camera", str(videos["live"]), "--agree") == 2
    assert "--signature" in capsys.readouterr().err
    assert run("create", "--name", "Eileen", "--camera", str(videos["live"]), "--agree", "--signature", "Grace") == 2
    assert "does not match" in capsys.readouterr().err
    assert opened == [] and Vault().list() == []


def test_terminal_consent_point_by_point(videos, capsys, monkeypatch):
    import sys

    answers = iter(["y", "y", "n"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert run("create", "--name", "Eileen", "--camera", str(videos["live"])) == 2
    err = capsys.readouterr().err
    assert "consent was not given, so nothing was captured" in err
    assert Vault().list() == []


def test_still_photo_makes_no_cameo(videos, capsys):
    code = run("create", "--name", "Eileen", "--camera", str(videos["still"]), "--agree", "--signature", "Eileen")
    assert code == 2
    err = capsys.readouterr().err
    assert "liveness check did not pass" in err and "turn to the left" in err
    assert Vault().list() == []


def test_missing_camera_file_is_one_clear_line(tmp_path, capsys):
    code = run("create", "--name", "Eileen", "--camera", str(tmp_path / "none.mp4"), "--agree", "--signature", "Eileen")
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none.mp4 does not exist" in err[0]


def test_cast_command_puts_the_cameo_into_the_story_bible(tmp_path, capsys):
    import numpy as np

    from studio.cameo.consent import CONSENT_POINTS, give_consent
    from studio.cameo.vault import Biometrics
    from studio.persistence.bundle import load_project, save_project
    from tests.support.projects import small_project

    vault = Vault()
    cameo = vault.create("Eileen Collins", give_consent("Eileen Collins", "Eileen Collins", [p.key for p in CONSENT_POINTS]),
                         Biometrics(np.zeros(128), (np.zeros((160, 160, 3), np.uint8),)))
    bundle = save_project(small_project(), tmp_path / "p")
    assert run("cast", str(bundle), cameo.id) == 0
    assert "write @Eileen" in capsys.readouterr().out
    bible = load_project(bundle).bible
    assert bible.find_by_name("Eileen").cameo_id == cameo.id and bible.find_by_name("Mei").cameo_id is None
    # An existing character takes the cameo in place.
    assert run("cast", str(bundle), "Eileen Collins", "--character", "mei") == 0
    assert load_project(bundle).bible.find_by_name("Mei").cameo_id == cameo.id
    assert run("cast", str(bundle), cameo.id, "--character", "Two Words") == 2
    vault.revoke(cameo.id)
    assert run("cast", str(bundle), cameo.id) == 1
    assert "revoked" in capsys.readouterr().err
