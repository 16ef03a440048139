"""Issue 16: consent enforced at export, remix trusts only trusted signers, verify misses no changed byte."""

from __future__ import annotations

import struct
from dataclasses import replace
from pathlib import Path

import pytest

from studio.cli import main as cli_main
from studio.media.decode import mp4_boxes
from studio.persistence.bundle import save_project
from studio.provenance.content_credentials import build_manifest, sign_mp4, verify_mp4
from studio.provenance.credentials import SigningIdentity, create_local_ca
from studio.provenance.remix import remix_mp4
from studio.services.cameo_casting import CameoRefused
from studio.services.export import export_project
from tests.support.cameos import make_cameo, no_os_keyring
from tests.support.projects import small_project


@pytest.fixture(autouse=True)
def _no_keyring():
    with no_os_keyring():
        yield


def cast(project, cameo_id):
    hero = replace(project.bible.characters[0], cameo_id=cameo_id)
    return replace(project, bible=replace(project.bible, characters=(hero,)))


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """A fresh export (no cameo) signed on this machine, in a private data folder."""
    folder = tmp_path_factory.mktemp("integrity")
    with pytest.MonkeyPatch.context() as mp, no_os_keyring():
        mp.setenv("STUDIO_DATA_DIR", str(folder / "data"))
        project = small_project("a ball bounces in the park", frames=4, size=(64, 64))
        bundle = save_project(project, folder / "p")
        report = export_project(project, bundle, folder / "out.mp4")
    return report.path, folder / "data"


# ----------------------------------------------------------------------------- 1. consent at export


@pytest.mark.slow
def test_a_revoked_cameo_is_not_exported_and_the_refusal_is_ledgered(tmp_path, capsys):
    from studio.cameo.vault import Vault

    cameo = make_cameo("Mei")
    project = cast(small_project("Mei walks in the park", frames=4, size=(64, 64)), cameo.id)
    bundle = save_project(project, tmp_path / "p.studio")
    assert cli_main(["render", str(bundle), "-o", str(tmp_path / "first.mp4"), "-q"]) == 0
    assert [e["kind"] for e in Vault().ledger(cameo.id)][-1] == "video_export"
    Vault().revoke(cameo.id)
    capsys.readouterr()
    # The takes already hold the face: no new render is needed, yet the export must be refused.
    assert cli_main(["render", str(bundle), "-o", str(tmp_path / "again.mp4"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "revoked" in err and cameo.id in err
    assert not (tmp_path / "again.mp4").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.mp4", "p.studio"]
    assert Vault().ledger(cameo.id)[-1]["kind"] == "export_refused"


def test_a_cameo_the_vault_does_not_hold_is_not_exported(tmp_path):
    from studio.domain.errors import ExplainedError

    project = small_project("Mei walks in the park", frames=4, size=(64, 64))
    bundle = save_project(project, tmp_path / "p.studio")
    project = export_project(project, bundle, tmp_path / "plain.mp4").project
    # project.json edited by hand (or a remix) to name a cameo this vault never held.
    with pytest.raises(ExplainedError) as info:
        export_project(cast(project, "cameo_nobody"), bundle, tmp_path / "out.mp4")
    assert "cameo_nobody" in info.value.message
    assert not (tmp_path / "out.mp4").exists()


def test_a_take_that_shows_a_cameo_is_refused_after_the_cameo_left_the_character(tmp_path):
    from studio.cameo.vault import Vault

    cameo = make_cameo("Mei")
    project = cast(small_project("Mei walks in the park", frames=4, size=(64, 64)), cameo.id)
    bundle = save_project(project, tmp_path / "p.studio")
    project = export_project(project, bundle, tmp_path / "a.mp4").project
    Vault().revoke(cameo.id)
    # Cameo taken off the character, but the selected take was rendered with the face.
    uncast = cast(project, None)
    # Either answer keeps the face out of the file: refuse, or (as now, since a take is out of
    # date when its characters' cameos change) render the shot again without the cameo.
    try:
        report = export_project(uncast, bundle, tmp_path / "b.mp4")
    except CameoRefused:
        return
    from studio.services.cameo_casting import cameos_in_takes

    shown = cameos_in_takes(report.project, [(s, s.selected_take) for s in report.project.shots])
    assert cameo.id not in shown, shown
    old_takes = {s.id: s.selected_take.id for s in project.shots}
    assert all(s.selected_take.id != old_takes[s.id] for s in report.project.shots)


# ----------------------------------------------------------------------------- 2. untrusted signers


def test_an_untrusted_signer_cannot_put_your_cameo_on_a_character(tmp_path, capsys):
    cameo = make_cameo("Mei")
    project = cast(small_project("Mei walks in the park", frames=4, size=(64, 64)), cameo.id)
    bundle = save_project(project, tmp_path / "p.studio")
    real = export_project(project, bundle, tmp_path / "real.mp4")
    # Someone re-signs the same video with a CA they made themselves.
    create_local_ca(tmp_path / "evil")
    evil = SigningIdentity((tmp_path / "evil" / "signer_chain.pem").read_bytes(),
                           (tmp_path / "evil" / "signer.key").read_bytes(), "local CA")
    forged = sign_mp4(real.path, tmp_path / "forged.mp4", build_manifest(real.project, [
        (s, s.selected_take) for s in real.project.shots]), evil)
    r = verify_mp4(forged)
    assert not r.trusted and not r.ok
    result = remix_mp4(forged, tmp_path / "remix.studio", may_use_cameo=lambda _: True)
    assert result.kept_cameos == () and cameo.id in result.dropped_cameos
    assert cli_main(["remix", str(forged), "-o", str(tmp_path / "remix2.studio")]) == 0
    out = capsys.readouterr().out
    assert "carried over (your vault" not in out and "not from a trusted signer" in out


# ----------------------------------------------------------------------------- 3. verify misses nothing


def _flip(src: Path, dst: Path, at: int) -> Path:
    data = bytearray(src.read_bytes())
    data[at] ^= 0x01
    dst.write_bytes(bytes(data))
    return dst


def test_a_fresh_export_verifies_trusted_on_the_machine_that_made_it(signed, monkeypatch):
    path, data = signed
    monkeypatch.setenv("STUDIO_DATA_DIR", str(data))
    r = verify_mp4(path)
    assert r.ok and r.seal and not r.failures
    assert [b[0] for b in mp4_boxes(path)][-1] == "free"  # the seal


@pytest.mark.slow
def test_every_changed_byte_outside_the_media_is_reported_altered(signed, monkeypatch, tmp_path):
    """ftyp, the C2PA box, free boxes, the seal: each flip was 'signed, unchanged' before."""
    path, data = signed
    monkeypatch.setenv("STUDIO_DATA_DIR", str(data))
    size = path.stat().st_size
    missed = []
    for kind, offset, length in mp4_boxes(path):
        step = 1 if length <= 64 else max(1, length // 60)
        for at in range(offset, offset + length, step):
            r = verify_mp4(_flip(path, tmp_path / "f.mp4", at))
            if not r.altered:
                missed.append((kind, at - offset))
    assert missed == [], missed
    assert size == path.stat().st_size


def test_appended_renamed_or_removed_boxes_are_reported_altered(signed, monkeypatch, tmp_path):
    path, data = signed
    monkeypatch.setenv("STUDIO_DATA_DIR", str(data))
    raw = path.read_bytes()
    boxes = mp4_boxes(path)
    free = next(b for b in boxes if b[0] == "free")
    seal = boxes[-1]
    variants = {
        "appended free": raw + struct.pack(">I4s", 16, b"free") + bytes(8),
        "appended skip": raw + struct.pack(">I4s", 8, b"skip"),
        "free renamed skip": raw[:free[1] + 4] + b"skip" + raw[free[1] + 8:],
        "seal renamed skip": raw[:seal[1] + 4] + b"skip" + raw[seal[1] + 8:],
        "seal removed": raw[:seal[1]],
        "trailing bytes": raw + b"\x00" * 3,
    }
    for name, content in variants.items():
        (tmp_path / "v.mp4").write_bytes(content)
        r = verify_mp4(tmp_path / "v.mp4")
        assert r.altered and not r.ok, name
        assert cli_main(["verify", str(tmp_path / "v.mp4")]) != 0, name


def test_a_full_disk_while_signing_is_not_blamed_on_the_certificate(signed, monkeypatch, tmp_path):
    import shutil
    from collections import namedtuple

    import c2pa

    from studio.provenance import content_credentials
    from studio.provenance.content_credentials import SigningError

    path, data = signed
    monkeypatch.setenv("STUDIO_DATA_DIR", str(data))

    def no_space(*args, **kwargs):
        raise c2pa.C2paError("IO error writing the output")

    monkeypatch.setattr(c2pa.Builder, "sign", no_space)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10, 10, 0))
    with pytest.raises(SigningError) as info:
        content_credentials.sign_mp4(path, tmp_path / "x.mp4", {"title": "t", "assertions": []})
    assert "disk is full" in info.value.message and "credentials" not in info.value.hint
    assert not (tmp_path / "x.mp4").exists()
