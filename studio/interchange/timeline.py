"""Export a project's cut as an OpenTimelineIO timeline, in any format an adapter writes.

The cut: one video track ("Picture") with a clip per shot referencing its selected
take's video, and one audio track per stem (dialogue, foley, ambience, music)
referencing that take's stem as a 48 kHz WAV written beside the timeline. Dialogue
lines are markers on the picture clips; each clip's metadata["studio"] carries the
shot and take ids (import --into recognises shots by them) and the recipe (prompt,
seed, engine, model). Times are RationalTime at the project's frame rate, so clip
edges are whole frames and nothing drifts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.domain.model import Project, Shot, Take
from studio.domain.stems import STEM_NAMES
from studio.domain.timing import SAMPLE_RATE, frames_to_samples
from studio.media.audio_io import read_wav, write_wav
from studio.persistence.bundle import media_path

METADATA_KEY = "studio"
"""Every clip, track and the timeline carry their Studio facts under this metadata key."""

FORMATS: dict[str, str] = {
    ".otio": "otio_json",
    ".otioz": "otioz",
    ".xml": "fcp_xml",
    ".fcpxml": "fcpx_xml",
    ".edl": "cmx_3600",
    ".kdenlive": "kdenlive",
}
"""Timeline file suffix -> the OTIO adapter that writes it."""

FORMAT_NAMES: dict[str, str] = {
    ".otio": "OpenTimelineIO",
    ".otioz": "OpenTimelineIO with media bundled",
    ".xml": "Final Cut Pro 7 XML (Premiere, Resolve)",
    ".fcpxml": "Final Cut Pro X XML",
    ".edl": "CMX 3600 EDL",
    ".kdenlive": "Kdenlive",
}

PICTURE_TRACK = "Picture"


class TimelineError(Exception):
    """A timeline could not be written or read; the message names the file and what to do."""


@dataclass(frozen=True)
class TimelineExport:
    path: Path
    media_folder: Path | None
    """Where the WAV stems (and copies of the takes' videos) were written; None for .otioz (inside it)."""
    clips: int
    format: str


def timeline_format(path: Path) -> str:
    """The adapter name for a timeline file, by suffix (raises TimelineError for one OTIO cannot write)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TimelineError(f"{path}: unknown timeline format {suffix or '(no suffix)'!r}; "
                            f"use one of {', '.join(FORMATS)}")
    return FORMATS[suffix]


def media_folder_for(path: Path) -> Path:
    """The folder beside a timeline file that holds its media: ``cut.xml`` -> ``cut_media/``."""
    path = Path(path)
    return path.with_name(path.stem + "_media")


def _rate(project: Project):
    return float(project.fps)


def _recipe_metadata(shot: Shot, take: Take) -> dict:
    r = take.recipe
    return {
        "shot_id": shot.id,
        "take_id": take.id,
        "title": shot.title,
        "prompt": shot.prompt,
        "seed": int(r.seed),
        "engine": r.engine,
        "engine_version": r.engine_version,
        "model": r.model or "",
        "take_source": take.source,
        "camera": shot.camera.value,
        "characters": list(shot.characters),
        "dialogue": [{"text": d.text, "speaker_id": d.speaker_id or "", "at_frame": d.at_frame}
                     for d in shot.dialogue],
    }


def _write_stem(bundle: Path, take: Take, stem: str, frames: int, fps: int, dest: Path) -> bool:
    """The take's stem cut or padded to the shot's length, as a 48 kHz WAV; False when the take has none."""
    name = take.stem_file(stem)
    if not name:
        return False
    samples, sr = read_wav(media_path(bundle, name))
    if sr != SAMPLE_RATE:
        raise TimelineError(f"{media_path(bundle, name)}: stem at {sr} Hz, expected {SAMPLE_RATE}")
    n = frames_to_samples(frames, fps)
    out = np.zeros((n, 2), np.float32)
    m = min(n, samples.shape[0])
    out[:m] = samples[:m]
    write_wav(dest, out)
    return True


def build_timeline(project: Project, bundle: Path, media: Path, shots: list[Shot] | None = None):
    """The project's cut as an ``otio.schema.Timeline`` whose media references point into ``media``.

    Copies each selected take's video into ``media`` and writes its stems there as WAVs.
    Every shot must have a selected take (the command renders missing ones first).
    """
    import opentimelineio as otio

    fps = project.fps
    rate = _rate(project)
    shots = list(project.shots) if shots is None else shots
    timeline = otio.schema.Timeline(name=project.title or "Studio")
    timeline.global_start_time = otio.opentime.RationalTime(0, rate)
    timeline.metadata[METADATA_KEY] = {"project_id": project.id, "fps": fps,
                                       "width": project.canvas.width, "height": project.canvas.height,
                                       # The story bible, so a project made from this timeline knows who speaks.
                                       "characters": [{"id": c.id, "name": c.name, "look": c.look}
                                                      for c in project.bible.characters],
                                       "style": project.bible.style, "setting": project.bible.setting}
    picture = otio.schema.Track(name=PICTURE_TRACK, kind=otio.schema.TrackKind.Video)
    audio = {stem: otio.schema.Track(name=stem.capitalize(), kind=otio.schema.TrackKind.Audio) for stem in STEM_NAMES}
    for stem, track in audio.items():
        track.metadata[METADATA_KEY] = {"stem": stem}
    timeline.tracks.append(picture)
    media.mkdir(parents=True, exist_ok=True)
    for index, shot in enumerate(shots):
        take = shot.selected_take
        if take is None:
            raise TimelineError(f"shot {index + 1} ({shot.display_title(index)}) has no take; render it first")
        frames = shot.duration_frames
        source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                               otio.opentime.RationalTime(frames, rate))
        src = media_path(bundle, take.video)
        video_copy = media / take.video
        if not video_copy.exists():
            shutil.copyfile(src, video_copy)
        available = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                            otio.opentime.RationalTime(max(take.frames, frames), rate))
        ref = otio.schema.ExternalReference(target_url=video_copy.absolute().as_uri(), available_range=available)
        ref.name = take.video
        clip = otio.schema.Clip(name=shot.display_title(index), media_reference=ref, source_range=source_range)
        clip.metadata[METADATA_KEY] = _recipe_metadata(shot, take)
        for line in shot.dialogue:
            at = min(max(line.at_frame or 0, 0), frames - 1)
            marker = otio.schema.Marker(
                name=line.text,
                marked_range=otio.opentime.TimeRange(otio.opentime.RationalTime(at, rate),
                                                     otio.opentime.RationalTime(1, rate)),
                color=otio.schema.MarkerColor.YELLOW,
            )
            marker.metadata[METADATA_KEY] = {"speaker_id": line.speaker_id or "", "kind": "dialogue"}
            clip.markers.append(marker)
        picture.append(clip)
        for stem, track in audio.items():
            wav = media / f"{take.id}.{stem}.wav"
            if _write_stem(bundle, take, stem, frames, fps, wav):
                aref = otio.schema.ExternalReference(
                    target_url=wav.absolute().as_uri(),
                    available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                                            otio.opentime.RationalTime(frames, rate)))
                aref.name = wav.name
                aclip = otio.schema.Clip(name=f"{shot.display_title(index)} ({stem})", media_reference=aref,
                                         source_range=source_range)
                aclip.metadata[METADATA_KEY] = {"shot_id": shot.id, "take_id": take.id, "stem": stem}
                track.append(aclip)
            else:
                track.append(otio.schema.Gap(source_range=source_range))
    for stem in STEM_NAMES:
        if any(isinstance(c, otio.schema.Clip) for c in audio[stem]):
            timeline.tracks.append(audio[stem])
    return timeline


def _for_adapter(timeline, adapter: str):
    """A copy of the timeline shaped for formats with fewer concepts (EDL: one picture track)."""
    import opentimelineio as otio

    if adapter != "cmx_3600":
        return timeline
    # CMX 3600 is one picture track (plus audio channels of the same events); our stems
    # are separate files, which an EDL cannot name, so the EDL carries the picture only.
    copy = timeline.deepcopy()
    while len(copy.tracks) > 1:
        del copy.tracks[-1]
    for clip in copy.find_clips():
        # EDL reels are 8 characters; the clip name and source file keep the identity.
        clip.metadata.setdefault("cmx_3600", {})["reel"] = "AX"
    return copy


def export_timeline(project: Project, bundle: Path, destination: Path, shots: list[Shot] | None = None) -> TimelineExport:
    """Write the cut to ``destination`` (format by suffix) with its media folder beside it.

    Everything is written under temporary names beside the destination and moved into
    place at the end, so a failure leaves neither the file nor the media folder.
    """
    import opentimelineio as otio

    destination = Path(destination).absolute()
    adapter = timeline_format(destination)
    if not destination.parent.is_dir():
        raise TimelineError(f"{destination.parent}: no such folder; create it first")
    media_final = media_folder_for(destination)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        if adapter == "otioz":
            media = work / "media"
        else:
            # The media references must name where the files end up, not the work folder.
            media = work / media_final.name
        timeline = build_timeline(project, bundle, media, shots)
        written = work / destination.name
        if adapter == "otioz":
            otio.adapters.write_to_file(timeline, str(written), adapter_name="otioz")
        else:
            final_timeline = timeline.deepcopy()
            for clip in final_timeline.find_clips():
                ref = clip.media_reference
                if isinstance(ref, otio.schema.ExternalReference):
                    ref.target_url = (media_final / Path(ref.name)).as_uri()
            otio.adapters.write_to_file(_for_adapter(final_timeline, adapter), str(written), adapter_name=adapter)
        if adapter != "otioz":
            if media_final.exists():
                shutil.rmtree(media_final) if media_final.is_dir() else media_final.unlink()
            os.replace(media, media_final)
        os.replace(written, destination)
    except TimelineError:
        raise
    except OSError as exc:
        raise TimelineError(f"{destination}: could not write the timeline: {exc.strerror or exc}") from exc
    except Exception as exc:  # an adapter refusing the cut
        raise TimelineError(f"{destination}: the {FORMAT_NAMES.get(destination.suffix.lower(), adapter)} "
                            f"writer failed: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    clips = len(shots if shots is not None else project.shots)
    return TimelineExport(destination, None if adapter == "otioz" else media_final, clips, adapter)
