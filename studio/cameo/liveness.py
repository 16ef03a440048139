"""The liveness check: a live person, alone, doing what the screen asks, with one face throughout.

A `LivenessChallenge` is a random digit sequence to read aloud and head turns to
make, each in its own time slot; the order of the turns and the reading, each
slot's length and the pauses between them are drawn afresh for every attempt,
and the evidence is judged against when each prompt was shown. `evaluate_liveness` looks at what the camera
saw in every slot (`FrameEvidence`: faces found, yaw, mouth opening, descriptor)
and passes only if:

- exactly one face is in every analysed frame (a few frames where a turned
  head is not detected are tolerated; two faces never are);
- the head really turns left in the "left" slot and right in the "right" slot;
- the mouth moves while the digits are read (the spread of the mouth-opening
  ratio), and, when a microphone recorded, a voice is louder while reading
  than while silent;
- every frame shows the same identity (each descriptor near the robust mean).

A still photo fails on the turns and the mouth; a second person spliced in fails
on the identity. What this cannot tell: that the right digits were said (there
is no speech recogniser offline), or a live puppet of the person driven in real
time. A file standing in for the camera is for tests only
(`studio.media.capture.file_cameras_allowed`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import numpy as np

from studio.cameo.faces import face_distance, robust_mean_embedding

TURN_YAW = 0.12
"""How far (yaw units, see `head_yaw`) a head must turn to count as a turn."""
MOUTH_SPREAD = 0.05
"""Minimum spread (90th minus 10th percentile) of the mouth-opening ratio while reading."""
MAX_MISSING_FRACTION = 0.25
"""Frames with no face found that are forgiven (heads turned past the detector's reach)."""
SAME_IDENTITY_DISTANCE = 0.5
"""Every frame's descriptor must be this close to the robust mean (stricter than dlib's 0.6 between photos)."""
RETURN_GRACE = 0.35
"""Seconds after a prompt ends in which the head may still be coming back to the camera."""
VOICE_RATIO = 2.0
"""A voice must make the reading slot this many times louder (RMS) than the quiet slot."""


@dataclass(frozen=True)
class ChallengeStep:
    kind: str
    """look, left, right or read."""
    start: float
    end: float
    """Seconds from the start of the recording."""

    def prompt(self, digits: str, lang: str = "en") -> str:
        """What the screen says during this step."""
        spaced = " ".join(digits)
        if lang == "ja":
            return {"look": "カメラを見てください", "left": "左を向いてください", "right": "右を向いてください",
                    "read": f"読み上げてください: {spaced}"}[self.kind]
        return {"look": "look at the camera", "left": "turn left", "right": "turn right", "read": f"read: {spaced}"}[self.kind]


@dataclass(frozen=True)
class LivenessChallenge:
    """A random digit sequence and the timed steps of the check."""

    digits: str
    steps: tuple[ChallengeStep, ...]

    @classmethod
    def random(cls, n_digits: int = 4, *, look: float = 0.8, turn: float = 1.2, read: float = 2.0) -> "LivenessChallenge":
        """A fresh challenge from the OS's secure random source: the digits, the order of the turns and
        the reading, and when each prompt comes (each step's length and the pauses between vary).

        A prompt order and timing fixed in advance let a video recorded in advance pass; now a
        recording has to match a sequence nobody knew before the check started.
        """
        rng = secrets.SystemRandom()
        digits = "".join(str(secrets.randbelow(10)) for _ in range(n_digits))
        order = ["left", "right", "read"]
        rng.shuffle(order)
        t, steps = 0.0, []

        def add(kind: str, length: float) -> None:
            nonlocal t
            steps.append(ChallengeStep(kind, round(t, 3), round(t + length, 3)))
            t += length

        add("look", look * rng.uniform(1.0, 2.5))
        for i, kind in enumerate(order):
            if i:  # a pause of random length (look at the camera again) before the next prompt
                add("look", rng.uniform(0.5, 1.6))
            add(kind, (read if kind == "read" else turn) * rng.uniform(1.0, 1.35))
        return cls(digits, tuple(steps))

    @property
    def duration(self) -> float:
        return self.steps[-1].end

    def step_at(self, t: float) -> ChallengeStep | None:
        """The step running at ``t`` seconds (None after the end)."""
        return next((s for s in self.steps if s.start <= t < s.end), None)

    def step(self, kind: str) -> ChallengeStep:
        return next(s for s in self.steps if s.kind == kind)


@dataclass(frozen=True)
class FrameEvidence:
    """What one analysed frame showed."""

    t: float
    faces: int
    yaw: float | None = None
    mouth_open: float | None = None
    embedding: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class LivenessResult:
    passed: bool
    failures: tuple[str, ...]
    """Keys of the checks that failed: faces, two_faces, turn_left, turn_right, mouth, voice, identity."""
    facts: dict = field(default_factory=dict)
    """Measured values (yaw reached each way, mouth spread, worst distance...)."""

    def messages(self, lang: str = "en") -> list[str]:
        """One plain sentence per failed check."""
        return [FAILURE_TEXT[k][1 if lang == "ja" else 0] for k in self.failures]


FAILURE_TEXT = {
    "no_frames": ("No frames were recorded.", "映像が記録されませんでした。"),
    "faces": ("Your face was not visible for much of the check; stay in the frame.",
              "確認中、顔が映っていない時間が長すぎました。画面の中にいてください。"),
    "two_faces": ("More than one face was seen; do the check alone.", "2人以上の顔が映りました。1人で行ってください。"),
    "turn_left": ("The head turn to the left was not seen.", "左を向く動きが確認できませんでした。"),
    "turn_right": ("The head turn to the right was not seen.", "右を向く動きが確認できませんでした。"),
    "mouth": ("The mouth did not move while reading the digits; read them aloud.",
              "数字を読む間、口の動きが確認できませんでした。声に出して読んでください。"),
    "voice": ("No voice was heard while reading the digits; read them aloud.",
              "数字を読む間、声が聞こえませんでした。声に出して読んでください。"),
    "identity": ("A different person appeared during the check.", "確認の途中で別の人物が映りました。"),
    "timing": ("The head turned when no prompt asked for it; follow each prompt when it appears.",
               "指示がないときに顔の向きが変わりました。指示が表示されたときに従ってください。"),
}


def evaluate_liveness(
    challenge: LivenessChallenge,
    evidence: list[FrameEvidence],
    *,
    audio: np.ndarray | None = None,
    sample_rate: int = 16000,
) -> LivenessResult:
    """Judge a recorded check; see the module docstring for the rules."""
    if not evidence:
        return LivenessResult(False, ("no_frames",), {})
    failures: list[str] = []
    facts: dict = {"frames": len(evidence)}

    missing = sum(1 for e in evidence if e.faces == 0)
    crowded = sum(1 for e in evidence if e.faces > 1)
    facts["frames_without_face"] = missing
    facts["frames_with_several_faces"] = crowded
    if crowded:
        failures.append("two_faces")
    if missing > MAX_MISSING_FRACTION * len(evidence):
        failures.append("faces")

    def values(kind: str, attr: str) -> np.ndarray:
        s = challenge.step(kind)
        return np.array([getattr(e, attr) for e in evidence if s.start <= e.t < s.end and getattr(e, attr) is not None], np.float64)

    # Turns are judged against the person's own straight-ahead yaw (faces are not symmetric).
    look = values("look", "yaw")
    rest = float(np.median(look)) if look.size else 0.0
    left, right = values("left", "yaw") - rest, values("right", "yaw") - rest
    facts["yaw_rest"] = round(rest, 4)
    facts["yaw_left"] = round(float(left.max()), 4) if left.size else None
    facts["yaw_right"] = round(float(right.min()), 4) if right.size else None
    # Turning to one's left moves the nose to the image's right (positive yaw).
    # A turn the wrong way in a slot means the video does not follow these prompts (a recording
    # made for another sequence), not a person who overshot.
    if not left.size or left.max() < TURN_YAW or left.min() < -TURN_YAW:
        failures.append("turn_left")
    if not right.size or right.min() > -TURN_YAW or right.max() > TURN_YAW:
        failures.append("turn_right")

    # While the screen says "look at the camera", the head is straight: a turn there came before its
    # prompt, or lasted past it, as in a recording made for another sequence.
    early = 0
    for step in challenge.steps:
        if step.kind != "look":
            continue
        for e in evidence:
            if step.start + RETURN_GRACE <= e.t < step.end and e.yaw is not None and abs(e.yaw - rest) >= TURN_YAW:
                early += 1
    facts["turned_without_prompt"] = early
    if early:
        failures.append("timing")

    mouth = values("read", "mouth_open")
    spread = float(np.percentile(mouth, 90) - np.percentile(mouth, 10)) if mouth.size >= 3 else 0.0
    facts["mouth_spread"] = round(spread, 4)
    if spread < MOUTH_SPREAD:
        failures.append("mouth")

    if audio is not None and audio.size:
        ratio = voice_ratio(audio, sample_rate, challenge)
        facts["voice_ratio"] = round(ratio, 3)
        if ratio < VOICE_RATIO:
            failures.append("voice")
    else:
        facts["voice_ratio"] = None

    embs = [e.embedding for e in evidence if e.embedding is not None and e.faces == 1]
    if embs:
        mean, _ = robust_mean_embedding(embs)
        worst = max(face_distance(x, mean) for x in embs)
        facts["worst_identity_distance"] = round(worst, 4)
        if worst >= SAME_IDENTITY_DISTANCE:
            failures.append("identity")
    return LivenessResult(not failures, tuple(failures), facts)


def voice_ratio(audio: np.ndarray, sample_rate: int, challenge: LivenessChallenge) -> float:
    """RMS while reading over RMS while looking at the camera (the quiet slot)."""
    mono = np.asarray(audio, np.float64)
    if mono.ndim == 2:
        mono = mono.mean(axis=1)

    def rms(kind: str) -> float:
        s = challenge.step(kind)
        part = mono[int(s.start * sample_rate): int(s.end * sample_rate)]
        return float(np.sqrt(np.mean(part ** 2))) if part.size else 0.0

    return rms("read") / max(1e-5, rms("look"))
