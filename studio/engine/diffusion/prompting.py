"""The story bible composed into each shot's prompt, in the style the model was trained on.

Wan and CogVideoX were captioned with a sentence or two of plain prose;
LTX-Video and LTX-2 with long, chronological paragraphs that name the camera,
the light and (for LTX-2) what is heard. Characters are always described the
same way in every shot, which is most of what keeps them recognisable across
cuts. Japanese text is kept as written: the text encoders are multilingual.
"""

from __future__ import annotations

from studio.domain.model import CameraMove, SoundCueKind
from studio.engine.protocol import GenerateRequest

DEFAULT_NEGATIVE = (
    "blurry, low quality, worst quality, distorted face, deformed hands, extra limbs, "
    "flicker, jitter, watermark, text, subtitles, static frame"
)

CAMERA_PHRASES = {
    CameraMove.STATIC: "The camera is locked off.",
    CameraMove.PAN_LEFT: "The camera pans slowly to the left.",
    CameraMove.PAN_RIGHT: "The camera pans slowly to the right.",
    CameraMove.TILT_UP: "The camera tilts up.",
    CameraMove.TILT_DOWN: "The camera tilts down.",
    CameraMove.DOLLY_IN: "The camera dollies in slowly.",
    CameraMove.DOLLY_OUT: "The camera dollies out slowly.",
    CameraMove.ZOOM_IN: "The camera zooms in.",
    CameraMove.ZOOM_OUT: "The camera zooms out.",
    CameraMove.ORBIT: "The camera orbits around the subject.",
}


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return text if text[-1] in ".!?。！？" else text + "."


def compose_prompt(request: GenerateRequest, style: str = "prose", with_sound: bool = False) -> str:
    """The prompt a model sees for ``request``: action, cast looks, setting, camera, style.

    ``style`` is "prose" (compact) or "detailed" (chronological paragraph);
    ``with_sound`` adds the dialogue and sound cues for models that make sound.
    """
    from studio.domain.scene_plan import scene_sentence
    from studio.understanding import plan_scene

    resolved = request.resolved()
    bible = request.bible
    parts: list[str] = [_sentence(resolved.text)]
    # What Studio understood (the same plan the Sketch engine draws and the window shows), in plain
    # English: who does what, where; a Japanese prompt then reaches an English-trained encoder too.
    understood = scene_sentence(plan_scene(request.shot.prompt, bible, resolved.characters))
    if understood:
        parts.append(understood)
    for c in resolved.characters:
        look = f"{c.name}: {c.look}" if c.look else c.name
        parts.append(_sentence(look))
    if bible.setting:
        parts.append(_sentence(f"Setting: {bible.setting}"))
    if style == "detailed":
        parts.append(CAMERA_PHRASES.get(resolved.camera, ""))
    elif resolved.camera is not CameraMove.STATIC:
        parts.append(CAMERA_PHRASES.get(resolved.camera, ""))
    if with_sound:
        names = {c.id: c.name for c in resolved.characters}
        for line in resolved.dialogue:
            who = names.get(line.speaker_id or "", "Someone")
            parts.append(f'{who} says: "{line.text}"')
        cues = [c.description for c in resolved.sound_cues if c.kind is not SoundCueKind.MUSIC]
        if cues:
            parts.append(_sentence("Sound: " + ", ".join(cues)))
        music = [c.description for c in resolved.sound_cues if c.kind is SoundCueKind.MUSIC]
        if music:
            parts.append(_sentence("Music: " + ", ".join(music)))
    if bible.style:
        parts.append(_sentence(f"Style: {bible.style}"))
    if style == "detailed":
        parts.append("Natural, consistent lighting; realistic motion; cinematic.")
    return " ".join(p for p in parts if p)


def negative_prompt(request: GenerateRequest) -> str:
    """The project's negative prompt, else a general one against the usual artefacts."""
    return request.negative_prompt.strip() or DEFAULT_NEGATIVE
