"""Remix: open the recipe inside a Studio MP4 as a new project, ready to change and render again.

The new project is the exported storyboard with each shot set to exactly what
made its take (engine, seed, engine settings), so rendering it again with the
same engine gives the same frames. It gets a new id and no takes (the takes'
media are not in the MP4).

Cameos are never carried over by default. The recipe itself holds no cameo
ids; the signed content credentials name the cameos that appear (by character).
A cameo goes back onto its character only when the file's credentials are
intact, from a trusted signer, and ``may_use_cameo(cameo_id)`` says the person remixing has permission
(the cameo vault answers that; the default answers no).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from studio.domain.model import Project, new_id
from studio.provenance.recipe import RECIPE_KEY, Recipe, RecipeError, parse_recipe, without_cameo_settings

CameoPermission = Callable[[str], bool]
"""cameo_id -> whether the person remixing may use that cameo."""


def no_cameo_permission(cameo_id: str) -> bool:
    """The default: nobody else's cameo is carried into a remix."""
    return False


@dataclass(frozen=True)
class RemixResult:
    project: Project
    kept_cameos: tuple[str, ...] = ()
    dropped_cameos: tuple[str, ...] = ()
    source_title: str = ""
    notes: tuple[str, ...] = field(default=())


def remix_project(
    recipe: Recipe,
    *,
    credited_cameos: dict[str, str] | None = None,
    may_use_cameo: CameoPermission = no_cameo_permission,
    title: str | None = None,
) -> RemixResult:
    """A new project from ``recipe``.

    ``credited_cameos`` maps character names to the cameo ids the signed
    manifest says appear; each is restored only if ``may_use_cameo`` allows it.
    """
    made = {s.shot_id: s.recipe for s in recipe.shots}
    shots = []
    notes = []
    for shot in recipe.project.shots:
        r = made.get(shot.id)
        if r is None:
            shots.append(replace(shot, takes=(), selected_take_id=None))
            continue
        if r.engine == "import":
            notes.append(f"shot {shot.id} was an imported clip; it will be rendered with {shot.engine}")
            shots.append(replace(shot, takes=(), selected_take_id=None))
            continue
        # A hostile recipe could smuggle cameo settings in: they are measurements, never inputs.
        settings = without_cameo_settings(r).settings
        shots.append(replace(shot, seed=r.seed, engine=r.engine, engine_settings=settings, takes=(), selected_take_id=None))
    kept, dropped = [], []
    characters = []
    for character in recipe.project.bible.characters:
        cameo = (credited_cameos or {}).get(character.name)
        if cameo and may_use_cameo(cameo):
            kept.append(cameo)
            characters.append(replace(character, cameo_id=cameo))
        else:
            if cameo:
                dropped.append(cameo)
            characters.append(replace(character, cameo_id=None))
    source = recipe.project
    project = replace(
        source,
        id=new_id("project"),
        title=title or source.title,
        bible=replace(source.bible, characters=tuple(characters)),
        shots=tuple(shots),
        created_at="",
    )
    return RemixResult(project, tuple(kept), tuple(dropped), source.title, tuple(notes))


def read_recipe_from_mp4(path: Path) -> Recipe:
    """The validated recipe embedded in a Studio MP4 (RecipeError when absent or broken)."""
    from studio.media.decode import read_metadata

    return parse_recipe(read_metadata(path).get(RECIPE_KEY))


def credited_cameos_of(path: Path) -> dict[str, str]:
    """Character name -> cameo id, from the file's C2PA manifest, only when it is intact and signed by a trusted signer.

    A valid signature from an untrusted certificate (anyone can make a CA) proves nothing
    about who made the file, so it never puts a cameo on a character.
    """
    return _cameo_claims(path)[0]


def _cameo_claims(path: Path) -> tuple[dict[str, str], list[str]]:
    """(trusted credits as character -> cameo id, cameo ids claimed by credentials that are not trusted or intact)."""
    from studio.provenance.content_credentials import verify_mp4

    report = verify_mp4(path)
    claimed = {str(c.get("character", "")): str(c["cameo_id"]) for c in report.cameos if c.get("cameo_id")}
    if not report.ok:
        return {}, sorted(set(claimed.values()))
    return claimed, []


def remix_mp4(
    path: Path,
    bundle: Path,
    *,
    may_use_cameo: CameoPermission = no_cameo_permission,
    title: str | None = None,
) -> RemixResult:
    """Open the recipe of the MP4 at ``path`` as a new project saved at ``bundle``."""
    from studio.persistence.bundle import save_project

    recipe = read_recipe_from_mp4(Path(path))
    credited, unproven = _cameo_claims(Path(path))
    result = remix_project(recipe, credited_cameos=credited, may_use_cameo=may_use_cameo, title=title)
    if unproven:
        result = replace(result, dropped_cameos=tuple(dict.fromkeys(result.dropped_cameos + tuple(unproven))),
                         notes=result.notes + ("the file's content credentials are not from a trusted signer (or the "
                                               "file changed), so no cameo was carried over",))
    if not result.project.shots:
        raise RecipeError("the recipe has no shots to remix")
    save_project(result.project, bundle)
    return result
