"""The local certificate authority and user-configured signing certificates."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from studio.provenance import credentials as cr


def test_local_ca_is_created_once_with_private_keys(tmp_path):
    folder = tmp_path / "creds"
    identity = cr.signing_identity(folder)
    assert identity.source == "local CA"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in (cr.ROOT_KEY, cr.SIGNER_KEY):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    # A second call reuses the same key (no new CA behind the user's back).
    assert cr.signing_identity(folder).key_pem == identity.key_pem


def test_signer_certificate_has_what_c2pa_requires(tmp_path):
    identity = cr.signing_identity(tmp_path)
    leaf, root = x509.load_pem_x509_certificates(identity.chain_pem)
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey) and leaf.public_key().curve.name == "secp256r1"
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    ekus = {o.dotted_string for o in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value}
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string in ekus and cr.DOCUMENT_SIGNING_OID in ekus
    aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    assert aki == root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    leaf.verify_directly_issued_by(root)
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert cr.trust_anchors_pem(tmp_path).startswith(root.public_bytes(serialization.Encoding.PEM))


def test_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "elsewhere"))
    assert cr.credentials_dir() == tmp_path / "elsewhere" / "credentials"


def _write_chain(tmp_path, *, key=None, eku=True, days=365):
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Someone")])
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
         .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days)))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    cert = b.sign(key, hashes.SHA256())
    chain, keyfile = tmp_path / "chain.pem", tmp_path / "key.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return chain, keyfile


def test_a_user_certificate_replaces_the_local_ca_and_back(tmp_path):
    folder = tmp_path / "creds"
    chain, key = _write_chain(tmp_path)
    cr.use_user_certificate(chain, key, folder)
    assert stat.S_IMODE((folder / cr.USER_KEY).stat().st_mode) == 0o600
    identity = cr.signing_identity(folder)
    assert identity.source == "user certificate" and identity.chain_pem == chain.read_bytes()
    cr.forget_user_certificate(folder)
    assert cr.signing_identity(folder).source == "local CA"


@pytest.mark.parametrize(
    "kind, words",
    [
        ("rsa", "EC P-256"),
        ("no_eku", "extended key usage"),
        ("other_key", "does not belong"),
        ("expired", "not valid now"),
        ("garbage", "no PEM certificate"),
    ],
)
def test_unusable_user_certificates_are_refused_clearly(tmp_path, kind, words):
    if kind == "rsa":
        chain, key = _write_chain(tmp_path)
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key.write_bytes(rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    elif kind == "no_eku":
        chain, key = _write_chain(tmp_path, eku=False)
    elif kind == "other_key":
        chain, key = _write_chain(tmp_path)
        key.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    elif kind == "expired":
        chain, key = _write_chain(tmp_path, days=-1)
    else:
        chain, key = _write_chain(tmp_path)
        chain.write_text("not a certificate")
    with pytest.raises(cr.CredentialsError, match=words) as info:
        cr.use_user_certificate(chain, key, tmp_path / "creds")
    assert info.value.hint
    assert not (tmp_path / "creds" / cr.USER_KEY).exists()


def test_missing_key_file_names_the_file(tmp_path):
    chain, _ = _write_chain(tmp_path)
    with pytest.raises(cr.CredentialsError, match="missing.pem"):
        cr.use_user_certificate(chain, tmp_path / "missing.pem", tmp_path / "creds")


def test_credentials_command_switches_certificates_and_adds_anchors(tmp_path, monkeypatch, capsys):
    from studio.cli import main as cli_main

    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    assert cli_main(["credentials"]) == 0
    assert "local CA" in capsys.readouterr().out
    chain, key = _write_chain(tmp_path)
    assert cli_main(["credentials", "--use", str(chain), str(key)]) == 0
    assert "CN=Someone" in capsys.readouterr().out
    assert cr.signing_identity().source == "user certificate"
    assert cli_main(["credentials", "--local", "--trust", str(chain)]) == 0
    out = capsys.readouterr().out
    assert "Added 1 trust anchor" in out and "local CA" in out
    assert chain.read_bytes().strip() in cr.trust_anchors_pem()
    assert cli_main(["credentials", "--use", str(tmp_path / "nope.pem"), str(key)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.pem" in err and "check the path" in err
