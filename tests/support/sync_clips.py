"""A family of clips made the way a camera and a microphone make them, with a planted offset.

Unlike tests/sound/clips.py (impacts exactly on frame boundaries, our own foley), these
clips come from a continuous world sampled by a camera: a ball moves under gravity and
bounces with losses, its contacts fall anywhere between two frames, motion blur smears
it over the exposure, the soundtrack is a microphone's (a knock with a random timbre at
each contact, plus room noise and unrelated sounds), and the file is encoded by the
ffmpeg command line (libx264 + its AAC encoder), not by Studio. The sound is shifted by
a known offset, either in the samples or in the container (``-itsoffset``), so a sync
measurement can be scored against the truth.

Rhythms: ``regular`` (same height every bounce), ``accelerating`` (a dropped ball: each
bounce lower and quicker), ``sparse`` (a few drops far apart), ``irregular`` (kicked
at random). Frame rates include the NTSC ones (30000/1001, 24000/1001).
"""

from __future__ import annotations

import json
import subprocess
import wave
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

FRAME_RATES = (Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30), Fraction(60))
RHYTHMS = ("regular", "accelerating", "sparse", "irregular")
SR = 48000
G = 9.81


@dataclass(frozen=True)
class ClipSpec:
    seed: int
    fps: Fraction
    rhythm: str
    offset_ms: float
    """Planted: positive means the sound comes after the picture."""
    duration_s: float = 6.0
    size: tuple[int, int] = (320, 240)
    crf: int = 23
    noise_db: float = -40.0
    """Room noise level (dBFS RMS)."""
    distractors: int = 0
    """Unrelated sounds (a door, a cough) with nothing in the picture."""
    container_offset: bool = False
    """Shift the sound with the container's timestamps instead of in the samples."""

    def describe(self) -> dict:
        d = asdict(self)
        d["fps"] = str(self.fps)
        return d


@dataclass
class _Ball:
    x: float
    """Horizontal position, 0..1 of the frame width."""
    flights: list
    """(start contact, end contact, launch speed) of each flight, in order."""

    def height(self, t: float) -> float:
        """Height above the floor (m): dropped from rest before the first contact, resting after the last.

        Before the first contact the ball is held at the height of its first bounce and let go, so it
        lands at speed (a V-shaped contact, like every later one), not gently at zero speed.
        """
        first, _, v0 = self.flights[0]
        if t < first:
            u = min(first - t, v0 / G)  # time before landing, back to the moment it was let go
            return v0 * u - 0.5 * G * u * u
        for s, e, v in self.flights:
            if s <= t <= e:
                u = t - s
                return max(0.0, v * u - 0.5 * G * u * u)
        return 0.0


def _bounces(start: float, period: float, restitution: float, end: float, rng, jitter: float = 0.0) -> list:
    flights, t = [], start
    while period > 0.1 and t + period < end:
        flights.append((t, t + period, G * period / 2))
        t += period
        period = period * restitution * (1 + jitter * rng.uniform(-1, 1))
    return flights


def scene(spec: ClipSpec, rng: np.random.Generator) -> list[_Ball]:
    """The balls of the spec's rhythm (contacts anywhere in time, not on frame boundaries)."""
    dur = spec.duration_s
    if spec.rhythm == "regular":
        balls = [_Ball(rng.uniform(0.3, 0.7), _bounces(rng.uniform(0.3, 0.8), rng.uniform(0.45, 0.9), 1.0, dur, rng))]
    elif spec.rhythm == "accelerating":
        balls = [_Ball(rng.uniform(0.3, 0.7), _bounces(rng.uniform(0.3, 0.8), rng.uniform(1.0, 1.2), rng.uniform(0.72, 0.82), dur, rng))]
    elif spec.rhythm == "irregular":
        balls = [_Ball(rng.uniform(0.3, 0.7), _bounces(rng.uniform(0.2, 0.6), rng.uniform(0.4, 0.9), 1.0, dur, rng, jitter=0.45))]
    elif spec.rhythm == "sparse":
        balls, t = [], rng.uniform(0.5, 1.2)
        while t < dur - 1.0:
            balls.append(_Ball(rng.uniform(0.15, 0.85), _bounces(t, rng.uniform(0.35, 0.55), 0.4, dur, rng)))
            t += rng.uniform(1.3, 2.2)
    else:
        raise ValueError(spec.rhythm)
    return [b for b in balls if b.flights]


def contacts_of(balls: list[_Ball], duration_s: float) -> np.ndarray:
    times = sorted({round(t, 6) for b in balls for s, e, _ in b.flights for t in (s, e)})
    c = np.asarray(times)
    return c[(c > 0.05) & (c < duration_s - 0.05)]


def _knock(rng: np.random.Generator) -> np.ndarray:
    """A contact sound: a filtered noise burst with a random body resonance, 40-120 ms."""
    n = int(rng.uniform(0.04, 0.12) * SR)
    t = np.arange(n) / SR
    tau = rng.uniform(0.008, 0.03)
    body = np.sin(2 * np.pi * rng.uniform(120, 900) * t) * np.exp(-t / (tau * 1.5))
    noise = rng.normal(0, 1, n) * np.exp(-t / tau)
    # 0.3 ms rise: a real attack is not a step.
    rise = np.clip(t / 0.0003, 0, 1)
    return (0.6 * body + 0.4 * noise) * rise * rng.uniform(0.3, 0.9)


def _distractor(rng: np.random.Generator) -> np.ndarray:
    """A sound with no picture: a door knock pair or a cough-like burst."""
    parts = [_knock(rng)]
    if rng.random() < 0.5:
        parts.append(np.zeros(int(rng.uniform(0.12, 0.25) * SR)))
        parts.append(_knock(rng))
    return np.concatenate(parts) * 0.8


def soundtrack(spec: ClipSpec, contacts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = int(round(spec.duration_s * SR))
    out = np.zeros(n)
    shift = 0.0 if spec.container_offset else spec.offset_ms / 1000
    for tc in contacts:
        start = int(round((tc + shift) * SR))
        k = _knock(rng)
        lo, hi = max(0, start), min(n, start + k.shape[0])
        if hi > lo:
            out[lo:hi] += k[lo - start : hi - start]
    for _ in range(spec.distractors):
        start = int(rng.uniform(0.2, spec.duration_s - 0.5) * SR)
        k = _distractor(rng)
        hi = min(n, start + k.shape[0])
        out[start:hi] += k[: hi - start]
    # Room noise: pink-ish (integrated white, high-passed), at the spec's level.
    white = rng.normal(0, 1, n)
    pink = np.cumsum(white)
    pink -= np.convolve(pink, np.ones(4801) / 4801, mode="same")
    pink += 0.3 * white
    pink *= 10 ** (spec.noise_db / 20) / (np.sqrt(np.mean(pink**2)) + 1e-12)
    return np.clip(out + pink, -1, 1)


def render_frames(spec: ClipSpec, balls: list[_Ball], rng: np.random.Generator):
    """Yield RGB frames: a textured room, the ball with motion blur over a half-open shutter."""
    w, h = spec.size
    base = cv2.GaussianBlur(rng.uniform(0, 255, (h, w, 3)).astype(np.float32), (0, 0), w / 60)
    base = ((base - base.min()) / (np.ptp(base) + 1e-6) * 110 + 70)
    floor_y = int(h * 0.85)
    base[floor_y:] *= 0.55
    colours = [tuple(float(c) for c in rng.uniform(150, 250, 3)) for _ in balls]
    radius = h / 14
    top = max(max(v for _, _, v in b.flights) ** 2 / (2 * G) for b in balls)
    scale = (floor_y - radius - h * 0.08) / max(top, 0.3)  # pixels per metre: the highest apex reaches near the top
    n = int(np.floor(spec.duration_s * spec.fps))
    frame_s = 1 / float(spec.fps)
    for k in range(n):
        acc = np.zeros_like(base)
        subs = 4
        for j in range(subs):  # exposure: the first half of the frame interval
            t = k * frame_s + (j / subs) * 0.5 * frame_s
            img = base.copy()
            for ball, colour in zip(balls, colours):
                cy = floor_y - radius - min(ball.height(t) * scale, 4 * h)
                cx = ball.x * w
                cv2.circle(img, (int(round(cx * 16)), int(round(cy * 16))), int(round(radius * 16)), colour, -1, cv2.LINE_AA, 4)
            acc += img
        frame = acc / subs + rng.normal(0, 2.0, base.shape)  # sensor noise
        yield np.clip(frame, 0, 255).astype(np.uint8)


def _write_wav(path: Path, samples: np.ndarray) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(SR)
        wf.writeframes(pcm.tobytes())


def make_clip(spec: ClipSpec, folder: Path) -> tuple[Path, np.ndarray]:
    """Write the clip as an MP4 encoded by the ffmpeg CLI; returns (path, contact times)."""
    import imageio_ffmpeg

    rng = np.random.default_rng(spec.seed)
    balls = scene(spec, rng)
    contacts = contacts_of(balls, spec.duration_s)
    audio = soundtrack(spec, contacts, rng)
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"clip{spec.seed}.wav"
    out = folder / f"clip{spec.seed}.mp4"
    _write_wav(wav, audio)
    w, h = spec.size
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", str(spec.fps), "-i", "-"]
    if spec.container_offset:
        cmd += ["-itsoffset", f"{spec.offset_ms / 1000:.4f}"]
    cmd += ["-i", str(wav), "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", str(spec.crf), "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "128k", str(out)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    for frame in render_frames(spec, balls, rng):
        proc.stdin.write(frame.tobytes())
    proc.stdin.close()
    err = proc.stderr.read() if proc.stderr else b""
    if proc.wait() != 0:
        raise RuntimeError(f"ffmpeg failed: {err.decode(errors='replace')[-400:]}")
    wav.unlink()
    (folder / f"clip{spec.seed}.json").write_text(json.dumps({**spec.describe(), "contacts": contacts.tolist()}))
    return out, contacts


def family(count: int, *, first_seed: int = 1000, duration_s: float = 6.0) -> list[ClipSpec]:
    """``count`` clip specs spread over frame rates, rhythms, noise, compression and offsets."""
    rng = np.random.default_rng(first_seed)
    specs = []
    for i in range(count):
        seed = first_seed + i
        specs.append(ClipSpec(
            seed=seed,
            fps=FRAME_RATES[i % len(FRAME_RATES)],
            rhythm=RHYTHMS[(i // len(FRAME_RATES)) % len(RHYTHMS)],
            offset_ms=float(np.round(rng.uniform(-200, 200), 1)),
            crf=int(rng.choice([18, 23, 28, 33])),
            noise_db=float(rng.choice([-50.0, -40.0, -32.0, -26.0])),
            distractors=int(rng.choice([0, 0, 1, 2])),
            container_offset=bool(rng.random() < 0.25),
            duration_s=duration_s,
        ))
    return specs
