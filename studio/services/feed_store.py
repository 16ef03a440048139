"""The feed's database: every export (and every Studio MP4 brought in), likes, comments, cameos.

A small SQLite file under the Studio data folder (``feed.sqlite3``). Each video
row keeps the file's path, its title, length and canvas, where it came from
(``export`` or ``imported``), its embedded recipe text, and the cameo ids that
appear in it (table ``video_cameos``: from the project at export time, or from
the signed C2PA manifest of an imported file), so the feed can show "videos
that used your cameo". Likes are one per video (this is a local, single-user
app); comments are many.

Every call opens its own short transaction; a `FeedStore` is used from one
thread (the UI's), and the export path records through `record_export`, which
opens and closes its own connection.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

from studio.provenance.credentials import data_dir

log = logging.getLogger(__name__)

FEED_FILE = "feed.sqlite3"
SCHEMA_VERSION = 1
MAX_COMMENT_CHARS = 2000
SOURCES = ("export", "imported")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS videos (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    seconds REAL NOT NULL DEFAULT 0,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT 'export',
    project_id TEXT NOT NULL DEFAULT '',
    engines TEXT NOT NULL DEFAULT '[]',
    recipe TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS video_cameos (
    video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
    cameo_id TEXT NOT NULL,
    character TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (video_id, cameo_id)
);
CREATE INDEX IF NOT EXISTS video_cameos_by_cameo ON video_cameos(cameo_id);
CREATE TABLE IF NOT EXISTS likes (
    video_id INTEGER PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
    liked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY,
    video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
    author TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_by_video ON comments(video_id, id);
"""


class FeedError(ValueError):
    """A feed operation the user can fix (empty comment, unknown video, unreadable database)."""


@dataclass(frozen=True)
class FeedVideo:
    id: int
    path: Path
    title: str
    created_at: str
    seconds: float
    width: int
    height: int
    source: str
    project_id: str
    engines: tuple[str, ...]
    recipe: str
    cameos: tuple[str, ...]
    liked: bool
    comment_count: int

    @property
    def exists(self) -> bool:
        return self.path.is_file()


@dataclass(frozen=True)
class FeedComment:
    id: int
    video_id: int
    author: str
    text: str
    created_at: str


def default_feed_path() -> Path:
    return data_dir() / FEED_FILE


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _owner_only(path: Path) -> None:
    """The database and its WAL/SHM side files readable by their owner only."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.exists() and p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except OSError:
            pass


class FeedStore:
    """The feed database at ``path`` (default: the Studio data folder)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_feed_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                # It holds file paths, recipes and cameo ids: owner-only, like the vault (was 0644).
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            self._db = sqlite3.connect(self.path, timeout=10.0)
            _owner_only(self.path)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")  # the export thread may write while the UI reads
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise FeedError(f"{self.path}: the feed was written by a newer Studio (schema {version})")
            with self._db:
                self._db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise FeedError(f"{self.path}: the feed database cannot be opened ({exc}); move it away to start a new feed") from None
        try:
            _drain_pending(self)  # exports an earlier full disk (or a locked file) kept out of the feed
        except (sqlite3.Error, OSError) as exc:
            log.warning("pending feed entries stay pending: %s", exc)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "FeedStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing
    def add_video(
        self,
        path: Path,
        *,
        title: str = "",
        seconds: float = 0.0,
        width: int = 0,
        height: int = 0,
        source: str = "export",
        project_id: str = "",
        engines: Sequence[str] = (),
        recipe: str = "",
        cameos: Iterable[tuple[str, str]] = (),
        created_at: str | None = None,
    ) -> int:
        """Add (or refresh, for a path already in the feed) a video; returns its id.

        ``cameos`` are (cameo_id, character name) pairs. Likes and comments of a
        re-exported path are kept.
        """
        if source not in SOURCES:
            raise FeedError(f"unknown feed source {source!r}")
        key = str(Path(path).absolute())
        with self._db:
            self._db.execute(
                "INSERT INTO videos (path, title, created_at, seconds, width, height, source, project_id, engines, recipe)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(path) DO UPDATE SET title=excluded.title, created_at=excluded.created_at,"
                " seconds=excluded.seconds, width=excluded.width, height=excluded.height, source=excluded.source,"
                " project_id=excluded.project_id, engines=excluded.engines, recipe=excluded.recipe",
                (key, title, created_at or _now(), float(seconds), int(width), int(height), source, project_id,
                 json.dumps(list(engines), ensure_ascii=False), recipe),
            )
            video_id = self._db.execute("SELECT id FROM videos WHERE path = ?", (key,)).fetchone()[0]
            self._db.execute("DELETE FROM video_cameos WHERE video_id = ?", (video_id,))
            self._db.executemany(
                "INSERT OR IGNORE INTO video_cameos (video_id, cameo_id, character) VALUES (?, ?, ?)",
                [(video_id, cid, name) for cid, name in cameos if cid],
            )
        return int(video_id)

    def add_file(self, path: Path, *, source: str = "imported") -> int:
        """Add a Studio MP4 from disk: its recipe, and the cameos its intact C2PA manifest names."""
        from studio.media.decode import probe
        from studio.provenance.content_credentials import verify_mp4
        from studio.provenance.recipe import RECIPE_KEY, RecipeError, parse_recipe

        info = probe(path)
        raw = info.metadata.get(RECIPE_KEY, "")
        title, engines, project_id = Path(path).stem, [], ""
        if raw:
            try:
                recipe = parse_recipe(raw)
                title, engines, project_id = recipe.project.title or title, recipe.engines, recipe.project.id
            except RecipeError:
                raw = ""  # an unreadable recipe is not kept; the video still plays in the feed
        cameos: list[tuple[str, str]] = []
        try:
            report = verify_mp4(Path(path))
            if report.has_manifest and report.signature_valid and not report.altered:
                cameos = [(str(c.get("cameo_id", "")), str(c.get("character", ""))) for c in report.cameos]
        except Exception:  # no credentials is fine for the feed; verify says more
            log.info("no usable content credentials in %s", path, exc_info=True)
        return self.add_video(Path(path), title=title, seconds=info.duration_seconds, width=info.width,
                              height=info.height, source=source, project_id=project_id, engines=engines,
                              recipe=raw, cameos=cameos)

    def set_liked(self, video_id: int, liked: bool) -> None:
        self._require(video_id)
        with self._db:
            if liked:
                self._db.execute("INSERT OR IGNORE INTO likes (video_id, liked_at) VALUES (?, ?)", (video_id, _now()))
            else:
                self._db.execute("DELETE FROM likes WHERE video_id = ?", (video_id,))

    def toggle_like(self, video_id: int) -> bool:
        """Flip the like; returns the new state."""
        liked = not self.video(video_id).liked
        self.set_liked(video_id, liked)
        return liked

    def add_comment(self, video_id: int, text: str, author: str = "") -> FeedComment:
        text = (text or "").strip()
        if not text:
            raise FeedError("the comment is empty")
        if len(text) > MAX_COMMENT_CHARS:
            raise FeedError(f"the comment is {len(text)} characters; the limit is {MAX_COMMENT_CHARS}")
        self._require(video_id)
        created = _now()
        with self._db:
            cur = self._db.execute("INSERT INTO comments (video_id, author, text, created_at) VALUES (?, ?, ?, ?)",
                                   (video_id, author, text, created))
        return FeedComment(int(cur.lastrowid), video_id, author, text, created)

    def remove(self, video_id: int) -> None:
        with self._db:
            self._db.execute("DELETE FROM videos WHERE id = ?", (video_id,))

    # -- reading
    _SELECT = (
        "SELECT v.id, v.path, v.title, v.created_at, v.seconds, v.width, v.height, v.source, v.project_id, v.engines,"
        " v.recipe, (SELECT group_concat(cameo_id, char(31)) FROM video_cameos c WHERE c.video_id = v.id),"
        " EXISTS(SELECT 1 FROM likes l WHERE l.video_id = v.id),"
        " (SELECT count(*) FROM comments m WHERE m.video_id = v.id) FROM videos v"
    )

    @staticmethod
    def _row(r: tuple) -> FeedVideo:
        try:
            engines = tuple(json.loads(r[9]))
        except (ValueError, TypeError):
            engines = ()
        cameos = tuple(sorted(r[11].split("\x1f"))) if r[11] else ()
        return FeedVideo(int(r[0]), Path(r[1]), r[2], r[3], float(r[4]), int(r[5]), int(r[6]), r[7], r[8], engines,
                         r[10], cameos, bool(r[12]), int(r[13]))

    def videos(self, *, limit: int = 200, existing_only: bool = True) -> list[FeedVideo]:
        """Newest first; videos whose file is gone are skipped unless ``existing_only`` is False."""
        rows = self._db.execute(self._SELECT + " ORDER BY v.created_at DESC, v.id DESC LIMIT ?", (limit,)).fetchall()
        out = [self._row(r) for r in rows]
        return [v for v in out if v.exists] if existing_only else out

    def videos_with_cameos(self, cameo_ids: Iterable[str], *, existing_only: bool = True) -> list[FeedVideo]:
        """The videos in which any of ``cameo_ids`` appears, newest first."""
        ids = sorted(set(cameo_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            self._SELECT + f" WHERE v.id IN (SELECT video_id FROM video_cameos WHERE cameo_id IN ({marks}))"
            " ORDER BY v.created_at DESC, v.id DESC", ids).fetchall()
        out = [self._row(r) for r in rows]
        return [v for v in out if v.exists] if existing_only else out

    def video(self, video_id: int) -> FeedVideo:
        row = self._db.execute(self._SELECT + " WHERE v.id = ?", (video_id,)).fetchone()
        if row is None:
            raise FeedError(f"no video {video_id} in the feed")
        return self._row(row)

    def comments(self, video_id: int) -> list[FeedComment]:
        rows = self._db.execute("SELECT id, video_id, author, text, created_at FROM comments WHERE video_id = ? ORDER BY id",
                                (video_id,)).fetchall()
        return [FeedComment(int(a), int(b), c, d, e) for a, b, c, d, e in rows]

    def _require(self, video_id: int) -> None:
        if self._db.execute("SELECT 1 FROM videos WHERE id = ?", (video_id,)).fetchone() is None:
            raise FeedError(f"no video {video_id} in the feed")


PENDING_FILE = "feed_pending.jsonl"
"""Beside the database: exports that could not be recorded yet, one JSON object a line, added on the next open."""

_pending_here: list[dict] = []
"""Entries this process could not write anywhere (a full disk): retried on this process's next feed open."""


@dataclass(frozen=True)
class FeedRecord:
    """What `record_export` did: the video's id, or why it is not in the feed yet and where it waits."""

    video_id: int | None
    problem: str = ""
    kept_in: Path | None = None
    """The pending file the entry waits in (None: only this process remembers it)."""

    @property
    def note(self) -> str:
        """One line for the user when the feed could not take the video (empty when it did)."""
        if self.video_id is not None:
            return ""
        later = (f"it waits in {self.kept_in} and joins the feed when the feed can be written again" if self.kept_in
                 else "the feed could not keep a note of it either, so it joins the feed only if this Studio "
                      "window writes the feed again before it closes")
        return f"the video is complete, but it is not in the feed yet ({self.problem}); {later}"


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if getattr(exc, "errno", None) == 28 or "full" in text.lower():
        return "the disk is full"
    return text or type(exc).__name__


def _drain_pending(store: "FeedStore") -> None:
    """Add the entries earlier exports could not record (from the pending file and this process's memory)."""
    pending_file = store.path.with_name(PENDING_FILE)
    entries = list(_pending_here)
    try:
        if pending_file.is_file():
            for line in pending_file.read_text("utf-8", errors="replace").splitlines():
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    continue  # a line torn by a full disk: the others still count
    except OSError:
        return
    if not entries:
        return
    for entry in entries:
        try:
            store.add_video(Path(entry["path"]), title=str(entry.get("title", "")), seconds=float(entry.get("seconds", 0)),
                            width=int(entry.get("width", 0)), height=int(entry.get("height", 0)), source="export",
                            project_id=str(entry.get("project_id", "")), engines=list(entry.get("engines", [])),
                            recipe=str(entry.get("recipe", "")), created_at=entry.get("created_at"),
                            cameos=[(str(c), str(n)) for c, n in entry.get("cameos", [])])
        except (KeyError, TypeError, ValueError, FeedError):
            log.info("dropping an unreadable pending feed entry: %r", entry)
    _pending_here.clear()
    try:
        pending_file.unlink(missing_ok=True)
    except OSError:
        pass


def record_export(
    path: Path,
    *,
    title: str,
    seconds: float,
    width: int,
    height: int,
    project_id: str,
    engines: Sequence[str],
    recipe: str,
    cameos: Iterable[tuple[str, str]],
    feed_path: Path | None = None,
) -> FeedRecord:
    """Put a finished export into the feed. Never fails an export, and never loses the entry.

    When the database cannot take it (a full disk, a damaged or locked file), the entry is kept in
    ``feed_pending.jsonl`` beside it (or, where nothing can be written, in this process) and added
    the next time the feed opens; the returned record's ``note`` tells the user.
    """
    cameos = list(cameos)
    try:
        with FeedStore(feed_path) as store:
            return FeedRecord(store.add_video(path, title=title, seconds=seconds, width=width, height=height,
                                              source="export", project_id=project_id, engines=engines, recipe=recipe,
                                              cameos=cameos))
    except (FeedError, sqlite3.Error, OSError) as exc:
        problem = _reason(exc)
        log.warning("could not record %s in the feed: %s", path, exc)
    entry = {"path": str(Path(path).absolute()), "title": title, "seconds": float(seconds), "width": int(width),
             "height": int(height), "project_id": project_id, "engines": list(engines), "recipe": recipe,
             "cameos": [list(c) for c in cameos], "created_at": _now()}
    pending_file = (Path(feed_path) if feed_path is not None else default_feed_path()).with_name(PENDING_FILE)
    try:
        pending_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(pending_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)  # paths and cameo ids: owner-only
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return FeedRecord(None, problem, pending_file)
    except OSError as exc:
        log.warning("could not keep the feed entry of %s in %s: %s", path, pending_file, exc)
        _pending_here.append(entry)
        return FeedRecord(None, problem)


def feed_audio_path(video: FeedVideo, cache_dir: Path | None = None) -> Path | None:
    """A WAV of the video's sound for the player (cached; None when it has no sound)."""
    from studio.media.audio_io import write_wav
    from studio.media.decode import read_audio

    folder = cache_dir or (data_dir() / "feed_cache")
    wav = folder / f"video_{video.id}.wav"
    try:
        if wav.is_file() and wav.stat().st_mtime >= video.path.stat().st_mtime:
            return wav
        samples, rate = read_audio(video.path)
        if samples.size == 0:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        write_wav(wav, samples, rate)
        _prune_audio_cache(folder, keep=wav)
        return wav
    except Exception as exc:
        log.info("no feed sound for %s: %s", video.path, exc)
        return None


AUDIO_CACHE_FILES = 40
"""Sound tracks kept extracted for the feed (the most recently written ones); older ones are deleted."""


def _prune_audio_cache(folder: Path, keep: Path) -> None:
    files = sorted(folder.glob("video_*.wav"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[AUDIO_CACHE_FILES:]:
        if old != keep:
            old.unlink(missing_ok=True)


def remix_video(path: Path, may_use_cameo=None):
    """The recipe of the Studio MP4 at ``path`` as a new, unsaved project (a `RemixResult`).

    Cameos come back only where the file's credentials are intact and
    ``may_use_cameo(cameo_id)`` allows it (default: never). Raises RecipeError
    (no or broken recipe) or MediaError (not a readable video) with a clear message.
    """
    from studio.provenance.remix import credited_cameos_of, no_cameo_permission, read_recipe_from_mp4, remix_project
    from studio.provenance.recipe import RecipeError

    recipe = read_recipe_from_mp4(Path(path))
    try:
        credited = credited_cameos_of(Path(path))
    except OSError:
        credited = {}
    result = remix_project(recipe, credited_cameos=credited, may_use_cameo=may_use_cameo or no_cameo_permission)
    if not result.project.shots:
        raise RecipeError("the recipe has no shots to remix")
    return result
