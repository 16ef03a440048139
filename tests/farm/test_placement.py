"""Placement rules of the farm's scheduler, without a cluster: kind, memory and model grouping."""

from __future__ import annotations

from studio.engine.protocol import GenerateRequest
from studio.farm.runner import FarmRunner, Worker, _Job, memory_needed, model_key
from tests.support.projects import small_project


def _runner(*workers: Worker) -> FarmRunner:
    runner = object.__new__(FarmRunner)  # no Ray: only the placement rules
    runner.workers = list(workers)
    runner.group_by_model = True
    runner._excluded = {}
    return runner


def _request(engine: str, model: str | None = None, profile: str | None = None, shot: int = 0) -> GenerateRequest:
    project = small_project("a", "b", "c")
    settings = {k: v for k, v in (("model", model), ("memory_profile", profile)) if v}
    return GenerateRequest.for_shot(project, project.shots[shot], engine=engine, settings=settings)


def test_sketch_goes_to_cpu_workers_and_models_to_gpus_whose_memory_fits():
    small = Worker(None, "n1/gpu0", True, 1, "n1", 12.0)
    big = Worker(None, "n2/gpu0", True, 2, "n2", 80.0)
    cpu = Worker(None, "n1/cpu0", False, 3, "n1", None)
    runner = _runner(small, big, cpu)
    sketch = _Job(_request("sketch"), None)
    assert [w.name for w in runner.workers if runner._fits(w, sketch)] == ["n1/cpu0"]
    heavy = _request("diffusers", "wan2.1-i2v-14b-480p", "gpu")
    need = memory_needed(heavy)
    assert need is not None and 12.0 < need <= 80.0
    assert [w.name for w in runner.workers if runner._fits(w, _Job(heavy, None))] == ["n2/gpu0"]


def test_a_free_worker_takes_the_shot_of_the_model_it_holds():
    a = Worker(None, "n1/gpu0", True, 1, "n1", None)
    runner = _runner(a)
    first, second = _request("diffusers", "/models/x", shot=0), _request("diffusers", "/models/y", shot=1)
    a.loaded = model_key(second)
    jobs = {"shot_0": _Job(first, None), "shot_1": _Job(second, None)}
    sent = []

    class Handle:
        class render:  # noqa: N801 - mimics an actor method
            @staticmethod
            def remote(request, sink, flag, run, cpu_threads=None):
                sent.append(request.job_id)
                return object()

    a.handle = Handle()
    runner._dispatch(jobs, ["shot_0", "shot_1"], set(), {}, None, None, 1, None, None)
    assert sent == ["shot_1"]  # not story order: no reload
