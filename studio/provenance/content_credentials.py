"""C2PA content credentials for Studio MP4s: the manifest, signing, and verification.

Every export is signed with a C2PA manifest (c2pa-python, the Rust c2pa-rs SDK
underneath) that says: this video was created by AI (IPTC digital source type
``trainedAlgorithmicMedia``), by Studio at this version, with these engines and
models, and these cameos appear (by cameo id, with their consent record's
reference). The manifest is embedded in the MP4 and binds it with a BMFF hash,
so any change to the media or to the recipe metadata after signing shows up as
an "altered" file on verification.

c2pa is imported inside the functions: `studio --help` stays instant.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from studio import APP_NAME, __version__
from studio.domain.model import Project, Shot, Take, resolve_shot
from studio.media._atomic import atomic_output
from studio.provenance.credentials import CredentialsError, SigningIdentity, signing_identity, trust_anchors_pem
from studio.domain.errors import ExplainedError
from studio.provenance.seal import SEAL_VERSION, append_seal, check_seal

log = logging.getLogger(__name__)

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
GENERATION_LABEL = "org.studio.generation"
"""Studio's own assertion: engines, models, seeds, cameos, the recipe's digest."""
MP4_MIME = "video/mp4"

ConsentLookup = Callable[[str], "str | None"]
"""cameo_id -> the reference of its consent record (None when none is known)."""

# Failure codes that mean the bytes are not what was signed (c2pa-rs status codes).
_ALTERED_CODES = ("assertion.bmffHash.mismatch", "assertion.dataHash.mismatch", "assertion.hashedURI.mismatch",
                  "assertion.boxesHash.mismatch", "assertion.collectionHash.mismatch")
_UNTRUSTED_CODES = ("signingCredential.untrusted",)


class SigningError(ExplainedError):
    """Signing an export failed; has ``message`` and ``hint`` (printed as one line)."""


# --------------------------------------------------------------------------- the manifest


@dataclass(frozen=True)
class CameoCredit:
    cameo_id: str
    character: str
    consent: str | None


def cameos_in(project: Project, shots: Sequence[Shot], consent: ConsentLookup | None = None) -> list[CameoCredit]:
    """The cameos that appear in ``shots`` (characters with a cameo id), in first-seen order."""
    seen: dict[str, CameoCredit] = {}
    for shot in shots:
        for character in resolve_shot(shot, project.bible).characters:
            if character.cameo_id and character.cameo_id not in seen:
                ref = consent(character.cameo_id) if consent else None
                seen[character.cameo_id] = CameoCredit(character.cameo_id, character.name, ref)
    return list(seen.values())


def _adapters_and_speed(take: Take) -> dict[str, Any]:
    """The LoRAs (source, weight, file digest) and the speed preset a take was made with, if any."""
    settings = dict(take.recipe.settings)
    out: dict[str, Any] = {}
    loras = [x for x in str(settings.get("loras") or "").split(";") if x]
    digests = [x for x in str(settings.get("lora_sha256") or "").split(";") if x]
    if loras:
        adapters = []
        for i, item in enumerate(loras):
            source, _, weight = item.rpartition("@")
            adapters.append({"source": source or item, "weight": float(weight) if source else 1.0,
                             "sha256": digests[i] if i < len(digests) else ""})
        out["loras"] = adapters
    if settings.get("speed"):
        out["speed"] = str(settings["speed"])
    return out


def build_manifest(
    project: Project,
    takes: Sequence[tuple[Shot, Take]],
    *,
    recipe_text: str = "",
    consent: ConsentLookup | None = None,
) -> dict[str, Any]:
    """The C2PA manifest definition (c2pa-rs JSON) for an export of ``takes`` from ``project``."""
    engines = sorted({f"{t.recipe.engine} {t.recipe.engine_version}".strip() for _, t in takes})
    models = sorted({t.recipe.model for _, t in takes if t.recipe.model})
    cameos = cameos_in(project, [s for s, _ in takes], consent)
    agent = {"name": APP_NAME, "version": __version__}
    generation = {
        "ai_generated": True,
        "project_id": project.id,
        "engines": engines,
        "models": models,
        "shots": [
            {"shot_id": s.id, "engine": t.recipe.engine, "engine_version": t.recipe.engine_version,
             "model": t.recipe.model, "seed": t.recipe.seed, "frames": t.recipe.frames, "source": t.source,
             **_adapters_and_speed(t)}
            for s, t in takes
        ],
        "cameos": [{"cameo_id": c.cameo_id, "character": c.character, "consent": c.consent} for c in cameos],
    }
    generation["seal"] = SEAL_VERSION  # studio.provenance.seal: the bytes the BMFF hash skips are bound too
    if recipe_text:
        generation["recipe_sha256"] = hashlib.sha256(recipe_text.encode("utf-8")).hexdigest()
    return {
        "claim_generator_info": [agent],
        "title": project.title or "Untitled",
        "format": MP4_MIME,
        "assertions": [
            {
                "label": "c2pa.actions.v2",
                "data": {"actions": [{
                    "action": "c2pa.created",
                    "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                    "softwareAgent": agent,
                    "description": "Generated by AI: " + ", ".join(engines + models),
                }]},
            },
            {"label": GENERATION_LABEL, "data": generation},
        ],
    }


def manifest_generation(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The data of Studio's generation assertion in a manifest definition."""
    for assertion in manifest.get("assertions", []):
        if assertion.get("label") == GENERATION_LABEL:
            return assertion.get("data")
    return None


def sign_mp4(source: Path, destination: Path, manifest: dict[str, Any], identity: SigningIdentity | None = None) -> Path:
    """Embed and sign ``manifest`` into a copy of ``source`` that lands at ``destination`` atomically.

    The signed bytes go to a hidden temporary file beside ``destination`` and are
    renamed over it only when signing succeeded; on any failure nothing is left
    at ``destination`` (a file already there is untouched).
    """
    import c2pa

    identity = identity or signing_identity()
    with atomic_output(destination) as tmp:
        try:
            info = c2pa.C2paSignerInfo(identity.algorithm.encode(), identity.chain_pem, identity.key_pem, None)
            with c2pa.Signer.from_info(info) as signer, c2pa.Builder(manifest) as builder:
                with open(source, "rb") as src, open(tmp, "w+b") as dst:
                    builder.sign(signer, MP4_MIME, src, dst)
            if (manifest_generation(manifest) or {}).get("seal") == SEAL_VERSION:
                append_seal(tmp, identity.key_pem, identity.chain_pem)
        except c2pa.C2paError as exc:
            log.exception("C2PA signing of %s failed", source)
            if _disk_full(Path(tmp).parent, source, exc):
                raise SigningError(f"could not sign {destination.name}: the disk is full",
                                   f"free some space in {Path(tmp).parent} and export again") from None
            raise SigningError(f"could not sign {destination.name} with content credentials ({exc})",
                               f"the {identity.source} may be unusable; see `studio credentials`") from None
    return destination


def _disk_full(folder: Path, source: Path, exc: Exception) -> bool:
    """Whether a signing failure was the disk filling up (c2pa reports it as an I/O error, not ENOSPC)."""
    import shutil

    if "No space left" in str(exc):
        return True
    try:
        return shutil.disk_usage(folder).free < Path(source).stat().st_size + (1 << 20)
    except OSError:
        return False


def sign_export(
    unsigned: Path,
    destination: Path,
    project: Project,
    takes: Sequence[tuple[Shot, Take]],
    *,
    recipe_text: str = "",
    consent: ConsentLookup | None = None,
) -> Path:
    """Sign an encoded export (``unsigned``) into ``destination``; the identity is the configured one."""
    try:
        identity = signing_identity()
    except CredentialsError as exc:
        raise SigningError(exc.message, exc.hint) from None
    return sign_mp4(unsigned, destination, build_manifest(project, takes, recipe_text=recipe_text, consent=consent), identity)


# --------------------------------------------------------------------------- verification


@dataclass
class VerifyReport:
    """What `studio verify` says about a file."""

    path: str
    has_manifest: bool
    signature_valid: bool = False
    trusted: bool = False
    altered: bool = False
    state: str = "none"
    """c2pa-rs' validation state: Invalid, Valid or Trusted ("none" without a manifest)."""
    title: str = ""
    generator: str = ""
    signer: str = ""
    issuer: str = ""
    signed_at: str = ""
    ai_generated: bool = False
    digital_source_type: str = ""
    engines: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    cameos: list[dict[str, Any]] = field(default_factory=list)
    recipe_sha256: str = ""
    recipe_intact: bool | None = None
    """Whether the recipe in the file is the one the credentials name (None: they name none)."""
    seal: str = ""
    """The whole-file seal the credentials promise (studio.provenance.seal), "" for older files."""
    failures: list[dict[str, str]] = field(default_factory=list)
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """Signed, intact and from a trusted signer."""
        return self.has_manifest and self.signature_valid and self.trusted and not self.altered

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        d = asdict(self)
        d["ok"] = self.ok
        return d


def _reader_context(anchors: bytes):
    import c2pa

    settings: dict[str, Any] = {"verify": {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False}}
    if anchors.strip():
        settings["trust"] = {"trust_anchors": anchors.decode("ascii", "replace")}
    return c2pa.Context.from_dict(settings)


def verify_mp4(path: Path, *, extra_anchors: bytes = b"", credentials_folder: Path | None = None) -> VerifyReport:
    """Read and validate the C2PA manifest of ``path`` against the local trust anchors.

    Raises OSError when the file cannot be read; a file with no manifest or a
    broken one gives a report, not an exception.
    """
    import c2pa

    path = Path(path)
    report = VerifyReport(path=str(path), has_manifest=False)
    anchors = trust_anchors_pem(credentials_folder, extra_anchors)
    with open(path, "rb") as fh, contextlib.ExitStack() as stack:
        try:
            context = stack.enter_context(_reader_context(anchors))
            reader = c2pa.Reader.try_create(MP4_MIME, fh, None, context)
        except c2pa.C2paError as exc:
            # A manifest that cannot even be parsed: present but broken, i.e. invalid.
            log.info("C2PA read of %s failed: %s", path, exc)
            report.has_manifest = _looks_signed(path)
            report.state = "Invalid" if report.has_manifest else "none"
            report.altered = report.has_manifest
            report.failures.append({"code": "manifest.unreadable", "explanation": str(exc)})
            return report
        if reader is None:
            return report
        with reader:
            store = json.loads(reader.json())
            results = reader.get_validation_results() or {}
            state = reader.get_validation_state() or "Invalid"
    report.has_manifest = True
    report.state = state
    active = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    report.manifest = active
    failures = (results.get("activeManifest") or {}).get("failure", []) or store.get("validation_status", []) or []
    report.failures = [{"code": f.get("code", ""), "explanation": f.get("explanation", "")} for f in failures]
    codes = {f["code"] for f in report.failures}
    # Any failure but trust in the signer means the bytes are not the ones signed (a flip in the
    # claim, an assertion or the signature fails with its own code, not only a hash mismatch).
    report.altered = any(c in codes for c in _ALTERED_CODES) or any(not _is_trust_code(c) for c in codes)
    # The signature itself (claim signature and signing credential), apart from trust and hashes.
    report.signature_valid = not any(
        c.startswith(("claimSignature.", "signingCredential.", "timeStamp.")) and c not in _UNTRUSTED_CODES for c in codes
    )
    report.trusted = state == "Trusted"
    _fill_summary(report, active)
    if report.seal:
        check = check_seal(path, active.get("signature_info") or {})
        if not check.ok:
            report.altered = True
            report.failures.append({"code": "studio.seal.mismatch", "explanation": check.explanation})
    if report.recipe_sha256:
        report.recipe_intact = _recipe_digest(path) == report.recipe_sha256
        if not report.recipe_intact:
            # The BMFF hash covers the metadata too; this names what changed when it is the recipe.
            report.altered = True
            report.failures.append({"code": "studio.recipe.mismatch",
                                    "explanation": "the embedded recipe is not the one the credentials name"})
    return report


def _is_trust_code(code: str) -> bool:
    """Failure codes about who signed and when (untrusted, expired, revoked), not about the bytes."""
    return code in _UNTRUSTED_CODES or code.startswith(("signingCredential.", "timeStamp."))


def _recipe_digest(path: Path) -> str:
    from studio.media.decode import read_metadata
    from studio.provenance.recipe import RECIPE_KEY

    try:
        text = read_metadata(path).get(RECIPE_KEY, "")
    except Exception:  # an unreadable container: no recipe to compare
        return ""
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else ""


def _looks_signed(path: Path) -> bool:
    """Whether the file seems to carry a C2PA store at all (its JUMBF 'c2pa' label)."""
    try:
        with open(path, "rb") as fh:
            return b"c2pa" in fh.read(64 * 1024 * 1024)
    except OSError:
        return False


def _fill_summary(report: VerifyReport, active: dict[str, Any]) -> None:
    report.title = str(active.get("title", ""))
    gens = active.get("claim_generator_info") or []
    if gens and isinstance(gens[0], dict):
        report.generator = f"{gens[0].get('name', '')} {gens[0].get('version', '')}".strip()
    sig = active.get("signature_info") or {}
    report.signer = str(sig.get("common_name", ""))
    report.issuer = str(sig.get("issuer", ""))
    report.signed_at = str(sig.get("time", ""))
    for assertion in active.get("assertions", []):
        label, data = assertion.get("label", ""), assertion.get("data") or {}
        if label.startswith("c2pa.actions"):
            for action in data.get("actions", []):
                if action.get("action") == "c2pa.created":
                    report.digital_source_type = str(action.get("digitalSourceType", ""))
        elif label == GENERATION_LABEL:
            report.engines = [str(e) for e in data.get("engines", [])]
            report.models = [str(m) for m in data.get("models", [])]
            report.cameos = [c for c in data.get("cameos", []) if isinstance(c, dict)]
            report.recipe_sha256 = str(data.get("recipe_sha256", ""))
            report.seal = str(data.get("seal", ""))
    report.ai_generated = report.digital_source_type == TRAINED_ALGORITHMIC_MEDIA


def cameo_ids_in_manifest(path: Path) -> list[str]:
    """Cameo ids a signed, intact file from a trusted signer says appear in it ([] otherwise).

    An untrusted signer (a self-made CA) can write any cameo id into a manifest, so only
    a trusted signature is evidence of which cameos appear."""
    try:
        report = verify_mp4(path)
    except OSError:
        return []
    if not report.ok:
        return []
    return [str(c.get("cameo_id")) for c in report.cameos if c.get("cameo_id")]
