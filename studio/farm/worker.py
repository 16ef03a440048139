"""The code that runs inside a Ray actor: one per GPU (or a CPU worker for Sketch shots).

The actor process keeps the engine registry, so a diffusers pipeline loaded for one shot
stays loaded for the next shot of the same model. Events go back through an event sink
actor (fire-and-forget calls, in order); cancel arrives through a flag actor that a
watcher thread reads while a shot renders, and sets the engine's own CancelToken, so
the engine stops at its next step exactly as in-process.
"""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from typing import Any

from studio.engine.protocol import (
    Cancelled,
    CancelledError,
    CancelToken,
    EngineEvent,
    Failed,
    Finished,
    GenerateRequest,
    MasterSpool,
    Started,
)

CANCEL_WAIT_S = 1.0
"""How long one blocking read of the cancel flag lasts (a cancel answers it at once)."""


class CancelFlag:
    """A Ray actor holding one render's cancel state (read by every worker).

    Workers block in `wait_set` (answered the moment `set` is called) instead of asking
    many times a second: cancel reaches a shot at once and costs no CPU while it renders."""

    def __init__(self) -> None:
        import asyncio

        self._set = 0
        """The latest run cancelled (runs are numbered from 1; a later run is not cancelled by an earlier cancel)."""
        self._changed = asyncio.Condition()

    async def set(self, run: int) -> None:
        async with self._changed:
            self._set = max(self._set, run)
            self._changed.notify_all()

    async def is_set(self, run: int) -> bool:
        return self._set >= run

    async def wait_set(self, run: int, timeout: float) -> bool:
        """True as soon as ``run`` is cancelled; False after ``timeout`` seconds without a cancel."""
        import asyncio

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self._set >= run), timeout)
            except asyncio.TimeoutError:
                pass
            return self._set >= run


class EventSink:
    """A Ray actor that buffers events from the workers for the submitting process.

    ``next_batch`` blocks (on the actor, not by sleeping) until an event arrives or the timeout passes.
    """

    def __init__(self) -> None:
        import asyncio

        self._items: list[Any] = []
        self._ready = asyncio.Event()

    async def push(self, items: list[Any]) -> None:
        self._items.extend(items)
        self._ready.set()

    async def clear(self) -> None:
        self._items = []
        self._ready.clear()

    async def next_batch(self, timeout: float) -> list[Any]:
        import asyncio

        if not self._items:
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except asyncio.TimeoutError:
                pass
        items, self._items = self._items, []
        self._ready.clear()
        return items


class ShotWorker:
    """Renders shots with this process's engines; ``name`` says where (node address and slot)."""

    def __init__(self, slot: str, node_ip: str) -> None:
        import ray

        self.node_ip = node_ip
        self.node_id = ray.get_runtime_context().get_node_id()
        self.name = f"{node_ip}/{slot}"
        self.gpu = slot.startswith("gpu")
        self.loaded: str | None = None

    def info(self) -> dict[str, Any]:
        return {"name": self.name, "node_ip": self.node_ip, "node_id": self.node_id, "pid": os.getpid(),
                "vram_gb": None}

    def check_model(self, engine: str, model: str | None) -> tuple[str | None, float | None]:
        """(None when this node can load ``model`` for ``engine``, else what is wrong; this GPU's memory in GB)."""
        if engine != "diffusers":
            return None, None
        from studio.domain.errors import ExplainedError
        from studio.engine.diffusion.loader import resolve_model

        vram = _gpu_memory_gb() if self.gpu else None
        try:
            resolve_model(model)
        except ExplainedError as exc:
            return exc.message + (f" — {exc.hint}" if exc.hint else ""), vram
        return None, vram

    def render(self, request: GenerateRequest, sink: Any, flag: Any, run: int = 1,
               cpu_threads: int | None = None) -> tuple[str, Any]:
        """("ok", EngineResult) | ("failed", (message, hint)) | ("cancelled", None).

        ``cpu_threads``: the submitter's torch thread count. Ray starts workers with
        OMP_NUM_THREADS=1, and a CPU model's float sums depend on the thread count (a tiny
        Wan shot differs by up to 54 grey levels once continuity carries it on), so a CPU
        worker uses the count an in-process render would.
        """
        import ray

        if cpu_threads and request.engine == "diffusers":
            import torch

            if not torch.cuda.is_available() and torch.get_num_threads() != cpu_threads:
                torch.set_num_threads(cpu_threads)

        from studio.engine.runner import run_request
        from studio.heap import trimming

        token = CancelToken()
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                try:
                    if ray.get(flag.wait_set.remote(run, CANCEL_WAIT_S), timeout=30 + CANCEL_WAIT_S):
                        token.cancel()
                        return
                except ray.exceptions.GetTimeoutError:
                    continue  # a busy node: ask again
                except ray.exceptions.RayActorError:  # the submitter is gone: stop rather than render for nobody
                    token.cancel()
                    return

        outcome: list[EngineEvent] = []
        sender = _Sender(sink, (run, self.name))

        def emit(event: EngineEvent) -> None:
            if isinstance(event, Finished):
                return  # the result travels as the return value, once
            if isinstance(event, (Failed, Cancelled)):
                outcome.append(event)
            if isinstance(event, Started):
                event = replace(event, node=self.name)  # the queue shows where each shot renders
            sender.put(event)

        watcher = threading.Thread(target=watch, name="studio-farm-cancel", daemon=True)
        watcher.start()
        try:
            # The frames stream into the master here too: trimmed as they go, a long shot renders in flat memory.
            result = run_request(request, emit, token, spool=MasterSpool(on_frame=trimming(None)))
        except CancelledError:
            result = None
        finally:
            done.set()
            sender.close()  # every event of the shot is in the sink before its result returns
        self.loaded = str(request.setting("model") or "") or None
        if result is not None:
            return "ok", result
        last = outcome[-1] if outcome else None
        if isinstance(last, Failed):
            return "failed", (last.message, last.hint)
        return "cancelled", None


class _Sender:
    """Sends a shot's events to the sink in order, in batches, from its own thread (the engine never waits)."""

    def __init__(self, sink: Any, name: str) -> None:
        self._sink = sink
        self._name = name
        self._items: list[Any] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="studio-farm-events", daemon=True)
        self._thread.start()

    def put(self, event: EngineEvent) -> None:
        with self._cond:
            self._items.append((self._name, event))
            self._cond.notify()

    def _loop(self) -> None:
        import ray

        while True:
            with self._cond:
                while not self._items and not self._closed:
                    self._cond.wait()
                batch, self._items = self._items, []
                closed = self._closed
            if batch:
                try:
                    ray.get(self._sink.push.remote(batch), timeout=10)  # one batch at a time keeps the order
                except Exception:
                    pass
            if closed and not batch:
                return

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(15)


def _gpu_memory_gb() -> float | None:
    """This worker's GPU memory in GB where torch sees a CUDA device (None otherwise; no torch import for Sketch)."""
    import sys

    torch = sys.modules.get("torch")
    if torch is None:
        try:
            import torch  # type: ignore[no-redef]
        except ImportError:
            return None
    try:
        if torch.cuda.is_available():
            return torch.cuda.get_device_properties(0).total_memory / 1e9
    except Exception:
        return None
    return None
