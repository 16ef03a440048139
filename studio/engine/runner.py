"""Running requests: synchronously (`run_request`) or on the one long-lived worker
thread that owns the engines and their models (`EngineWorker`)."""

from __future__ import annotations

import gc
import logging
import queue
import sys
import threading
from dataclasses import dataclass
from typing import Callable

from studio.domain.errors import ExplainedError
from studio.engine.protocol import (
    Cancelled,
    CancelledError,
    CancelToken,
    Emit,
    EngineEvent,
    EngineResult,
    Failed,
    Finished,
    GenerateRequest,
    MasterSpool,
    engine_streams,
)
from studio.engine.registry import get_engine
from studio.media.errors import MediaError

log = logging.getLogger(__name__)

_frozen_at_modules = 0
_freeze_lock = threading.Lock()
FULL_PASS_OBJECTS = 100_000
"""Above this many objects in the oldest generation after an import, they are frozen (a full pass
over 100,000 objects takes ~10-20 ms on the development machine; torch and diffusers bring ~450,000)."""


def freeze_imported_objects() -> bool:
    """Keep what a heavy import brought out of the garbage collector's full passes.

    A full (generation 2) collection walks every tracked object, on whichever thread happens
    to allocate: with torch and diffusers imported that is ~450,000 objects and over a second,
    measured on the window's UI thread. Modules, classes and functions live as long as the
    process, so when modules were imported since the last call and the oldest generation holds
    more than `FULL_PASS_OBJECTS`, everything alive moves to the collector's permanent generation
    (``gc.freeze``); later full passes only walk what the app made since.

    Frozen objects are never collected as cyclic garbage, so this must stay rare: an ordinary
    import (a dialog's module) or the app's own objects never trigger it, only a library the size
    of torch (freezing on every import leaked each project's cycles: ~50 MiB a soak loop).
    Returns whether it froze.
    """
    global _frozen_at_modules
    with _freeze_lock:
        modules = len(sys.modules)
        if modules <= _frozen_at_modules:
            return False
        _frozen_at_modules = modules
        if len(gc.get_objects(generation=2)) < FULL_PASS_OBJECTS:
            return False
        gc.collect(1)  # the young garbage the imports left behind is freed, not frozen
        gc.freeze()
        return True


def run_request(request: GenerateRequest, emit: Emit, cancel: CancelToken | None = None,
                spool: MasterSpool | None = None) -> EngineResult | None:
    """Run one request to the end; every outcome arrives as an event.

    Returns the result, its frames in a master written in ``spool`` (a private temporary
    folder when None), or None when the job failed or was cancelled (the matching `Failed` /
    `Cancelled` event has been emitted, and no master is left behind).
    """
    cancel = cancel or CancelToken()
    spool = spool or MasterSpool()
    job = request.job_id
    try:
        cancel.check()
        engine = get_engine(request.engine)
        if engine_streams(engine):
            result = engine.generate(request, emit, cancel, sink=spool)  # type: ignore[call-arg]
        else:
            result = engine.generate(request, emit, cancel)
        result = result.with_master(spool)
    except CancelledError:
        emit(Cancelled(job))
        return None
    except ExplainedError as exc:  # EngineError, or a cameo/model/media failure met while generating
        emit(Failed(job, exc.message, exc.hint))
        return None
    except MediaError as exc:  # writing the master: disk full, folder gone
        emit(Failed(job, str(exc), "free some disk space, then generate again"))
        return None
    except MemoryError:
        emit(Failed(job, "ran out of memory while generating", "shorten the shot or lower the resolution"))
        return None
    except Exception as exc:  # an engine bug must not take the app down
        log.exception("engine %s failed on %s", request.engine, job)
        emit(Failed(job, f"the {request.engine} engine failed: {exc}", "see the log for details"))
        return None
    emit(Finished(job, result))
    return result


@dataclass
class _Job:
    request: GenerateRequest
    cancel: CancelToken
    spool: MasterSpool | None = None


class EngineWorker:
    """One background thread that runs queued requests in order.

    ``on_event`` is called on the worker thread; a UI layer forwards it to its
    own thread (a queued Qt signal). Cancel works on queued and running jobs.
    """

    thread_name = "studio-engine"

    def __init__(self, on_event: Callable[[EngineEvent], None]) -> None:
        self._on_event = on_event
        self._queue: "queue.Queue[_Job | None]" = queue.Queue()
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)
        self._thread.start()

    def submit(self, request: GenerateRequest, spool: MasterSpool | None = None) -> str:
        """Queue ``request``; its master is written in ``spool`` (a private temporary folder when None)."""
        job = _Job(request, CancelToken(), spool)
        with self._lock:
            self._jobs[request.job_id] = job
        self._queue.put(job)
        return request.job_id

    def cancel(self, job_id: str) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
        if job:
            job.cancel.cancel()

    def cancel_all(self) -> None:
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel.cancel()

    def shutdown(self, timeout: float = 5.0) -> None:
        self.cancel_all()
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self, job: _Job) -> None:
        """Run one job to its end (every outcome arrives as an event); a subclass may run it elsewhere."""
        run_request(job.request, self._on_event, job.cancel, job.spool)
        freeze_imported_objects()  # a first job imports its engine's libraries (torch, diffusers)

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._run(job)
            finally:
                with self._lock:
                    self._jobs.pop(job.request.job_id, None)
