"""The cameo vault: where cameos live on this machine, encrypted, readable only by their user.

Layout under the data folder (``STUDIO_DATA_DIR`` or platformdirs' user data dir)::

    cameo/                      0700
      vault.key                 0600  (only when no OS keyring works)
      owner.pub                 Ed25519 public key of this machine's owner
      owner.key.enc             its private key, AES-GCM under the vault key
      <cameo id>/               0700
        cameo.json              0600  name, owner, permission, consent, status
        biometrics.enc          0600  AES-GCM: the descriptor and reference crops
        ledger.jsonl            0600  one line per render that used the cameo
        revocation.json         0600  written by revoke (biometrics.enc is then gone)

The vault key (32 random bytes) lives in the OS keyring when one works
(``keyring``), else in ``vault.key`` with mode 0600. Biometric files are
authenticated with the cameo id as associated data, so a file swapped between
cameos does not decrypt.

Packages (`export_package` / `import_package`) are JSON: a manifest (cameo,
owner public key, permission, approved keys, expiry, SHA-256 of the payload),
the payload (descriptor and crops) and an Ed25519 signature over the manifest.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import secrets
import shutil
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from studio.cameo.consent import ConsentRecord
from studio.domain.errors import ExplainedError

log = logging.getLogger(__name__)

PERMISSIONS = ("only_me", "approved", "everyone")
KEYRING_SERVICE = "studio-cameo-vault"
PACKAGE_FORMAT = "studio-cameo-package"
PACKAGE_VERSION = 1
MAX_PACKAGE_BYTES = 32 * 1024 * 1024


class VaultError(ExplainedError):
    """A cameo operation the user can fix or must know about; ``message`` and ``hint``."""


class CameoNotPermitted(VaultError):
    """A render or import that the cameo's owner did not allow (revoked, expired, not approved)."""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def data_dir() -> Path:
    """Studio's user data folder (``STUDIO_DATA_DIR`` overrides it, for tests and portable installs)."""
    override = os.environ.get("STUDIO_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("studio", appauthor=False))


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` atomically into a file only the user can read or write."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _append_private(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def _shred(path: Path) -> None:
    """Overwrite a file with zeros before unlinking it (best effort on journaling/SSD storage)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as f:
            f.write(b"\0" * size)
            f.flush()
            os.fsync(f.fileno())
    except OSError:
        pass
    path.unlink(missing_ok=True)


def _canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fingerprint(public_key_bytes: bytes) -> str:
    """A short, readable id of an Ed25519 public key (first 16 bytes of its SHA-256, hex)."""
    return hashlib.sha256(public_key_bytes).hexdigest()[:32]


@dataclass(frozen=True)
class Biometrics:
    """What is encrypted at rest: the identity descriptor and the aligned reference crops."""

    embedding: np.ndarray
    """128-d float64, the robust mean."""
    crops: tuple[np.ndarray, ...]
    """Aligned face crops, RGB uint8."""

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        arrays = {"embedding": np.asarray(self.embedding, np.float64)}
        arrays.update({f"crop{i}": np.asarray(c, np.uint8) for i, c in enumerate(self.crops)})
        np.savez(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Biometrics":
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            emb = np.asarray(z["embedding"], np.float64)
            crops = tuple(np.asarray(z[f"crop{i}"], np.uint8) for i in range(sum(1 for k in z.files if k.startswith("crop"))))
        if emb.shape != (128,) or any(c.ndim != 3 or c.shape[2] != 3 for c in crops):
            raise ValueError("biometric data has the wrong shape")
        return cls(emb, crops)


@dataclass(frozen=True)
class Cameo:
    """A cameo's record (no biometrics: those are read on demand with `Vault.biometrics`)."""

    id: str
    name: str
    owner: str
    """Fingerprint of the owner's Ed25519 key."""
    owner_public_key: str
    """Base64 of the raw 32-byte public key."""
    owner_name: str
    permission: str
    approved: tuple[str, ...] = ()
    """Fingerprints of the people the owner approved (permission "approved")."""
    created_at: str = ""
    consent: dict = field(default_factory=dict)
    status: str = "active"
    """active or revoked."""
    expires_at: str | None = None
    """Imported cameos: when the owner's package stops being valid."""
    imported: bool = False
    liveness: dict = field(default_factory=dict)
    """The facts the liveness check measured when the cameo was made."""

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "owner": self.owner, "owner_public_key": self.owner_public_key,
            "owner_name": self.owner_name, "permission": self.permission, "approved": list(self.approved),
            "created_at": self.created_at, "consent": self.consent, "status": self.status,
            "expires_at": self.expires_at, "imported": self.imported, "liveness": self.liveness,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Cameo":
        return cls(
            id=str(d["id"]), name=str(d["name"]), owner=str(d["owner"]), owner_public_key=str(d["owner_public_key"]),
            owner_name=str(d.get("owner_name", "")), permission=str(d["permission"]),
            approved=tuple(d.get("approved", ())), created_at=str(d.get("created_at", "")), consent=dict(d.get("consent", {})),
            status=str(d.get("status", "active")), expires_at=d.get("expires_at"), imported=bool(d.get("imported", False)),
            liveness=dict(d.get("liveness", {})),
        )

    @property
    def revoked(self) -> bool:
        return self.status == "revoked"


def _parse_time(text: str) -> datetime:
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def parse_expiry(text: str, now: datetime | None = None) -> datetime:
    """``30d``, ``12h``, ``2w`` or an ISO date/time, as a UTC datetime."""
    now = now or _now()
    s = text.strip().lower()
    units = {"h": 1, "d": 24, "w": 24 * 7}
    if s[:-1].isdigit() and s[-1:] in units:
        return now + timedelta(hours=int(s[:-1]) * units[s[-1]])
    try:
        return _parse_time(text.strip())
    except ValueError:
        raise VaultError(f"expiry {text!r} is not understood", "use 30d, 12h, 2w or a date like 2027-01-31") from None


class Vault:
    """The cameos of this machine's user; see the module docstring for the layout."""

    def __init__(self, root: Path | None = None, *, use_keyring: bool = True) -> None:
        self.root = Path(root) if root is not None else data_dir() / "cameo"
        self._use_keyring = use_keyring
        self._key: bytes | None = None
        self.problems: list[str] = []
        """What the last `list` or `ledger` could not read, each naming its file."""

    # ------------------------------------------------------------------ keys

    def _ensure_root(self) -> Path:
        return _private_dir(self.root)

    def _keyring_name(self) -> str:
        # One entry per vault folder, so a test or portable vault never takes over the real one.
        return hashlib.sha256(str(self.root.resolve()).encode()).hexdigest()[:16]

    def _keyring(self):
        if not self._use_keyring:
            return None
        try:
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
            if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
                return None
            return keyring
        except Exception:  # no keyring package or a broken backend: fall back to the key file
            log.info("no usable OS keyring; the vault key goes into a 0600 file", exc_info=True)
            return None

    def vault_key(self) -> bytes:
        """The 32-byte AES key, made on first use (keyring first, else ``vault.key`` 0600)."""
        if self._key is not None:
            return self._key
        self._ensure_root()
        key_file = self.root / "vault.key"
        kr = self._keyring()
        if kr is not None:
            try:
                stored = kr.get_password(KEYRING_SERVICE, self._keyring_name())
                if stored:
                    self._key = base64.b64decode(stored)
                    return self._key
                if not key_file.exists():
                    self._refuse_new_key_over_encrypted_files(key_file)
                    key = secrets.token_bytes(32)
                    kr.set_password(KEYRING_SERVICE, self._keyring_name(), base64.b64encode(key).decode())
                    self._key = key
                    return key
            except Exception:
                log.warning("the OS keyring failed; using the vault key file", exc_info=True)
        if key_file.exists():
            self._key = key_file.read_bytes()
            if len(self._key) != 32:
                raise VaultError(f"the vault key {key_file} is damaged", "restore it from a backup; cameos encrypted with it cannot be read")
            return self._key
        self._refuse_new_key_over_encrypted_files(key_file)
        key = secrets.token_bytes(32)
        _write_private(key_file, key)
        self._key = key
        return key

    def _encrypted_files(self) -> list[Path]:
        """Files made with the vault key: a new key would make each of them unreadable for good."""
        if not self.root.is_dir():
            return []
        files = [self.root / "owner.key.enc"] + sorted(self.root.glob("*/biometrics.enc"))
        return [f for f in files if f.is_file()]

    def _refuse_new_key_over_encrypted_files(self, key_file: Path) -> None:
        """A lost key used to be silently replaced, locking every cameo out for good: say so instead."""
        locked = self._encrypted_files()
        if not locked:
            return
        names = []
        for f in locked:
            if f.name == "biometrics.enc":
                try:
                    names.append(f"{json.loads((f.parent / 'cameo.json').read_text('utf-8')).get('name', '?')} ({f.parent.name})")
                except (OSError, ValueError):
                    names.append(f.parent.name)
        what = f"cameo(s) {', '.join(names)}" if names else "your owner key"
        raise VaultError(f"the vault key is missing ({key_file} and the OS keyring have none), so {what} and "
                         f"{self.root / 'owner.key.enc'} cannot be read; no new key was made",
                         f"restore vault.key from a backup into {self.root} (or the keyring entry), or reset the vault "
                         "with `studio cameo reset --yes`, which deletes every cameo")

    @property
    def key_location(self) -> str:
        """Where the vault key is kept: "keyring" or "file"."""
        self.vault_key()
        return "file" if (self.root / "vault.key").exists() else "keyring"

    def _encrypt(self, data: bytes, aad: bytes) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self.vault_key()).encrypt(nonce, data, aad)

    def _decrypt(self, blob: bytes, aad: bytes, what: Path) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(self.vault_key()).decrypt(blob[:12], blob[12:], aad)
        except (InvalidTag, ValueError):
            raise VaultError(f"{what} cannot be decrypted: it was changed or the vault key is not the one it was made with",
                             "revoke the cameo and make it again") from None

    def _owner_key(self):
        """This machine owner's Ed25519 private key (made on first use, stored encrypted)."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        self._ensure_root()
        enc = self.root / "owner.key.enc"
        if enc.exists():
            raw = self._decrypt(enc.read_bytes(), b"owner-key", enc)
            return Ed25519PrivateKey.from_private_bytes(raw)
        if (self.root / "owner.pub").exists() or any(self.root.glob("*/cameo.json")):
            # A new identity would make this user's own cameos "someone else's".
            raise VaultError(f"{enc} is missing, but this vault already has an owner (owner.pub or cameos); "
                             "no new identity was made",
                             f"restore owner.key.enc from a backup into {self.root}, or reset the vault with "
                             "`studio cameo reset --yes`, which deletes every cameo")
        key = Ed25519PrivateKey.generate()
        from cryptography.hazmat.primitives import serialization as ser

        raw = key.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())
        _write_private(enc, self._encrypt(raw, b"owner-key"))
        _write_private(self.root / "owner.pub", base64.b64encode(self._public_bytes(key)))
        return key

    @staticmethod
    def _public_bytes(private_key) -> bytes:
        from cryptography.hazmat.primitives import serialization as ser

        return private_key.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)

    def owner_public_key(self) -> str:
        """This machine owner's public key, base64 (what others add to their approved list)."""
        return base64.b64encode(self._public_bytes(self._owner_key())).decode()

    def owner_id(self) -> str:
        """This machine owner's fingerprint."""
        return fingerprint(self._public_bytes(self._owner_key()))

    # ------------------------------------------------------------------ cameos

    def _dir(self, cameo_id: str) -> Path:
        if not cameo_id or "/" in cameo_id or "\\" in cameo_id or cameo_id.startswith("."):
            raise VaultError(f"{cameo_id!r} is not a cameo id", "see `studio cameo list`")
        return self.root / cameo_id

    def create(self, name: str, consent: ConsentRecord, biometrics: Biometrics, *, permission: str = "only_me",
               approved: tuple[str, ...] = (), liveness: dict | None = None) -> Cameo:
        """Store a new cameo of this machine's owner; consent must be complete."""
        consent.check()
        if permission not in PERMISSIONS:
            raise VaultError(f"permission {permission!r} is not one of {', '.join(PERMISSIONS)}")
        key = self._owner_key()
        cameo_id = "cameo_" + secrets.token_hex(6)
        cameo = Cameo(
            id=cameo_id, name=name.strip(), owner=fingerprint(self._public_bytes(key)),
            owner_public_key=base64.b64encode(self._public_bytes(key)).decode(), owner_name=consent.signature,
            permission=permission, approved=tuple(approved), created_at=_now().isoformat(), consent=consent.to_dict(),
            liveness=dict(liveness or {}),
        )
        self._store(cameo, biometrics)
        return cameo

    def _store(self, cameo: Cameo, biometrics: Biometrics | None) -> None:
        folder = _private_dir(self._dir(cameo.id))
        if biometrics is not None:
            _write_private(folder / "biometrics.enc", self._encrypt(biometrics.to_bytes(), cameo.id.encode()))
        _write_private(folder / "cameo.json", json.dumps(cameo.to_dict(), ensure_ascii=False, indent=1).encode())

    def list(self) -> list[Cameo]:
        """Every cameo, active and revoked, oldest first."""
        if not self.root.is_dir():
            return []
        out = []
        self.problems = []
        for entry in sorted(self.root.iterdir()):
            meta = entry / "cameo.json"
            if entry.is_dir() and meta.is_file():
                try:
                    out.append(Cameo.from_dict(json.loads(meta.read_text("utf-8"))))
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    log.warning("skipping unreadable cameo record %s", meta, exc_info=True)
                    self.problems.append(f"{meta}: unreadable ({type(exc).__name__}: {str(exc)[:80]}); "
                                         f"restore it from a backup, or delete the folder {entry} to forget that cameo")
            elif entry.is_dir() and entry.name.startswith("cameo_"):
                self.problems.append(f"{meta}: missing; the folder {entry} holds no cameo record")
        return sorted(out, key=lambda c: c.created_at)

    def get(self, cameo_id_or_name: str) -> Cameo:
        """A cameo by id, or by name when exactly one cameo has that name."""
        is_id = cameo_id_or_name.startswith("cameo_") and cameo_id_or_name[6:].isalnum()
        meta = self.root / cameo_id_or_name / "cameo.json" if is_id else None
        if meta is not None and meta.is_file():
            return Cameo.from_dict(json.loads(meta.read_text("utf-8")))
        folded = cameo_id_or_name.casefold()
        named = [c for c in self.list() if c.name.casefold() == folded]
        active = [c for c in named if not c.revoked] or named
        if len(active) == 1:
            return active[0]
        if not active:
            raise VaultError(f"no cameo called {cameo_id_or_name!r}", "see `studio cameo list`")
        raise VaultError(f"{len(active)} cameos are called {cameo_id_or_name!r}", "use the cameo id from `studio cameo list`")

    def biometrics(self, cameo_id: str) -> Biometrics:
        """Decrypt a cameo's descriptor and crops (refused once revoked)."""
        cameo = self.get(cameo_id)
        path = self._dir(cameo.id) / "biometrics.enc"
        if cameo.revoked or not path.exists():
            raise CameoNotPermitted(f"cameo {cameo.name!r} was revoked; its face data is deleted",
                                    "remove it from the character in the story bible")
        return Biometrics.from_bytes(self._decrypt(path.read_bytes(), cameo.id.encode(), path))

    def set_permission(self, cameo_id: str, permission: str, approved: tuple[str, ...] | None = None) -> Cameo:
        """Change who may render with one's own cameo."""
        cameo = self.get(cameo_id)
        if permission not in PERMISSIONS:
            raise VaultError(f"permission {permission!r} is not one of {', '.join(PERMISSIONS)}")
        if cameo.owner != self.owner_id():
            raise CameoNotPermitted(f"cameo {cameo.name!r} belongs to someone else", "only its owner can change its permission")
        cameo = replace(cameo, permission=permission, approved=cameo.approved if approved is None else tuple(approved))
        self._store(cameo, None)
        return cameo

    def revoke(self, cameo_id: str, reason: str = "") -> Cameo:
        """Delete a cameo's biometric data now; keep its record, marked revoked, and a revocation record."""
        cameo = self.get(cameo_id)
        folder = self._dir(cameo.id)
        try:
            by = self.owner_id()
        except VaultError:  # a lost vault key must not stop a revocation: that is when it is needed most
            by = cameo.owner if cameo.owner else "unknown"
        revoked = replace(cameo, status="revoked")
        record = {"cameo_id": cameo.id, "name": cameo.name, "revoked_at": _now().isoformat(), "reason": reason,
                  "by": by, "biometrics_deleted": False}
        # Record first, delete second: a failure leaves the cameo revoked with its data still to delete
        # (revoking again finishes it), never deleted data with an "active" cameo.
        _write_private(folder / "revocation.json", json.dumps(record, ensure_ascii=False, indent=1).encode())
        self._store(revoked, None)
        _shred(folder / "biometrics.enc")
        record["biometrics_deleted"] = not (folder / "biometrics.enc").exists()
        _write_private(folder / "revocation.json", json.dumps(record, ensure_ascii=False, indent=1).encode())
        return revoked

    def revocation(self, cameo_id: str) -> dict | None:
        path = self._dir(self.get(cameo_id).id) / "revocation.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else None

    # ------------------------------------------------------------------ use

    def check_render_allowed(self, cameo_id: str) -> Cameo:
        """The cameo, if this machine's owner may render with it now; else CameoNotPermitted."""
        try:
            cameo = self.get(cameo_id)
        except VaultError:
            raise CameoNotPermitted(f"cameo {cameo_id!r} is not in this machine's vault",
                                    "import it with `studio cameo import`, or remove it from the character") from None
        if cameo.revoked:
            raise CameoNotPermitted(f"cameo {cameo.name!r} was revoked by its owner",
                                    "remove the cameo from the character in the story bible")
        if cameo.expires_at and _parse_time(cameo.expires_at) <= _now():
            raise CameoNotPermitted(f"cameo {cameo.name!r} expired on {cameo.expires_at}", "ask its owner for a new package")
        if not self._permits(cameo, self.owner_id()):
            raise CameoNotPermitted(f"cameo {cameo.name!r} is not permitted for you (permission: {cameo.permission})",
                                    "ask its owner to approve you")
        return cameo

    @staticmethod
    def _permits(cameo: Cameo, who: str) -> bool:
        if who == cameo.owner or cameo.permission == "everyone":
            return True
        return cameo.permission == "approved" and who in cameo.approved

    def record_use(self, cameo_id: str, entry: dict) -> None:
        """Append one render (drafts too) to the cameo's usage ledger."""
        cameo = self.get(cameo_id)
        line = {"at": _now().isoformat(), "by": self.owner_id(), **entry}
        _append_private(self._dir(cameo.id) / "ledger.jsonl", json.dumps(line, ensure_ascii=False, sort_keys=True))

    def ledger(self, cameo_id: str) -> list[dict]:
        """Every recorded use, oldest first."""
        path = self._dir(self.get(cameo_id).id) / "ledger.jsonl"
        if not path.exists():
            return []
        out = []
        for n, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if isinstance(entry, dict):
                out.append(entry)
            else:  # a line torn by a crash mid-append: name it, keep the rest
                self.problems.append(f"{path}: line {n} is damaged (torn by a crash?) and was skipped")
        return out

    # ------------------------------------------------------------------ packages

    def export_package(self, cameo_id: str, dest: Path, *, permission: str | None = None,
                       approved: tuple[str, ...] | None = None, expires: datetime | None = None) -> Path:
        """Write a signed package of one's own cameo to ``dest``; returns ``dest``."""
        cameo = self.get(cameo_id)
        if cameo.revoked:
            raise CameoNotPermitted(f"cameo {cameo.name!r} was revoked", "a revoked cameo cannot be shared")
        key = self._owner_key()
        if cameo.owner != fingerprint(self._public_bytes(key)):
            raise CameoNotPermitted(f"cameo {cameo.name!r} belongs to someone else", "only its owner can export it")
        permission = permission or cameo.permission
        if permission not in PERMISSIONS:
            raise VaultError(f"permission {permission!r} is not one of {', '.join(PERMISSIONS)}")
        payload = self.biometrics(cameo.id).to_bytes()
        expires = expires or (_now() + timedelta(days=30))
        manifest = {
            "format": PACKAGE_FORMAT, "version": PACKAGE_VERSION,
            "cameo": {**cameo.to_dict(), "permission": permission,
                      "approved": list(cameo.approved if approved is None else approved), "imported": False},
            "owner_public_key": cameo.owner_public_key,
            "permission": permission,
            "approved": list(cameo.approved if approved is None else approved),
            "created_at": _now().isoformat(),
            "expires_at": expires.astimezone(timezone.utc).replace(microsecond=0).isoformat(),
            "payload_sha256": hashlib.sha256(payload).hexdigest(),
        }
        signature = key.sign(_canonical(manifest))
        doc = {"manifest": manifest, "payload": base64.b64encode(payload).decode(), "signature": base64.b64encode(signature).decode()}
        dest = Path(dest)
        _write_private(dest, json.dumps(doc, ensure_ascii=False).encode())
        self.record_use(cameo.id, {"kind": "export", "file": dest.name, "permission": permission, "expires_at": manifest["expires_at"]})
        return dest

    def import_package(self, path: Path) -> Cameo:
        """Verify a package and add its cameo; refuses tampered, expired or unpermitted ones."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_PACKAGE_BYTES:
                raise VaultError(f"{path} is {size} bytes, too big for a cameo package")
            doc = json.loads(path.read_bytes())
            manifest, payload_b64, sig_b64 = doc["manifest"], doc["payload"], doc["signature"]
            # Shapes first: a hostile package (even one validly signed by its maker) must not crash the import.
            if not isinstance(manifest, dict) or not isinstance(manifest.get("cameo"), dict):
                raise ValueError("not a cameo package")
            if manifest.get("format") != PACKAGE_FORMAT:
                raise ValueError("not a cameo package")
            public = base64.b64decode(manifest["owner_public_key"], validate=True)
            payload = base64.b64decode(payload_b64, validate=True)
            signature = base64.b64decode(sig_b64, validate=True)
        except FileNotFoundError:
            raise VaultError(f"{path} does not exist", "check the file name") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise VaultError(f"{path} is not a readable cameo package ({exc})", "ask the owner to export it again") from None
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature, _canonical(manifest))
        except (InvalidSignature, ValueError):
            raise CameoNotPermitted(f"{path}: the signature does not match; the package was changed after it was signed",
                                    "do not use it; ask the owner for a fresh export") from None
        if hashlib.sha256(payload).hexdigest() != manifest.get("payload_sha256"):
            raise CameoNotPermitted(f"{path}: the face data does not match the signed manifest (tampered)",
                                    "do not use it; ask the owner for a fresh export")
        cameo_doc = manifest["cameo"]
        if fingerprint(public) != cameo_doc.get("owner") or manifest["permission"] != cameo_doc.get("permission"):
            raise CameoNotPermitted(f"{path}: the package's owner or permission is inconsistent", "ask the owner for a fresh export")
        try:
            expires = _parse_time(manifest["expires_at"])
        except (KeyError, ValueError):
            raise CameoNotPermitted(f"{path}: the package has no valid expiry", "ask the owner for a fresh export") from None
        if expires <= _now():
            raise CameoNotPermitted(f"{path}: the package expired on {manifest['expires_at']}", "ask the owner for a new export")
        me = self.owner_id()
        owner = fingerprint(public)
        try:
            candidate = Cameo.from_dict({**cameo_doc, "approved": manifest["approved"], "permission": manifest["permission"]})
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise VaultError(f"{path}: the cameo record in the package is incomplete ({exc})",
                             "ask the owner for a fresh export") from None
        if not self._permits(candidate, me):
            raise CameoNotPermitted(f"{path}: cameo {candidate.name!r} is not shared with you (permission: {candidate.permission})",
                                    f"ask its owner to approve your key: {self.owner_public_key()}")
        try:
            biometrics = Biometrics.from_bytes(payload)
        except (ValueError, KeyError, OSError) as exc:
            raise VaultError(f"{path}: the face data is unreadable ({exc})", "ask the owner for a fresh export") from None
        try:
            existing = self.get(candidate.id)
        except VaultError:
            existing = None
        if existing is not None and existing.revoked:
            raise CameoNotPermitted(f"cameo {candidate.name!r} was revoked on this machine", "a revoked cameo stays revoked")
        if existing is not None and owner == me:
            raise VaultError(f"cameo {candidate.name!r} is already in this vault", "nothing to import")
        imported = replace(candidate, imported=owner != me, expires_at=manifest["expires_at"], status="active")
        self._store(imported, biometrics)
        self.record_use(imported.id, {"kind": "import", "file": path.name, "expires_at": manifest["expires_at"]})
        return imported

    def delete_all(self) -> None:
        """Remove the whole vault folder (used by tests and by "forget everything")."""
        shutil.rmtree(self.root, ignore_errors=True)
