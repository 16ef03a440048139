"""The Sketch engine: Studio's built-in, instant, deterministic animatic renderer.

It draws a flat, storyboard-style moving sketch of a shot — the place, the light,
the weather, the cast in their own colours, what they do and how the camera
moves — and reports every visible contact as a sound event for the sound design.
Same request, same seed: the same frames to the bit.
"""

from __future__ import annotations

import numpy as np

from studio.domain.concurrency import Beside
from studio.domain.model import SoundCueKind
from studio.engine.protocol import (CancelToken, Emit, EngineError, EngineResult, GenerateRequest, MasterSpool, Preview, Progress,
                                    Started)
from studio.engine.sketch.render import ShotRenderer, ShotSpec, plan_shot
from studio.engine.sketch.scenery import CLOUD_PERIOD, CLOUD_SPEED

PREVIEW_EVERY = 12
"""Frames between two previews sent to the UI."""


def available_memory_bytes() -> int | None:
    """Memory the system can still give this process (Linux MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


WORKING_SET_BASE = 100e6
"""Bytes every render adds before its first frame: the sound, video and encoder modules it loads."""
WORKING_SET_PER_PIXEL = 180.0
"""Per pixel of the canvas, whatever the length: the renderer's float layers and reused frame buffers,
the master writer's and x264's look-ahead frames (the frames themselves stream to the master)."""
WORKING_SET_PER_SECOND = 11e6
"""Per second of a shot whose sound is made whole (up to `WHOLE_SOUND_UP_TO_S`): the sound design's stereo
float stems and the mixes made from them (48 kHz); measured 2110 MiB at the export of a 180 s 160x96 shot
when every shot's sound was made whole (benchmarks/bench_pipeline.py --skip-e2e)."""
WHOLE_SOUND_UP_TO_S = 30.0
"""`studio.sound.design.SPOOL_OVER_S`: a longer shot's sound is made a block at a time and spooled to files,
so its working set stops growing there (not imported: the sound package loads with the first render)."""
WORKING_SET_PER_PIXEL_SECOND = 0.3
"""Bytes per pixel of the canvas per second of a shot, up to `SKY_GROWS_FOR_S`: the sky layer the clouds drift
across is as wide as their drift (~0.16 MiB a second at 1280x720: 732 -> 798 MiB peak RSS from 180 to 600 s
before the clouds repeated, benchmarks/bench_pipeline.py --skip-e2e; counted about 1.7x)."""
SKY_GROWS_FOR_S = CLOUD_PERIOD / CLOUD_SPEED
"""Seconds of drift after which a long shot's clouds repeat and their layer stops growing (≈167 s)."""


def render_working_set(frames: int, width: int, height: int, fps: int) -> int:
    """Bytes a Sketch render of this shot holds at its peak (engine, sound and the take's encode).

    Measured, not guessed: benchmarks/bench_render_memory.py renders shots from 160x96 (two minutes)
    to 1920x1080 and reads each process's peak resident set. The picture does not grow with the
    shot's length (its frames stream into the master), nor does the sound past `WHOLE_SOUND_UP_TO_S`
    (it is made in blocks), nor the drifting sky past `SKY_GROWS_FOR_S` (its clouds repeat).
    """
    pixels = width * height
    seconds = frames / max(1, fps)
    return int(WORKING_SET_BASE + WORKING_SET_PER_PIXEL * pixels + WORKING_SET_PER_SECOND * min(seconds, WHOLE_SOUND_UP_TO_S)
               + WORKING_SET_PER_PIXEL_SECOND * pixels * min(seconds, SKY_GROWS_FOR_S))


def _check_frames_fit_in_memory(frames: int, width: int, height: int, fps: int) -> None:
    """Refuse, before any work, a shot whose render cannot fit in the memory the system has free.

    The frames stream to the take's master and a long shot's sound is made in blocks, but some of
    the working set still grows with the length (`render_working_set`): a hostile recipe's
    days-long shot would otherwise be allocated lazily and end in the kernel's out-of-memory
    killer rather than in a message.
    """
    need = render_working_set(frames, width, height, fps)
    available = available_memory_bytes()
    if available is not None and need > 0.8 * available:
        raise EngineError(
            f"this shot's {frames} frames ({frames / fps:.0f} s at {width}x{height}) need about {need / 1e9:.1f} GB of "
            f"memory to render (picture, sound and encoding); {available / 1e9:.1f} GB is free",
            "shorten the shot, split it in two, or lower the resolution",
        )


def _design(scene, events, frames, fps, seed, dialogue, sfx, music, check) -> dict[str, np.ndarray]:
    # Imported here, on the sound's own thread: the sound package (SciPy) is not needed to start drawing.
    from studio.sound.design import design_sound

    return design_sound(scene, events, frames, fps, seed, dialogue=dialogue, sfx_cues=sfx, music_cues=music,
                        check=check)


class SketchEngine:
    """Procedural animatics: no model, no GPU, faster than real time."""

    name = "sketch"
    version = "1.0"
    streams = True
    """Frames go to the master as they are drawn: a shot of any length renders in a few frames of memory."""

    def generate(self, request: GenerateRequest, emit: Emit, cancel: CancelToken,
                 sink: MasterSpool | None = None) -> EngineResult:
        """Render the shot's frames into a master in ``sink`` while its sound is designed beside them;
        one progress step per frame plus one for sound."""
        job = request.job_id
        n = request.frames
        total = n + 1
        emit(Started(job, self.name, total))
        cancel.check()

        resolved = request.resolved()
        spec = ShotSpec.from_request(request)
        _check_frames_fit_in_memory(n, spec.width, spec.height, spec.fps)
        plan = plan_shot(spec)
        renderer = ShotRenderer(plan)
        # The sound needs the plan's events, not the pixels: it is designed on its own thread while the
        # frames are drawn (and encoded), instead of leaving the encoders idle after the last frame.
        sfx = tuple(c for c in resolved.sound_cues if c.kind is SoundCueKind.SFX)
        music = tuple(c.description for c in resolved.sound_cues if c.kind is SoundCueKind.MUSIC)
        sound = Beside("sketch-sound", _design, plan.scene, plan.events, n, spec.fps, spec.seed, resolved.dialogue, sfx, music,
                       cancel.check)  # a cancelled render stops its long shot's sound too
        with (sink or MasterSpool()).open(spec.width, spec.height, spec.fps) as writer:  # a cancel removes it
            for i, frame in enumerate(renderer.stream(check=cancel.check)):
                writer.add(frame)
                emit(Progress(job, i + 1, total, "render"))
                if i % PREVIEW_EVERY == 0 or i == n - 1:
                    emit(Preview(job, i, frame.copy()))  # the renderer reuses its buffers
            cancel.check()
            master = writer.finish()

        cancel.check()
        stems = sound.result()
        emit(Progress(job, total, total, "sound"))

        scene = plan.scene
        extra = {
            "place": scene.place or "",
            "indoor": scene.indoor,
            "time_of_day": scene.time_of_day,
            "weather": scene.weather,
            "actions": ",".join(scene.actions),
            "camera": spec.camera.value,
            "characters": len(plan.choreo.actors),
            "events": len(plan.events),
            # What Studio understood of the prompt (the scene plan this take was drawn from).
            "understood": plan.scene_plan.summary() if plan.scene_plan is not None else "",
        }
        return EngineResult(
            frames=None,
            master=master,
            fps=spec.fps,
            stems=stems,
            events=plan.events,
            engine=self.name,
            engine_version=self.version,
            seed=spec.seed,
            composed_prompt=plan.describe(),
            extra=extra,
        )
