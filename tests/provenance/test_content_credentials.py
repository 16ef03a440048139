"""Every export is signed; verify says valid, trusted, altered; remix renders the same frames again."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from studio.cli import main as cli_main
from studio.media.decode import mp4_boxes, read_all_frames, read_metadata
from studio.persistence.bundle import load_project, save_project
from studio.provenance.content_credentials import (
    TRAINED_ALGORITHMIC_MEDIA,
    SigningError,
    build_manifest,
    sign_mp4,
    verify_mp4,
)
from studio.provenance.credentials import CREDENTIALS_FOLDER, SigningIdentity, create_local_ca
from studio.provenance.recipe import RECIPE_KEY
from studio.provenance.remix import remix_mp4, remix_project, read_recipe_from_mp4
from studio.services.export import export_project
from tests.support.cameos import make_cameo, no_os_keyring
from tests.support.projects import small_project

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _no_keyring():
    with no_os_keyring():
        yield


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """One export casting the user's own cameo, signed by a local CA, all in a private data folder."""
    folder = tmp_path_factory.mktemp("signed")
    data = folder / "data"
    with pytest.MonkeyPatch.context() as mp, no_os_keyring():
        mp.setenv("STUDIO_DATA_DIR", str(data))
        cameo = make_cameo("Mei")
        project = small_project("Mei walks to the university in the morning", "a ball bounces in the park", frames=12)
        hero = replace(project.bible.characters[0], cameo_id=cameo.id)
        project = replace(project, bible=replace(project.bible, characters=(hero,)))
        bundle = save_project(project, folder / "p")
        report = export_project(project, bundle, folder / "out.mp4")
    return project, report.path, data, cameo.id


@pytest.fixture
def data_dir(signed, monkeypatch):
    monkeypatch.setenv("STUDIO_DATA_DIR", str(signed[2]))
    return signed[2]


def frames_digest(path: Path) -> str:
    return hashlib.sha256(read_all_frames(path).tobytes()).hexdigest()


def flip_byte_in_box(src: Path, dst: Path, box: str, at: float = 0.5) -> None:
    data = bytearray(src.read_bytes())
    kind, offset, size = next(b for b in mp4_boxes(src) if b[0] == box)
    data[offset + 16 + int((size - 32) * at)] ^= 0x01
    dst.write_bytes(bytes(data))


def test_export_is_signed_trusted_and_declares_ai_engines_and_cameos(signed, data_dir):
    project, path, _, cameo_id = signed
    r = verify_mp4(path)
    assert (r.has_manifest, r.signature_valid, r.trusted, r.altered, r.state) == (True, True, True, False, "Trusted")
    assert r.ok and r.failures == []
    assert r.ai_generated and r.digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    assert r.generator.startswith("Studio ") and r.title == project.title
    assert r.engines == ["sketch 1.0"] or all(e.startswith("sketch") for e in r.engines)
    assert [(c["cameo_id"], c["character"]) for c in r.cameos] == [(cameo_id, "Mei")]
    # The consent reference names the vault's consent record by its time, statement version and digest.
    assert r.cameos[0]["consent"].startswith(f"{cameo_id}/consent@20") and ";sha256=" in r.cameos[0]["consent"]
    # The credentials bind the recipe that travels in the file, and that recipe still has no cameo ids.
    recipe_text = read_metadata(path)[RECIPE_KEY]
    assert r.recipe_sha256 == hashlib.sha256(recipe_text.encode("utf-8")).hexdigest() and r.recipe_intact
    assert cameo_id not in recipe_text


def test_one_changed_byte_of_media_is_reported_as_altered(signed, data_dir, tmp_path):
    path = signed[1]
    tampered = tmp_path / "tampered.mp4"
    flip_byte_in_box(path, tampered, "mdat")
    r = verify_mp4(tampered)
    assert r.has_manifest and r.altered and not r.ok and r.state == "Invalid"
    assert any("mismatch" in f["code"] for f in r.failures)
    assert cli_main(["verify", str(tampered)]) == 1


def test_a_changed_recipe_is_reported_as_altered(signed, data_dir, tmp_path):
    path = signed[1]
    data = path.read_bytes()
    start = data.index(b'"title":"test"')
    tampered = tmp_path / "recipe.mp4"
    tampered.write_bytes(data[:start] + b'"title":"evil"' + data[start + 14:])
    assert read_metadata(tampered)[RECIPE_KEY] != read_metadata(path)[RECIPE_KEY]
    r = verify_mp4(tampered)
    assert r.altered and r.recipe_intact is False and not r.ok
    assert {"assertion.bmffHash.mismatch", "studio.recipe.mismatch"} <= {f["code"] for f in r.failures}


def test_untrusted_without_the_anchor_and_trusted_with_it(signed, tmp_path, monkeypatch, capsys):
    path, data = signed[1], signed[2]
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "someone_else"))
    r = verify_mp4(path)
    assert r.signature_valid and not r.altered and not r.trusted and not r.ok
    assert cli_main(["verify", str(path)]) == 3
    assert "not trusted" in capsys.readouterr().out
    anchor = data / CREDENTIALS_FOLDER / "root_ca.pem"
    assert cli_main(["verify", str(path), "--trust", str(anchor)]) == 0


def test_verify_json_and_unsigned_files(signed, data_dir, tmp_path, capsys):
    path = signed[1]
    assert cli_main(["verify", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and doc["trusted"] and not doc["altered"] and doc["manifest"]["title"] == "test"
    plain = tmp_path / "plain.mp4"
    data = bytearray(path.read_bytes())
    # An MP4 without its C2PA box: turn the uuid box into a 'free' box.
    kind, offset, size = next(b for b in mp4_boxes(path) if b[0] == "uuid")
    data[offset + 4 : offset + 8] = b"free"
    plain.write_bytes(bytes(data))
    r = verify_mp4(plain)
    assert not r.has_manifest and not r.ok and r.state == "none"
    assert cli_main(["verify", str(plain)]) == 1
    assert "no content credentials" in capsys.readouterr().out
    assert cli_main(["verify", str(tmp_path / "missing.mp4")]) == 2
    capsys.readouterr()


def test_a_failed_sign_leaves_nothing_and_keeps_the_old_file(signed, tmp_path):
    project, path = signed[0], signed[1]
    dest = tmp_path / "dest.mp4"
    dest.write_bytes(b"previous export")
    create_local_ca(tmp_path / "a")
    create_local_ca(tmp_path / "b")
    # A chain whose certificate does not match the key: c2pa refuses to sign.
    bad = SigningIdentity((tmp_path / "a" / "signer_chain.pem").read_bytes(), (tmp_path / "b" / "signer.key").read_bytes(),
                          "local CA")
    with pytest.raises(SigningError) as info:
        sign_mp4(path, dest, build_manifest(project, []), bad)
    assert info.value.message and info.value.hint
    assert dest.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "dest.mp4"]


def test_remix_round_trip_renders_the_same_frames(signed, data_dir, tmp_path, capsys):
    """The owner remixes their own video: the cameo comes back and the same seeds give the same frames."""
    project, path, _, cameo_id = signed
    remixed = tmp_path / "again.studio"
    assert cli_main(["remix", str(path), "-o", str(remixed)]) == 0
    assert "1 cameo(s) carried over" in capsys.readouterr().out
    p = load_project(remixed)
    assert p.id != project.id and [s.id for s in p.shots] == [s.id for s in project.shots]
    assert [s.seed for s in p.shots] == [s.seed for s in project.shots]
    assert p.bible.characters[0].cameo_id == cameo_id and all(not s.takes for s in p.shots)
    again = tmp_path / "again.mp4"
    assert cli_main(["render", str(remixed), "-o", str(again), "-q"]) == 0
    assert frames_digest(again) == frames_digest(path)
    assert verify_mp4(again).ok
    # Refuses to overwrite, and a file without a recipe is a clear error.
    assert cli_main(["remix", str(path), "-o", str(remixed)]) == 2
    assert cli_main(["remix", str(remixed / "project.json"), "-o", str(tmp_path / "x.studio")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "studio: error:" in err


def test_someone_else_remixing_gets_no_cameo_and_can_render(signed, tmp_path, monkeypatch, capsys):
    path = signed[1]
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "stranger"))
    remixed = tmp_path / "theirs.studio"
    assert cli_main(["remix", str(path), "-o", str(remixed)]) == 0
    assert "1 cameo(s) not carried over" in capsys.readouterr().out
    p = load_project(remixed)
    assert p.bible.characters[0].cameo_id is None and p.bible.characters[0].look  # keeps the look, not the face
    assert cli_main(["render", str(remixed), "-o", str(tmp_path / "theirs.mp4"), "-q"]) == 0


def test_cameos_come_back_only_with_permission(signed, data_dir, tmp_path):
    path, cameo_id = signed[1], signed[3]
    denied = remix_mp4(path, tmp_path / "denied.studio")
    assert denied.dropped_cameos == (cameo_id,) and denied.kept_cameos == ()
    allowed = remix_mp4(path, tmp_path / "allowed.studio", may_use_cameo=lambda cid: cid == cameo_id)
    assert allowed.kept_cameos == (cameo_id,)
    assert load_project(tmp_path / "allowed.studio").bible.characters[0].cameo_id == cameo_id
    # Credentials that no longer match the file give no cameo, whatever the permission says.
    tampered = tmp_path / "tampered.mp4"
    flip_byte_in_box(path, tampered, "mdat")
    assert remix_mp4(tampered, tmp_path / "t.studio", may_use_cameo=lambda _: True).kept_cameos == ()
    assert remix_project(read_recipe_from_mp4(path), may_use_cameo=lambda _: True).kept_cameos == ()


def test_an_export_whose_signing_fails_leaves_nothing_at_the_destination(tmp_path, monkeypatch):
    from studio.provenance import content_credentials

    create_local_ca(tmp_path / "a")
    create_local_ca(tmp_path / "b")
    bad = SigningIdentity((tmp_path / "a" / "signer_chain.pem").read_bytes(), (tmp_path / "b" / "signer.key").read_bytes(),
                          "local CA")
    monkeypatch.setattr(content_credentials, "signing_identity", lambda: bad)
    out = tmp_path / "out"
    out.mkdir()
    project = small_project("a ball bounces in the park", frames=6)
    bundle = save_project(project, tmp_path / "p")
    with pytest.raises(SigningError):
        export_project(project, bundle, out / "video.mp4")
    assert list(out.iterdir()) == []  # neither the video nor a hidden partial or unsigned file
    assert cli_main(["verify", str(out / "video.mp4")]) == 2
