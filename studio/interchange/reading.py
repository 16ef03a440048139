"""Read any timeline OpenTimelineIO can read into a plan of clips in the project's frames.

Nothing here trusts the file: its size, its clip count and each clip's duration are
bounded; its frame rate may differ from the project's (clip edges are converted with
exact fractions and rounded edge by edge, so lengths never drift); and a media path
is only ever opened when it names a regular video or WAV file, nothing else on disk
is looked at.
"""

from __future__ import annotations

import contextlib
import io
import math
import urllib.parse
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from studio.interchange.timeline import FORMAT_NAMES, FORMATS, METADATA_KEY, TimelineError

MAX_TIMELINE_BYTES = 64 * 1024 * 1024
MAX_CLIPS = 2000
"""More clips than any storyboard; a timeline with more is refused before anything is made."""
MAX_SHOT_SECONDS = 600
"""A longer clip is cut to this (with a note): a shot is seconds, not hours."""
VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v"}
AUDIO_SUFFIXES = {".wav"}


@dataclass(frozen=True)
class ClipPlan:
    """One picture clip of the timeline, in the project's frame rate."""

    index: int
    """Position among the picture clips (0-based)."""
    name: str
    duration_frames: int
    head_trim_frames: int
    """Where the clip starts inside its media (an editor's head trim), in project frames."""
    media: Path | None
    """The local media file the clip names, when it names one that exists; else None."""
    media_named: str
    """What the timeline named (for notes), even when missing."""
    studio: dict = field(default_factory=dict)
    """The metadata our export wrote (shot and take ids, recipe), when present."""
    stems: tuple[tuple[str, Path], ...] = ()
    """Stem WAVs of the same shot found on the timeline's audio tracks (our export's)."""
    markers: tuple[tuple[str, int], ...] = ()
    """(text, frame within the clip) of its markers."""


@dataclass
class TimelinePlan:
    name: str
    rate: Fraction
    clips: list[ClipPlan]
    notes: list[str]


def plain(value):
    """OTIO metadata (AnyDictionary, AnyVector) as plain dicts and lists."""
    if hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (str, bytes)):
        return value
    if hasattr(value, "__iter__"):
        return [plain(v) for v in value]
    return value


def studio_metadata(obj) -> dict:
    """What our export wrote under metadata["studio"] (empty when absent or not a mapping)."""
    meta = plain(obj.metadata.get(METADATA_KEY, {}) or {})
    return meta if isinstance(meta, dict) else {}


def _fraction(x: float) -> Fraction:
    if not math.isfinite(x):
        raise ValueError("not a finite number")
    return Fraction(x).limit_denominator(1_000_000)


def timeline_rate(rate: float) -> Fraction:
    """The exact rate an OTIO float rate stands for (23.976… -> 24000/1001, 29.97… -> 30000/1001)."""
    r = _fraction(rate)
    for ntsc in (24, 30, 48, 60, 120):
        exact = Fraction(ntsc * 1000, 1001)
        if abs(r - exact) < Fraction(1, 10_000):
            return exact
    return r.limit_denominator(1001)


def _seconds(t) -> Fraction:
    rate = timeline_rate(t.rate)
    if rate <= 0:
        raise ValueError("a time with no frame rate")
    return _fraction(t.value) / rate


def _local_path(url: str, base: Path) -> Path | None:
    """The local file a media reference names (file:// URL or a path relative to the timeline)."""
    if not url:
        return None
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        return Path(urllib.parse.unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # http:, s3: ... (a Windows drive letter is one character)
        return None
    p = Path(urllib.parse.unquote(url))
    return p if p.is_absolute() else base / p


def usable_media(path: Path | None, suffixes: set[str]) -> Path | None:
    """``path`` when it is a regular file with one of ``suffixes``; None otherwise (never opened here)."""
    if path is None or path.suffix.lower() not in suffixes:
        return None
    try:
        return path if path.is_file() else None
    except OSError:
        return None


def read_timeline(path: Path, *, extract_to: Path | None = None):
    """The Timeline in ``path`` (raises TimelineError in one line when OTIO cannot read it).

    An .otioz is unpacked into ``extract_to`` (a folder inside the destination).
    """
    import opentimelineio as otio

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise TimelineError(f"{path}: unknown timeline format {suffix or '(no suffix)'!r}; use one of {', '.join(FORMATS)}")
    try:
        if not path.is_file():
            raise TimelineError(f"{path}: no such file")
        size = path.stat().st_size
    except OSError as exc:
        raise TimelineError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if size > MAX_TIMELINE_BYTES:
        raise TimelineError(f"{path}: {size} bytes is larger than any timeline Studio reads ({MAX_TIMELINE_BYTES})")
    if size == 0:
        raise TimelineError(f"{path}: the file is empty")
    kwargs = {"extract_to_directory": str(extract_to)} if suffix == ".otioz" and extract_to is not None else {}
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the kdenlive adapter prints a banner
            result = otio.adapters.read_from_file(str(path), adapter_name=FORMATS[suffix], **kwargs)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise TimelineError(f"{path}: OpenTimelineIO cannot read it as {FORMAT_NAMES[suffix]} ({first})") from None
    if isinstance(result, otio.schema.SerializableCollection):
        timelines = [t for t in result.find_children(descended_from_type=otio.schema.Timeline)] if hasattr(result, "find_children") else []
        if not timelines:
            raise TimelineError(f"{path}: the file holds no timeline")
        result = timelines[0]
    if not isinstance(result, otio.schema.Timeline):
        raise TimelineError(f"{path}: the file holds a {type(result).__name__}, not a timeline")
    return result


def _stems_by_shot(timeline, base: Path) -> dict[str, list[tuple[str, Path]]]:
    """Stem WAVs on the audio tracks, by the shot id our export put in each audio clip's metadata."""
    import opentimelineio as otio

    found: dict[str, list[tuple[str, Path]]] = {}
    for track in timeline.audio_tracks():
        for item in track:
            if not isinstance(item, otio.schema.Clip):
                continue
            meta = studio_metadata(item)
            shot_id, stem = str(meta.get("shot_id", "")), str(meta.get("stem", ""))
            ref = item.media_reference
            wav = usable_media(_local_path(getattr(ref, "target_url", "") or "", base), AUDIO_SUFFIXES)
            if wav is None:
                continue
            # Formats that drop metadata (FCP XML, Kdenlive) keep the file name: TAKE_ID.STEM.wav.
            parts = wav.name.split(".")
            if not stem and len(parts) == 3:
                stem = parts[1]
            if stem not in ("dialogue", "foley", "ambience", "music"):
                continue
            key = shot_id or f"take:{parts[0]}"
            if (stem, wav) not in found.get(key, []):
                found.setdefault(key, []).append((stem, wav))
    return found


def plan_timeline(timeline, fps: int, base: Path) -> TimelinePlan:
    """The picture clips of ``timeline`` at ``fps`` frames per second, with a note for each thing left behind."""
    import opentimelineio as otio

    video = timeline.video_tracks()
    if not video:
        raise TimelineError(f"{timeline.name or 'the timeline'}: no video track, so there are no shots to make")
    notes: list[str] = []
    if len(video) > 1:
        notes.append(f"{len(video)} video tracks: only the first ({video[0].name or 'V1'}) becomes the storyboard")
    track = video[0]
    count = sum(1 for item in track if isinstance(item, otio.schema.Clip))
    if count > MAX_CLIPS:
        raise TimelineError(f"{timeline.name or 'the timeline'}: {count} clips on the picture track; "
                            f"Studio reads at most {MAX_CLIPS} (split the timeline)")
    if count == 0:
        raise TimelineError(f"{timeline.name or 'the timeline'}: the picture track has no clips")
    stems = _stems_by_shot(timeline, base)
    rates: set[Fraction] = set()
    max_frames = MAX_SHOT_SECONDS * fps
    clips: list[ClipPlan] = []
    position = Fraction(0)  # seconds from the start of the track
    for item in track:
        try:
            length = _seconds(item.duration())
        except Exception:
            notes.append(f"{item.name or type(item).__name__}: its duration is not a number; left out")
            continue
        if length <= 0 or length > 24 * 3600:
            notes.append(f"{item.name or type(item).__name__}: duration {float(length):.3f} s is absurd; left out")
            continue
        start, position = position, position + length
        if isinstance(item, otio.schema.Gap):
            notes.append(f"a gap of {float(length):.2f} s at {float(start):.2f} s left out (the storyboard has no gaps)")
            continue
        if isinstance(item, otio.schema.Transition):
            notes.append(f"transition {item.name or ''} at {float(start):.2f} s left out".replace("  ", " "))
            continue
        if not isinstance(item, otio.schema.Clip):
            notes.append(f"{item.name or type(item).__name__} (a nested {type(item).__name__.lower()}) left out")
            continue
        rates.add(timeline_rate(item.duration().rate))
        # Round the edges, not the lengths: the sum of the shots is the timeline's length.
        first, last = round(start * fps), round(position * fps)
        frames = last - first
        name = item.name or f"clip {len(clips) + 1}"
        if frames < 1:
            notes.append(f"{name}: shorter than one frame at {fps} fps; left out")
            continue
        if frames > max_frames:
            notes.append(f"{name}: {float(length):.0f} s is longer than a shot can be; cut to {MAX_SHOT_SECONDS} s")
            frames = max_frames
        head = 0
        try:
            if item.source_range is not None:
                head = max(0, round(_seconds(item.source_range.start_time) * fps))
                ref = item.media_reference
                avail = getattr(ref, "available_range", None)
                if avail is not None:
                    head = max(0, head - round(_seconds(avail.start_time) * fps))
        except Exception:
            head = 0
        ref = item.media_reference
        url = getattr(ref, "target_url", "") or ""
        media = usable_media(_local_path(url, base), VIDEO_SUFFIXES)
        meta = studio_metadata(item)
        markers = []
        for m in item.markers:
            try:
                at = round(_seconds(m.marked_range.start_time) * fps) - head
            except Exception:
                continue
            if m.name:
                markers.append((m.name, min(max(at, 0), frames - 1)))
        clips.append(ClipPlan(index=len(clips), name=name, duration_frames=frames, head_trim_frames=head, media=media,
                              media_named=url, studio=meta,
                              stems=tuple(stems.get(str(meta.get("shot_id", "")))
                                          or stems.get(f"take:{Path(url).name.split('.')[0]}", ())),
                              markers=tuple(markers)))
    other = sorted(r for r in rates if r != fps)
    if other:
        shown = ", ".join(f"{float(r):.3f}".rstrip("0").rstrip(".") for r in other)
        notes.append(f"clips at {shown} fps were converted to {fps} fps (clip edges rounded to whole frames)")
    if not clips:
        raise TimelineError(f"{timeline.name or 'the timeline'}: no usable clip on the picture track")
    return TimelinePlan(name=timeline.name or "", rate=min(rates) if rates else Fraction(fps), clips=clips, notes=notes)
