"""Bringing the user's files into a project: images become reference frames, videos become takes.

Files are copied into the bundle's media/ under a new id (never a position);
a video's sound, if it has any, is stored as a 48 kHz stem. The copying and
decoding run on a background thread; results come back by a queued signal.
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QObject, Signal

from studio import __version__
from studio.domain.model import Shot, Take, TakeRecipe, new_id, stable_seed
from studio.domain.timing import SAMPLE_RATE, seconds_to_frames

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v"}
IMPORT_STEM = "dialogue"
"""A clip's own sound is location sound: it goes where the voices go."""


def importable(path: str | Path) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES


@dataclass(frozen=True)
class ImportedShot:
    """A new shot made from one file."""

    shot: Shot
    source: Path


class ImportError_(Exception):
    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path.name}: {message}")
        self.path = path
        self.message = message


def import_image(bundle: Path, path: Path, *, fps: int, seconds: float = 4.0) -> Shot:
    """A new shot whose reference first frame is a copy of ``path``."""
    from studio.media.frames import load_image
    from studio.persistence.bundle import check_media_folder, media_dir

    load_image(path)  # raises MediaError naming the file when it is not an image
    image_id = new_id("image")
    name = f"{image_id}{path.suffix.lower()}"
    media_dir(bundle).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, media_dir(bundle) / name)
    shot_id = new_id("shot")
    return Shot(id=shot_id, prompt="", title=path.stem[:40], duration_frames=seconds_to_frames(seconds, fps),
                seed=stable_seed(shot_id), reference_image=name)


def import_video(bundle: Path, path: Path, *, fps: int) -> Shot:
    """A new shot holding ``path`` as its (selected) take, source "import"."""
    from studio.media.audio_io import write_wav
    from studio.media.decode import probe, read_audio
    from studio.persistence.bundle import check_media_folder, media_dir

    info = probe(path)
    take_id = new_id("take")
    video_name = f"{take_id}{path.suffix.lower()}"
    check_media_folder(bundle).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, media_dir(bundle) / video_name)
    stems: list[tuple[str, str]] = []
    if info.has_audio:
        try:
            samples, sr = read_audio(path)
            if sr != SAMPLE_RATE:
                from math import gcd

                from scipy.signal import resample_poly

                g = gcd(SAMPLE_RATE, sr)
                samples = resample_poly(samples, SAMPLE_RATE // g, sr // g, axis=0).astype("float32")
            stem_name = f"{take_id}.{IMPORT_STEM}.wav"
            write_wav(media_dir(bundle) / stem_name, samples)
            stems.append((IMPORT_STEM, stem_name))
        except Exception as exc:  # the picture is still worth having
            log.warning("sound of %s not imported: %s", path, exc)
    frames = max(1, info.frame_count)
    duration = max(1, seconds_to_frames(info.duration_seconds, fps)) if info.duration_seconds else frames
    shot_id = new_id("shot")
    settings = _design_import_sound(bundle, path, take_id, fps, stable_seed(shot_id), stems, has_own_sound=bool(stems))
    recipe = TakeRecipe(engine="import", engine_version="", seed=0, prompt="", composed_prompt=path.name,
                        width=info.width, height=info.height, fps=fps, frames=frames, camera="static",
                        app_version=__version__)
    take = Take(id=take_id, created_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
                video=video_name, stems=tuple(stems), events=(), recipe=recipe, frames=frames, source="import")
    shot = Shot(id=shot_id, prompt="", title=path.stem[:40], duration_frames=duration, seed=stable_seed(shot_id),
                engine_settings=settings)
    return shot.with_take(take)


def _design_import_sound(bundle: Path, path: Path, take_id: str, fps: int, seed: int,
                         stems: list[tuple[str, str]], *, has_own_sound: bool) -> tuple:
    """Give an imported clip designed stems (foley on its motion, an ambience bed) next to its own sound.

    A clip that brought its own sound keeps it audible and gets the designed
    stems muted (the stem mixer unmutes them); a silent clip plays them.
    Returns the shot's engine_settings. A failure leaves the clip as it was.
    """
    from studio.media.audio_io import write_wav
    from studio.media.decode import read_frames
    from studio.persistence.bundle import check_media_folder, media_dir
    from studio.sound.design import design_sound_for_video
    from studio.sound.mix import with_stem_gain

    try:
        soundtrack = design_sound_for_video(read_frames(path), fps, prompt=path.stem.replace("_", " "), seed=seed)
        settings: tuple = ()
        for stem in ("foley", "ambience"):
            name = f"{take_id}.{stem}.wav"
            write_wav(media_dir(bundle) / name, soundtrack.stems[stem])
            stems.append((stem, name))
            if has_own_sound:
                settings = with_stem_gain(settings, stem, muted=True)
        return settings
    except Exception as exc:  # the picture (and its own sound) are still worth having
        log.warning("no sound designed for %s: %s", path, exc, exc_info=True)
        return ()


def import_file(bundle: Path, path: Path, *, fps: int) -> Shot:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return import_image(bundle, path, fps=fps)
    if suffix in VIDEO_SUFFIXES:
        return import_video(bundle, path, fps=fps)
    raise ImportError_(path, "is neither an image nor a video Studio can read")


class MediaImporter(QObject):
    """Imports dropped files on a background thread."""

    imported = Signal(object, int, object)
    """list of new Shots (in the order given), the insert index, list of (file name, error message)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threads: list[threading.Thread] = []

    def start(self, bundle: Path, paths: Sequence[Path], *, fps: int, index: int) -> None:
        paths = [Path(p) for p in paths]

        def work() -> None:
            shots: list[Shot] = []
            errors: list[tuple[str, str]] = []
            for p in paths:
                try:
                    shots.append(import_file(bundle, p, fps=fps))
                except Exception as exc:
                    log.warning("import of %s failed: %s", p, exc)
                    errors.append((p.name, getattr(exc, "message", None) or str(exc)))
            self.imported.emit(shots, index, errors)

        t = threading.Thread(target=work, name="studio-import", daemon=True)
        self._threads = [x for x in self._threads if x.is_alive()] + [t]
        t.start()

    def wait(self, timeout: float = 30.0) -> None:
        for t in self._threads:
            t.join(timeout)
