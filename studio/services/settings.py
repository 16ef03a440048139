"""The app's settings: one typed value with defaults and help text, saved as JSON.

Stored under the platformdirs user config folder (or ``$STUDIO_CONFIG_DIR``),
with a version number so later releases can migrate old files. A damaged file
never stops the app: the defaults are used and the problem is logged.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
SETTINGS_FILE = "settings.json"
MAX_RECENT = 10
LANGUAGES = ("system", "en", "ja")
MEMORY_PROFILES = ("auto", "gpu", "fp8", "model_offload", "group_offload", "sequential_offload")
"""auto, then the diffusers engine's profiles from fastest to thriftiest (the catalogue's PROFILES)."""


@dataclass(frozen=True)
class Settings:
    """Everything the user can set; ``help`` metadata is shown as tooltips in the settings dialog."""

    language: str = field(default="system", metadata={"help": "Interface language: system (follow the locale), en or ja."})
    recent_projects: tuple[str, ...] = field(default=(), metadata={"help": "Project bundles opened lately, newest first."})
    volume: float = field(default=0.8, metadata={"help": "Preview volume, 0 to 1."})
    autosave_seconds: int = field(default=30, metadata={"help": "Write unsaved work to the autosave file this often (5 to 600 s)."})
    default_aspect: str = field(default="16:9", metadata={"help": "Aspect of new projects: 16:9, 9:16 or 1:1."})
    loop_playback: bool = field(default=False, metadata={"help": "Start the preview again at the end."})
    projects_folder: str = field(default="", metadata={"help": "Where new projects are created (empty: Documents/Studio)."})
    memory_profile: str = field(default="auto", metadata={"help": (
        "How the diffusers engine fits a model in GPU memory: auto (the fastest profile that fits the free VRAM), "
        "gpu, fp8, model_offload, group_offload or sequential_offload. "
        "The STUDIO_MEMORY_PROFILE environment variable overrides it.")})
    render_farm: str = field(default="", metadata={"help": (
        "Where shots render (Generate, and the missing shots of an export): empty in this process, local for a "
        "Ray farm on every GPU of this machine, or a Ray cluster address (host:6379 or ray://host:10001). The "
        "queue shows which node renders each shot.")})
    version: int = SETTINGS_VERSION

    def with_recent(self, path: str | os.PathLike[str]) -> "Settings":
        """A copy with ``path`` first in the recent projects (no duplicates, at most MAX_RECENT)."""
        p = str(Path(path).absolute())
        recent = (p,) + tuple(r for r in self.recent_projects if r != p)
        return replace(self, recent_projects=recent[:MAX_RECENT])

    def without_recent(self, path: str | os.PathLike[str]) -> "Settings":
        p = str(Path(path).absolute())
        return replace(self, recent_projects=tuple(r for r in self.recent_projects if r != p))

    @staticmethod
    def help(name: str) -> str:
        return next((f.metadata.get("help", "") for f in fields(Settings) if f.name == name), "")


def config_dir() -> Path:
    env = os.environ.get("STUDIO_CONFIG_DIR")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("studio", appauthor=False))


def projects_folder(settings: Settings) -> Path:
    """Where new projects go: the setting, else ``Documents/Studio``."""
    if settings.projects_folder:
        return Path(settings.projects_folder).expanduser()
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "Studio"


def unique_bundle(folder: Path, title: str) -> Path:
    """A new ``NAME.studio`` path in ``folder`` that does not exist yet, named after ``title``."""
    safe = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in title).strip()
    safe = " ".join(safe.split())[:48] or "Untitled"
    candidate = folder / f"{safe}.studio"
    n = 2
    while candidate.exists():
        candidate = folder / f"{safe} {n}.studio"
        n += 1
    return candidate


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def _migrate(doc: dict[str, Any]) -> dict[str, Any]:
    # Version 1 is the first; later versions add steps here (old -> new), never remove them.
    doc = dict(doc)
    doc["version"] = SETTINGS_VERSION
    return doc


def _clean(doc: dict[str, Any]) -> Settings:
    d = Settings()
    language = doc.get("language", d.language)
    if language not in LANGUAGES:
        language = d.language
    recent = doc.get("recent_projects", [])
    recent = tuple(str(r) for r in recent if isinstance(r, str))[:MAX_RECENT] if isinstance(recent, list) else ()
    try:
        volume = min(1.0, max(0.0, float(doc.get("volume", d.volume))))
    except (TypeError, ValueError):
        volume = d.volume
    try:
        autosave = min(600, max(5, int(doc.get("autosave_seconds", d.autosave_seconds))))
    except (TypeError, ValueError):
        autosave = d.autosave_seconds
    aspect = doc.get("default_aspect", d.default_aspect)
    if aspect not in ("16:9", "9:16", "1:1"):
        aspect = d.default_aspect
    loop = bool(doc.get("loop_playback", d.loop_playback))
    folder = doc.get("projects_folder", "")
    folder = folder if isinstance(folder, str) else ""
    profile = doc.get("memory_profile", d.memory_profile)
    if profile not in MEMORY_PROFILES:
        if profile != d.memory_profile:
            log.warning("settings: unknown memory_profile %r; using %s", profile, d.memory_profile)
        profile = d.memory_profile
    farm = doc.get("render_farm", "")
    farm = farm.strip() if isinstance(farm, str) else ""
    return Settings(language=language, recent_projects=recent, volume=volume, autosave_seconds=autosave,
                    default_aspect=aspect, loop_playback=loop, projects_folder=folder, memory_profile=profile,
                    render_farm=farm, version=SETTINGS_VERSION)


def engine_settings(settings: Settings) -> dict[str, str]:
    """The app settings a generation request carries to its engine (the engine never reads settings files).

    Only choices the user made: the memory profile unless it is auto.
    """
    return {} if settings.memory_profile == "auto" else {"memory_profile": settings.memory_profile}


def load_settings(path: Path | None = None) -> Settings:
    """The saved settings, or the defaults when there is no (readable) file."""
    path = path or settings_path()
    try:
        doc = json.loads(path.read_text("utf-8"))
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        log.warning("settings %s unreadable (%s); using defaults", path, exc)
        return Settings()
    return _clean(_migrate(doc))


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically (temp file + rename)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = asdict(settings)
    doc["recent_projects"] = list(settings.recent_projects)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, path)
    return path
