"""The queue row names the farm node a job renders on, from the job's typed Started event (no Ray needed)."""

from __future__ import annotations

from studio.domain.model import new_id
from studio.engine.protocol import Progress, Started
from studio.services.jobs import JobInfo, JobQueue, JobState
from studio.services.qt_engine import EngineBridge
from studio.ui import i18n
from studio.ui.queue_panel import QueuePanel


def _bridge_with_job(qtbot):
    jobs = JobQueue()
    bridge = EngineBridge(jobs)
    panel = QueuePanel(jobs)
    qtbot.addWidget(panel)
    job = new_id("job")
    jobs.add(JobInfo(job, "shot_1", "Shot 1", "sketch", total=9, frames=8))
    return bridge, jobs, panel, job


def test_a_farm_started_event_puts_its_node_in_the_queue_row(qtbot):
    bridge, jobs, panel, job = _bridge_with_job(qtbot)
    row = panel.row(job)
    assert not row.node.isVisibleTo(panel) and row.node.text() == ""
    bridge._on_event(Started(job, "sketch", 9, node="10.0.0.7/gpu1"))  # as a farm worker's event arrives
    bridge._on_event(Progress(job, 3, 9, "render"))
    qtbot.waitUntil(lambda: jobs.get(job).step == 3)
    assert jobs.get(job).node == "10.0.0.7/gpu1" and jobs.get(job).state is JobState.RUNNING
    assert row.node.text() == "on 10.0.0.7/gpu1" and row.node.isVisibleTo(panel)
    # A retry on another node (its worker died) moves the row to the new node.
    bridge._on_event(Started(job, "sketch", 9, node="10.0.0.8/gpu0"))
    qtbot.waitUntil(lambda: jobs.get(job).node == "10.0.0.8/gpu0")
    assert row.node.text() == "on 10.0.0.8/gpu0"
    previous = i18n._current
    try:
        i18n._current = "ja"
        panel.retranslate()
        assert row.node.text() == "10.0.0.8/gpu0 で実行"
    finally:
        i18n._current = previous
        panel.retranslate()


def test_an_in_process_job_shows_no_node(qtbot):
    bridge, jobs, panel, job = _bridge_with_job(qtbot)
    bridge._on_event(Started(job, "sketch", 9))
    bridge._on_event(Progress(job, 9, 9, "render"))
    qtbot.waitUntil(lambda: jobs.get(job).step == 9)
    assert jobs.get(job).node == "" and not panel.row(job).node.isVisibleTo(panel)
