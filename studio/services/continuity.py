"""Continuity across cuts: a shot starts from where the story left off.

For an engine whose model can start from an image, a shot's request gets a
start frame: the shot's own reference image if it has one, else the last
frame of the previous shot's selected take. Characters, wardrobe and light
then carry across the cut. The engine records where its start came from.
Nothing is decoded for engines or models that cannot use a start frame.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np

from studio.domain.model import Project
from studio.engine.protocol import GenerateRequest

log = logging.getLogger(__name__)

IMAGE_ENGINES = ("diffusers",)
"""Engines that can start a shot from an image."""


def model_can_start_from_image(request: GenerateRequest) -> bool:
    """Whether the request's model takes a start frame (reads the catalogue only; no torch)."""
    from studio.engine.diffusion.catalogue import CatalogueError, find_spec, spec_for_folder
    from studio.engine.diffusion.loader import DEFAULT_MODEL, looks_like_path

    ref = str(request.setting("model") or DEFAULT_MODEL)
    spec = find_spec(ref)
    if spec is None and looks_like_path(ref):
        try:
            spec = spec_for_folder(Path(ref).expanduser())
        except CatalogueError:
            return False
    return bool(spec and spec.can_start_from_image)


def previous_last_frame(project: Project, bundle: Path, shot_id: str) -> np.ndarray | None:
    """The last frame of the selected take of the shot before ``shot_id`` (None when there is none)."""
    from studio.media.decode import read_frames
    from studio.persistence.bundle import media_path

    index = project.index_of(shot_id)
    if index == 0:
        return None
    previous = project.shots[index - 1]
    take = previous.selected_take
    if take is None:
        return None
    path = media_path(bundle, take.video)
    last = None
    try:
        for frame in read_frames(path, max_frames=previous.duration_frames):
            last = frame
    except Exception as exc:  # a missing or damaged take only costs continuity, not the job
        log.warning("cannot read the last frame of %s: %s", path, exc)
        return None
    return last


def start_frame(project: Project, bundle: Path, request: GenerateRequest) -> np.ndarray | None:
    """The frame ``request``'s shot starts from, fitted to the canvas: its reference image, else
    the last frame of the previous shot's selected take; None when there is neither (or it is unreadable).

    Decodes: call it where a decode may take its time (the command line, the engine's worker thread).
    """
    from studio.media.frames import fit_frame, load_image
    from studio.persistence.bundle import media_path

    shot = request.shot
    image = None
    if shot.reference_image:
        try:
            image = load_image(media_path(bundle, shot.reference_image))
        except Exception as exc:
            log.warning("reference image %s unusable: %s", shot.reference_image, exc)
    if image is None and any(s.id == shot.id for s in project.shots):
        image = previous_last_frame(project, Path(bundle), shot.id)
    if image is None:
        return None
    return fit_frame(image, request.canvas.width, request.canvas.height)


def _may_use_start_frame(request: GenerateRequest) -> bool:
    """The cheap checks (no disk): not set already, an image-capable engine, continuity not turned off."""
    return (request.start_image is None and request.engine in IMAGE_ENGINES
            and request.setting("continuity") is not False)


def with_continuity(project: Project, bundle: Path, request: GenerateRequest) -> GenerateRequest:
    """``request`` with a start frame for continuity, where its engine and model can use one (decodes now)."""
    if not _may_use_start_frame(request) or not model_can_start_from_image(request):
        return request
    image = start_frame(project, Path(bundle), request)
    return request if image is None else replace(request, start_image=image)


def with_deferred_continuity(project: Project, bundle: Path, request: GenerateRequest) -> GenerateRequest:
    """``request`` with a loader for its start frame instead of the frame: nothing is read or decoded here.

    For the window: the engine calls the loader on its worker thread just before generating, and
    only when its model can start from an image, so the UI thread never waits on a decode. The
    loader sees the project as it was at submission (the same state `with_continuity` would use).
    """
    if not _may_use_start_frame(request):
        return request
    bundle = Path(bundle)

    def load() -> np.ndarray | None:
        return start_frame(project, bundle, request)

    return replace(request, start_image_loader=load)


def continues_from_previous(project: Project, request: GenerateRequest) -> bool:
    """Whether ``request``'s start frame is the previous shot's last frame (so it must wait for that take).

    Cheap (the catalogue only): used by the farm to make continuity a dependency between two shots."""
    shot = request.shot
    return (not shot.reference_image and _may_use_start_frame(request) and project.index_of(shot.id) > 0
            and model_can_start_from_image(request))
