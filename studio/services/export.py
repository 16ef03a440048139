"""Export: the storyboard's selected takes joined into one watermarked MP4 with its recipe.

Shots are taken in order. A shot with a current take streams from its master; a shot
with none, or whose take no longer matches the shot (prompt, length, seed, engine,
canvas changed), is rendered now, and its frames go into the export's encoder as the
engine draws them (while they also go into the new take's master), so rendering and
encoding overlap and no frame is decoded again. Each rendered take is saved into the
bundle as it lands. Every frame passes fit-to-canvas and the watermark on its way.
The picture is encoded once into a hidden file; when the whole programme is there, the
stems are joined, crossfaded, loudness-normalised and encoded (on a thread of their own,
while the picture encoder finishes), and the sound is copied in beside the copied picture
(`add_sound`). A failed or cancelled export leaves nothing at the
destination.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from studio import APP_NAME, __version__
from studio.domain.concurrency import Beside
from studio.domain.model import Canvas, Project, Shot, Take, resolve_shot
from studio.engine.protocol import CancelledError, CancelToken, EngineEvent, GenerateRequest, Progress
from studio.media.audio_codec import aac_round_trip_blocks, decoded_track
from studio.media.decode import read_frames
from studio.media.encode import ExportCancelled, add_sound, encode_sound, write_mp4
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
from studio.services.takes import RenderFailed, open_take_stems, render_shot, take_is_current, take_media_usable
from studio.sound.mix import MAX_LIMITING_DB, shot_stem_gains
from studio.sound.stream import Mastered, ProgramMix, master_stream

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
        before = project
        project, _ = render_shot(project, bundle, shot, engine=engine, seed=seed, on_event=_render_events(progress, project, shot),
                                 cancel=cancel, settings=settings, defaults=defaults)
        # The window's own save may have run meanwhile (the lock is re-entrant in one process): keep its takes.
        project = save_merged(project, bundle, base=before, what="a render").project
        rendered.append(shot.id)
    return project, rendered


def _render_events(progress: ProgressFn | None, project: Project, shot: Shot) -> Callable[[EngineEvent], None]:
    """The engine's render steps of ``shot`` as ``progress("render <title>", step, total)``."""
    label = f"render {shot.display_title(project.index_of(shot.id))}"

    def on_event(event: EngineEvent) -> None:
        if progress and isinstance(event, Progress) and event.stage.startswith("render"):
            progress(label, event.step, event.total)

    return on_event


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


DRAWN_ENGINES = frozenset({"sketch"})
"""Engines whose frames are drawings (no photographic face for the watermark's face detector to find)."""


def shot_is_drawn(project: Project, shot: Shot, *, take: Take | None = None, engine: str | None = None) -> bool:
    """Whether ``shot``'s frames are a drawing with no photograph in them: ``take`` (default: the
    selected one) made, or the shot about to be rendered by ``engine``, by a drawn engine, and the
    shot casts no cameo (Sketch pastes the person's face photo on)."""
    if engine is None:
        take = take or shot.selected_take
        if take is None or take.source != "engine":
            return False
        engine = take.recipe.engine
    if engine not in DRAWN_ENGINES:
        return False
    return not any(c.cameo_id for c in resolve_shot(shot, project.bible).characters)


def _program_frames(
    bundle: Path, takes: Sequence[tuple[Shot, Take]], canvas: Canvas, fps: int, project: Project | None = None,
) -> Iterator[np.ndarray]:
    """Every output frame in order, fitted to the canvas and watermarked (every shot has its take);
    with ``project``, drawn shots (`shot_is_drawn`) are placed around without face detection."""
    mark = Watermark(canvas.width, canvas.height, fps)
    index = 0
    for shot, take in takes:
        drawn = project is not None and shot_is_drawn(project, shot, take=take)
        yield from _shot_frames(read_frames(media_path(bundle, take.video), max_frames=shot.duration_frames),
                                shot.duration_frames, canvas, mark, index, drawn=drawn)
        index += shot.duration_frames


def _shot_frames(source: Iterator[np.ndarray], length: int, canvas: Canvas, mark: Watermark,
                 first: int, *, drawn: bool = False) -> Iterator[np.ndarray]:
    """One shot's ``length`` output frames from ``source`` (numbered from ``first`` in the programme),
    fitted and watermarked. ``source`` is read to its end; what it has past ``length`` is not shown,
    and a source shorter than its shot (an imported clip) holds its last frame. ``drawn`` frames
    (an animatic engine's) are placed around without face detection (`Watermark.apply`).

    ``source`` hands over frames of its own (each a new array: decoded, or the render's copy),
    so the mark is blended into them in place, without a full-frame copy each; the few pixels
    under it are kept so that a held last frame is marked afresh, not twice.
    """
    last: np.ndarray | None = None
    under: tuple[int, int, np.ndarray] | None = None  # (x, y, pixels) the mark covered on ``last``
    produced = 0
    for frame in source:
        if produced >= length:
            continue  # an engine that made more than the shot lasts: still drained, never shown
        last = fit_frame(frame, canvas.width, canvas.height)
        if not last.flags.writeable:
            last = last.copy()
        x, y, w, h = mark.box(first + produced)
        under = (x, y, last[y : y + h, x : x + w].copy())
        yield mark.apply(last, first + produced, faces=not drawn, in_place=True)
        produced += 1
    if produced < length:
        held = np.zeros((canvas.height, canvas.width, 3), np.uint8)
        if last is not None and under is not None:
            held = last.copy()
            x, y, pixels = under
            held[y : y + pixels.shape[0], x : x + pixels.shape[1]] = pixels  # as the source left it
        while produced < length:
            yield mark.apply(held, first + produced, faces=not drawn)
            produced += 1


_END = object()


class _Program:
    """The export's frames in order: each shot from its take's master, or rendered now.

    A shot in ``todo`` is rendered on a thread (`render_shot`, which saves nothing itself);
    its frames reach `frames` as the engine puts them into the take's master. The rendered
    take is saved into the bundle (merged under the lock) and selected in ``project``
    before the next shot starts, so continuity reads it.
    """

    def __init__(self, project: Project, bundle: Path, shots: Sequence[Shot], todo: set[str],
                 canvas: Canvas, fps: int, *, render_kwargs: dict, progress: ProgressFn | None) -> None:
        self.project, self.bundle, self.shots, self.todo = project, bundle, list(shots), todo
        self.canvas, self.fps = canvas, fps
        self.render_kwargs = render_kwargs
        self.progress = progress
        self.rendered: list[str] = []

    def frames(self) -> Iterator[np.ndarray]:
        mark = Watermark(self.canvas.width, self.canvas.height, self.fps)
        index = 0
        for listed in self.shots:
            shot = self.project.shot(listed.id)
            if shot.id in self.todo:
                drawn = shot_is_drawn(self.project, shot, engine=self.render_kwargs.get("engine") or shot.engine)
                source = self._render(shot)
            else:
                assert shot.selected_take is not None
                source = read_frames(media_path(self.bundle, shot.selected_take.video), max_frames=shot.duration_frames)
                drawn = shot_is_drawn(self.project, shot)
            yield from _shot_frames(source, shot.duration_frames, self.canvas, mark, index, drawn=drawn)
            index += shot.duration_frames

    def _render(self, shot: Shot) -> Iterator[np.ndarray]:
        """Render ``shot`` on a thread, handing on its frames as they are drawn; then save its take."""
        frames: queue.Queue = queue.Queue(maxsize=4)
        abandoned = threading.Event()
        outcome: dict[str, object] = {}
        before = self.project

        def hand_on(item: object) -> None:
            while True:
                if abandoned.is_set():
                    raise CancelledError()  # the export stopped reading: end the render
                try:
                    frames.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def on_frame(rgb: np.ndarray) -> None:
            hand_on(np.array(rgb, copy=True))  # the engine may reuse its buffer

        def work() -> None:
            try:
                outcome["result"] = render_shot(before, self.bundle, shot, on_frame=on_frame,
                                                on_event=_render_events(self.progress, before, shot),
                                                **self.render_kwargs)
            except BaseException as exc:  # re-raised on the export's thread
                outcome["error"] = exc
            finally:
                with contextlib.suppress(CancelledError):  # nobody is reading any more
                    hand_on(_END)

        worker = threading.Thread(target=work, name="studio-export-render", daemon=True)
        worker.start()
        try:
            while True:
                item = frames.get()
                if item is _END:
                    break
                yield item  # type: ignore[misc]
        finally:
            abandoned.set()
            while worker.is_alive():  # let a render waiting to hand on a frame see that we stopped
                with contextlib.suppress(queue.Empty):
                    frames.get(timeout=0.1)
            worker.join()
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        project, _ = outcome["result"]  # type: ignore[misc]
        # The window's own save may have run meanwhile (the lock is re-entrant in one process): keep its takes.
        self.project = save_merged(project, self.bundle, base=before, what="a render").project
        self.rendered.append(shot.id)


def _overlaid(frames: Iterator[np.ndarray], overlay) -> Iterator[np.ndarray]:
    """``frames`` with ``overlay(frame, index)`` applied to each (unchanged when there is none)."""
    if overlay is None:
        yield from frames
        return
    for index, frame in enumerate(frames):
        yield overlay(frame, index)


@dataclass(frozen=True)
class _Sound:
    takes: list[tuple[Shot, Take]]
    lufs: float
    true_peak_db: float
    encoded: Path
    """The delivered AAC track (`encode_sound`), a hidden file beside the destination."""


def _checked_sound(project: Project, shots: Sequence[Shot], bundle: Path, fps: int, frames: int,
                   options: ExportOptions, encoded: Path) -> _Sound:
    """The exported shots' takes, their consent checked, and their sound mastered and encoded into ``encoded``."""
    takes = [(project.shot(s.id), project.shot(s.id).selected_take) for s in shots]
    assert all(t is not None for _, t in takes)
    check_export_consent(project, takes)  # type: ignore[arg-type]  # every export path (CLI, window, feed remix, farm)
    with master_program(bundle, takes, fps, options, delivered=(encoded, frames)) as mastered:  # type: ignore[arg-type]
        if not mastered.round_tripped:  # the ceiling's check did not already write the final setting there
            encode_sound(encoded, mastered.blocks(), fps=fps, frames=frames)
        return _Sound(takes, mastered.lufs, mastered.true_peak_db, encoded)  # type: ignore[arg-type]


def master_program(bundle: Path, takes: Sequence[tuple[Shot, Take]], fps: int, options: ExportOptions,
                   audio_codec: str = "aac", *, delivered: tuple[Path, int] | None = None) -> Mastered:
    """The programme's sound, mastered to the options' loudness and true peak, in blocks (`Mastered`).

    The takes' stems are read from their WAVs a block at a time, joined (`ProgramMix`) and
    mastered (`master_stream`): memory stays a few blocks however long the programme.
    For ``audio_codec="aac"`` the true-peak ceiling is checked on the AAC round trip
    (what the delivered file decodes to); PCM (``"pcm_s24le"``, WAV) needs no margin.
    ``delivered=(path, frames)``: that round trip is the delivered track itself, encoded into
    ``path`` for ``frames`` frames (`decoded_track`); when the result's ``round_tripped`` is
    true, ``path`` holds its sound and needs no second encode.
    Close the result when done (its spooled mix is in temporary files).
    """
    from studio.domain.timing import frames_to_samples

    stems = [open_take_stems(bundle, take) for _, take in takes]
    lengths = [frames_to_samples(shot.duration_frames, fps) for shot, _ in takes]
    # Each shot's own stem balance (the stem mixer) first, then the export-wide gains.
    shot_gains = [shot_stem_gains(shot.engine_settings) for shot, _ in takes]
    mix = ProgramMix(stems, lengths, gains=options.stem_gains_db or None, shot_gains=shot_gains)
    codec = None
    if audio_codec == "aac":
        codec = aac_round_trip_blocks
        if delivered is not None:
            path, frames = delivered
            codec = lambda blocks, n: decoded_track(path, blocks, fps=fps, frames=frames)  # noqa: E731
    return master_stream(mix.blocks(), options.loudness_lufs, options.true_peak_db, max_limiting_db=MAX_LIMITING_DB,
                         codec=codec)


def mix_program(bundle: Path, takes: Sequence[tuple[Shot, Take]], fps: int, options: ExportOptions,
                audio_codec: str = "aac") -> np.ndarray:
    """`master_program` as one array (short programmes: delivery, benchmarks, tests)."""
    with master_program(bundle, takes, fps, options, audio_codec) as mastered:
        return mastered.array()


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
    canvas = export_canvas(project, options.aspect)
    fps = project.fps
    render_kwargs = dict(engine=options.engine, seed=options.seed, cancel=cancel, settings=forced_settings or None,
                         defaults=options.engine_defaults)
    if options.farm:
        from studio.services.farm_render import ensure_takes_on_farm

        # The farm renders on other machines: its takes arrive whole, then stream from their masters.
        project, farm_rendered = ensure_takes_on_farm(
            project, bundle, shots, options.farm, engine=options.engine, seed=options.seed, progress=progress,
            cancel=cancel, settings=forced_settings or None, defaults=options.engine_defaults,
        )
        todo: set[str] = set()
    else:
        farm_rendered = []
        todo = {s.id for s in shots_to_render(project, bundle, shots, engine=options.engine, seed=options.seed,
                                              settings=forced_settings or None)}
    program = _Program(project, bundle, shots, todo, canvas, fps, render_kwargs=render_kwargs, progress=progress)
    total = sum(project.shot(s.id).duration_frames for s in shots)
    crf, preset = QUALITY_PRESETS[options.quality]

    def on_frame(done: int, total_frames: int) -> None:
        if progress:
            progress("encode", done, total_frames)

    # The picture is encoded beside the destination while the shots render, the sound is
    # added beside it, then that is signed into the destination: the signed file is what
    # lands there (atomically), and a failed render, encode or sign leaves nothing there.
    destination = Path(destination).absolute()
    picture = partial_path(destination)
    unsigned = partial_path(destination)
    encoded = partial_path(destination)
    mastering: list[Beside[_Sound]] = []

    def frames_then_sound() -> Iterator[np.ndarray]:
        yield from _overlaid(program.frames(), options.frame_overlay)
        # Every take is rendered and saved now: the sound is checked, mastered and encoded on its
        # own thread while the picture encoder drains its look-ahead, instead of after it.
        mastering.append(Beside("studio-export-sound", _checked_sound, program.project, shots, bundle, fps, total,
                                options, encoded))

    try:
        write_mp4(
            picture,
            frames_then_sound(),
            fps=fps,
            width=canvas.width,
            height=canvas.height,
            crf=crf,
            preset=preset,
            frame_count=total,
            progress=on_frame,
            should_cancel=lambda: cancel.cancelled,
        )
        project = program.project
        sound = mastering.pop().result()
        takes, lufs, peak = sound.takes, sound.lufs, sound.true_peak_db
        recipe = build_recipe(project, takes)  # type: ignore[arg-type]
        metadata = {
            RECIPE_KEY: recipe,
            "title": project.title,
            "comment": f"Made with {APP_NAME} {__version__}; AI-generated video (watermarked).",
            "encoder_app": f"{APP_NAME} {__version__}",
            "ai_generated": "true",
        }
        add_sound(picture, unsigned, fps=fps, encoded=sound.encoded, metadata=metadata)
        path = sign_export(unsigned, destination, project, takes, recipe_text=recipe,  # type: ignore[arg-type]
                           consent=cameo_consent or consent_reference)
    except ExportCancelled:
        raise CancelledError() from None
    except MediaError as exc:
        # The user chose day.mp4; the hidden .day.partial-….mp4 beside it is ours, never theirs to read about.
        text = str(exc)
        for hidden in (picture, unsigned, encoded):
            if hidden.name in text:
                raise MediaError(text.replace(str(hidden), str(destination))
                                 .replace(hidden.name, destination.name)) from exc
        raise
    finally:
        for unclaimed in mastering:  # the picture failed after the sound was started: remove it when it is done
            unclaimed.abandon(lambda done: done.encoded.unlink(missing_ok=True))
        # Best effort: on a read-only or vanished folder the unlink fails too, and must not hide the real error.
        for hidden in (picture, unsigned, encoded):
            with contextlib.suppress(OSError):
                hidden.unlink(missing_ok=True)
    rendered = farm_rendered + program.rendered
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

