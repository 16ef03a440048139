"""The engine protocol: one immutable request in, a stream of typed events out.

Nothing here knows about Qt. An engine is any object with a ``name``, a
``version`` and ``generate(request, emit, cancel) -> EngineResult``; it calls
``emit`` with the events below from whatever thread runs it and checks the
cancel token at every step (raising `Cancelled` through ``cancel.check()``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol, Union, runtime_checkable

from studio.domain.model import (
    Canvas,
    Project,
    ResolvedShot,
    Scalar,
    Settings,
    Shot,
    SoundEvent,
    StoryBible,
    resolve_shot,
)
from studio.domain.errors import ExplainedError
from studio.media.master import MasterSpool, MasterWriter, TakeMaster

__all__ = ["MasterSpool", "MasterWriter", "TakeMaster"]  # engines get their frame writers from here

if TYPE_CHECKING:  # numpy is imported by what makes frames, not by the window on its way to the first frame
    import numpy as np

STEMS = ("ambience", "foley", "dialogue", "music")


class CancelledError(Exception):
    """Raised inside an engine when its cancel token is set."""


class CancelToken:
    """Cooperative cancel: an engine calls ``check()`` once per step."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise CancelledError()


@dataclass(frozen=True)
class CameoReference:
    """A consented person cast as a story-bible character (the services layer checked the permission)."""

    character_id: str
    cameo_id: str
    crop: np.ndarray = field(compare=False, repr=False)
    """An aligned face crop, H×W×3 uint8 RGB (the most frontal of the cameo's references)."""


@dataclass(frozen=True)
class GenerateRequest:
    """Everything an engine needs for one shot, and nothing of the UI."""

    shot: Shot
    bible: StoryBible
    canvas: Canvas
    fps: int
    seed: int
    engine: str
    settings: Settings = ()
    negative_prompt: str = ""
    quality: str = "standard"
    start_image: np.ndarray | None = field(default=None, compare=False, repr=False)
    """Optional first frame (H×W×3 uint8) for engines that start from an image."""
    job_id: str = ""
    cameo_references: tuple[CameoReference, ...] = field(default=(), compare=False, repr=False)
    """Faces of the cameos cast in this shot; engines put each on its character."""
    start_image_loader: Callable[[], np.ndarray | None] | None = field(default=None, compare=False, repr=False)
    """Where ``start_image`` is None: called on the engine's thread, just before generating, by an
    engine whose model can start from an image; returns that frame or None. Lets the window hand
    over a decode (the previous take's last frame) without doing it on its own thread."""

    @classmethod
    def for_shot(
        cls,
        project: Project,
        shot: Shot,
        *,
        engine: str | None = None,
        seed: int | None = None,
        settings: dict[str, Scalar] | None = None,
        defaults: dict[str, Scalar] | None = None,
        job_id: str = "",
    ) -> "GenerateRequest":
        """The request for ``shot``: ``defaults`` (app-wide choices such as the memory profile)
        under the project's engine settings, under the shot's own, under ``settings`` (a forced override).
        The project's ``loras`` arrive as ``project_loras`` and are applied with the shot's."""
        merged = dict(defaults or {})
        project_settings = dict(getattr(project, "engine_settings", ()) or ())
        if "loras" in project_settings:  # the project's LoRAs add to the shot's instead of being replaced
            project_settings["project_loras"] = project_settings.pop("loras")
        merged.update(project_settings)
        merged.update(shot.engine_settings)
        merged.update(settings or {})
        return cls(
            shot=shot,
            bible=project.bible,
            canvas=project.canvas,
            fps=project.fps,
            seed=shot.seed if seed is None else seed,
            engine=engine or shot.engine,
            settings=tuple(sorted(merged.items())),
            negative_prompt=project.negative_prompt,
            quality=project.quality,
            job_id=job_id or shot.id,
        )

    @property
    def frames(self) -> int:
        return self.shot.duration_frames

    def resolved(self) -> ResolvedShot:
        return resolve_shot(self.shot, self.bible)

    def setting(self, key: str, default: Scalar = None) -> Scalar:
        return dict(self.settings).get(key, default)


@dataclass
class EngineResult:
    """The take's master (its frames, streamed to a file as they were made), sound stems
    (float32, S×2 at 48 kHz) and sound events.

    A streaming engine writes its frames through the `MasterSpool` it is given and sets
    ``master``; an engine that returns ``frames`` (N×H×W×3 uint8 RGB, a small test engine)
    has them written into a master by the runner, which then drops the array.
    """

    frames: np.ndarray | None
    fps: int
    stems: dict[str, np.ndarray]
    events: tuple[SoundEvent, ...]
    engine: str
    engine_version: str
    seed: int
    composed_prompt: str
    model: str | None = None
    extra: dict[str, Scalar] = field(default_factory=dict)
    """Engine facts worth recording in the recipe (snapped size, steps...)."""
    master: TakeMaster | None = None

    def __post_init__(self) -> None:
        import numpy as np

        f = self.frames
        if f is None and self.master is None:
            raise ValueError("a result needs its master (or its frames)")
        if f is not None and (f.ndim != 4 or f.shape[-1] != 3 or f.dtype != np.uint8):
            raise ValueError(f"frames must be N×H×W×3 uint8, got {f.shape} {f.dtype}")
        for name, s in self.stems.items():
            if s.ndim != 2 or s.shape[1] != 2 or s.dtype != np.float32:
                raise ValueError(f"stem {name} must be S×2 float32, got {s.shape} {s.dtype}")

    def with_master(self, spool: MasterSpool | None = None) -> "EngineResult":
        """This result with its frames in a master (written now from ``frames`` when there is none yet)."""
        if self.master is None:
            assert self.frames is not None
            n, h, w = self.frames.shape[:3]
            with (spool or MasterSpool()).open(w, h, self.fps) as writer:
                writer.add_many(self.frames)
                self.master = writer.finish()
            self.frames = None
        return self

    @property
    def frame_count(self) -> int:
        return self.master.frames if self.master is not None else int(self.frames.shape[0])  # type: ignore[union-attr]

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the frames."""
        if self.master is not None:
            return self.master.width, self.master.height
        return int(self.frames.shape[2]), int(self.frames.shape[1])  # type: ignore[union-attr]

    def read_frames(self):
        """The frames, one at a time (from the master; never all at once)."""
        if self.master is not None:
            return self.master.read()
        return iter(self.frames)  # type: ignore[arg-type]

    def frame_array(self) -> np.ndarray:
        """Every frame as one array: tests and tiny takes only (a long take does not fit in memory)."""
        return self.master.read_all() if self.master is not None else self.frames  # type: ignore[return-value]

    def mixdown(self) -> np.ndarray:
        """All stems summed (no loudness processing)."""
        import numpy as np

        n = max((s.shape[0] for s in self.stems.values()), default=0)
        out = np.zeros((n, 2), np.float32)
        for s in self.stems.values():
            out[: s.shape[0]] += s
        return out


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Started:
    job_id: str
    engine: str
    total_steps: int
    node: str = ""
    """Where the shot renders: a farm worker's name ("10.0.0.5/gpu0"); empty in this process."""


@dataclass(frozen=True)
class Progress:
    job_id: str
    step: int
    total: int
    stage: str
    """render, sound, decode, load..."""


@dataclass(frozen=True)
class Preview:
    job_id: str
    frame_index: int
    frame: np.ndarray = field(compare=False, repr=False)


@dataclass(frozen=True)
class Finished:
    job_id: str
    result: EngineResult = field(compare=False, repr=False)


@dataclass(frozen=True)
class Failed:
    job_id: str
    message: str
    hint: str = ""


@dataclass(frozen=True)
class Cancelled:
    job_id: str


EngineEvent = Union[Started, Progress, Preview, Finished, Failed, Cancelled]
Emit = Callable[[EngineEvent], None]


class EngineError(ExplainedError):
    """A failure an engine can explain: ``message`` says what, ``hint`` what to do."""


@runtime_checkable
class Engine(Protocol):
    name: str
    version: str

    def generate(self, request: GenerateRequest, emit: Emit, cancel: CancelToken) -> EngineResult:
        """Make the shot; emit Started/Progress/Preview along the way; raise CancelledError on cancel.

        An engine whose class sets ``streams = True`` is called with ``sink=`` a `MasterSpool` as well:
        it opens a `MasterWriter` there, adds each frame as it is made and returns the finished master
        (aborting the writer on a cancel or an error, so no partial master is left).
        """
        ...


def engine_streams(engine: object) -> bool:
    """Whether ``engine`` takes a ``sink`` and writes its frames as it makes them."""
    return bool(getattr(engine, "streams", False))
