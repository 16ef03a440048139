"""A function run beside the caller's own work, its result (or error) collected later."""

from __future__ import annotations

import threading
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")

__all__ = ["Beside"]


class Beside(Generic[T]):
    """``fn(*args)`` run on a thread of its own from now; `result` waits for it and returns its
    value, or raises what it raised (on the caller's thread).

    A caller that fails before asking for the result leaves the thread to finish on its own
    (a daemon); `abandon` says what to do with a value nobody will collect (close a file).
    """

    def __init__(self, name: str, fn: Callable[..., T], *args: Any) -> None:
        self._outcome: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._abandoned: Callable[[T], None] | None = None

        def run() -> None:
            try:
                value = fn(*args)
            except BaseException as exc:  # handed to the caller of result()
                self._outcome["error"] = exc
                return
            with self._lock:
                self._outcome["value"] = value
                drop = self._abandoned
            if drop is not None:
                drop(value)

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def result(self) -> T:
        self._thread.join()
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]

    def abandon(self, drop: Callable[[T], None] | None = None) -> None:
        """Nobody will ask for the result: ``drop(value)`` it when (or if) it comes."""
        with self._lock:
            if "value" in self._outcome:
                value, ready = self._outcome["value"], True
            else:
                self._abandoned, ready = drop, False
        if ready and drop is not None:
            drop(value)
