"""The benchmark's readings of a history: billable actions and how late timers were acted on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import (
    ActivityTaskStartedEventAttributes,
    HistoryEvent,
    MarkerRecordedEventAttributes,
    TimerFiredEventAttributes,
    TimerStartedEventAttributes,
)
from temporalio.client import WorkflowHistory

from bench.measures import billable_actions, timer_lateness_seconds

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def event(kind: EventType.ValueType, seconds: float, **attributes) -> HistoryEvent:
    when = Timestamp()
    when.FromDatetime(START + timedelta(seconds=seconds))
    return HistoryEvent(event_type=kind, event_time=when, **attributes)


def timer_started(seconds: float, timer_id: str, duration_s: int) -> HistoryEvent:
    attributes = TimerStartedEventAttributes(timer_id=timer_id, start_to_fire_timeout=Duration(seconds=duration_s))
    return event(EventType.EVENT_TYPE_TIMER_STARTED, seconds, timer_started_event_attributes=attributes)


def timer_fired(seconds: float, timer_id: str) -> HistoryEvent:
    return event(EventType.EVENT_TYPE_TIMER_FIRED, seconds,
                 timer_fired_event_attributes=TimerFiredEventAttributes(timer_id=timer_id))


def task_completed(seconds: float) -> HistoryEvent:
    return event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, seconds)


def test_timers_are_late_by_when_the_workflow_task_after_them_completed():
    history = WorkflowHistory("journey", [
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 0),
        task_completed(1),
        timer_started(1, "1", 60),
        timer_fired(60.5, "1"),  # fired half a second late by the server...
        task_completed(63),      # ...acted on three seconds late by the worker
        timer_started(63, "2", 1800),
        timer_fired(1863, "2"),
        task_completed(1863.25),
    ])
    assert timer_lateness_seconds(history) == [(timedelta(seconds=60), 2.0),
                                               (timedelta(seconds=1800), 0.25)]


def test_a_timer_cancelled_or_still_running_is_not_counted():
    history = WorkflowHistory("journey", [
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 0),
        timer_started(1, "1", 60),
        task_completed(2),
    ])
    assert timer_lateness_seconds(history) == []


def test_billable_actions_count_local_activities_of_one_task_once_and_each_activity_attempt():
    def marker(task_id: int) -> HistoryEvent:
        attributes = MarkerRecordedEventAttributes(workflow_task_completed_event_id=task_id)
        return event(EventType.EVENT_TYPE_MARKER_RECORDED, 1, marker_recorded_event_attributes=attributes)

    history = WorkflowHistory("journey", [
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 0),         # 1
        event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, 0),  # 1
        marker(4), marker(4),                                               # 1: one task's local activities
        marker(9),                                                          # 1
        timer_started(1, "1", 60),                                          # 1
        event(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, 1),   # 1
        event(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, 2, activity_task_started_event_attributes=(
            ActivityTaskStartedEventAttributes(attempt=3))),                # 3: each attempt
        task_completed(2),                                                  # 0
    ])
    assert billable_actions(history) == 9


def test_open_mode_codes_outlast_the_opening_of_every_journey():
    """`bench open` sizes its codes' validity from the opening rate of the size before, so that no
    code expires before the last journey is open; a validity given is kept."""
    from types import SimpleNamespace

    from bench.modes import MIN_CODE_VALIDITY_S, VALIDITY_MARGIN, code_validity_s

    auto = SimpleNamespace(code_validity_s=None)
    assert code_validity_s(auto, 20_000, opening_rate=16.0) == round(VALIDITY_MARGIN * 1250)
    assert code_validity_s(auto, 20_000, opening_rate=16.0) > 20_000 / 16.0
    assert code_validity_s(auto, 100, opening_rate=16.0) == MIN_CODE_VALIDITY_S
    assert code_validity_s(SimpleNamespace(code_validity_s=1800), 20_000, opening_rate=16.0) == 1800
