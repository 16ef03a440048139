"""Who signs Studio's content credentials: a local certificate authority, or the user's own.

On first use Studio creates, under its data folder, a small private CA: a root
certificate (the trust anchor `studio verify` checks against) and an
end-entity certificate that signs the C2PA manifests. Both use ES256 (P-256)
keys. The end-entity certificate carries what the C2PA trust model (c2pa-rs'
certificate checks) requires of a signer: not a CA, ``digitalSignature`` key
usage (critical), the ``emailProtection`` and ``documentSigning`` extended key
usages, and subject/authority key identifiers so the chain can be built.

A user may configure their own certificate chain and key instead
(`studio credentials --use CERT KEY`); they are checked, then copied beside
the local CA. Key files are written readable only by the user (0600) in a
folder only the user can enter (0700).

The data folder is ``$STUDIO_DATA_DIR`` when set (tests use it), else the
platformdirs user data folder.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from studio import APP_NAME
from studio.domain.errors import ExplainedError

CREDENTIALS_FOLDER = "credentials"
ROOT_CERT = "root_ca.pem"
ROOT_KEY = "root_ca.key"
SIGNER_CERT = "signer_chain.pem"
"""The end-entity certificate followed by the root, as C2PA wants the chain."""
SIGNER_KEY = "signer.key"
USER_CERT = "user_chain.pem"
USER_KEY = "user.key"
TRUST_ANCHORS = "trust_anchors.pem"
"""Extra trust anchors the user added (PEM, any number of certificates)."""

DOCUMENT_SIGNING_OID = "1.3.6.1.5.5.7.3.36"  # id-kp-documentSigning (RFC 9336), accepted by c2pa-rs
ROOT_YEARS = 20
SIGNER_YEARS = 5


class CredentialsError(ExplainedError):
    """Signing credentials are missing, unreadable or unusable; has ``message`` and ``hint``."""


@dataclass(frozen=True)
class SigningIdentity:
    """What signs a manifest: a PEM certificate chain (signer first) and its private key."""

    chain_pem: bytes
    key_pem: bytes
    source: str
    """"local CA" or "user certificate"."""
    algorithm: str = "es256"

    @property
    def subject(self) -> str:
        from cryptography import x509

        cert = x509.load_pem_x509_certificate(self.chain_pem)
        return cert.subject.rfc4514_string()


def data_dir() -> Path:
    """Studio's per-user data folder (``$STUDIO_DATA_DIR`` overrides it)."""
    override = os.environ.get("STUDIO_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("studio", appauthor=False))


def credentials_dir() -> Path:
    return data_dir() / CREDENTIALS_FOLDER


# --------------------------------------------------------------------------- files


def _private_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, stat.S_IRWXU)  # 0700: other users cannot even list it
    return folder


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` atomically with ``mode`` from the start (no readable window)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # the umask may have narrowed it; be exact
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read(path: Path, what: str, hint: str | None = None) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CredentialsError(f"cannot read the {what} {path}: {exc.strerror or exc}",
                               hint or f"check its permissions, or delete {path.parent} to make a new local CA") from None


# --------------------------------------------------------------------------- the local CA


def _name(common_name: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{APP_NAME} (local)"),
    ])


def _key_usage(*, signing: bool):
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=signing, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=not signing, crl_sign=not signing, encipher_only=False, decipher_only=False,
    )


def create_local_ca(folder: Path, *, user_label: str | None = None) -> None:
    """Create a root CA and a C2PA signing certificate issued by it in ``folder``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

    label = user_label or os.environ.get("USER") or os.environ.get("USERNAME") or "user"
    now = _dt.datetime.now(_dt.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{APP_NAME} local root CA ({label})")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=365 * ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{APP_NAME} content credentials ({label})")).issuer_name(root_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(minutes=5))
        .not_valid_after(now + _dt.timedelta(days=365 * SIGNER_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ObjectIdentifier(DOCUMENT_SIGNING_OID)]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )

    def pem_key(key) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    def pem_cert(cert) -> bytes:
        return cert.public_bytes(serialization.Encoding.PEM)

    # The root certificate goes last: its presence means the set is complete.
    _private_folder(folder)
    _write_private(folder / ROOT_KEY, pem_key(root_key))
    _write_private(folder / SIGNER_KEY, pem_key(signer_key))
    _write_private(folder / SIGNER_CERT, pem_cert(signer) + pem_cert(root), 0o644)
    _write_private(folder / ROOT_CERT, pem_cert(root), 0o644)


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; first use is rarely concurrent there
        yield
        return
    with open(folder / ".lock", "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def local_ca_exists(folder: Path | None = None) -> bool:
    folder = folder or credentials_dir()
    return all((folder / n).is_file() for n in (ROOT_CERT, SIGNER_CERT, SIGNER_KEY))


def ensure_local_ca(folder: Path | None = None) -> Path:
    """The credentials folder, with a local CA created in it on first use."""
    folder = folder or credentials_dir()
    if not local_ca_exists(folder):
        try:
            _private_folder(folder)
            with _folder_lock(folder):
                # Two exports starting at once must not pair one's key with the other's certificate.
                if not local_ca_exists(folder):
                    create_local_ca(folder)
        except OSError as exc:
            raise CredentialsError(f"cannot create the local signing certificate in {folder}: {exc.strerror or exc}",
                                   "make the Studio data folder writable, or set STUDIO_DATA_DIR") from None
    return folder


# --------------------------------------------------------------------------- the identity


def check_identity(chain_pem: bytes, key_pem: bytes, where: str, key_where: str | None = None) -> None:
    """Raise CredentialsError when the chain and key cannot sign C2PA manifests (with the reason).

    ``where`` names the chain file in messages, ``key_where`` the key file (default: ``where``).
    """
    key_where = key_where or where
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        certs = x509.load_pem_x509_certificates(chain_pem)
    except ValueError:
        raise CredentialsError(f"{where}: the certificate file holds no PEM certificate",
                               "give a PEM chain, signing certificate first") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise CredentialsError(f"{key_where}: the key is not an unencrypted PEM private key ({exc})",
                               "export it without a passphrase (PKCS#8 PEM)") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise CredentialsError(f"{key_where}: the key must be an EC P-256 key (ES256)", "make an ES256 key and certificate")
    leaf = certs[0]
    if leaf.public_key().public_numbers() != key.public_key().public_numbers():
        raise CredentialsError(f"{key_where}: the key does not belong to the first certificate of {where}",
                               "put the signing certificate first in the chain file")
    now = _dt.datetime.now(_dt.timezone.utc)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise CredentialsError(f"{where}: the signing certificate is not valid now (until {leaf.not_valid_after_utc:%Y-%m-%d})",
                               "renew the certificate")
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
        if not usage.digital_signature:
            raise CredentialsError(f"{where}: the certificate's key usage lacks digitalSignature", "issue a signing certificate")
    except x509.ExtensionNotFound:
        pass
    try:
        eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise CredentialsError(f"{where}: the certificate has no extended key usage; C2PA requires one",
                               "issue it with emailProtection or documentSigning") from None
    allowed = {"1.3.6.1.5.5.7.3.4", DOCUMENT_SIGNING_OID, "1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9",
               "1.3.6.1.4.1.62558.2.1", "1.3.6.1.4.1.311.76.59.1.9"}
    if not any(o.dotted_string in allowed for o in eku):
        raise CredentialsError(f"{where}: the certificate's extended key usage is not one C2PA accepts",
                               "issue it with emailProtection or documentSigning")


def use_user_certificate(chain_path: Path, key_path: Path, folder: Path | None = None) -> SigningIdentity:
    """Check a user's certificate chain and key, then copy them into the credentials folder."""
    chain = _read(Path(chain_path), "certificate chain", "check the path to your PEM certificate chain")
    key = _read(Path(key_path), "private key", "check the path to your PEM private key")
    check_identity(chain, key, str(chain_path), str(key_path))
    folder = _private_folder(folder or credentials_dir())
    _write_private(folder / USER_KEY, key)
    _write_private(folder / USER_CERT, chain, 0o644)
    return SigningIdentity(chain, key, "user certificate")


def forget_user_certificate(folder: Path | None = None) -> None:
    """Go back to signing with the local CA."""
    folder = folder or credentials_dir()
    for name in (USER_CERT, USER_KEY):
        (folder / name).unlink(missing_ok=True)


def signing_identity(folder: Path | None = None) -> SigningIdentity:
    """The configured user certificate if there is one, else the local CA's signer (created on first use)."""
    folder = folder or credentials_dir()
    if (folder / USER_CERT).is_file() and (folder / USER_KEY).is_file():
        chain, key = _read(folder / USER_CERT, "certificate chain"), _read(folder / USER_KEY, "private key")
        check_identity(chain, key, str(folder / USER_CERT))
        return SigningIdentity(chain, key, "user certificate")
    ensure_local_ca(folder)
    return SigningIdentity(_read(folder / SIGNER_CERT, "signing certificate"), _read(folder / SIGNER_KEY, "signing key"),
                           "local CA")


def add_trust_anchor(pem_path: Path, folder: Path | None = None) -> int:
    """Append the certificates of ``pem_path`` to the trusted anchors; returns how many were added."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    data = _read(Path(pem_path), "trust anchor", "check the path to the CA certificate file")
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise CredentialsError(f"{pem_path}: no PEM certificate in it", "give a PEM file of CA certificates") from None
    folder = _private_folder(folder or credentials_dir())
    existing = (folder / TRUST_ANCHORS).read_bytes() if (folder / TRUST_ANCHORS).is_file() else b""
    added = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    _write_private(folder / TRUST_ANCHORS, existing + added, 0o644)
    return len(certs)


def trust_anchors_pem(folder: Path | None = None, extra: bytes = b"") -> bytes:
    """Every certificate `studio verify` trusts: the local root, user-added anchors, ``extra``.

    The local root is read only if it exists: verifying never creates a CA.
    """
    folder = folder or credentials_dir()
    parts = []
    for name in (ROOT_CERT, TRUST_ANCHORS):
        if (folder / name).is_file():
            parts.append(_read(folder / name, "trust anchor"))
    if (folder / USER_CERT).is_file():
        # The top of a configured chain is the user's own root; trust what they sign with.
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization

        certs = x509.load_pem_x509_certificates(_read(folder / USER_CERT, "certificate chain"))
        parts.append(certs[-1].public_bytes(serialization.Encoding.PEM))
    parts.append(extra)
    return b"".join(p if p.endswith(b"\n") or not p else p + b"\n" for p in parts)


def remove_credentials(folder: Path | None = None) -> None:
    """Delete the local CA and any configured certificate (a new CA is made on the next export)."""
    shutil.rmtree(folder or credentials_dir(), ignore_errors=True)
