"""Rendering shots into takes stored in the project bundle (no Qt).

Used by the command line directly and by the window through its engine bridge:
an `EngineResult` becomes media files named by the take id under media/ and a
`Take` that records the exact recipe.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
import numpy as np

from studio import __version__
from studio.domain.model import Project, Shot, Take, TakeRecipe, new_id
from studio.engine.protocol import (
    Cancelled,
    CancelledError,
    CancelToken,
    Emit,
    EngineEvent,
    EngineResult,
    Failed,
    GenerateRequest,
)
from studio.engine.runner import run_request
from studio.media.audio_io import read_wav, write_wav
from studio.engine.protocol import MasterSpool
from studio.persistence.bundle import media_dir, media_path
from studio.heap import trim_now, trimming
from studio.domain.errors import ExplainedError


class RenderFailed(ExplainedError):
    """Rendering a shot failed; ``message`` says what, ``hint`` what to do."""


# Whether a take is current is read by the window on every change: it lives in a light module
# (no PyAV, no numpy) and is re-exported here.
from studio.services.take_status import request_cameos, take_cameos, take_is_current  # noqa: E402,F401


def bundle_spool(bundle: Path, on_frame: Callable[[np.ndarray], None] | None = None) -> MasterSpool:
    """Where an engine writes a take's master for ``bundle``: its media folder (storing it is then a rename).

    ``on_frame`` sees each frame as it goes into the master (see `MasterSpool.on_frame`); the free
    memory the frames leave behind is handed back to the system as they stream (`trimming`), so a
    long shot renders in the same resident size as a short one."""
    from studio.persistence.bundle import check_media_folder

    folder = check_media_folder(bundle)  # never write through a link out of the bundle
    folder.mkdir(parents=True, exist_ok=True)
    return MasterSpool(folder, on_frame=trimming(on_frame))


def store_take(bundle: Path, request: GenerateRequest, result: EngineResult) -> Take:
    """Move a result's master and write its stems into the bundle; return the Take that records them.

    The master the engine streamed is renamed (or, from another disk, copied) to ``take_<id>.mp4``:
    the frames are never encoded again. A result that carries frames instead is written into a
    master first.
    """
    from studio.persistence.bundle import check_media_folder

    take_id = new_id("take")
    check_media_folder(bundle).mkdir(parents=True, exist_ok=True)  # never write through a link out of the bundle
    video_name = f"{take_id}.mp4"
    stems = []
    written: list[Path] = []
    try:
        for stem, samples in sorted(result.stems.items()):
            name = f"{take_id}.{stem}.wav"
            write_wav(media_path(bundle, name), samples)
            written.append(media_path(bundle, name))
            stems.append((stem, name))
        master = result.with_master(bundle_spool(bundle)).master
        assert master is not None
        master.adopt(media_path(bundle, video_name))  # last: a take's video exists only once it is whole
    except BaseException:
        for path in written:  # no half-stored take: its stems go with it
            path.unlink(missing_ok=True)
        raise
    width, height = master.width, master.height
    recipe = TakeRecipe(
        engine=result.engine,
        engine_version=result.engine_version,
        model=result.model,
        seed=result.seed,
        prompt=request.shot.prompt,
        composed_prompt=result.composed_prompt,
        negative_prompt=request.negative_prompt,
        width=width,
        height=height,
        fps=result.fps,
        frames=master.frames,
        camera=request.resolved().camera.value,
        settings=tuple(sorted({**dict(request.settings), **result.extra}.items())),
        app_version=__version__,
    )
    return Take(
        id=take_id,
        created_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        video=video_name,
        stems=tuple(stems),
        events=tuple(result.events),
        recipe=recipe,
        frames=master.frames,
    )


def render_shot(
    project: Project,
    bundle: Path,
    shot: Shot,
    *,
    engine: str | None = None,
    seed: int | None = None,
    on_event: Emit | None = None,
    cancel: CancelToken | None = None,
    settings: dict | None = None,
    defaults: dict | None = None,
    on_frame: Callable[[np.ndarray], None] | None = None,
) -> tuple[Project, Take]:
    """Generate ``shot`` now, store the take and select it; returns the updated project.

    ``on_frame`` sees each frame as the engine makes it (an export encodes them meanwhile).

    ``settings`` override the shot's engine settings (e.g. ``{"model": PATH}``); ``defaults``
    (the app's choices, e.g. the saved memory profile) apply where the shot sets nothing.
    Raises RenderFailed with the engine's message and hint, or CancelledError.
    """
    request = prepare_request(project, bundle, shot, engine=engine, seed=seed, settings=settings, defaults=defaults)
    outcome: list[EngineEvent] = []

    def emit(event: EngineEvent) -> None:
        if isinstance(event, (Failed, Cancelled)):
            outcome.append(event)
        if on_event:
            on_event(event)

    result = run_request(request, emit, cancel, spool=bundle_spool(bundle, on_frame))
    trim_now()  # what the sound design freed (its bed segments) goes back before the take is stored and mixed
    if result is None:
        last = outcome[-1] if outcome else None
        if isinstance(last, Cancelled):
            raise CancelledError()
        raise RenderFailed(last.message if isinstance(last, Failed) else "the engine gave no result", getattr(last, "hint", ""))
    return commit_result(project, bundle, shot, request, result)


def prepare_request(
    project: Project,
    bundle: Path,
    shot: Shot,
    *,
    engine: str | None = None,
    seed: int | None = None,
    settings: dict | None = None,
    defaults: dict | None = None,
    continuity: bool = True,
) -> GenerateRequest:
    """The self-contained request for ``shot``: its start frame (``continuity``) and cameo faces in it.

    Raises RenderFailed when a cast cameo may not be rendered (before any work)."""
    from studio.services.continuity import with_continuity

    request = GenerateRequest.for_shot(project, shot, engine=engine, seed=seed, settings=settings, defaults=defaults)
    if continuity:
        request = with_continuity(project, bundle, request)  # start from the previous take's last frame
    return cast_request_cameos(request)


def cast_request_cameos(request: GenerateRequest) -> GenerateRequest:
    """``request`` with its cameos' faces; a cameo that is revoked, expired or not permitted stops it here."""
    from studio.services.cameo_casting import CameoRefused, cast_cameos

    try:
        return cast_cameos(request)
    except CameoRefused as exc:
        raise RenderFailed(exc.message, exc.hint) from None


def commit_result(project: Project, bundle: Path, shot: Shot, request: GenerateRequest,
                  result: EngineResult) -> tuple[Project, Take]:
    """Store a finished result as ``shot``'s new selected take (in this process, into ``bundle``)."""
    from studio.services.cameo_casting import measure_cameo_likeness, record_cameo_renders

    result.extra.update(measure_cameo_likeness(request, result))
    try:
        take = store_take(bundle, request, result)
    except OSError as exc:
        raise RenderFailed(f"could not write the take into {bundle}: {exc.strerror or exc}", "free some disk space") from exc
    record_cameo_renders(request, take)
    updated = project.with_shot(project.shot(shot.id).with_take(take))
    return updated, take


def take_media_usable(bundle: Path, take: Take) -> bool:
    """Whether every file of ``take`` is in the bundle's media folder and not damaged.

    Cheap checks only (the video's container header, each stem's WAV magic): a deleted,
    truncated or overwritten file makes the take unusable, so export renders the shot again
    instead of stopping on a file the user cannot repair.
    """
    from studio.media.decode import probe
    from studio.media.errors import MediaError

    from studio.media._atomic import open_regular

    if not media_path(bundle, take.video).is_file():
        return False
    for _, name in take.stems:
        try:
            with open_regular(media_path(bundle, name)) as f:  # a FIFO here used to block forever
                if f.read(4) not in (b"RIFF", b"RF64", b"RIFX"):
                    return False
        except (OSError, MediaError):
            return False
    try:
        return probe(media_path(bundle, take.video)).frame_count > 0
    except MediaError:
        return False


def load_take_stems(bundle: Path, take: Take, frames: int, fps: int) -> dict[str, np.ndarray]:
    """A take's stems, each cut or padded to exactly the shot's length."""
    from studio.domain.timing import frames_to_samples

    n = frames_to_samples(frames, fps)
    stems: dict[str, np.ndarray] = {}
    for stem, name in take.stems:
        samples, _ = read_wav(media_path(bundle, name))
        out = np.zeros((n, 2), np.float32)
        m = min(n, samples.shape[0])
        out[:m] = samples[:m]
        stems[stem] = out
    return stems


def open_take_stems(bundle: Path, take: Take) -> dict[str, "WavReader"]:
    """A take's stems as readers by offset (`WavReader`): the export's mix reads them a block at a time."""
    from studio.media.audio_io import WavReader

    return {stem: WavReader(media_path(bundle, name)) for stem, name in take.stems}


def remove_unused_media(project: Project, bundle: Path) -> list[str]:
    """Delete media files no take refers to (after takes were discarded); returns the names removed."""
    used = set()
    for shot in project.shots:
        if shot.reference_image:
            used.add(shot.reference_image)
        for take in shot.takes:
            used.add(take.video)
            used.update(f for _, f in take.stems)
    from studio.persistence.bundle import TAKE_MEDIA_NAME, check_media_folder

    removed = []
    folder = check_media_folder(bundle)  # never through a link out of the bundle
    if folder.is_dir():
        for entry in os.scandir(folder):
            # Only regular files (not links, FIFOs, folders) that carry Studio's own take names.
            if (entry.is_file(follow_symlinks=False) and entry.name not in used
                    and TAKE_MEDIA_NAME.fullmatch(entry.name)):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed

