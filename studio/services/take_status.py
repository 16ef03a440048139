"""Whether a take is current: made from exactly what its shot asks for now (pure; nothing heavy imported).

The window asks this of every card on every change and before Generate all, so it must not
pull in the take store (PyAV, the encoders) on the UI thread; `studio.services.takes`
re-exports it.
"""

from __future__ import annotations

from studio.domain.model import Take
from studio.engine.protocol import GenerateRequest


def take_is_current(take: Take, request: GenerateRequest) -> bool:
    """Whether a take was made from exactly what ``request`` asks for (not stale)."""
    if take.source != "engine":
        return True
    r = take.recipe
    return (
        r.engine == request.engine
        and r.seed == request.seed
        and r.prompt == request.shot.prompt
        and r.frames == request.frames
        and (r.width, r.height) == (request.canvas.width, request.canvas.height)
        and r.fps == request.fps
        and r.camera == request.resolved().camera.value
        # A shot switched to another model (diffusers engine) needs a new take.
        and dict(r.settings).get("model") == request.setting("model")
        # A cameo cast onto (or taken off) one of the shot's characters needs a new take:
        # otherwise Generate all skips the shot and an export uses the take without the face.
        and take_cameos(take) == request_cameos(request)
    )


def take_cameos(take: Take) -> frozenset[tuple[str, str]]:
    """(character id, cameo id) of every cameo the take was rendered with (from its recipe)."""
    out = set()
    for key, value in take.recipe.settings:
        if key.startswith("cameo.") and key.endswith(".character"):
            out.add((str(value), key[len("cameo."):-len(".character")]))
    return frozenset(out)


def request_cameos(request: GenerateRequest) -> frozenset[tuple[str, str]]:
    """(character id, cameo id) of every cameo the shot's characters are cast with now."""
    return frozenset((c.id, c.cameo_id) for c in request.resolved().characters if c.cameo_id)
