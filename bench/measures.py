"""What the benchmark reads: latencies, histories (events and Temporal Cloud billable actions),
and worker processes' CPU time and memory from /proc."""

from __future__ import annotations

import os
import statistics
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

# Temporal Cloud's billable actions as they show in a history (docs: cloud/actions): a start, each
# timer started, each search-attribute upsert, each update accepted, each signal sent, each
# activity attempt, and the local activities of one workflow task together as one.
ONE_ACTION_EACH = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
}
TWO_ACTIONS_EACH = {EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED}


def billable_actions(history: WorkflowHistory) -> int:
    actions, marker_tasks = 0, set()
    for event in history.events:
        if event.event_type in ONE_ACTION_EACH:
            actions += 1
        elif event.event_type in TWO_ACTIONS_EACH:
            actions += 2
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            actions += event.activity_task_started_event_attributes.attempt
        elif event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            marker_tasks.add(event.marker_recorded_event_attributes.workflow_task_completed_event_id)
    return actions + len(marker_tasks)


def timer_lateness_seconds(history: WorkflowHistory) -> list[tuple[timedelta, float]]:
    """For each timer that fired: its duration and how long after it was due the journey acted on
    it — the workflow task that handled it completed (the server's TimerFired alone would hide a
    late worker)."""
    started, fired, late = {}, [], []
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            attributes = event.timer_started_event_attributes
            duration = attributes.start_to_fire_timeout.ToTimedelta()
            started[attributes.timer_id] = (duration, event.event_time.ToDatetime() + duration)
        elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            timer = started.get(event.timer_fired_event_attributes.timer_id)
            if timer is not None:
                fired.append(timer)
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED and fired:
            late += [(duration, (event.event_time.ToDatetime() - due).total_seconds()) for duration, due in fired]
            fired = []
    return late


PASSWORD_HASH_CPU = "parcours_password_hash_cpu"  # the worker's histogram (parcours/security/crypto.py)


def password_hash_cpu_seconds(metrics_urls: list[str]) -> float:
    """The CPU seconds argon2id took in these workers so far: the sum of their hash histograms (a
    worker that hashed nothing yet shows none)."""
    total = 0.0
    for url in metrics_urls:
        with urllib.request.urlopen(url, timeout=10) as response:
            for line in response.read().decode().splitlines():
                if line.startswith(f"{PASSWORD_HASH_CPU}_sum"):
                    total += float(line.rsplit(" ", 1)[1])
    return total


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class ProcessUsage:
    """CPU seconds and memory of processes (several workers: their sum), from /proc (Linux)."""

    pids: list[int]
    ticks: int = field(default_factory=lambda: os.sysconf("SC_CLK_TCK"))

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.pids:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / self.ticks

    def memory_mib(self, key: str = "VmRSS") -> float:
        return sum(_status_mib(pid, key) for pid in self.pids)

    def peak_memory_mib(self) -> float:
        """The sum of each process's peak (an upper bound of their peak together)."""
        return self.memory_mib("VmHWM")


def _status_mib(pid: int, key: str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
