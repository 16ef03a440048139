"""Running a batch of shot requests on the farm's actors, streaming their events back.

The submitting process calls `FarmRunner.run`; it places each request on a worker whose
kind (GPU or CPU) and memory fit, prefers a worker that already holds the request's model,
starts a request only once the request it depends on (continuity) has its result, and
calls ``on_result`` for each finished request on the calling thread, so the caller writes
the take. Events come back through a sink actor and are forwarded to ``emit`` from one
thread in this process.
"""

from __future__ import annotations

import os

import logging
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

from studio.engine.protocol import (
    CancelledError,
    CancelToken,
    Emit,
    EngineResult,
    Finished,
    GenerateRequest,
    Progress,
)
from studio.farm.errors import FarmError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""A shot whose worker died is tried this many times in all, each time on another worker where there is one."""
VRAM_RESOURCE = "studio_vram_gb"
"""A custom Ray resource a node declares (``ray start --resources '{"studio_vram_gb": 80}'``): its GPUs' memory in GB."""


def model_key(request: GenerateRequest) -> str:
    """What a worker keeps loaded between shots: the engine and its model."""
    return f"{request.engine}:{request.setting('model') or ''}"


def needs_gpu(request: GenerateRequest) -> bool:
    return request.engine != "sketch"


def memory_needed(request: GenerateRequest) -> float | None:
    """GB of GPU memory the request's model needs under its memory profile (catalogue figures; None when unknown)."""
    if request.engine != "diffusers":
        return None
    try:
        from studio.engine.diffusion.catalogue import find_spec
        from studio.engine.diffusion.loader import DEFAULT_MODEL
    except ImportError:
        return None
    spec = find_spec(str(request.setting("model") or DEFAULT_MODEL))
    if spec is None or not spec.vram_gb:
        return None
    profile = str(request.setting("memory_profile") or "gpu")
    return spec.vram_needed(profile) or min(spec.vram_gb.values())


@dataclass
class Worker:
    handle: Any
    name: str
    gpu: bool
    pid: int
    node_ip: str
    vram_gb: float | None
    loaded: str | None = None
    busy: str | None = None
    alive: bool = True


@dataclass
class _Job:
    request: GenerateRequest
    after: str | None
    attempts: int = 0
    tried: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Placed:
    """A request started on a worker: ``node`` names it (address/slot). Sent to ``on_placed``."""

    job_id: str
    node: str
    attempt: int


class FarmRunner:
    """The actors of one cluster, kept between renders (pipelines stay loaded)."""

    def __init__(self, *, cpu_workers: int | None = None, gpu_workers: int | None = None,
                 group_by_model: bool = True) -> None:
        import ray

        self._ray = ray
        self.group_by_model = group_by_model
        self.workers: list[Worker] = _start_workers(ray, cpu_workers, gpu_workers)
        self._lock = threading.Lock()
        self._exclusive = threading.Lock()
        self._flag: Any = None
        self._run = 0
        self._control_actors: tuple[Any, Any] | None = None

    # ------------------------------------------------------------------ public

    def cancel(self) -> None:
        """Stop every running shot at its next step (also reached through ``run``'s cancel token)."""
        with self._lock:
            current = self._flag
        if current is not None:
            flag, run = current
            flag.set.remote(run)

    def check_models(self, requests: Sequence[GenerateRequest]) -> None:
        """Raise FarmError before any work when no worker that would take a request can load its model.

        Workers that lack a model (their node's Hugging Face cache has not got it) are kept
        off that model's shots; the error names each node and what it lacks."""
        ray = self._ray
        self._excluded: dict[str, set[str]] = {}
        wanted = sorted({(r.engine, str(r.setting("model") or "")) for r in requests if needs_gpu(r)})
        for engine, model in wanted:
            pool = self._pool(gpu=True)
            answers = ray.get([w.handle.check_model.remote(engine, model or None) for w in pool])
            for w, (_, vram) in zip(pool, answers):
                if vram:
                    w.vram_gb = vram  # measured on a real GPU (a declared studio_vram_gb share otherwise)
            missing = {w.name: p for w, (p, _) in zip(pool, answers) if p}
            self._excluded[f"{engine}:{model}"] = set(missing)
            if len(missing) == len(pool):
                detail = "; ".join(f"{n}: {p}" for n, p in missing.items())
                raise FarmError(f"no farm node can load the model {model or '(default)'} — {detail}",
                                "install the model on every node (each uses its own Hugging Face cache): "
                                "run `studio models install ID` there, or copy the model folder to the same path")
            for name, problem in missing.items():
                log.warning("farm: %s cannot load %s (%s); its shots go to other nodes", name, model, problem)
        for request in requests:
            if not any(self._fits(w, _Job(request, None)) for w in self.workers if w.alive):
                need = memory_needed(request)
                have = ", ".join(f"{w.name} {w.vram_gb:g} GB" for w in self._pool(gpu=True) if w.vram_gb) or "none"
                raise FarmError(f"no farm GPU has the {f'{need:g} GB' if need else 'memory'} that shot {request.job_id} needs "
                                f"({request.setting('model')}, profile {request.setting('memory_profile') or 'gpu'}); GPUs: {have}",
                                "choose a memory profile that offloads (Models window), or add a larger GPU")

    def run(
        self,
        requests: Sequence[GenerateRequest],
        emit: Emit,
        *,
        on_result: Callable[[GenerateRequest, EngineResult], None],
        after: dict[str, str] | None = None,
        prepare: Callable[[GenerateRequest], GenerateRequest] | None = None,
        cancel: CancelToken | None = None,
        on_placed: Callable[[Placed], None] | None = None,
    ) -> None:
        """Render ``requests``; ``after[job]`` is the job whose result ``job`` waits for.

        ``prepare`` is called (on this thread) just before a request is sent, once what it
        waits for has been handed to ``on_result`` (the caller adds the start frame there).
        Raises CancelledError on cancel (no further ``on_result``), FarmError when a shot fails
        or its workers keep dying.
        """
        cancel = cancel or CancelToken()
        # One render at a time on these actors: the window's Generate and an export can both use the
        # farm, and two runs reading one event sink would take each other's events.
        while not self._exclusive.acquire(timeout=0.1):
            if cancel.cancelled:
                raise CancelledError()
        try:
            self._run_exclusive(requests, emit, on_result=on_result, after=after, prepare=prepare, cancel=cancel,
                      on_placed=on_placed)
        finally:
            self._exclusive.release()

    def _run_exclusive(self, requests, emit, *, on_result, after, prepare, cancel, on_placed) -> None:
        ray = self._ray
        after = dict(after or {})
        jobs = {r.job_id: _Job(r, after.get(r.job_id)) for r in requests}
        order = [r.job_id for r in requests]
        self.check_models(requests)
        flag, sink = self._control()
        ray.get(sink.clear.remote())
        with self._lock:
            self._run += 1
            run = self._run
            self._flag = (flag, run)
        events = _EventStream(sink, emit, run)
        running: dict[Any, tuple[str, Worker]] = {}
        finished: set[str] = set()
        try:
            while len(finished) < len(jobs):
                if cancel.cancelled:
                    raise CancelledError()
                self._dispatch(jobs, order, finished, running, flag, sink, run, prepare, on_placed)
                if not running:
                    raise FarmError("the farm has no live worker for the remaining shots: "
                                    + ", ".join(j for j in order if j not in finished),
                                    "start more workers (ray start) or render without --farm")
                # One wait for a shot's result or the workers' next events: no thread, no lock, no poll
                # beyond the cancel check.
                ready, _ = ray.wait([*running, events.pending()], num_returns=1, timeout=0.05)
                if events.ref is not None and events.ref in ready:
                    events.take()
                done = [ref for ref in ready if ref in running]
                results: list[tuple[_Job, Any]] = []
                for ref in done:
                    job_id, worker = running.pop(ref)
                    worker.busy = None
                    job = jobs[job_id]
                    try:
                        status, payload = ray.get(ref)
                    except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError,
                            ray.exceptions.NodeDiedError) as exc:
                        events.drain()  # its progress so far, then the retry notice
                        worker.alive = False
                        self._replace(worker)
                        if job.attempts >= MAX_ATTEMPTS:
                            raise FarmError(f"shot {job_id} failed: its worker died {job.attempts} times "
                                            f"(last on {worker.name})", "check the nodes' logs (ray logs) and memory") from None
                        msg = (f"worker {worker.name} died while rendering shot {job_id}; "
                               f"retrying elsewhere (attempt {job.attempts + 1} of {MAX_ATTEMPTS})")
                        log.warning("farm: %s (%s)", msg, type(exc).__name__)
                        emit(Progress(job_id, 0, 0, msg))
                        continue
                    except ray.exceptions.TaskCancelledError:
                        raise CancelledError() from None
                    if status == "cancelled":
                        if cancel.cancelled:
                            raise CancelledError()
                        raise FarmError(f"shot {job_id} stopped on {worker.name} without being cancelled here",
                                        "the node lost touch with this machine; check the network and render again")
                    if status == "failed":
                        events.drain()
                        message, hint = payload
                        raise FarmError(f"shot {job_id} failed on {worker.name}: {message}", hint)
                    worker.loaded = model_key(job.request)
                    results.append((job, payload))
                if not results:
                    continue
                # The worker starts its next shot (one that waits for none of these) while this
                # process stores these takes: a farm of one worker pipelines instead of idling.
                if not cancel.cancelled:
                    self._dispatch(jobs, order, finished, running, flag, sink, run, prepare, on_placed,
                                   storing={job.request.job_id for job, _ in results})
                events.drain()  # the shots' own events reach the caller before their results
                for job, payload in results:
                    on_result(job.request, payload)
                    emit(Finished(job.request.job_id, payload))
                    finished.add(job.request.job_id)
        except BaseException:
            flag.set.remote(run)  # every engine stops at its next step (its CancelToken is set)
            for ref in running:
                ray.cancel(ref)  # and Ray cancels the tasks (a queued one never starts)
            # Let the workers settle, so the next render does not queue behind a stopping shot.
            ray.wait(list(running), num_returns=len(running), timeout=5.0)
            for _, w in running.values():
                w.busy = None
            raise
        finally:
            events.close()
            with self._lock:
                self._flag = None

    def shutdown(self) -> None:
        for w in [*self.workers, *(self._control_actors or ())]:
            try:
                self._ray.kill(getattr(w, "handle", w))
            except Exception:
                pass
        self.workers = []
        self._control_actors = None

    # ------------------------------------------------------------------ internals

    def _control(self) -> tuple[Any, Any]:
        """The cancel flag and event sink actors, started once per runner (an actor start costs seconds)."""
        if self._control_actors is None:
            from studio.farm.worker import CancelFlag, EventSink

            ray = self._ray
            self._control_actors = (ray.remote(num_cpus=0)(CancelFlag).remote(),
                                    ray.remote(num_cpus=0)(EventSink).remote())
        return self._control_actors

    def _replace(self, dead: Worker) -> None:
        """Start a new actor in place of a dead one, on the same node while it lives (else anywhere)."""
        ray = self._ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from studio.farm.worker import ShotWorker

        node = next((n for n in ray.nodes() if n.get("Alive") and n.get("NodeManagerAddress") == dead.node_ip), None)
        if node is None:
            return
        slot = dead.name.rsplit("/", 1)[-1]
        opts: dict[str, Any] = dict(max_concurrency=2, scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=True))
        opts.update(num_cpus=0, num_gpus=1) if dead.gpu else opts.update(num_cpus=1)
        try:
            handle = ray.remote(ShotWorker).options(**opts).remote(slot, dead.node_ip)
            info = ray.get(handle.info.remote(), timeout=120)
        except Exception as exc:
            log.warning("farm: could not replace %s: %s", dead.name, exc)
            return
        self.workers.remove(dead)
        self.workers.append(Worker(handle, info["name"], dead.gpu, info["pid"], dead.node_ip, dead.vram_gb))

    def _pool(self, *, gpu: bool) -> list[Worker]:
        live = [w for w in self.workers if w.alive]
        wanted = [w for w in live if w.gpu == gpu]
        # Without GPUs every shot runs on CPU workers (slow, but the render finishes).
        return wanted or ([w for w in live if not w.gpu] if gpu else [])

    def _fits(self, worker: Worker, job: _Job) -> bool:
        req = job.request
        if worker not in self._pool(gpu=needs_gpu(req)):
            return False
        if worker.name in getattr(self, "_excluded", {}).get(model_key(req), set()):
            return False
        need = memory_needed(req)
        return need is None or worker.vram_gb is None or worker.vram_gb >= need

    def _dispatch(self, jobs, order, finished, running, flag, sink, run, prepare, on_placed,
                  storing: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        """Start waiting shots on free workers; ``storing``: shots whose results are being stored (not to start again)."""
        started = {job_id for job_id, _ in running.values()} | set(storing)
        waiting = [j for j in order if j not in finished and j not in started
                   and (jobs[j].after is None or jobs[j].after in finished or jobs[j].after not in jobs)]
        for worker in [w for w in self.workers if w.alive and w.busy is None]:
            fitting = [j for j in waiting if self._fits(worker, jobs[j])]
            if not fitting:
                continue
            # Prefer a shot whose model this worker holds, and a worker that has not failed the shot before.
            def rank(j: str) -> tuple[int, int]:
                same = self.group_by_model and model_key(jobs[j].request) == worker.loaded
                return (worker.name in jobs[j].tried, 0 if same else 1)

            job_id = min(fitting, key=lambda j: (rank(j), order.index(j)))
            if self.group_by_model and worker.loaded and model_key(jobs[job_id].request) != worker.loaded:
                # Leave this shot to an idle worker that already holds its model, if one is free now.
                holder = [w for w in self.workers if w.alive and w.busy is None and w is not worker
                          and w.loaded == model_key(jobs[job_id].request)]
                if holder:
                    continue
            job = jobs[job_id]
            request = job.request
            if prepare is not None and job.attempts == 0:
                request = job.request = prepare(request)
            request = replace(request, start_image_loader=None)  # a closure over this process's files
            job.attempts += 1
            job.tried.append(worker.name)
            ref = worker.handle.render.remote(request, sink, flag, run, cpu_threads=_cpu_threads())
            worker.busy = job_id
            running[ref] = (job_id, worker)
            waiting.remove(job_id)
            if on_placed:
                on_placed(Placed(job_id, worker.name, job.attempts))


class _EventStream:
    """The workers' events, taken from the sink by the submitting thread itself and passed to ``emit`` in order.

    One ``next_batch`` call is in flight at a time (the sink answers it as soon as an event
    arrives); `drain` also takes what is in the sink now, so a shot's events, which are all
    in the sink before its result returns, reach ``emit`` before the result does."""

    WAIT_S = 0.5

    def __init__(self, sink: Any, emit: Emit, run: int) -> None:
        import ray

        self._ray = ray
        self._sink = sink
        self._emit = emit
        self._run = run
        self.ref: Any = None

    def pending(self) -> Any:
        if self.ref is None:
            self.ref = self._sink.next_batch.remote(self.WAIT_S)
        return self.ref

    def take(self) -> None:
        """Emit the batch the in-flight call brought (it has answered, or answers within WAIT_S)."""
        ref, self.ref = self.ref, None
        if ref is not None:
            self._forward(ref)

    def drain(self) -> None:
        self.take()
        self._forward(self._sink.next_batch.remote(0.0))

    def close(self) -> None:
        # An unanswered call would take the next render's first events: let it answer first.
        if self.ref is not None:
            try:
                self._ray.wait([self.ref], timeout=self.WAIT_S + 1.0)
            except Exception:
                pass
            self.ref = None

    def _forward(self, ref: Any) -> None:
        try:
            batch = self._ray.get(ref, timeout=self.WAIT_S + 10.0)
        except Exception:
            log.warning("farm: could not read the workers' events", exc_info=True)
            return
        for (run, _), event in batch:
            if run != self._run:
                continue  # a late event of an earlier, cancelled render
            try:
                self._emit(event)
            except Exception:
                log.exception("farm: an event handler failed")


def _start_workers(ray: Any, cpu_workers: int | None, gpu_workers: int | None) -> list[Worker]:
    """One actor per GPU on every node (and CPU actors for Sketch shots), placed on its node."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    from studio.farm.worker import ShotWorker

    remote = ray.remote(ShotWorker)
    handles = []
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    for node in nodes:
        res = node.get("Resources", {})
        gpus = int(res.get("GPU", 0)) if gpu_workers is None else min(gpu_workers, int(res.get("GPU", 0)))
        vram = res.get(VRAM_RESOURCE)
        cpus = int(res.get("CPU", 1))
        cpu_n = cpu_workers if cpu_workers is not None else max(1, min(4, cpus - gpus))
        where = NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
        ip = node.get("NodeManagerAddress", "?")
        for i in range(gpus):
            extra = {VRAM_RESOURCE: vram / gpus} if vram else {}
            h = remote.options(num_cpus=0, num_gpus=1, resources=extra, max_concurrency=2,
                               scheduling_strategy=where).remote(f"gpu{i}", ip)
            handles.append((h, True, vram / gpus if vram else None))
        for i in range(cpu_n):
            h = remote.options(num_cpus=1, max_concurrency=2, scheduling_strategy=where).remote(f"cpu{i}", ip)
            handles.append((h, False, None))
    if not handles:
        raise FarmError("the Ray cluster has no node with a free CPU or GPU", "add a node with `ray start --address ...`")
    infos = ray.get([h.info.remote() for h, _, _ in handles])
    workers = []
    for (h, gpu, declared), info in zip(handles, infos):
        workers.append(Worker(h, info["name"], gpu, info["pid"], info["node_ip"], info["vram_gb"] or declared))
    return workers


def _cpu_threads() -> int:
    """The torch thread count an in-process CPU render in this process uses (see ShotWorker.render)."""
    import sys

    torch = sys.modules.get("torch")
    if torch is not None:
        return int(torch.get_num_threads())
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
