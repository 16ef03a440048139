"""The generation queue as the UI sees it: one `JobInfo` per job, updated from engine events.

Times come from the monotonic clock; ``remaining`` is extrapolated from the
steps done so far (None until the first step lands).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from enum import Enum

from PySide6.QtCore import QObject, Signal


class JobState(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    STORING = "storing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


@dataclass(frozen=True)
class JobInfo:
    job_id: str
    shot_id: str
    title: str
    engine: str
    state: JobState = JobState.QUEUED
    step: int = 0
    total: int = 0
    stage: str = ""
    queued_at: float = 0.0
    started_at: float | None = None
    ended_at: float | None = None
    message: str = ""
    hint: str = ""
    node: str = ""
    """The farm node rendering the job (from its ``Started`` event); empty in this process."""
    frames: int = 0
    """The shot's frame count: an engine may count extra steps (sound) in ``total``; people count frames."""

    @property
    def fraction(self) -> float:
        return self.step / self.total if self.total else 0.0

    def elapsed(self, now: float | None = None) -> float:
        if self.started_at is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else (now if now is not None else time.monotonic())
        return max(0.0, end - self.started_at)

    def remaining(self, now: float | None = None) -> float | None:
        if self.state is not JobState.RUNNING or not self.step or not self.total:
            return None
        spent = self.elapsed(now)
        return spent / self.step * (self.total - self.step)


class JobQueue(QObject):
    """The jobs of this session, oldest first. Lives on the UI thread."""

    job_changed = Signal(str)
    """A job id whose info changed (or was added)."""
    jobs_changed = Signal()
    """Jobs were added or removed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: dict[str, JobInfo] = {}

    def jobs(self) -> list[JobInfo]:
        return list(self._jobs.values())

    def get(self, job_id: str) -> JobInfo | None:
        return self._jobs.get(job_id)

    def active(self) -> list[JobInfo]:
        return [j for j in self._jobs.values() if not j.state.finished]

    def add(self, info: JobInfo) -> None:
        self._jobs[info.job_id] = replace(info, queued_at=info.queued_at or time.monotonic())
        self.jobs_changed.emit()
        self.job_changed.emit(info.job_id)

    def update(self, job_id: str, **changes: object) -> None:
        info = self._jobs.get(job_id)
        if info is None:
            return
        if info.state.finished and "state" not in changes:
            return  # late progress after the end
        if changes.get("state") is JobState.RUNNING and info.started_at is None:
            changes.setdefault("started_at", time.monotonic())
        if isinstance(changes.get("state"), JobState) and changes["state"].finished:  # type: ignore[union-attr]
            changes.setdefault("ended_at", time.monotonic())
        self._jobs[job_id] = replace(info, **changes)  # type: ignore[arg-type]
        self.job_changed.emit(job_id)

    def clear_finished(self) -> None:
        for job_id in [j for j, info in self._jobs.items() if info.state.finished]:
            del self._jobs[job_id]
        self.jobs_changed.emit()
