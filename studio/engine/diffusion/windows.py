"""Shots longer than one clip: a plan of consecutive windows, joined without a visible seam.

A model makes at most ``spec.frames.max`` frames in one call. A longer shot is cut
into windows; window k starts from a frame near the end of window k−1 (image
conditioning: the frame ``overlap`` frames before its end), so its first
``overlap`` frames show the same moment as the last ``overlap`` frames of the
window before. Those frames are the seam: window k's colour is matched to window
k−1's over them (mean and standard deviation per RGB channel), then the two are
crossfaded frame by frame. A model that makes sound makes it per window too, and
the sound is crossfaded over the same seam, in samples at the same instants, so
picture and sound stay in step however many windows there are.

Pure arithmetic and numpy: the engine runs the windows, this module plans and joins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from studio.engine.diffusion.catalogue import ModelSpec

CONTINUATIONS = ("image", "video", "diffusion_forcing", "none")
"""How a family continues a clip: from one image (its image-to-video pipeline), from a
clip of frames (a video-conditioned pipeline), by diffusion forcing (a long-video
sampler), or not at all."""


def continuation(spec: ModelSpec) -> str:
    """How ``spec`` can continue from the previous window's last frames.

    Studio runs every window through the family's image-to-video pipeline when it has
    one; a model without one cannot continue (and refuses a shot longer than its clip).
    A diffusion-forcing model (SkyReels-V2 DF) says so in the catalogue: it continues
    inside one call, up to its longest clip, and past that like an image model.
    """
    if spec.continuation in CONTINUATIONS:
        return spec.continuation
    return "image" if spec.image_pipeline else "none"


@dataclass(frozen=True)
class Window:
    """One call of the model: ``frames`` frames whose first is shot frame ``start``."""

    index: int
    start: int
    frames: int
    overlap: int
    """Frames shared with the window before (0 for the first)."""


def default_overlap(spec: ModelSpec) -> int:
    """About an eighth of the longest clip, at least 2 frames (a quarter second at 8 fps)."""
    return max(2, int(round(spec.frames.max / 8)))


def plan_windows(spec: ModelSpec, total: int, overlap: int | None = None) -> list[Window]:
    """Windows covering ``total`` model frames, each at most the model's longest clip.

    Every window but the first shares ``overlap`` frames with the one before; each
    window's length follows the model's frame rule (the last one is snapped up and
    trimmed when joined).
    """
    longest = spec.frames.snap(spec.frames.max)
    if total <= longest:
        return [Window(0, 0, spec.frames.snap(total), 0)]
    o = default_overlap(spec) if overlap is None else int(overlap)
    o = max(1, min(o, longest // 2))
    windows = [Window(0, 0, longest, 0)]
    covered = longest
    while covered < total:
        need = total - covered + o
        n = spec.frames.snap(need)
        start = covered - o
        windows.append(Window(len(windows), start, n, o))
        covered = start + n
    return windows


def match_colour(window: np.ndarray, reference: np.ndarray, own: np.ndarray) -> np.ndarray:
    """``window`` (F×H×W×3 floats in 0..1) with the colour of ``reference``.

    ``own`` and ``reference`` are the same moments (the overlap) from this window and
    from the one before; each RGB channel of the whole window is shifted and scaled so
    that its mean and spread over the overlap become the reference's.
    """
    axes = (0, 1, 2)
    mu_own, sd_own = own.mean(axis=axes), own.std(axis=axes)
    mu_ref, sd_ref = reference.mean(axis=axes), reference.std(axis=axes)
    scale = np.where(sd_own > 1e-4, sd_ref / np.maximum(sd_own, 1e-4), 1.0)
    scale = np.clip(scale, 0.5, 2.0)  # a gentle correction, never a repaint
    return np.clip((window - mu_own) * scale + mu_ref, 0.0, 1.0).astype(window.dtype)


def join_frames(windows: list[Window], clips: list[np.ndarray], total: int, match: bool = True) -> np.ndarray:
    """The windows' frames as one clip of ``total`` frames: colour-matched and crossfaded at each seam.

    Clips are F×H×W×3, uint8 (kept as bytes: a long shot at 480p is gigabytes in floats)
    or floats in 0..1; the result has their type. Only the window being joined is
    handled in floats.
    """
    as_bytes = np.asarray(clips[0]).dtype == np.uint8

    def to_float(a):
        return np.asarray(a, np.float32) / 255.0 if as_bytes else np.asarray(a, np.float32)

    def store(a):
        return (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8) if as_bytes else a

    first = np.asarray(clips[0])
    out = np.zeros((max(total, windows[-1].start + windows[-1].frames),) + first.shape[1:],
                   np.uint8 if as_bytes else np.float32)
    out[: first.shape[0]] = first
    for w, clip in zip(windows[1:], clips[1:]):
        clip = to_float(clip)
        o = w.overlap
        previous = to_float(out[w.start: w.start + o])
        if match and o > 0:
            clip = match_colour(clip, previous, clip[:o])
        fade = ((np.arange(o) + 1) / (o + 1)).astype(np.float32)[:, None, None, None]
        out[w.start: w.start + o] = store(previous * (1 - fade) + clip[:o] * fade)
        out[w.start + o: w.start + clip.shape[0]] = store(clip[o:])
    return out[:total]


def seam_samples(windows: list[Window], fps: float, rate: int) -> list[tuple[int, int]]:
    """(start, end) sample of each seam's crossfade: the overlap frames' instants at ``rate``."""
    return [(round(w.start / fps * rate), round((w.start + w.overlap) / fps * rate)) for w in windows[1:]]


def join_audio(windows: list[Window], clips: list[np.ndarray], fps: float, rate: int, samples: int) -> np.ndarray:
    """Per-window sound (S×C at ``rate``) as one track of ``samples``, crossfaded at the picture's seams.

    Window k's sound starts at the instant of its first frame; over the overlap it
    fades in (equal power) while window k−1's fades out, so the track has no click
    and each sound stays on the frames that made it.
    """
    channels = max(np.asarray(c).reshape(len(c), -1).shape[1] for c in clips)
    out = np.zeros((samples, channels), np.float32)
    for w, clip in zip(windows, clips):
        clip = np.asarray(clip, np.float32).reshape(len(clip), -1)
        if clip.shape[1] < channels:
            clip = np.repeat(clip[:, :1], channels, axis=1)
        start = round(w.start / fps * rate)
        length = min(clip.shape[0], round(w.frames / fps * rate), samples - start)
        if length <= 0:
            continue
        clip = clip[:length].copy()
        fade = min(round(w.overlap / fps * rate), length)
        if fade > 0:
            t = (np.arange(fade) + 0.5) / fade
            fade_in = np.sin(t * math.pi / 2)[:, None].astype(np.float32)
            fade_out = np.cos(t * math.pi / 2)[:, None].astype(np.float32)
            out[start: start + fade] *= fade_out
            clip[:fade] *= fade_in
            out[start: start + fade] += clip[:fade]
            out[start + fade: start + length] = clip[fade:]
        else:
            out[start: start + length] = clip
    return out


def window_label(index: int, count: int) -> str:
    """The queue's text for a window: "window 2 of 3"."""
    return f"window {index + 1} of {count}"
