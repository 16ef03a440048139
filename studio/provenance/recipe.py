"""The recipe that travels inside every exported MP4.

It is the project snapshot (storyboard, story bible without any biometric data,
seeds, engines, settings) plus what made each shot's take, enough to open the
video as a new project and render it again. A recipe read from a file is
untrusted: it is size-limited, parsed strictly, and any fault is a clear
`RecipeError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Sequence

from studio import APP_NAME, __version__
from studio.domain.model import Project, Shot, Take, TakeRecipe
from studio.persistence.schema import SchemaError, _Reader, _recipe, migrate, project_from_dict, project_to_dict, recipe_to_dict

RECIPE_KEY = "studio_recipe"
"""Metadata key in the MP4 (stored as a user-data tag)."""
RECIPE_FORMAT = "studio-recipe"
RECIPE_VERSION = 1
MAX_RECIPE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32


class RecipeError(ValueError):
    """A recipe is missing, too large, malformed or hostile."""


@dataclass(frozen=True)
class ShotRecipe:
    shot_id: str
    take_id: str
    start_frame: int
    recipe: TakeRecipe


@dataclass(frozen=True)
class Recipe:
    project: Project
    """The storyboard as exported, without takes (their media are not in the MP4)."""
    shots: tuple[ShotRecipe, ...]
    app: str
    app_version: str
    created_at: str

    @property
    def engines(self) -> list[str]:
        return sorted({f"{s.recipe.engine} {s.recipe.engine_version}".strip() for s in self.shots})


def build_recipe(project: Project, takes: Sequence[tuple[Shot, Take]]) -> str:
    """The JSON text to embed for an export of ``takes`` (in order) from ``project``."""
    start = 0
    shots = []
    for shot, take in takes:
        shots.append({"shot_id": shot.id, "take_id": take.id, "start_frame": start,
                      "recipe": recipe_to_dict(without_cameo_settings(take.recipe))})
        start += shot.duration_frames
    exported_ids = [s.id for s, _ in takes]
    snapshot = replace(project, shots=tuple(project.shot(i) for i in exported_ids))
    doc = {
        "format": RECIPE_FORMAT,
        "version": RECIPE_VERSION,
        "app": APP_NAME,
        "app_version": __version__,
        "created_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        # No takes (their media stay in the bundle) and no cameo ids: a recipe is shared.
        "project": project_to_dict(snapshot, with_takes=False, with_cameos=False),
        "shots": shots,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


CAMEO_SETTING_PREFIX = "cameo."
"""Take settings that record a cast cameo (its id, how much its face was seen): never shared in a recipe."""


def without_cameo_settings(recipe: TakeRecipe) -> TakeRecipe:
    """The take recipe without the settings that name a cameo (the content credentials credit cameos)."""
    return replace(recipe, settings=tuple((k, v) for k, v in recipe.settings if not k.startswith(CAMEO_SETTING_PREFIX)))


def _depth(value: Any, limit: int) -> int:
    stack = [(value, 1)]
    deepest = 0
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if d > limit:
            return d
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return deepest


def parse_recipe(text: str | bytes | None) -> Recipe:
    """Validate an embedded recipe strictly; raises RecipeError with a readable reason."""
    if text is None or (isinstance(text, (str, bytes)) and not text.strip()):
        raise RecipeError("this video carries no Studio recipe")
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(raw) > MAX_RECIPE_BYTES:
        raise RecipeError(f"the recipe is {len(raw)} bytes, over the {MAX_RECIPE_BYTES} byte limit")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise RecipeError(f"the recipe is not valid JSON: {exc}") from None
    if _depth(doc, MAX_DEPTH) > MAX_DEPTH:
        raise RecipeError("the recipe is nested too deeply")
    if not isinstance(doc, dict) or doc.get("format") != RECIPE_FORMAT:
        raise RecipeError("the recipe is not a Studio recipe (format field)")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= RECIPE_VERSION:
        raise RecipeError(f"recipe version {version!r} is not supported by this Studio")
    try:
        r = _Reader(doc, "")
        project = project_from_dict(migrate(r.get("project", dict)))
        shots = []
        for i, s in enumerate(r.list("shots")):
            sr = _Reader(s, f"shots[{i}]")
            shot_id = sr.get("shot_id", str)
            if not any(p.id == shot_id for p in project.shots):
                raise SchemaError(f"shots[{i}].shot_id", f"no shot {shot_id!r} in the storyboard")
            shots.append(ShotRecipe(shot_id, sr.get("take_id", str), sr.int_in("start_frame", 0, 10_000_000), _recipe(sr.obj("recipe"))))
        return Recipe(project, tuple(shots), r.get("app", str, ""), r.get("app_version", str, ""), r.get("created_at", str, ""))
    except SchemaError as exc:
        raise RecipeError(f"the recipe is invalid at {exc}") from None
