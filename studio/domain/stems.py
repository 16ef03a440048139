"""Per-shot stem levels: plain data kept in a shot's ``engine_settings``.

The mixer in the window edits them and the export applies them; neither
regenerates a take. Pure Python (the window imports this on start-up).
"""

from __future__ import annotations

import math
from typing import Iterable


STEM_NAMES = ("dialogue", "foley", "ambience", "music")
"""The stems every take can have, in mixer order."""
STEM_GAIN_KEY = "stem_gain_db."
STEM_MUTE_KEY = "stem_mute."
"""Per-shot mix settings live in the shot's engine_settings as ``stem_gain_db.<stem>`` (dB) and
``stem_mute.<stem>`` (bool): saved with the project, undoable, and no take is regenerated for them."""
STEM_GAIN_RANGE_DB = (-40.0, 12.0)


def shot_stem_gains(settings: Iterable[tuple[str, object]]) -> dict[str, float]:
    """Per-stem gains (dB) of a shot from its settings; a muted stem is -inf. Stems not set are absent (0 dB)."""
    gains: dict[str, float] = {}
    muted: set[str] = set()
    for key, value in settings:
        if key.startswith(STEM_GAIN_KEY) and isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = STEM_GAIN_RANGE_DB
            gains[key[len(STEM_GAIN_KEY):]] = float(min(max(float(value), lo), hi)) if math.isfinite(value) else 0.0
        elif key.startswith(STEM_MUTE_KEY) and value is True:
            muted.add(key[len(STEM_MUTE_KEY):])
    for stem in muted:
        gains[stem] = -math.inf
    return gains


def with_stem_gain(settings: Iterable[tuple[str, object]], stem: str, gain_db: float | None = None,
                   muted: bool | None = None) -> tuple[tuple[str, object], ...]:
    """Settings with ``stem``'s gain and/or mute changed (0 dB and unmuted are stored as absent)."""
    d = dict(settings)
    if gain_db is not None:
        lo, hi = STEM_GAIN_RANGE_DB
        g = round(float(min(max(gain_db, lo), hi)), 1)
        if g == 0.0:
            d.pop(STEM_GAIN_KEY + stem, None)
        else:
            d[STEM_GAIN_KEY + stem] = g
    if muted is not None:
        if muted:
            d[STEM_MUTE_KEY + stem] = True
        else:
            d.pop(STEM_MUTE_KEY + stem, None)
    return tuple(sorted(d.items()))
