"""The render farm: the same immutable `GenerateRequest`s, run on Ray actors (no Qt).

The farm is an engine runner, not a new engine. `connect` joins (or starts) a Ray
cluster; `FarmRunner` keeps one actor per GPU (its engines and loaded pipeline live
there between shots) plus CPU actors for Sketch shots, streams the engines' typed
events back to the submitting process and hands it each `EngineResult`. Only the
submitting process writes into the project bundle (the services layer does that).

Ray is an optional dependency (``pip install studio[farm]``); importing this package
does not import Ray.
"""

from studio.farm.errors import FarmError, FarmUnavailable

__all__ = ["FarmError", "FarmUnavailable"]
