"""Casting cameos into renders: refuse before any work starts, check the face after, keep the ledger.

`cast_cameos` runs before a request goes to an engine: for every character of
the shot whose bible entry has a ``cameo_id`` it asks the vault whether this
machine's owner may render with it now (not revoked, not expired, permitted)
and attaches the cameo's reference crop to the request
(`GenerateRequest.cameo_references`). A refusal is a `CameoRefused` with a
plain message, and is itself written to the cameo's ledger.

`measure_cameo_likeness` runs on the finished frames: it looks for faces in a
few evenly spaced frames and compares each with the cameo's descriptor; the
similarity (1 - dlib distance, same person over 0.4) goes into the take's
recipe settings. `record_cameo_renders` writes every render, drafts too, into
each cast cameo's usage ledger.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np

from studio.domain.model import Scalar, Take
from studio.engine.protocol import CameoReference, EngineResult, GenerateRequest
from studio.domain.errors import ExplainedError

log = logging.getLogger(__name__)

FRAMES_CHECKED = 6
"""Frames of a take compared with the cameo (evenly spaced, first and last included)."""


class CameoRefused(ExplainedError):
    """A render cast a cameo it may not use; ``message`` and ``hint`` say why and what to do."""


def cameo_ids(request: GenerateRequest) -> list[tuple[str, str]]:
    """(character id, cameo id) of every cast character that is a cameo."""
    return [(c.id, c.cameo_id) for c in request.resolved().characters if c.cameo_id]


def cast_cameos(request: GenerateRequest, vault=None) -> GenerateRequest:
    """The request with the cast cameos' face crops attached; raises CameoRefused when one is not allowed."""
    cast = cameo_ids(request)
    if not cast:
        return request
    from studio.cameo.vault import CameoNotPermitted, Vault, VaultError

    vault = vault or Vault()
    refs = []
    for character_id, cameo_id in cast:
        try:
            cameo = vault.check_render_allowed(cameo_id)
            crop = vault.biometrics(cameo.id).crops[0]
        except (CameoNotPermitted, VaultError) as exc:
            try:
                vault.record_use(cameo_id, {"kind": "refused", "shot": request.shot.id, "reason": exc.message})
            except VaultError:
                pass  # a cameo that is not in the vault at all has no ledger
            raise CameoRefused(f"shot {request.shot.id}: {exc.message}", exc.hint) from None
        refs.append(CameoReference(character_id, cameo.id, crop))
    return replace(request, cameo_references=tuple(refs))


def measure_cameo_likeness(request: GenerateRequest, result: "EngineResult | np.ndarray", vault=None) -> dict[str, Scalar]:
    """Recipe settings saying how much each cast cameo's face is seen in the result's frames
    (only the few frames checked are decoded from its master)."""
    if not request.cameo_references:
        return {}
    from studio.cameo.faces import FaceAnalyzer, face_distance, similarity_from_distance
    from studio.cameo.vault import Vault

    vault = vault or Vault()
    analyzer = FaceAnalyzer.shared()
    n = result.shape[0] if isinstance(result, np.ndarray) else result.frame_count
    picks = sorted({int(round(k * (n - 1) / max(1, FRAMES_CHECKED - 1))) for k in range(min(n, FRAMES_CHECKED))})
    if isinstance(result, np.ndarray):
        frames = {i: result[i] for i in picks}
    elif result.master is not None:
        frames = result.master.frames_at(picks)
    else:
        frames = {i: result.frames[i] for i in picks}  # type: ignore[index]
    faces = {i: analyzer.analyse(frames[i], upsample=1) for i in picks}
    out: dict[str, Scalar] = {}
    for ref in request.cameo_references:
        target = vault.biometrics(ref.cameo_id).embedding
        best = [min(face_distance(f.embedding, target) for f in faces[i]) for i in picks if faces[i]]
        key = f"cameo.{ref.cameo_id}"
        out[f"{key}.character"] = ref.character_id
        out[f"{key}.frames_checked"] = len(picks)
        out[f"{key}.frames_with_face"] = len(best)
        out[f"{key}.similarity"] = round(similarity_from_distance(float(np.median(best))), 4) if best else 0.0
    return out


def record_cameo_renders(request: GenerateRequest, take: Take, vault=None) -> None:
    """One ledger line per cast cameo for this render (drafts too)."""
    if not request.cameo_references:
        return
    from studio.cameo.vault import Vault

    vault = vault or Vault()
    settings = dict(take.recipe.settings)
    for ref in request.cameo_references:
        vault.record_use(ref.cameo_id, {
            "kind": "render", "shot": request.shot.id, "take": take.id, "engine": take.recipe.engine,
            "quality": request.quality, "draft": request.quality == "draft", "character": ref.character_id,
            "similarity": settings.get(f"cameo.{ref.cameo_id}.similarity"),
        })


def cameos_in_takes(project, takes) -> dict[str, list[str]]:
    """cameo id -> ids of the exported shots that show it: cast on the shot's characters, or measured in its take."""
    from studio.domain.model import resolve_shot

    found: dict[str, list[str]] = {}
    for shot, take in takes:
        ids = [c.cameo_id for c in resolve_shot(shot, project.bible).characters if c.cameo_id]
        if take is not None:
            # A take rendered with a cameo keeps its face even after the cameo left the character.
            ids += [k.split(".")[1] for k, _ in take.recipe.settings if k.startswith("cameo.") and k.count(".") >= 2]
        for cameo_id in dict.fromkeys(ids):
            found.setdefault(cameo_id, []).append(shot.id)
    return found


def check_export_consent(project, takes, vault=None) -> None:
    """Refuse an export that shows a cameo this user may not use now; ledger every export that shows one.

    The same rule as generation (`cast_cameos`): revoked, expired, unpermitted or unknown cameos are
    refused (CameoRefused names the cameo and the shots, and the refusal goes to its ledger). An
    allowed export adds one "export" line to each shown cameo's ledger.
    """
    shown = cameos_in_takes(project, takes)
    if not shown:
        return
    from studio.cameo.vault import CameoNotPermitted, Vault, VaultError

    vault = vault or Vault()
    positions = {s.id: i + 1 for i, s in enumerate(project.shots)}
    for cameo_id, shot_ids in shown.items():
        where = ", ".join(str(positions.get(s, s)) for s in shot_ids)
        try:
            vault.check_render_allowed(cameo_id)
        except (CameoNotPermitted, VaultError) as exc:
            try:
                vault.record_use(cameo_id, {"kind": "export_refused", "shots": shot_ids, "reason": exc.message})
            except VaultError:
                pass  # a cameo that is not in the vault at all has no ledger
            raise CameoRefused(f"cannot export: shot(s) {where} show cameo {cameo_id}: {exc.message}",
                               "remove the cameo from the character in the story bible and render those shots "
                               "again (their takes show the face)") from None
    for cameo_id, shot_ids in shown.items():
        vault.record_use(cameo_id, {"kind": "video_export", "shots": shot_ids, "project": project.id})


REVOKED = "revoked"
UNKNOWN = "not in this vault"
EXPIRED = "expired"


def cameo_status(cameo_id: str, vault=None) -> str | None:
    """Why a take showing ``cameo_id`` may not be exported now (REVOKED, UNKNOWN, EXPIRED), or None.

    Read from the cameo's record alone (no keys needed, cheap enough for the window's cards);
    the export's own check (`check_export_consent`) also refuses a cameo that is not permitted.
    """
    from datetime import datetime, timezone

    from studio.cameo.vault import Vault, VaultError

    vault = vault or Vault()
    try:
        cameo = vault.get(cameo_id)
    except (VaultError, OSError, ValueError, KeyError, TypeError):
        return UNKNOWN
    if cameo.id != cameo_id:  # get() also finds cameos by name: a take names its cameo by id
        return UNKNOWN
    if cameo.revoked:
        return REVOKED
    if cameo.expires_at:
        try:
            expires = datetime.fromisoformat(cameo.expires_at)
            if (expires if expires.tzinfo else expires.replace(tzinfo=timezone.utc)) <= datetime.now(timezone.utc):
                return EXPIRED
        except (TypeError, ValueError):
            return EXPIRED
    return None


def take_cameo_ids(take: Take) -> list[str]:
    """The cameos a take was rendered with (its recipe's ``cameo.<id>.*`` settings): their faces are in it."""
    ids = [k.split(".")[1] for k, _ in take.recipe.settings if k.startswith("cameo.") and k.count(".") >= 2]
    return list(dict.fromkeys(ids))


def withdrawn_cameo_takes(project, vault=None) -> dict[str, dict[str, str]]:
    """take id -> {cameo id: why} for every take of ``project`` that shows a revoked, unknown or expired cameo.

    How revocation marks the takes already rendered with a face: `studio info` and the window's
    cards and take list say so, and export refuses them (or renders them again once the cameo is
    off the character), so the face is never exported again.
    """
    status: dict[str, str | None] = {}
    out: dict[str, dict[str, str]] = {}
    for shot in project.shots:
        for take in shot.takes:
            for cameo_id in take_cameo_ids(take):
                if cameo_id not in status:
                    status[cameo_id] = cameo_status(cameo_id, vault)
                if status[cameo_id] is not None:
                    out.setdefault(take.id, {})[cameo_id] = status[cameo_id]  # type: ignore[assignment]
    return out
