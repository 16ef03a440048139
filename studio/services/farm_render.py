"""Rendering a project's missing takes on the farm (studio.farm), written here, by the submitter only.

The requests are the same self-contained `GenerateRequest`s as in-process; a shot that
starts from the previous shot's last frame waits for that shot's take (and only that one),
and gets its start frame from the stored take, exactly as in-process, so the frames match.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from studio.domain.model import Project, Shot
from studio.engine.protocol import CancelToken, EngineEvent, EngineResult, GenerateRequest, Progress
from studio.engine.runner import EngineWorker
from studio.persistence.bundle import save_project
from studio.services.continuity import continues_from_previous, with_continuity
from studio.services.takes import cast_request_cameos, commit_result, prepare_request

ProgressFn = Callable[[str, int, int], None]


@dataclass
class FarmSession:
    address: str
    cluster: Any
    runner: Any

    def close(self) -> None:
        self.runner.shutdown()
        if self.cluster.started_here:
            self.cluster.shutdown()


_session: FarmSession | None = None
_session_lock = threading.Lock()


def open_farm(address: str, *, cpu_workers: int | None = None, gpu_workers: int | None = None,
              **connect_kwargs: Any) -> FarmSession:
    """The farm at ``address`` ("local" or a Ray address), joined once per process and kept (actors keep their models)."""
    global _session
    from studio.farm.cluster import connect
    from studio.farm.runner import FarmRunner

    with _session_lock:
        if _session is not None and _session.address == address:
            return _session
        if _session is not None:
            _session.close()
            _session = None
        cluster = connect(address, **connect_kwargs)
        _session = FarmSession(address, cluster, FarmRunner(cpu_workers=cpu_workers, gpu_workers=gpu_workers))
        return _session


def close_farm() -> None:
    global _session
    with _session_lock:
        if _session is not None:
            _session.close()
            _session = None


def ensure_takes_on_farm(
    project: Project,
    bundle: Path,
    shots: Sequence[Shot],
    address: str,
    *,
    engine: str | None = None,
    seed: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    settings: dict | None = None,
    defaults: dict | None = None,
    on_event: Callable[[EngineEvent], None] | None = None,
    on_placed: Callable[[Any], None] | None = None,
) -> tuple[Project, list[str]]:
    """Render every shot among ``shots`` with no current take on the farm; store each take as it arrives.

    Same contract as `studio.services.export.ensure_takes`: the bundle is saved after each take,
    CancelledError on cancel (no take added after it), RenderFailed/FarmError on failure."""
    from studio.services.export import shots_to_render

    todo = shots_to_render(project, bundle, shots, engine=engine, seed=seed, settings=settings)
    if not todo:
        return project, []
    session = open_farm(address)
    state = {"project": project}
    todo_ids = {s.id for s in todo}
    requests: list[GenerateRequest] = []
    after: dict[str, str] = {}
    labels: dict[str, str] = {}
    titles: dict[str, str] = {}
    for shot in todo:
        bare = GenerateRequest.for_shot(project, shot, engine=engine, seed=seed, settings=settings, defaults=defaults)
        index = project.index_of(shot.id)
        previous = project.shots[index - 1].id if index > 0 else None
        waits = previous in todo_ids and continues_from_previous(project, bare)
        if waits:
            after[bare.job_id] = previous  # type: ignore[assignment]
            request = cast_request_cameos(bare)  # its start frame is added when the previous take exists
        else:
            request = prepare_request(project, bundle, shot, engine=engine, seed=seed, settings=settings,
                                      defaults=defaults)
        requests.append(request)
        labels[request.job_id] = titles[request.job_id] = f"render {shot.display_title(index)}"
    by_job = {r.job_id: r.shot.id for r in requests}
    rendered: list[str] = []

    def prepare(request: GenerateRequest) -> GenerateRequest:
        if request.job_id in after:
            return with_continuity(state["project"], bundle, request)
        return request

    def emit(event: EngineEvent) -> None:
        if on_event:
            on_event(event)
        if progress and isinstance(event, Progress) and event.stage == "render":
            progress(labels.get(event.job_id, "render"), event.step, event.total)

    def placed(p: Any) -> None:
        if on_placed:
            on_placed(p)
        # The shot's progress names the node that renders it (the CLI's bar, the window's export dialog).
        labels[p.job_id] = f"{titles[p.job_id]} on {p.node}"
        if progress:
            progress(labels[p.job_id], 0, 1)

    def on_result(request: GenerateRequest, result: EngineResult) -> None:
        shot = state["project"].shot(by_job[request.job_id])
        updated, _ = commit_result(state["project"], bundle, shot, request, result)
        save_project(updated, bundle)
        state["project"] = updated
        rendered.append(shot.id)

    session.runner.run(requests, emit, on_result=on_result, after=after, prepare=prepare, cancel=cancel,
                       on_placed=placed)
    order = [s.id for s in todo]
    return state["project"], sorted(rendered, key=order.index)


class FarmEngineWorker(EngineWorker):
    """The window's engine worker when Settings choose a farm: the same interface and events as
    `studio.engine.runner.EngineWorker`, with each job rendered on a farm worker.

    Jobs run one after another, as in-process; each job's ``Started`` names the node that
    renders it (the queue shows it). ``on_event`` is called on this worker's thread, and the
    ``Finished`` result is stored by the caller there, in this process, as in-process.
    """

    thread_name = "studio-farm-engine"

    def __init__(self, address: str, on_event: Callable[[EngineEvent], None]) -> None:
        self.address = address  # before the worker thread starts
        super().__init__(on_event)

    def _run(self, job) -> None:
        # ``job.spool`` (where an in-process engine writes the master) is not used: a farm worker's
        # master travels back inside its result and is moved into the bundle by the caller.
        self._run_one(job.request, job.cancel)

    def _run_one(self, request: GenerateRequest, token: CancelToken) -> None:
        from studio.domain.errors import ExplainedError
        from studio.engine.protocol import Cancelled, CancelledError, Failed

        job = request.job_id
        if token.cancelled:
            self._on_event(Cancelled(job))
            return

        def emit(event: EngineEvent) -> None:
            # The outcome is told once, below, with the node's name in a failure.
            if not isinstance(event, (Failed, Cancelled)):
                self._on_event(event)

        try:
            session = open_farm(self.address)
            session.runner.run([request], emit, on_result=lambda *_: None, prepare=_resolve_start_frame,
                               cancel=token)
        except CancelledError:
            self._on_event(Cancelled(job))
        except ExplainedError as exc:  # FarmError, FarmUnavailable: what failed, where, and what to do
            self._on_event(Failed(job, exc.message, exc.hint))
        except Exception as exc:  # a Ray failure must not take the window down
            import logging

            logging.getLogger(__name__).exception("farm job %s failed", job)
            self._on_event(Failed(job, f"the render farm at {self.address} failed: {exc}", "see the log for details"))


def _resolve_start_frame(request: GenerateRequest) -> GenerateRequest:
    """A window request's deferred start frame, read here (a farm worker cannot read this machine's bundle)."""
    from dataclasses import replace

    from studio.services.continuity import model_can_start_from_image

    if request.start_image is not None or request.start_image_loader is None:
        return request
    image = request.start_image_loader() if model_can_start_from_image(request) else None
    return replace(request, start_image=image, start_image_loader=None)
