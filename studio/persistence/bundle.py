"""The project bundle: ``NAME.studio/project.json`` plus ``media/`` (files named by id).

Saves are atomic: the document is written to a temporary file in the same
folder, fsynced, and renamed over project.json, so a process killed mid-save
leaves the previous project intact. Loading never writes.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from studio.domain.model import Project
from studio.persistence.schema import SchemaError, migrate, project_from_dict, project_to_dict

PROJECT_FILE = "project.json"
MEDIA_DIR = "media"
BUNDLE_SUFFIX = ".studio"
MAX_PROJECT_BYTES = 64 * 1024 * 1024


class ProjectFileError(Exception):
    """A project can't be read or written. Says which file, which field, and why."""

    def __init__(self, path: Path | str, message: str, field: str = "") -> None:
        self.path = Path(path)
        self.field = field
        self.message = message
        where = f"{self.path}" + (f" (field {field})" if field else "")
        super().__init__(f"{where}: {message}")


def bundle_path(path: str | os.PathLike[str]) -> Path:
    """The bundle folder for a user-given path (adds .studio when it is missing)."""
    p = Path(path)
    if p.name == PROJECT_FILE:
        p = p.parent
    if p.suffix != BUNDLE_SUFFIX and (p / PROJECT_FILE).is_file():
        return p  # a bundle renamed without .studio (in a file manager) is still that project
    return p if p.suffix == BUNDLE_SUFFIX else p.with_name(p.name + BUNDLE_SUFFIX)


def media_dir(bundle: Path) -> Path:
    return Path(bundle) / MEDIA_DIR


TAKE_MEDIA_NAME = re.compile(r"take_[0-9a-f]{12}(\.[A-Za-z0-9_-]+)*")
"""The names Studio gives take media (``take_<id>.mp4``, ``take_<id>.<stem>.wav``): the only files it ever deletes."""


def check_media_folder(bundle: Path) -> Path:
    """``media/`` of the bundle, refused when it is a link (Studio never writes or deletes through one)."""
    folder = media_dir(bundle)
    if folder.is_symlink():
        raise ProjectFileError(folder, f"media/ is a link (to {os.readlink(folder)}); Studio writes and deletes take "
                                       "files only inside the project, so it will not follow it",
                               "media")
    return folder


def media_path(bundle: Path, name: str) -> Path:
    """Where a media file named ``name`` lives. Names are plain file names, checked on load."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ProjectFileError(bundle, f"{name!r} is not a plain media file name")
    return media_dir(bundle) / name


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _mode_for(path: Path) -> int:
    """The permission bits a rewrite of ``path`` should have: its current ones, else 0666 less the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_current_umask()


def _current_umask() -> int:
    """The process umask, read without os.umask (setting it, even briefly, races other threads' file creation)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file owner-only (0600); keep the replaced file's mode, or the
        # umask's default for a new file, so saving never hides a shared project from its group.
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def save_project(project: Project, path: str | os.PathLike[str]) -> Path:
    """Write the project into its bundle (creating the bundle if needed); returns the bundle path."""
    bundle = bundle_path(path)
    document = project_to_dict(project)
    try:
        # Never write a file that load_project would refuse: a bad value (a negative seed
        # from the command line) used to be saved and then locked the user out of the project.
        project_from_dict(json.loads(json.dumps(document)))
    except SchemaError as exc:
        raise ProjectFileError(bundle / PROJECT_FILE, f"not saved: {exc.problem}; the previous version is unchanged",
                               exc.field) from None
    check_media_folder(bundle)
    try:
        data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    except (UnicodeEncodeError, ValueError, RecursionError) as exc:  # checked before anything is created
        raise ProjectFileError(bundle / PROJECT_FILE, f"not saved: a value cannot be written as JSON text ({exc})") from None
    try:
        media_dir(bundle).mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(bundle / PROJECT_FILE, data)
    except OSError as exc:
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise ProjectFileError(bundle / PROJECT_FILE, f"could not save: {reason}; the previous version is unchanged") from exc
    return bundle


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read and validate a bundle's project.json (raises ProjectFileError; writes nothing)."""
    bundle = bundle_path(path)
    file = bundle / PROJECT_FILE
    if not bundle.exists():
        raise ProjectFileError(bundle, "no such project")
    if not file.is_file():
        raise ProjectFileError(bundle, f"not a Studio project (no {PROJECT_FILE} inside)")
    try:
        size = file.stat().st_size
        if size > MAX_PROJECT_BYTES:
            raise ProjectFileError(file, f"is {size} bytes, larger than any real project; refusing to read it")
        raw = file.read_bytes()
    except OSError as exc:
        raise ProjectFileError(file, f"could not read: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise ProjectFileError(file, "is empty (damaged or truncated); restore a backup or the autosave")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProjectFileError(file, f"is not UTF-8 text (byte {exc.start}); the file is damaged") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            file, f"is damaged or truncated: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise ProjectFileError(file, "is damaged: its JSON is nested too deeply to be a Studio project") from None
    except ValueError as exc:  # a whole number of more than 4300 digits (Python's int limit)
        raise ProjectFileError(file, f"is damaged: {str(exc).split(';')[0]} (a number far too long)") from None
    try:
        return project_from_dict(migrate(doc))
    except SchemaError as exc:
        raise ProjectFileError(file, exc.problem, exc.field) from None
    except RecursionError:
        raise ProjectFileError(file, "is damaged: a value is nested too deeply") from None


def missing_media(project: Project, path: str | os.PathLike[str]) -> list[str]:
    """Media names the project refers to that are not in the bundle."""
    bundle = bundle_path(path)
    missing = []
    for shot in project.shots:
        names = [shot.reference_image] if shot.reference_image else []
        for take in shot.takes:
            names.append(take.video)
            names.extend(f for _, f in take.stems)
        missing.extend(n for n in names if n and not (media_dir(bundle) / n).is_file())
    return missing


# --------------------------------------------------------------------------- autosave and recovery

AUTOSAVE_FILE = "project.autosave.json"


def autosave_path(path: str | os.PathLike[str]) -> Path:
    return bundle_path(path) / AUTOSAVE_FILE


def write_autosave(project: Project, path: str | os.PathLike[str]) -> Path:
    """Write the unsaved state beside project.json (atomically); `save_project` does not remove it."""
    target = autosave_path(path)
    data = json.dumps(project_to_dict(project), ensure_ascii=False).encode("utf-8")
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise ProjectFileError(target, f"could not autosave: {reason}") from exc
    return target


def recoverable_autosave(path: str | os.PathLike[str]) -> Project | None:
    """The autosaved project when it is newer than project.json and differs from it; else None.

    A damaged autosave is ignored (never an error: the saved project is intact).
    """
    bundle = bundle_path(path)
    auto = bundle / AUTOSAVE_FILE
    main = bundle / PROJECT_FILE
    if not auto.is_file():
        return None
    if main.is_file() and main.stat().st_mtime_ns > auto.stat().st_mtime_ns:
        return None
    try:
        candidate = project_from_dict(migrate(json.loads(auto.read_text("utf-8"))))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    try:
        if main.is_file() and load_project(bundle) == candidate:
            return None
    except ProjectFileError:
        pass
    return candidate


def discard_autosave(path: str | os.PathLike[str]) -> None:
    try:
        autosave_path(path).unlink()
    except FileNotFoundError:
        pass
