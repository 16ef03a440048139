"""Studio's whole-file seal: the bytes c2pa's BMFF hash leaves out are bound too.

c2pa-rs' BMFF hash skips the ``ftyp`` box, ``free``/``skip`` boxes, boxes
appended after the last one it hashed, and the unauthenticated bytes of its
own ``uuid`` box (JUMBF padding, description fields). A flip there verified as
"signed, unchanged". So every Studio export ends with one more top-level box,
a ``free`` box (which c2pa ignores by design) holding:

    MAGIC | u32 len(signature) | signature | u32 len(cert) | signer cert (DER)

The signature (the export's own signing key) covers SHA-256 of every byte of
the file before that box: ftyp, the C2PA store, moov, free, mdat, all of it.
The C2PA generation assertion names the seal (``"seal": SEAL_VERSION``), so a
file whose credentials promise a seal and that lacks one, has a different
last box, or has anything after it is reported altered. The seal's certificate
must be the one c2pa validated (same serial number and issuer), so the seal
adds no trust of its own: c2pa still decides "trusted"; the seal decides
"unchanged".
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

SEAL_VERSION = "studio-seal-v1"
MAGIC = b"StudioSeal\x00v1\x00"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class SealCheck:
    ok: bool
    explanation: str = ""


def _digest(path: Path, length: int) -> bytes:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        left = length
        while left > 0:
            block = fh.read(min(_CHUNK, left))
            if not block:
                break
            h.update(block)
            left -= len(block)
    return h.digest()


def _to_be_signed(digest: bytes) -> bytes:
    return SEAL_VERSION.encode() + b"\x00" + digest


def append_seal(path: Path, key_pem: bytes, chain_pem: bytes) -> None:
    """Append the seal box to the signed MP4 at ``path`` (in place; callers write to a temporary file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    key = serialization.load_pem_private_key(key_pem, password=None)
    leaf = x509.load_pem_x509_certificates(chain_pem)[0]
    size = Path(path).stat().st_size
    message = _to_be_signed(_digest(Path(path), size))
    if isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        signature = key.sign(message)
    elif isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    else:  # pragma: no cover - credentials.py only makes the three above
        raise ValueError(f"unsupported signing key type {type(key).__name__}")
    cert = leaf.public_bytes(serialization.Encoding.DER)
    payload = MAGIC + struct.pack(">I", len(signature)) + signature + struct.pack(">I", len(cert)) + cert
    with open(path, "ab") as fh:
        fh.write(struct.pack(">I4s", 8 + len(payload), b"free") + payload)


def _top_level_boxes(path: Path) -> list[tuple[bytes, int, int]] | None:
    """(type, offset, size) of every top-level box, or None when the layout does not parse to the end."""
    total = path.stat().st_size
    boxes = []
    with open(path, "rb") as fh:
        offset = 0
        while offset < total:
            fh.seek(offset)
            header = fh.read(16)
            if len(header) < 8:
                return None
            size, kind = struct.unpack(">I4s", header[:8])
            if size == 1:
                if len(header) < 16:
                    return None
                size = struct.unpack(">Q", header[8:16])[0]
            elif size == 0:
                size = total - offset
            if size < 8 or offset + size > total:
                return None
            boxes.append((kind, offset, size))
            offset += size
    return boxes


def _certificate_in_c2pa_store(path: Path, boxes, cert_der: bytes) -> bool:
    """Whether the seal's certificate is the one in the C2PA signature (its x5chain holds the DER verbatim)."""
    with open(path, "rb") as fh:
        for kind, offset, size in boxes:
            if kind == b"uuid" and size < (256 << 20):
                fh.seek(offset)
                if cert_der in fh.read(size):
                    return True
    return False


def check_seal(path: Path, signature_info: dict) -> SealCheck:
    """Whether ``path`` ends with an intact seal made by the certificate c2pa validated."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    path = Path(path)
    boxes = _top_level_boxes(path)
    if not boxes:
        return SealCheck(False, "the file's box layout does not parse to its end (bytes were added, cut or changed)")
    kind, offset, size = boxes[-1]
    with open(path, "rb") as fh:
        fh.seek(offset)
        box = fh.read(size)
    payload = box[8:]
    if kind != b"free" or not payload.startswith(MAGIC):
        return SealCheck(False, f"the last box is {kind.decode('latin-1')!r}, not Studio's seal: a box was added, "
                                "renamed or removed after signing")
    try:
        at = len(MAGIC)
        (n,) = struct.unpack(">I", payload[at:at + 4])
        signature = payload[at + 4:at + 4 + n]
        at += 4 + n
        (m,) = struct.unpack(">I", payload[at:at + 4])
        cert_der = payload[at + 4:at + 4 + m]
        if len(cert_der) != m or at + 4 + m != len(payload):
            raise ValueError("seal box length")
        cert = x509.load_der_x509_certificate(cert_der)
    except Exception as exc:  # any unparsable seal (cryptography raises several types) is a damaged one
        return SealCheck(False, f"Studio's seal is damaged ({type(exc).__name__}: {exc})")
    serial = str(signature_info.get("cert_serial_number", ""))
    if serial != str(cert.serial_number) or not _certificate_in_c2pa_store(path, boxes, cert_der):
        return SealCheck(False, "Studio's seal was made by another certificate than the content credentials")
    message = _to_be_signed(_digest(path, offset))
    public = cert.public_key()
    try:
        if isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(signature, message)
        elif isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        else:
            return SealCheck(False, "Studio's seal uses an unknown key type")
    except InvalidSignature:
        return SealCheck(False, "bytes outside the C2PA media hash (file type, C2PA box, free boxes) changed after signing")
    return SealCheck(True)
