"""How far the sound is from the picture, measured from the media alone.

The picture gives impact onsets (frames where an object's velocity changes
suddenly, `studio.sound.motion`); the sound gives attack times
(`studio.sound.analysis.audio_onsets`). Both become onset envelopes (a
Gaussian bump per event, a third of a frame wide) on a 1 ms grid; their
cross-correlation peaks at the offset. The peak is then refined below a
frame: the median distance between each visual onset and the attack nearest
to it once the coarse offset is applied. Positive offsets mean the sound is late.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Sequence

import cv2
import numpy as np

from studio.domain.timing import SAMPLE_RATE
from studio.sound.analysis import audio_onsets
from studio.sound.motion import ANALYSIS_WIDTH, MotionAnalysis, _grey, analyse_motion

ATTACK_THRESHOLDS_DB = (12.0, 9.0, 6.0)
"""Attack thresholds tried in turn (dB above the bed) until enough picture events pair up."""
MAX_OFFSET_MS = 250.0
"""Offsets searched: ±a quarter second, stated in every report (beyond that a lip-sync or foley error is
a different problem). The window is what makes a regular rhythm measurable: with period P, the offset
plus or minus P fits as well, but only one of them lies inside ±window when P is longer than twice it."""
MIN_MATCHED = 3
"""Fewer paired events than this cannot tell an offset from a coincidence."""
MIN_CONFIDENCE = 0.3
"""Below this confidence no offset is claimed (see `SyncEstimate.measurable`)."""
RIVAL_SHARE = 0.6
"""Offsets scoring at least this share of the best one are its rivals (a regular rhythm's period apart)."""
EDGE_PICTURE_FRAMES = 3
"""A picture event this close to the clip's first or last frame may go unseen (motion needs frames around it)."""
EDGE_SOUND_S = 0.05
"""A sound this close to the start or end of the soundtrack may go unheard (its attack needs a background)."""


@dataclass(frozen=True)
class SyncEstimate:
    """An audio–video offset estimate."""

    offset_ms: float
    """Positive: the sound comes after the picture (late); negative: early."""
    offset_frames: float
    fps: float
    confidence: float
    """0..1: the share of picture events that a sound matches, times how clearly the best offset beats the others."""
    matched: int
    """Picture events with a sound within half a frame of the estimated offset."""
    visual_events: int
    audio_events: int
    rival_offset_ms: float | None = None
    """The best-scoring offset more than a frame and a half away from this one (a regular
    rhythm fits at the offset plus or minus its period), when there is one."""
    period_frames: float | None = None
    """When rivals fit about as well: how far apart they are (the rhythm's period), in frames."""
    window_ms: float = MAX_OFFSET_MS
    """Offsets searched, either way: every offset and rival named lies within ±this."""
    unexplained: tuple[int, ...] = ()
    """For this offset and then each rival: events left without a partner where the partner would be
    inside the clip (the first sound before the first hit, the hit after the last sound). A regular
    rhythm is told apart at the clip's ends, or not at all."""

    @property
    def measurable(self) -> bool:
        """Whether the evidence supports an offset: enough paired events, and no rival that fits about as well."""
        return self.matched >= MIN_MATCHED and self.confidence >= MIN_CONFIDENCE

    @property
    def reason(self) -> str | None:
        """Why no offset is claimed (None when it is measurable)."""
        if self.measurable:
            return None
        if self.visual_events == 0:
            return "the picture shows no impacts (nothing visibly hits, lands or stops)"
        if self.audio_events == 0:
            return "the sound has no sharp attacks"
        if self.matched < MIN_MATCHED:
            return (f"only {self.matched} of {self.visual_events} picture events pair with a sound "
                    f"(at least {MIN_MATCHED} are needed)")
        if self.rival_offset_ms is not None:
            if self.period_frames:
                return (f"periodic: the events repeat every {self.period_frames:.1f} frames, so the offset is ambiguous "
                        f"by ±{self.period_frames:.1f} frames ({self.offset_ms:+.0f} ms or {self.rival_offset_ms:+.0f} ms "
                        f"fit about as well within the ±{self.window_ms:.0f} ms searched, and the clip's first and last events do "
                        "not tell them apart)")
            return (f"several offsets fit about as well ({self.offset_ms:+.0f} ms or {self.rival_offset_ms:+.0f} ms): "
                    "the events pair up too loosely to tell them apart")
        return "the events pair up too loosely to trust an offset"

    def as_dict(self) -> dict[str, float | int | None | str | bool]:
        d = asdict(self)
        d["measurable"] = self.measurable
        d["reason"] = self.reason
        return d


def estimate_offset(
    visual_frames: Sequence[int],
    audio_times: Sequence[float],
    fps: float,
    *,
    visual_weights: Sequence[float] | None = None,
    max_offset_ms: float = MAX_OFFSET_MS,
    picture_seconds: float | None = None,
    sound_seconds: float | None = None,
) -> SyncEstimate:
    """Offset of ``audio_times`` (seconds) against ``visual_frames`` (frame positions, event at the frame's start).

    Frame positions may be fractional (an event timed between two frames).
    Returns offset 0 with confidence 0 when either side has no events.

    ``picture_seconds`` and ``sound_seconds`` (the clip's lengths) let a regular rhythm be told
    apart: it fits at the offset and at the offset plus or minus its period, but only the true
    offset leaves no event without a partner where the partner would be inside the clip. Without
    them, or when the clip's ends show nothing either way, a rhythm is "cannot tell".
    """
    v = np.asarray(visual_frames, dtype=np.float64) / fps
    a = np.asarray(audio_times, dtype=np.float64)
    w = np.ones(v.shape[0]) if visual_weights is None else np.asarray(visual_weights, dtype=np.float64)
    if v.size == 0 or a.size == 0:
        return SyncEstimate(0.0, 0.0, float(fps), 0.0, 0, int(v.size), int(a.size), window_ms=float(max_offset_ms))
    frame_s = 1.0 / fps
    sigma = frame_s / 3
    max_s = max_offset_ms / 1000
    lags = np.arange(-max_s, max_s + 1e-9, 0.001)
    diff = a[None, :] - v[:, None]  # (V, A): every sound relative to every picture event
    near = np.abs(diff) <= max_s + 4 * sigma
    score = np.zeros(lags.shape[0])
    for i, j in zip(*np.nonzero(near)):
        score += w[i] * np.exp(-0.5 * ((diff[i, j] - lags) / sigma) ** 2)
    # When the evidence is thin (one sound matching any of several events equally), prefer
    # the smaller offset: a mild prior that changes no well-supported answer (the refinement
    # below re-measures the offset from the pairs themselves).
    best = int(np.argmax(score * np.exp(-0.5 * (lags / max_s) ** 2)))
    # A periodic pattern (steps every 10 frames) scores well at several offsets: the rivals.
    peaks = _peaks(lags, score, best, RIVAL_SHARE * score[best], 1.5 * frame_s)
    unexplained: tuple[int, ...] = ()
    by_edges = False
    if len(peaks) > 1 and picture_seconds and sound_seconds:
        # Is a partner there at all (not: is it timed exactly): a hit timed a frame off is still there.
        tol = min(PRESENT_FRAMES * frame_s, 0.25 * float(np.min(np.abs(lags[peaks[1:]] - lags[best]))))
        misses = [_unexplained(v, a, float(lags[k]), tol, picture_seconds, sound_seconds, EDGE_PICTURE_FRAMES * frame_s)
                  for k in peaks]
        order = sorted(range(len(peaks)), key=lambda i: misses[i])
        if misses[order[0]] <= MAX_UNEXPLAINED and misses[order[1]] >= misses[order[0]] + EDGE_MARGIN:
            best, by_edges = peaks[order[0]], True
            peaks = [best] + [peaks[i] for i in order[1:]]
            unexplained = tuple(misses[i] for i in order)
        else:
            unexplained = tuple(misses)
    coarse = float(lags[best])
    # Sub-frame: the median residual of the events the coarse offset pairs up.
    residuals = []
    for i in range(v.shape[0]):
        j = int(np.argmin(np.abs(diff[i] - coarse)))
        if abs(diff[i, j] - coarse) <= 0.5 * frame_s:
            residuals.append(diff[i, j])
    offset = float(np.median(residuals)) if residuals else coarse
    away = np.abs(lags - coarse) > 1.5 * frame_s
    rival = float(score[away].max()) if np.any(away) else 0.0
    rival_lag = float(lags[away][int(np.argmax(score[away]))]) if np.any(away) and rival > 0 else None
    distinct = 1.0 - rival / score[best] if score[best] > 0 else 0.0
    if by_edges:
        # The rivals fit the middle as well; the clip's ends rule them out, as strongly as they leave events unpaired.
        distinct = 1.0 - (1.0 + unexplained[0]) / (1.0 + unexplained[1])
    others = [k for k in peaks if k != best]
    period = None
    if others and v.size >= 3:
        # Periodic only when the rivals are the events' own spacing apart (not two close peaks of a loose fit).
        spacing = float(np.min(np.abs(lags[others] - coarse)))
        if abs(spacing - float(np.median(np.diff(np.sort(v))))) <= 1.5 * frame_s:
            period = spacing * fps
    coverage = len(residuals) / v.shape[0]
    confidence = float(np.clip(coverage * distinct, 0.0, 1.0)) if len(residuals) >= 2 else 0.1 * coverage
    return SyncEstimate(
        offset_ms=offset * 1000,
        offset_frames=offset * fps,
        fps=float(fps),
        confidence=round(confidence, 3),
        matched=len(residuals),
        visual_events=int(v.size),
        audio_events=int(a.size),
        rival_offset_ms=round(rival_lag * 1000, 1) if rival_lag is not None else None,
        period_frames=round(period, 1) if period is not None else None,
        window_ms=float(max_offset_ms),
        unexplained=unexplained,
    )


PRESENT_FRAMES = 1.5
"""A partner this close (in frames) counts as there when the clip's ends are read."""
MAX_UNEXPLAINED = 0
"""The offset the clip's ends pick must leave no event unpaired inside the clip (a rival must leave some)."""
EDGE_MARGIN = 2
"""How many more unpaired events every rival must leave than the offset picked (one could be a missed hit)."""


def _peaks(lags: np.ndarray, score: np.ndarray, best: int, floor: float, apart: float) -> list[int]:
    """``best`` and the local maxima of ``score`` at or above ``floor``, each more than ``apart`` from the others."""
    out = [best]
    order = np.argsort(-score)
    for k in order:
        if score[k] < floor:
            break
        if all(abs(lags[k] - lags[j]) > apart for j in out):
            out.append(int(k))
    return out


def _unexplained(v: np.ndarray, a: np.ndarray, lag: float, tol: float, picture_s: float, sound_s: float,
                 picture_edge: float) -> int:
    """Events without a partner at ``lag`` although the partner's time is well inside the clip.

    A picture event whose sound would fall inside the soundtrack but is not there, and a sound
    whose picture event would fall inside the picture but is not there. Partners that would fall
    outside the clip (or at its very edges) explain nothing either way.
    """
    d = a[None, :] - v[:, None] - lag
    hit = np.abs(d) <= tol
    sound_at = v + lag
    picture_at = a - lag
    lonely_pictures = (~hit.any(axis=1)) & (sound_at >= EDGE_SOUND_S) & (sound_at <= sound_s - EDGE_SOUND_S)
    lonely_sounds = (~hit.any(axis=0)) & (picture_at >= picture_edge) & (picture_at <= picture_s - picture_edge)
    return int(lonely_pictures.sum() + lonely_sounds.sum())


REFINE_RADIUS = 4
"""Frames either side of a candidate impact whose object positions time it below a frame."""


@dataclass(frozen=True)
class VisualEvent:
    """A picture event timed below a frame: where an object's velocity changed."""

    time_frames: float
    """In frames from the clip's first frame (k.5 = halfway between frames k and k+1)."""
    weight: float
    refined: bool
    """False when the object could not be followed and the detector's whole frame is used."""


def _object_track(grey: dict[int, np.ndarray], k: int, x_centre: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frame indices, x, y) of the moving object's centroid near frame k, starting near ``x_centre``.

    The background is the median of the window's frames (an object in motion is at each
    place only briefly, so the median is the scene without it); in each frame the object
    is the connected region that differs from it by more than the window's noise, the
    one nearest to where it was in the frame before (from frame k outwards), so a second
    moving thing elsewhere does not pull the track.
    """
    idx = sorted(j for j in grey if abs(j - k) <= REFINE_RADIUS + 2)
    stack = np.stack([grey[j] for j in idx]).astype(np.float32)
    bg = np.median(stack, axis=0)
    h, w = bg.shape
    blobs: dict[int, list[tuple[float, float, float]]] = {}
    kernel = np.ones((3, 3), np.uint8)
    for j, frame in zip(idx, stack):
        if abs(j - k) > REFINE_RADIUS:
            continue
        d = np.abs(frame - bg)
        mask = (d > max(12.0, 4.0 * float(np.median(d)))).astype(np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        count, _labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
        blobs[j] = [(float(centroids[c][0]), float(centroids[c][1]), float(stats[c, cv2.CC_STAT_AREA]))
                    for c in range(1, count) if stats[c, cv2.CC_STAT_AREA] >= 4]
    if not blobs.get(k):
        return np.zeros(0), np.zeros(0), np.zeros(0)
    # Start from the biggest region near the detector's location, then follow it.
    start = max(blobs[k], key=lambda b: b[2] / (1.0 + abs(b[0] - x_centre) / (0.1 * w)))
    track = {k: start}
    max_jump = 0.25 * w
    for direction in (1, -1):
        prev = start
        j = k + direction
        while j in blobs and abs(j - k) <= REFINE_RADIUS:
            near = [b for b in blobs[j] if np.hypot(b[0] - prev[0], b[1] - prev[1]) <= max_jump]
            if not near:
                break
            prev = min(near, key=lambda b: np.hypot(b[0] - prev[0], b[1] - prev[1]) - 0.01 * b[2])
            track[j] = prev
            j += direction
    ts = np.asarray(sorted(track), float)
    return ts, np.asarray([track[int(t)][0] for t in ts]), np.asarray([track[int(t)][1] for t in ts])


def _velocity_break(ts: np.ndarray, pos: np.ndarray, k: int) -> tuple[float, float, float, float] | None:
    """Where a track's velocity changes: (time in frames, speed change / top speed, fit rms px, top speed px/frame).

    Fits two straight segments meeting at a free vertex (a bounce is a V, a landing an L)
    (plus a shared curvature: gravity) on a 1/50-frame grid within two and a half frames of
    k. None when the track is too short.
    """
    if ts.size < 5:
        return None
    best = None
    for tc in np.arange(max(ts[1], k - 2.5), min(ts[-2], k + 2.5) + 1e-9, 0.02):
        before, after = np.minimum(ts - tc, 0.0), np.maximum(ts - tc, 0.0)
        # A shared curvature term: over a few frames gravity bends a falling object's path.
        design = np.stack([np.ones_like(ts), before, after, (ts - tc) ** 2], axis=1)
        coef, *_ = np.linalg.lstsq(design, pos, rcond=None)
        err = float(((design @ coef - pos) ** 2).sum())
        if best is None or err < best[0]:
            best = (err, float(tc), coef)
    if best is None:
        return None
    err, tc, coef = best
    v1, v2 = coef[1], coef[2]  # velocity (px/frame) before and after, per axis
    change = float(np.linalg.norm(np.atleast_1d(v1 - v2)))
    speed = float(max(np.linalg.norm(np.atleast_1d(v1)), np.linalg.norm(np.atleast_1d(v2))))
    rms = float(np.sqrt(err / ts.size))
    return tc, change / max(speed, 1e-6), rms, speed


def refine_impacts(
    analysis: MotionAnalysis,
    frames: Iterable[np.ndarray],
    *,
    width: int = ANALYSIS_WIDTH,
) -> list[VisualEvent]:
    """Time each impact of ``analysis`` below a frame from the object's own track in ``frames``.

    Flow-based acceleration finds *that* something hit, but on a fast, small object (a
    ball that moves its own diameter per frame) optical flow breaks down and the peak
    lands a frame or two early. The object's position does not: the centroid of what
    differs from the local background, fitted with two straight segments, puts the
    velocity change between frames. An impact whose track shows no velocity change (an
    object entering the frame) is dropped; one that cannot be followed keeps its frame
    with half the weight. ``frames`` is a second pass over the same clip (consumed once;
    only the frames near impacts are kept).
    """
    impacts = [o for o in analysis.onsets if o.kind == "impact"]
    if not impacts:
        return []
    wanted: set[int] = set()
    for o in impacts:
        wanted.update(range(max(0, o.frame - REFINE_RADIUS - 2), o.frame + REFINE_RADIUS + 3))
    grey: dict[int, np.ndarray] = {}
    for j, frame in enumerate(frames):
        if j in wanted:
            grey[j] = _grey(frame, width)
        if j > max(wanted):
            break
    events: list[VisualEvent] = []
    for o in impacts:
        if o.frame not in grey:
            continue
        w = grey[o.frame].shape[1]
        ts, xs, ys = _object_track(grey, o.frame, (o.pan + 1) / 2 * (w - 1))
        fit = _velocity_break(ts, np.stack([xs, ys], axis=1), o.frame) if ts.size else None
        if fit is None:
            events.append(VisualEvent(float(o.frame), 0.5 * o.strength, False))
            continue
        tc, relative_change, rms, speed = fit
        if rms > max(1.0, 0.15 * speed) or speed > 0.3 * w:
            # The track is not two straight runs (several things moving, a deforming body):
            # trust the detector's frame rather than a poor fit.
            events.append(VisualEvent(float(o.frame), o.strength, False))
            continue
        if relative_change < 0.6:
            continue  # it moved on much as before: not a hit (an entrance, a turn)
        events.append(VisualEvent(tc, o.strength, True))
    return events


def measure_sync(
    frames: np.ndarray | Iterable[np.ndarray] | Callable[[], Iterable[np.ndarray]] | None,
    audio: np.ndarray,
    fps: float,
    sample_rate: int = SAMPLE_RATE,
    *,
    max_offset_ms: float = MAX_OFFSET_MS,
    motion: MotionAnalysis | None = None,
) -> SyncEstimate:
    """Estimate the offset of ``audio`` ((S, 2) or (S,)) against ``frames`` (RGB).

    ``frames`` is an array, a callable that returns a fresh iterator over the clip's
    frames each time (a decoder: the picture is read twice, once for motion and once to
    time each impact below a frame, so nothing but the frames near impacts is held), or
    a one-shot iterable (then the frames are kept in memory between the passes).
    ``fps`` may be fractional (29.97): frames are timed with it exactly. With ``motion``
    given and ``frames`` None, impacts keep their whole-frame times.
    """
    if callable(frames):
        opener = frames
    elif frames is None or isinstance(frames, np.ndarray):
        opener = (lambda: frames) if frames is not None else None
    else:
        kept = list(frames)
        opener = lambda: kept  # noqa: E731
    analysis = motion if motion is not None else analyse_motion(opener(), max(1, int(round(fps))))
    if opener is not None:
        events = refine_impacts(analysis, opener())
    else:
        events = [VisualEvent(float(o.frame), o.strength, False) for o in analysis.onsets if o.kind == "impact"]
    best: SyncEstimate | None = None
    # A loud bed or a heavily limited mix leaves hits only 6-9 dB above it: when the usual
    # 12 dB threshold hears far fewer attacks than the picture shows impacts, listen more closely. Extra attacks cost
    # little here (each picture event only looks for its nearest sound).
    for threshold_db in ATTACK_THRESHOLDS_DB:
        estimate = estimate_offset(
            [e.time_frames for e in events],
            audio_onsets(audio, sample_rate, threshold_db=threshold_db),
            fps,
            visual_weights=[e.weight for e in events],
            max_offset_ms=max_offset_ms,
            picture_seconds=analysis.frame_count / fps,
            sound_seconds=np.asarray(audio).shape[0] / sample_rate,
        )
        if best is None or (estimate.matched, estimate.confidence) > (best.matched, best.confidence):
            best = estimate
        if estimate.audio_events >= 0.6 * estimate.visual_events:
            break  # enough attacks heard: a lower threshold would only add bed noise
    assert best is not None
    return best
