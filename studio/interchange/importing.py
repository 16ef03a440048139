"""A timeline becomes a project, or an editor's re-cut comes back into the project it came from.

A picture clip becomes a shot (name -> title, duration -> duration in the project's
frames, media -> an imported take, missing media -> a shot with no take and a note
naming the file). A clip our export wrote carries its shot id (and prompt, seed,
engine) in its metadata, so the shot comes back as it was; a re-cut moves, trims and
lengthens the shots it recognises, adds the clips it does not, and reports the shots
the editor removed instead of deleting them.

Writes happen only inside the destination: a new project is built in a hidden
folder beside it and renamed at the end (a failed import leaves no folder); a
re-cut copies new media into the project's media/ and removes them again on failure.
"""

from __future__ import annotations

import itertools

import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path

import numpy as np

from studio import __version__
from studio.domain.model import DialogueLine, Project, Shot, Take, TakeRecipe, new_id, stable_seed
from studio.domain.timing import SAMPLE_RATE, frames_to_samples
from studio.interchange.reading import ClipPlan, TimelinePlan, plan_timeline, read_timeline, studio_metadata
from studio.interchange.timeline import TimelineError
from studio.persistence.bundle import load_project, media_dir, save_project

SUPPORTED_PROJECT_FPS = (12, 15, 24, 25, 30, 48, 50, 60)


@dataclass
class ImportReport:
    project: Project
    bundle: Path
    notes: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    """Shot ids made from clips the project did not have."""
    moved: list[str] = field(default_factory=list)
    retimed: list[str] = field(default_factory=list)
    """Shot ids whose duration or head trim the editor changed."""
    removed: list[str] = field(default_factory=list)
    """Shot ids in the project that the timeline no longer has (kept, at the end)."""
    written: list[Path] = field(default_factory=list)
    """Media files this import wrote into the bundle."""


def project_fps_for(rate: Fraction) -> int:
    """The project frame rate for a timeline rate: 23.976 -> 24, 29.97 -> 30, else the nearest supported."""
    return min(SUPPORTED_PROJECT_FPS, key=lambda f: (abs(f - rate), f))


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _import_take(media: Path, clip: ClipPlan, fps: int, written: list[Path]) -> tuple[Take | None, str]:
    """Copy the clip's media (from its head trim on) into ``media`` as a new take; (None, why) when it cannot."""
    from studio.media.audio_io import read_wav, write_wav
    from studio.media.decode import probe, read_audio, read_frames
    from studio.media.encode import write_take_video
    from studio.media.errors import MediaError

    source = clip.media
    assert source is not None
    try:
        info = probe(source)
    except MediaError as exc:
        return None, f"{clip.name}: its media {source} is not a readable video ({str(exc)[:120]})"
    except Exception as exc:  # a damaged file can make the demuxer raise anything
        return None, f"{clip.name}: its media {source} is not a readable video ({type(exc).__name__})"
    if info.width * info.height > 8192 * 8192 or info.frame_count <= 0:
        return None, f"{clip.name}: its media {source} has no usable picture"
    take_id = new_id("take")
    head = clip.head_trim_frames
    stems: list[tuple[str, str]] = []
    try:
        if head == 0:
            video_name = f"{take_id}{source.suffix.lower()}"
            shutil.copyfile(source, media / video_name)
            written.append(media / video_name)
            frames = info.frame_count
        else:
            # The editor's head trim: the take starts where the clip starts.
            # Streamed: the clip is never held whole in memory.
            picture = itertools.islice(read_frames(source, max_frames=head + clip.duration_frames), head, None)
            video_name = f"{take_id}.mp4"
            try:
                write_take_video(media / video_name, picture, fps)
            except ValueError:  # no frame after the head trim
                return None, f"{clip.name}: its media {source} ends before the clip's in-point"
            written.append(media / video_name)
            frames = probe(media / video_name).frame_count
        n = frames_to_samples(clip.duration_frames, fps)
        offset = frames_to_samples(head, fps)
        sources = list(clip.stems)
        if not sources and info.has_audio:
            samples, sr = read_audio(source)
            if sr == SAMPLE_RATE:
                sources = [("dialogue", samples)]  # location sound goes where the voices go
        for stem, wav in sources:
            if isinstance(wav, Path):
                samples, sr = read_wav(wav)
                if sr != SAMPLE_RATE:
                    continue
            else:
                samples = wav
            out = np.zeros((n, 2), np.float32)
            part = samples[offset:offset + n]
            out[: part.shape[0]] = part
            name = f"{take_id}.{stem}.wav"
            write_wav(media / name, out)
            written.append(media / name)
            stems.append((stem, name))
    except MediaError as exc:
        return None, f"{clip.name}: its media could not be imported ({str(exc)[:160]})"
    meta = clip.studio
    recipe = TakeRecipe(
        engine=str(meta.get("engine") or "import"), engine_version=str(meta.get("engine_version") or ""),
        seed=int(meta.get("seed") or 0) if str(meta.get("seed", "0")).lstrip("-").isdigit() else 0,
        prompt=str(meta.get("prompt") or ""), composed_prompt=source.name,
        width=info.width, height=info.height, fps=fps, frames=frames, camera="static",
        model=str(meta["model"]) if meta.get("model") else None, app_version=__version__,
    )
    take = Take(id=take_id, created_at=_now(), video=video_name, stems=tuple(stems), events=(), recipe=recipe,
                frames=frames, source="import")
    return take, ""


def _shot_from_clip(clip: ClipPlan) -> Shot:
    meta = clip.studio
    shot_id = new_id("shot")
    seed = meta.get("seed")
    dialogue = tuple(DialogueLine(text, None, at) for text, at in clip.markers)
    if isinstance(meta.get("dialogue"), list):  # ours: the speakers too
        dialogue = tuple(DialogueLine(str(d.get("text", "")), str(d.get("speaker_id") or "") or None,
                                      d.get("at_frame") if isinstance(d.get("at_frame"), int) else None)
                         for d in meta["dialogue"] if isinstance(d, dict) and d.get("text"))
    return Shot(
        id=shot_id,
        prompt=str(meta.get("prompt") or ""),
        title=str(meta.get("title") or clip.name)[:80] if (meta.get("title") or not meta) else "",
        duration_frames=clip.duration_frames,
        seed=int(seed) if isinstance(seed, int) and seed >= 0 else stable_seed(shot_id),
        engine=str(meta.get("engine") or "sketch") if meta.get("engine") not in (None, "", "import") else "sketch",
        dialogue=dialogue,
        camera=_camera(meta.get("camera")),
        characters=tuple(str(c) for c in meta.get("characters", []) if isinstance(c, str))
        if isinstance(meta.get("characters"), list) else (),
    )


def _camera(value):
    from studio.domain.model import CameraMove

    try:
        return CameraMove(value)
    except ValueError:
        return CameraMove.STATIC


def _with_media(shot: Shot, clip: ClipPlan, media: Path, fps: int, written: list[Path], notes: list[str]) -> Shot:
    if clip.media is None:
        named = clip.media_named or "(none)"
        notes.append(f"{clip.name}: media {named} is missing; the shot has no take")
        return shot
    take, why = _import_take(media, clip, fps, written)
    if take is None:
        notes.append(why + "; the shot has no take")
        return shot
    return shot.with_take(take)


def import_new_project(timeline_file: Path, destination: Path, *, fps: int | None = None,
                       title: str | None = None) -> ImportReport:
    """Make a new project bundle at ``destination`` from a timeline (nothing left behind on failure)."""
    from studio.domain.model import Canvas

    timeline_file = Path(timeline_file).absolute()
    destination = Path(destination).absolute()
    if destination.exists():
        raise TimelineError(f"{destination}: already exists; choose a new project name")
    if not destination.parent.is_dir():
        raise TimelineError(f"{destination.parent}: no such folder; create it first")
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent))
    try:
        (work / "unpacked").mkdir()
        timeline = read_timeline(timeline_file, extract_to=work / "unpacked")
        rate_guess = plan_timeline(timeline, 24, timeline_file.parent).rate if fps is None else None
        project_fps = fps or project_fps_for(rate_guess)
        base = work / "unpacked" if timeline_file.suffix.lower() == ".otioz" else timeline_file.parent
        plan = plan_timeline(timeline, project_fps, base)
        meta = studio_metadata(timeline)
        bundle = work / "bundle.studio"
        media = media_dir(bundle)
        media.mkdir(parents=True)
        written: list[Path] = []
        notes = list(plan.notes)
        shots = [_with_media(_shot_from_clip(c), c, media, project_fps, written, notes) for c in plan.clips]
        canvas = Canvas(1280, 720)
        w, h = meta.get("width"), meta.get("height")
        if isinstance(w, int) and isinstance(h, int):
            try:
                canvas = Canvas(w, h)
            except ValueError:
                pass
        else:
            first = next((s.selected_take for s in shots if s.selected_take), None)
            if first is not None:
                try:
                    canvas = Canvas(first.recipe.width // 2 * 2, first.recipe.height // 2 * 2)
                except ValueError:
                    pass
        project = Project(title=title or plan.name or timeline_file.stem, fps=project_fps, canvas=canvas,
                          bible=_bible(meta), shots=tuple(shots), created_at=_now())
        known = {c.id for c in project.bible.characters}
        project = project.with_shots(replace(s, dialogue=tuple(d if d.speaker_id in known else replace(d, speaker_id=None)
                                                                for d in s.dialogue),
                                             characters=tuple(c for c in s.characters if c in known))
                                     for s in project.shots)
        save_project(project, bundle)
        os.rename(bundle, destination)
        return ImportReport(project=project, bundle=destination, notes=notes, added=[s.id for s in shots])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bible(meta: dict):
    """The story bible our export put in the timeline's metadata (characters, style, setting)."""
    from studio.domain.model import Character, StoryBible

    chars = []
    for c in meta.get("characters", []) if isinstance(meta.get("characters"), list) else []:
        if isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("name"), str) and c["id"]:
            if all(x.id != c["id"] for x in chars):
                chars.append(Character(c["id"], c["name"][:80], str(c.get("look", ""))[:400]))
    return StoryBible(tuple(chars), style=str(meta.get("style", ""))[:400], setting=str(meta.get("setting", ""))[:400])


def _recognise(clip: ClipPlan, project: Project, used: set[str]) -> Shot | None:
    """The project's shot a clip stands for: by the shot id our export wrote, else by a take's file name."""
    shot_id = str(clip.studio.get("shot_id", ""))
    if shot_id and shot_id not in used and any(s.id == shot_id for s in project.shots):
        return project.shot(shot_id)
    name = Path(clip.media_named).name if clip.media_named else ""
    for shot in project.shots:
        if shot.id in used:
            continue
        if any(name and Path(name).stem == Path(t.video).stem for t in shot.takes):
            return shot
    return None


def apply_recut(timeline_file: Path, bundle: Path) -> ImportReport:
    """Apply an editor's re-cut to the project in ``bundle`` and save it."""
    project = load_project(bundle)
    report = recut_from_file(timeline_file, project, bundle)
    try:
        save_project(report.project, bundle)
    except BaseException:
        _remove(report.written)
        raise
    return report


def _remove(paths) -> None:
    for p in paths:
        try:
            p.unlink()
        except OSError:
            pass


def recut_from_file(timeline_file: Path, project: Project, bundle: Path) -> ImportReport:
    """The re-cut project (not saved: the window applies it as one undoable step); new media go into media/.

    On failure the media this call wrote are removed again.
    """
    timeline_file = Path(timeline_file).absolute()
    written: list[Path] = []
    extract = None
    try:
        if timeline_file.suffix.lower() == ".otioz":
            extract = Path(tempfile.mkdtemp(prefix=".recut.", dir=bundle))
        timeline = read_timeline(timeline_file, extract_to=extract)
        plan = plan_timeline(timeline, project.fps, extract or timeline_file.parent)
        updated, report = recut_project(project, plan, bundle, written)
        report.project = updated
        report.written = list(written)
        return report
    except BaseException:
        _remove(written)
        raise
    finally:
        if extract is not None:
            shutil.rmtree(extract, ignore_errors=True)


def recut_project(project: Project, plan: TimelinePlan, bundle: Path, written: list[Path]) -> tuple[Project, ImportReport]:
    """The project re-cut as ``plan`` says: shots in the timeline's order, its durations and trims, new clips added."""
    media = media_dir(bundle)
    media.mkdir(parents=True, exist_ok=True)
    notes = list(plan.notes)
    report = ImportReport(project=project, bundle=bundle, notes=notes)
    used: set[str] = set()
    order: list[Shot] = []
    for clip in plan.clips:
        shot = _recognise(clip, project, used)
        if shot is None:
            new = _with_media(_shot_from_clip(clip), clip, media, project.fps, written, notes)
            order.append(new)
            report.added.append(new.id)
            continue
        used.add(shot.id)
        changed = clip.duration_frames != shot.duration_frames
        if clip.head_trim_frames > 0 and clip.media is not None:
            # An in-point inside the take: a new take that starts there (the old one stays selectable).
            take, why = _import_take(media, clip, project.fps, written)
            if take is None:
                notes.append(why + "; the head trim was not applied")
            else:
                old = shot.selected_take
                if old is not None:
                    take = replace(take, recipe=replace(old.recipe, frames=take.frames), events=())
                shot = shot.with_take(take)
                changed = True
                notes.append(f"{clip.name}: head trimmed by {clip.head_trim_frames} frames (a new take; the old one is kept)")
        if changed:
            report.retimed.append(shot.id)
        order.append(replace(shot, duration_frames=clip.duration_frames))
    kept_order = [s.id for s in order if s.id in used]
    original = [s.id for s in project.shots if s.id in used]
    if kept_order != original:
        # A shot moved when its neighbours in the project differ from its neighbours in the cut.
        report.moved = [sid for i, sid in enumerate(kept_order) if original.index(sid) != i]
    removed = [s for s in project.shots if s.id not in used]
    for s in removed:
        notes.append(f"shot {project.index_of(s.id) + 1} ({s.display_title(project.index_of(s.id))}) is not in the "
                     f"timeline: kept at the end of the storyboard; delete it there if the cut drops it")
    report.removed = [s.id for s in removed]
    return project.with_shots(order + removed), report
