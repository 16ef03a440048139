"""Subcommands of `studio` that live beside the core ones in cli.py.

Each module here defines ``register(sub)``, which adds its parsers to the
`argparse` subparsers of `studio` and sets ``func`` on each (a function that
takes the parsed arguments and returns an exit code). cli.py discovers the
modules, so a feature adds its commands without editing cli.py. Heavy imports
(torch, diffusers, dlib, c2pa) go inside the command functions, never at module
top level: `studio --help` must stay instant.

A problem the user can fix is raised as `UserError` (one line on stderr, exit 2);
a `studio.domain.errors.ExplainedError` (``message`` and ``hint``) is printed
as "message — hint" (exit 1).
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
from pathlib import Path
from typing import Any


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


def load_bundle(path) -> Any:
    """The project of the bundle at ``path``, after sweeping the temporary files killed saves left in it.

    What the window does on open, for the commands: only Studio's own stale temporary names, and
    only when no other process is writing the bundle (`studio.persistence.lock.sweep_stale_temp_files`).
    """
    from studio.persistence.bundle import bundle_path, load_project
    from studio.persistence.lock import sweep_stale_temp_files

    bundle = bundle_path(path)
    project = load_project(bundle)
    sweep_stale_temp_files(bundle)
    return project


def new_bundle_destination(path: str, *, force: bool) -> Path:
    """The bundle folder `new`/`remix` may create at ``path``, or a UserError saying why not.

    The parent folder must exist (a mistyped path must not grow a tree of folders),
    and an existing project is only replaced with --force.
    """
    from studio.persistence.bundle import PROJECT_FILE, bundle_path

    if not str(path).strip():
        raise UserError("the project path is empty: give a folder name like my_story.studio")
    bundle = bundle_path(path)
    parent = bundle.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "no such folder"
        raise UserError(f"{parent}: {what}; create it first or choose another place for the project")
    if bundle.exists() and not bundle.is_dir():
        raise UserError(f"{bundle}: a file with that name is in the way; choose another project name")
    if (bundle / PROJECT_FILE).exists() and not force:
        raise UserError(f"{bundle} already exists (use --force to overwrite it)")
    if not force and bundle.is_dir() and not (bundle / PROJECT_FILE).exists() and any(bundle.iterdir()):
        raise UserError(f"{bundle}: the folder exists and is not a Studio project; choose another name (or --force)")
    return bundle


def project_with_shots(path: Path, *, nothing: str) -> tuple[Path, Any]:
    """(bundle, project) for a command that needs a storyboard with shots, or a UserError naming the bundle.

    ``nothing`` ends the no-shots message: "there is {nothing}" ("nothing to deliver", "no cut to export").
    """
    from studio.persistence.bundle import ProjectFileError, bundle_path

    bundle = bundle_path(path)
    try:
        project = load_bundle(bundle)  # sweeps stale temporary files, as every command's load does
    except ProjectFileError as exc:
        raise UserError(str(exc)) from None
    if not project.shots:
        raise UserError(f"{bundle}: the storyboard has no shots, so there is {nothing}")
    return bundle, project


def check_output(out: Path, *, suffixes: tuple[str, ...] = (), what: str = "the output",
                 new_folder: bool = False) -> Path:
    """Where a command will write, checked before any work (a render must not end on a mistyped path).

    ``suffixes``: the endings the output may have (``what`` names it in the message); ``new_folder``:
    the output is a folder the command creates (a PNG sequence), so it must not exist yet.
    """
    if suffixes and out.suffix.lower() not in suffixes:
        raise UserError(f"{out}: {what} is written as a {' or '.join(suffixes)} file")
    parent = out.absolute().parent
    if not parent.is_dir():
        why = "is a file, not a folder" if parent.exists() else "no such folder"
        raise UserError(f"{parent}: {why}; create it first or write elsewhere")
    if new_folder and out.exists():
        raise UserError(f"{out}: already exists; {what} goes into a new folder")
    if not new_folder and out.is_dir():
        raise UserError(f"{out}: a folder with that name is in the way; choose another file name")
    return out


def save_new_bundle(project: Any, bundle: Path) -> None:
    """Save a new project; when that fails, remove the folders this call created (nothing half-made stays)."""
    from studio.persistence.bundle import save_project

    existed = bundle.exists()
    media = bundle / "media"
    if existed and media.is_symlink():
        # --force replaces the project: drop the link itself, never what it points at.
        media.unlink()
    try:
        save_project(project, bundle)
    except BaseException:
        if not existed:
            shutil.rmtree(bundle, ignore_errors=True)
        raise
    if existed:
        # --force replaced a project: its takes' media and its autosave belong to nothing now.
        from studio.persistence.bundle import discard_autosave
        from studio.services.takes import remove_unused_media

        discard_autosave(bundle)
        remove_unused_media(project, bundle)


def register_all(sub) -> None:
    """Call ``register(sub)`` of every module in this package, in name order."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(sub)
