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
