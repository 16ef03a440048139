"""`studio sync-check FILE.mp4 [--json]`: how far a video's sound is from its picture.

Measured from the file alone: impact onsets in the picture (optical flow) are
cross-correlated with attack onsets in the sound (see `studio.sound.sync`).
"""

from __future__ import annotations

import json
from pathlib import Path

from studio.commands import UserError

EXIT_CANNOT_MEASURE = 3
"""Exit status when the file was read but holds too little evidence for an offset (no headline is given)."""


def register(sub) -> None:
    p = sub.add_parser(
        "sync-check",
        help="estimate the audio-video offset of a video from its picture and sound",
        description="Estimate how far a video's sound is from its picture (positive: sound late), "
        "by matching impacts seen in the picture with attacks heard in the sound.",
    )
    p.add_argument("file", type=Path, help="the video file (.mp4, .mov, .mkv, ...)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--max-offset-ms", type=float, default=None,
                   help="largest offset searched, either way (default 250, studio.sound.sync.MAX_OFFSET_MS); "
                        "a regular rhythm is measurable when its period is longer than twice this")
    p.set_defaults(func=run_sync_check)


def _describe(offset_ms: float, frames: float) -> str:
    if abs(offset_ms) < 0.5:
        return "in sync"
    side = "late" if offset_ms > 0 else "early"
    return f"sound {abs(offset_ms):.1f} ms ({abs(frames):.2f} frames) {side}"


def run_sync_check(args) -> int:
    """Print the offset estimate of ``args.file``.

    Exit 0 when an offset was measured (even out of sync: it is a measurement), 3 when
    the evidence is too weak to claim one (then no offset is printed, only why).
    """
    from studio.media.decode import probe, read_audio, read_frames
    from studio.sound.sync import MAX_OFFSET_MS, measure_sync

    path: Path = args.file
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if args.max_offset_ms is None:
        args.max_offset_ms = MAX_OFFSET_MS
    if not 1 <= args.max_offset_ms <= 5000:
        raise UserError(f"--max-offset-ms {args.max_offset_ms:g}: choose between 1 and 5000")
    info = probe(path)  # MediaError names the file when it is not a video
    if (info.frame_count or 0) <= 1 and not info.has_audio:
        raise UserError(f"{path}: a still image, not a video; sync-check needs a video with sound")
    if not info.has_audio:
        raise UserError(f"{path}: the video has no sound to check")
    fps_value = float(info.fps) if getattr(info, "fps", None) else 0.0
    if fps_value <= 0:
        raise UserError(f"{path}: the frame rate is unknown, so frames cannot be timed")
    fps = fps_value
    audio, sr = read_audio(path)
    # The picture is decoded twice (motion, then each impact's sub-frame timing) rather than held.
    estimate = measure_sync(lambda: read_frames(path), audio, fps, sr, max_offset_ms=args.max_offset_ms)
    known = estimate.measurable
    result = {
        "file": str(path),
        "offset_ms": round(estimate.offset_ms, 2) if known else None,
        "offset_frames": round(estimate.offset_frames, 3) if known else None,
        "reason": estimate.reason,
        "fps": round(fps, 3),
        "search_window_ms": estimate.window_ms,
        "confidence": estimate.confidence,
        "matched_events": estimate.matched,
        "visual_events": estimate.visual_events,
        "audio_events": estimate.audio_events,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0 if known else EXIT_CANNOT_MEASURE
    if not known:
        print(f"{path.name}: cannot tell the offset: {estimate.reason}")
    else:
        print(f"{path.name}: {_describe(estimate.offset_ms, estimate.offset_frames)}")
        print(f"  offset {estimate.offset_ms:+.1f} ms = {estimate.offset_frames:+.2f} frames at {fps:g} fps")
    print(f"  searched ±{estimate.window_ms:g} ms; confidence {estimate.confidence:.2f} ({estimate.matched} of {estimate.visual_events} picture events "
          f"matched; {estimate.audio_events} sound attacks)")
    return 0 if known else EXIT_CANNOT_MEASURE
