"""Export: the storyboard's selected takes joined into one watermarked MP4 with its recipe.

Shots with no take, or whose take no longer matches the shot (prompt, length,
seed, engine, canvas changed), are rendered first and saved into the bundle.
Then frames stream from each take through fit-to-canvas and the watermark into
the encoder while the stems are joined, crossfaded and loudness-normalised.
The encoder writes a temporary file and renames it at the end, so a failed or
cancelled export leaves nothing at the destination.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from studio import APP_NAME, __version__
from studio.domain.model import Canvas, Project, Shot, Take
from studio.engine.protocol import CancelledError, CancelToken, EngineEvent, GenerateRequest, Progress
from studio.media.audio_codec import aac_round_trip
from studio.media.decode import read_frames
from studio.media.encode import ExportCancelled, write_mp4
from studio.media.frames import fit_frame
from studio.media.watermark import Watermark
from studio.persistence.bundle import media_path
from studio.persistence.merge import save_merged
from studio.provenance.recipe import RECIPE_KEY, build_recipe
from studio.media._atomic import partial_path
from studio.media.errors import MediaError
from studio.provenance.content_credentials import ConsentLookup, cameos_in, sign_export
from studio.services.cameo_casting import check_export_consent
from studio.services.cameo_credits import consent_reference
from studio.services.feed_store import record_export
from studio.services.takes import RenderFailed, load_take_stems, render_shot, take_is_current, take_media_usable
from studio.sound.mix import join_shots, measure_loudness, normalize_loudness, shot_stem_gains

QUALITY_PRESETS: dict[str, tuple[int, str]] = {
    # name: (x264 crf, preset)
    "draft": (26, "veryfast"),
    "standard": (20, "medium"),
    "high": (16, "slow"),
}

ProgressFn = Callable[[str, int, int], None]
"""(stage, done, total): stage is "render <shot title>" or "encode"."""


@dataclass(frozen=True)
class ExportOptions:
    aspect: str | None = None
    """16:9, 9:16 or 1:1; None keeps the project's canvas."""
    quality: str = "standard"
    loudness_lufs: float = -14.0
    true_peak_db: float = -1.0
    shot_ids: tuple[str, ...] | None = None
    """Which shots, in storyboard order; None for all."""
    engine: str | None = None
    """Render every exported shot again with this engine."""
    seed: int | None = None
    """Render every exported shot again with this seed."""
    model: str | None = None
    """Render every exported shot again with this model (a catalogue id or a folder)."""
    audio_model: str | None = None
    """A text-to-audio model (catalogue id or folder) that voices the shots' sound cues (diffusers engine)."""
    engine_defaults: dict | None = None
    """App-wide engine choices (the saved memory profile) for shots that set none themselves."""
    stem_gains_db: dict[str, float] = field(default_factory=dict)
    farm: str | None = None
    """Render missing takes on a Ray cluster: "local" or an address (studio.farm); None renders in-process."""
    frame_overlay: Callable[[np.ndarray, int], np.ndarray] | None = None
    """Drawn over each watermarked output frame (index) before encoding: burned-in captions."""


@dataclass(frozen=True)
class ExportReport:
    path: Path
    frames: int
    fps: int
    canvas: Canvas
    seconds: float
    loudness_lufs: float
    true_peak_db: float
    rendered_shots: tuple[str, ...]
    project: Project
    """The project after export (with any takes rendered on the way)."""
    feed_note: str = ""
    """Why the video is not in the feed yet, and where its entry waits (empty when it is in the feed)."""


def export_canvas(project: Project, aspect: str | None) -> Canvas:
    if aspect is None or aspect == project.canvas.aspect:
        return project.canvas
    return Canvas.from_aspect(aspect, short_side=min(project.canvas.width, project.canvas.height))


def ensure_takes(
    project: Project,
    bundle: Path,
    shots: Sequence[Shot],
    *,
    engine: str | None = None,
    seed: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    settings: dict | None = None,
    defaults: dict | None = None,
) -> tuple[Project, list[str]]:
    """Render each shot that has no current take; save the bundle after each one."""
    rendered: list[str] = []
    for shot in shots_to_render(project, bundle, shots, engine=engine, seed=seed, settings=settings):
        shot = project.shot(shot.id)
        label = f"render {shot.display_title(project.index_of(shot.id))}"

        def on_event(event: EngineEvent, label: str = label) -> None:
            if progress and isinstance(event, Progress) and event.stage.startswith("render"):
                progress(label, event.step, event.total)

        before = project
        project, _ = render_shot(project, bundle, shot, engine=engine, seed=seed, on_event=on_event, cancel=cancel,
                                 settings=settings, defaults=defaults)
        # The window's own save may have run meanwhile (the lock is re-entrant in one process): keep its takes.
        project = save_merged(project, bundle, base=before, what="a render").project
        rendered.append(shot.id)
    return project, rendered


def _with_takes_saved_elsewhere(project: Project, bundle: Path) -> Project:
    """``project`` plus the takes another writer saved into the bundle after ``project`` was read (under the lock)."""
    from studio.persistence.bundle import PROJECT_FILE, ProjectFileError, load_project
    from studio.persistence.merge import merge_takes

    if not (Path(bundle) / PROJECT_FILE).is_file():
        return project
    try:
        # Takes only: what the caller exports (its selections, its shots) stays as it asked.
        return merge_takes(project, project, load_project(bundle), selection=False, shots=False).project
    except ProjectFileError:
        return project


def shots_to_render(
    project: Project,
    bundle: Path,
    shots: Sequence[Shot],
    *,
    engine: str | None = None,
    seed: int | None = None,
    settings: dict | None = None,
) -> list[Shot]:
    """The shots among ``shots`` with no current, usable take (raises RenderFailed for a lost imported clip)."""
    todo: list[Shot] = []
    for shot in shots:
        shot = project.shot(shot.id)
        request = GenerateRequest.for_shot(project, shot, engine=engine, seed=seed, settings=settings)
        take = shot.selected_take
        usable = take is not None and take_media_usable(bundle, take)
        if take is not None and take.source != "engine" and not usable:
            # An imported clip cannot be made again: rendering would silently replace the user's footage.
            raise RenderFailed(f"shot {project.index_of(shot.id) + 1} ({shot.display_title(project.index_of(shot.id))}): "
                               f"its imported clip {take.video} is missing or damaged in {bundle / 'media'}",
                               "put the file back, or import the clip again")
        if take is not None and take_is_current(take, request) and usable:
            continue
        todo.append(shot)
    return todo


def _program_frames(
    bundle: Path, takes: Sequence[tuple[Shot, Take]], canvas: Canvas, fps: int
) -> Iterator[np.ndarray]:
    """Every output frame in order, fitted to the canvas and watermarked."""
    mark = Watermark(canvas.width, canvas.height, fps)
    index = 0
    for shot, take in takes:
        last: np.ndarray | None = None
        produced = 0
        for frame in read_frames(media_path(bundle, take.video), max_frames=shot.duration_frames):
            last = fit_frame(frame, canvas.width, canvas.height)
            yield mark.apply(last, index)
            index += 1
            produced += 1
        # An imported clip shorter than its shot holds its last frame.
        while produced < shot.duration_frames:
            held = last if last is not None else np.zeros((canvas.height, canvas.width, 3), np.uint8)
            yield mark.apply(held, index)
            index += 1
            produced += 1


def _overlaid(frames: Iterator[np.ndarray], overlay) -> Iterator[np.ndarray]:
    """``frames`` with ``overlay(frame, index)`` applied to each (unchanged when there is none)."""
    if overlay is None:
        yield from frames
        return
    for index, frame in enumerate(frames):
        yield overlay(frame, index)


def mix_program(bundle: Path, takes: Sequence[tuple[Shot, Take]], fps: int, options: ExportOptions,
                audio_codec: str = "aac") -> np.ndarray:
    """The programme's sound, mastered to the options' loudness and true peak.

    For ``audio_codec="aac"`` the true-peak ceiling is checked on the AAC round trip
    (what the delivered file decodes to); PCM (``"pcm_s24le"``, WAV) needs no margin.
    """
    stems = [load_take_stems(bundle, take, shot.duration_frames, fps) for shot, take in takes]
    # Each shot's own stem balance (the stem mixer) first, then the export-wide gains.
    shot_gains = [shot_stem_gains(shot.engine_settings) for shot, _ in takes]
    program = join_shots(stems, gains=options.stem_gains_db or None, shot_gains=shot_gains)
    codec = aac_round_trip if audio_codec == "aac" else None
    return normalize_loudness(program, options.loudness_lufs, options.true_peak_db, codec=codec)


def export_project(
    project: Project,
    bundle: Path,
    destination: Path,
    options: ExportOptions = ExportOptions(),
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    cameo_consent: ConsentLookup | None = None,
) -> ExportReport:
    """Render what is missing, then write the signed MP4 atomically. Raises CancelledError on cancel.

    ``cameo_consent(cameo_id)`` gives the consent record reference that the
    content credentials cite for each cameo that appears (default: the vault's).
    """
    from studio.persistence.lock import bundle_lock, sweep_stale_partials, sweep_stale_temp_files

    # One writer per bundle (CLI, window, farm): a second render would save over this one's takes.
    with bundle_lock(bundle, f"an export of {Path(bundle).name} to {Path(destination).name}"):
        # What killed saves, renders and exports left behind (Studio's own temporary names only).
        sweep_stale_temp_files(bundle)
        sweep_stale_partials(Path(destination))
        project = _with_takes_saved_elsewhere(project, bundle)
        return _export_locked(project, bundle, destination, options, progress=progress, cancel=cancel,
                              cameo_consent=cameo_consent)


def _export_locked(
    project: Project,
    bundle: Path,
    destination: Path,
    options: ExportOptions,
    *,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
    cameo_consent: ConsentLookup | None,
) -> ExportReport:
    cancel = cancel or CancelToken()
    shots = [s for s in project.shots if options.shot_ids is None or s.id in options.shot_ids]
    if not shots:
        raise ValueError("nothing to export: the storyboard has no shots" if not project.shots else "no shot matches --shots")
    if options.quality not in QUALITY_PRESETS:
        raise ValueError(f"unknown quality {options.quality!r}; choose one of {', '.join(QUALITY_PRESETS)}")
    forced_settings = {k: v for k, v in (("model", options.model), ("audio_model", options.audio_model)) if v}
    if options.engine is not None or options.seed is not None or forced_settings:
        # A forced engine, seed or model is a new render of every exported shot.
        forced = {x.id for x in shots}
        project = project.with_shots(replace(s, selected_take_id=None) if s.id in forced else s for s in project.shots)
    if options.farm:
        from studio.services.farm_render import ensure_takes_on_farm

        project, rendered = ensure_takes_on_farm(
            project, bundle, shots, options.farm, engine=options.engine, seed=options.seed, progress=progress,
            cancel=cancel, settings=forced_settings or None, defaults=options.engine_defaults,
        )
    else:
        project, rendered = ensure_takes(
            project, bundle, shots, engine=options.engine, seed=options.seed, progress=progress, cancel=cancel,
            settings=forced_settings or None, defaults=options.engine_defaults,
        )
    takes = [(project.shot(s.id), project.shot(s.id).selected_take) for s in shots]
    assert all(t is not None for _, t in takes)
    check_export_consent(project, takes)  # every export path (CLI, window, feed remix, farm) passes here
    canvas = export_canvas(project, options.aspect)
    fps = project.fps
    total = sum(s.duration_frames for s, _ in takes)

    audio = mix_program(bundle, takes, fps, options)  # type: ignore[arg-type]
    lufs, peak = measure_loudness(audio)
    recipe = build_recipe(project, takes)  # type: ignore[arg-type]
    crf, preset = QUALITY_PRESETS[options.quality]
    metadata = {
        RECIPE_KEY: recipe,
        "title": project.title,
        "comment": f"Made with {APP_NAME} {__version__}; AI-generated video (watermarked).",
        "encoder_app": f"{APP_NAME} {__version__}",
        "ai_generated": "true",
    }

    def on_frame(done: int, total_frames: int) -> None:
        if progress:
            progress("encode", done, total_frames)

    # Encode beside the destination, then sign into it: the signed file is what lands there
    # (atomically), and a failed encode or sign leaves nothing at the destination.
    unsigned = partial_path(Path(destination).absolute())
    try:
        write_mp4(
            unsigned,
            _overlaid(_program_frames(bundle, takes, canvas, fps), options.frame_overlay),  # type: ignore[arg-type]
            fps=fps,
            width=canvas.width,
            height=canvas.height,
            audio=audio,
            metadata=metadata,
            crf=crf,
            preset=preset,
            frame_count=total,
            progress=on_frame,
            should_cancel=lambda: cancel.cancelled,
        )
        path = sign_export(unsigned, Path(destination).absolute(), project, takes, recipe_text=recipe,  # type: ignore[arg-type]
                           consent=cameo_consent or consent_reference)
    except ExportCancelled:
        raise CancelledError() from None
    except MediaError as exc:
        # The user chose day.mp4; the hidden .day.partial-….mp4 beside it is ours, never theirs to read about.
        text = str(exc)
        if unsigned.name in text:
            raise MediaError(text.replace(str(unsigned), str(Path(destination).absolute()))
                             .replace(unsigned.name, Path(destination).name)) from exc
        raise
    finally:
        # Best effort: on a read-only or vanished folder the unlink fails too, and must not hide the real error.
        try:
            unsigned.unlink(missing_ok=True)
        except OSError:
            pass
    feed = record_export(path, title=project.title, seconds=total / fps, width=canvas.width, height=canvas.height,
                  project_id=project.id, engines=sorted({f"{t.recipe.engine} {t.recipe.engine_version}".strip() for _, t in takes}),  # type: ignore[union-attr]
                  recipe=recipe, cameos=[(c.cameo_id, c.character) for c in cameos_in(project, [s for s, _ in takes])])
    return ExportReport(
        path=Path(path),
        frames=total,
        fps=fps,
        canvas=canvas,
        seconds=total / fps,
        loudness_lufs=lufs,
        true_peak_db=peak,
        rendered_shots=tuple(rendered),
        project=project,
        feed_note=feed.note,
    )

