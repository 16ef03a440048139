"""The Sketch engine: Studio's built-in, instant, deterministic animatic renderer.

It draws a flat, storyboard-style moving sketch of a shot — the place, the light,
the weather, the cast in their own colours, what they do and how the camera
moves — and reports every visible contact as a sound event for the sound design.
Same request, same seed: the same frames to the bit.
"""

from __future__ import annotations

import numpy as np

from studio.domain.model import SoundCueKind
from studio.engine.protocol import (CancelToken, Emit, EngineResult, GenerateRequest, MasterSpool, Preview, Progress,
                                    Started)
from studio.engine.sketch.render import ShotRenderer, ShotSpec, plan_shot

PREVIEW_EVERY = 12
"""Frames between two previews sent to the UI."""


class SketchEngine:
    """Procedural animatics: no model, no GPU, faster than real time."""

    name = "sketch"
    version = "1.0"
    streams = True
    """Frames go to the master as they are drawn: a shot of any length renders in a few frames of memory."""

    def generate(self, request: GenerateRequest, emit: Emit, cancel: CancelToken,
                 sink: MasterSpool | None = None) -> EngineResult:
        """Render the shot's frames into a master in ``sink``, then its sound; one progress step per
        frame plus one for sound."""
        job = request.job_id
        n = request.frames
        total = n + 1
        emit(Started(job, self.name, total))
        cancel.check()

        resolved = request.resolved()
        spec = ShotSpec.from_request(request)
        plan = plan_shot(spec)
        renderer = ShotRenderer(plan)
        with (sink or MasterSpool()).open(spec.width, spec.height, spec.fps) as writer:  # a cancel removes it
            for i, frame in enumerate(renderer.stream(check=cancel.check)):
                writer.add(frame)
                emit(Progress(job, i + 1, total, "render"))
                if i % PREVIEW_EVERY == 0 or i == n - 1:
                    emit(Preview(job, i, frame.copy()))  # the renderer reuses its buffers
            cancel.check()
            master = writer.finish()

        cancel.check()
        # Imported here: the sound package is only needed once the picture exists.
        from studio.sound.design import design_sound

        sfx = tuple(c for c in resolved.sound_cues if c.kind is SoundCueKind.SFX)
        music = tuple(c.description for c in resolved.sound_cues if c.kind is SoundCueKind.MUSIC)
        stems = design_sound(plan.scene, plan.events, n, spec.fps, spec.seed, dialogue=resolved.dialogue, sfx_cues=sfx,
                             music_cues=music)
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
