"""The bridge between the engine worker thread and the window.

One long-lived `EngineWorker` owns the engines (and, for diffusion engines,
their models). Its events arrive on the worker thread; this bridge turns them
into Qt signals, which Qt queues to the UI thread because the bridge lives
there. Heavy work stays on the worker: a finished result is stored in the
bundle (`store_take`: its master, streamed there while rendering, is renamed) before `take_ready` is emitted, a
shot's start frame (continuity: the previous take's last frame) is decoded by
the engine just before it generates, and preview frames are shrunk before
they cross. Submitting decodes no take (cast cameos still read their face
crops from the vault there, before any work, so a refusal is immediate).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QObject, Signal

from studio.domain.model import Project, Shot, new_id
from studio.engine.protocol import (
    Cancelled,
    EngineEvent,
    Failed,
    Finished,
    GenerateRequest,
    Preview,
    Progress,
    Started,
)
from studio.services.jobs import JobInfo, JobQueue, JobState

if TYPE_CHECKING:
    from studio.services.settings import Settings

log = logging.getLogger(__name__)

PREVIEW_MAX_SIDE = 384
PREVIEW_INTERVAL_S = 0.08
"""At most ~12 preview frames a second cross to the UI; more is wasted painting."""
PROGRESS_INTERVAL_S = 0.1
"""At most 10 progress updates a second: each repaints a progress bar (synchronously) and a card."""


class EngineBridge(QObject):
    """Submit generation jobs; receive their progress, previews and takes as signals."""

    job_started = Signal(str)
    job_placed = Signal(str, str)
    """job id, the farm node that renders it (Settings chose a render farm)."""
    job_progress = Signal(str, int, int, str)
    """job id, step, total, stage."""
    preview_ready = Signal(str, object)
    """job id, a small RGB uint8 frame (numpy)."""
    take_ready = Signal(str, str, object)
    """job id, shot id, the stored Take."""
    job_failed = Signal(str, str, str)
    """job id, message, hint."""
    job_cancelled = Signal(str)
    _flush_requested = Signal()
    """Posted by the worker thread when the latest progress/preview of a job waits for the UI thread."""

    def __init__(self, jobs: JobQueue | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs or JobQueue(self)
        self._worker = None
        """The in-process engine worker."""
        self._farm_workers: dict[str, object] = {}
        """A worker per farm address Settings chose this session: a job runs where it was submitted."""
        self.settings_source: Callable[[], Settings] | None = None
        """The app's current settings (the window sets it); their memory profile goes into each request."""
        self._requests: dict[str, tuple[GenerateRequest, Path]] = {}
        self._lock = threading.Lock()
        self._last_preview: dict[str, float] = {}
        self._last_progress: dict[str, float] = {}
        # Progress and previews are coalesced: the worker keeps only the latest of each per job and
        # posts one flush; a UI thread held off the core (a loaded machine) then handles one update
        # per job, not the backlog of every one queued meanwhile, each with its repaint.
        self._latest_progress: dict[str, tuple[int, int, str]] = {}
        self._latest_preview: dict[str, object] = {}
        self._flush_posted = False
        self._flush_requested.connect(self._flush)
        self.job_started.connect(lambda j: self.jobs.update(j, state=JobState.RUNNING))
        self.job_placed.connect(lambda j, node: self.jobs.update(j, node=node))
        self.job_progress.connect(self._on_progress)
        self.take_ready.connect(lambda j, s, t: self.jobs.update(j, state=JobState.DONE, step=self._total(j)))
        self.job_failed.connect(lambda j, m, h: self.jobs.update(j, state=JobState.FAILED, message=m, hint=h))
        self.job_cancelled.connect(lambda j: self.jobs.update(j, state=JobState.CANCELLED))

    def _total(self, job_id: str) -> int:
        info = self.jobs.get(job_id)
        return info.total if info else 0

    def _on_progress(self, job_id: str, step: int, total: int, stage: str) -> None:
        self.jobs.update(job_id, state=JobState.RUNNING, step=step, total=total, stage=stage)

    def _ensure_worker(self):
        """The worker for the farm Settings choose now (in this process when none)."""
        farm = (self.settings_source().render_farm if self.settings_source is not None else "") or ""
        if farm:
            if farm not in self._farm_workers:
                from studio.services.farm_render import FarmEngineWorker

                self._farm_workers[farm] = FarmEngineWorker(farm, self._on_event)
            return self._farm_workers[farm]
        if self._worker is None:
            from studio.engine.runner import EngineWorker

            self._worker = EngineWorker(self._on_event)
        return self._worker

    def _all_workers(self) -> list:
        return [w for w in (self._worker, *self._farm_workers.values()) if w is not None]

    # -- API (UI thread)
    def submit(self, project: Project, bundle: Path, shot: Shot, *, engine: str | None = None, seed: int | None = None) -> str:
        """Queue a generation of ``shot``; returns the job id."""
        job_id = new_id("job")
        request = GenerateRequest.for_shot(project, shot, engine=engine, seed=seed, job_id=job_id,
                                           settings=self._app_engine_settings(shot))
        from studio.services.continuity import with_deferred_continuity

        # The start frame (the shot's reference image, else the previous take's last frame) is
        # decoded by the engine on its worker thread, only if its model can use one: never here.
        request = with_deferred_continuity(project, Path(bundle), request)
        from studio.services.cameo_casting import CameoRefused, cast_cameos

        title = shot.display_title(project.index_of(shot.id))
        try:
            request = cast_cameos(request)  # refused before any work starts
        except CameoRefused as exc:
            self.jobs.add(JobInfo(job_id, shot.id, title, request.engine, total=shot.duration_frames,
                                  frames=shot.duration_frames))
            self.job_failed.emit(job_id, exc.message, exc.hint)
            return job_id
        with self._lock:
            self._requests[job_id] = (request, Path(bundle))
        self.jobs.add(JobInfo(job_id, shot.id, title, request.engine, total=shot.duration_frames,
                              frames=shot.duration_frames))
        from studio.engine.protocol import MasterSpool
        from studio.persistence.bundle import media_dir
        from studio.heap import trimming

        # The engine streams the take's master into the bundle's media folder: storing it is a rename.
        # What its frames free goes back to the system as they pass (see studio.services.memory).
        self._ensure_worker().submit(request, spool=MasterSpool(media_dir(Path(bundle)), on_frame=trimming(None)))
        return job_id

    def _app_engine_settings(self, shot: Shot) -> dict:
        """The app settings that travel in the request (the memory profile), unless the shot sets its own."""
        if self.settings_source is None:
            return {}
        from studio.services.settings import engine_settings

        own = dict(shot.engine_settings)
        return {k: v for k, v in engine_settings(self.settings_source()).items() if k not in own}

    def cancel(self, job_id: str) -> None:
        for worker in self._all_workers():
            worker.cancel(job_id)

    def cancel_all(self) -> None:
        for worker in self._all_workers():
            worker.cancel_all()

    def busy(self) -> bool:
        return bool(self.jobs.active())

    def shutdown(self, timeout: float = 5.0) -> None:
        for worker in self._all_workers():
            worker.shutdown(timeout)
        self._farm_workers.clear()
        self._worker = None

    # -- worker thread
    def _on_event(self, event: EngineEvent) -> None:
        """Runs on the engine worker thread: never touch widgets here, only emit."""
        job_id = event.job_id
        if isinstance(event, Started):
            self.job_started.emit(job_id)
            if event.node:
                self.job_placed.emit(job_id, event.node)
        elif isinstance(event, Progress):
            now = time.monotonic()
            if event.step >= event.total or now - self._last_progress.get(job_id, 0.0) >= PROGRESS_INTERVAL_S:
                self._last_progress[job_id] = now
                self._post_latest(self._latest_progress, job_id, (event.step, event.total, event.stage))
        elif isinstance(event, Preview):
            now = time.monotonic()
            if now - self._last_preview.get(job_id, 0.0) >= PREVIEW_INTERVAL_S:
                self._last_preview[job_id] = now
                from studio.media.frames import thumbnail

                self._post_latest(self._latest_preview, job_id, thumbnail(event.frame, PREVIEW_MAX_SIDE))
        elif isinstance(event, Finished):
            with self._lock:
                request, bundle = self._requests.pop(job_id)
            # Saving comes after every step: the bar (and the preview's percentage) stays full, not 0 %.
            self.job_progress.emit(job_id, 1, 1, "store")
            try:
                from studio.services.cameo_casting import measure_cameo_likeness, record_cameo_renders
                from studio.services.takes import store_take

                event.result.extra.update(measure_cameo_likeness(request, event.result))
                take = store_take(bundle, request, event.result)
                record_cameo_renders(request, take)
            except Exception as exc:
                log.exception("storing the take of %s failed", job_id)
                reason = getattr(exc, "strerror", None) or str(exc)
                self.job_failed.emit(job_id, f"could not write the take into {bundle}: {reason}", "free some disk space, then generate again")
                return
            self._forget(job_id)
            self.take_ready.emit(job_id, request.shot.id, take)
        elif isinstance(event, Failed):
            self._forget(job_id)
            self.job_failed.emit(job_id, event.message, event.hint)
        elif isinstance(event, Cancelled):
            self._forget(job_id)
            self.job_cancelled.emit(job_id)

    def _post_latest(self, latest: dict, job_id: str, value) -> None:
        """Worker thread: keep ``value`` as the job's latest; post one flush if none is waiting."""
        with self._lock:
            latest[job_id] = value
            if self._flush_posted:
                return
            self._flush_posted = True
        self._flush_requested.emit()

    def _flush(self) -> None:
        """UI thread: hand on the latest progress and preview of each job (once each)."""
        with self._lock:
            progress, previews = self._latest_progress, self._latest_preview
            self._latest_progress, self._latest_preview = {}, {}
            self._flush_posted = False
        for job_id, (step, total, stage) in progress.items():
            self.job_progress.emit(job_id, step, total, stage)
        for job_id, frame in previews.items():
            self.preview_ready.emit(job_id, frame)

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._requests.pop(job_id, None)
        self._last_preview.pop(job_id, None)
        self._last_progress.pop(job_id, None)
