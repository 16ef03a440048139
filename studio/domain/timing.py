"""Frame timing: time is an integer count of frames at the project's frame rate.

Derived values (start frames, total length, seconds) are computed, never stored,
the same idea as OpenTimelineIO's RationalTime.
"""

from __future__ import annotations

import operator

SAMPLE_RATE = 48_000
"""Every sound in Studio is float32 stereo at this rate."""

SUPPORTED_FPS = (12, 15, 24, 25, 30, 48, 50, 60)


def seconds_to_frames(seconds: float, fps: int) -> int:
    """Nearest whole frame count for a duration in seconds (at least one frame)."""
    return max(1, int(round(seconds * fps)))


def frames_to_seconds(frames: int, fps: int) -> float:
    return frames / fps


def frame_to_sample(frame: int, fps: int, sample_rate: int = SAMPLE_RATE) -> int:
    """First audio sample of a video frame; exact because both rates are integers (rounded toward zero)."""
    n = operator.index(frame) * sample_rate
    return n // fps if n >= 0 else -(-n // fps)


def frames_to_samples(frames: int, fps: int, sample_rate: int = SAMPLE_RATE) -> int:
    return frame_to_sample(frames, fps, sample_rate)


def timecode(frame: int, fps: int) -> str:
    """SMPTE-style non-drop timecode HH:MM:SS:FF."""
    seconds, ff = divmod(frame, fps)
    minutes, ss = divmod(seconds, 60)
    hh, mm = divmod(minutes, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"
