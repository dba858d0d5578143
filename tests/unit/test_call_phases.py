"""The phases of a call on the clock, and what freezes once a call is in use."""

from datetime import UTC, datetime, timedelta

import pytest

from civic.calls.domain import (
    CallStatus,
    PhaseKind,
    StepState,
    TimelineError,
    Window,
    call_status,
    check_timeline,
    frozen_changes,
    has_phase_started,
    is_phase_open,
    open_phases,
    steps,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TIMELINE = [
    Window(PhaseKind.SUBMISSION, T0, T0 + 30 * DAY),
    Window(PhaseKind.SUPPORTS, T0 + 10 * DAY, T0 + 40 * DAY),
    Window(PhaseKind.REVIEW, T0 + 40 * DAY, T0 + 70 * DAY),
    Window(PhaseKind.VOTING, T0 + 80 * DAY, T0 + 95 * DAY),
]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (T0 - timedelta(seconds=1), set()),
        (T0, {PhaseKind.SUBMISSION}),
        (T0 + 15 * DAY, {PhaseKind.SUBMISSION, PhaseKind.SUPPORTS}),
        (T0 + 30 * DAY, {PhaseKind.SUPPORTS}),  # the end is excluded
        (T0 + 75 * DAY, set()),
        (T0 + 80 * DAY, {PhaseKind.VOTING}),
    ],
)
def test_open_phases_follow_the_clock(moment: datetime, expected: set[PhaseKind]) -> None:
    assert open_phases(TIMELINE, moment) == expected


def test_a_phase_the_call_does_not_have_is_never_open() -> None:
    assert not is_phase_open(TIMELINE, PhaseKind.RESULTS, T0 + 100 * DAY)


def test_a_started_phase_stays_started_after_it_ends() -> None:
    assert not has_phase_started(TIMELINE, PhaseKind.REVIEW, T0 + 39 * DAY)
    assert has_phase_started(TIMELINE, PhaseKind.REVIEW, T0 + 90 * DAY)


@pytest.mark.parametrize(
    ("published", "moment", "status"),
    [
        (False, T0 + DAY, CallStatus.DRAFT),
        (True, T0 - DAY, CallStatus.UPCOMING),
        (True, T0 + 75 * DAY, CallStatus.OPEN),  # between phases: still going
        (True, T0 + 95 * DAY, CallStatus.CLOSED),
    ],
)
def test_call_status(published: bool, moment: datetime, status: CallStatus) -> None:
    assert call_status(published, TIMELINE, moment) == status


def test_steps_mark_done_current_and_to_come_in_order() -> None:
    marked = steps(TIMELINE, T0 + 45 * DAY)
    assert [(w.kind, s) for w, s in marked] == [
        (PhaseKind.SUBMISSION, StepState.DONE),
        (PhaseKind.SUPPORTS, StepState.DONE),
        (PhaseKind.REVIEW, StepState.CURRENT),
        (PhaseKind.VOTING, StepState.TODO),
    ]


def test_the_timeline_refuses_inverted_and_repeated_phases() -> None:
    with pytest.raises(TimelineError, match="ends_before_start"):
        check_timeline([Window(PhaseKind.VOTING, T0, T0)])
    with pytest.raises(TimelineError, match="listed_twice"):
        check_timeline([Window(PhaseKind.VOTING, T0, T0 + DAY)] * 2)


RULES = {"kind": "participatory_budget", "total_budget_cents": 100, "area_budgets": {"1": 100}}


def test_nothing_is_frozen_before_the_call_is_in_use() -> None:
    changed = RULES | {"total_budget_cents": 5, "windows": []}
    assert frozen_changes(False, RULES, changed, TIMELINE, T0 + 15 * DAY) == []


def test_budgets_and_areas_freeze_once_in_use() -> None:
    changed = RULES | {"total_budget_cents": 5, "area_budgets": {"2": 5}, "windows": TIMELINE}
    assert frozen_changes(True, RULES, changed, TIMELINE, T0 + 15 * DAY) == [
        "total_budget_cents",
        "area_budgets",
    ]


def test_started_phases_freeze_but_future_ones_may_move() -> None:
    moved_future = [*TIMELINE[:3], Window(PhaseKind.VOTING, T0 + 85 * DAY, T0 + 99 * DAY)]
    assert (
        frozen_changes(True, RULES, RULES | {"windows": moved_future}, TIMELINE, T0 + 15 * DAY)
        == []
    )
    moved_running = [Window(PhaseKind.SUBMISSION, T0, T0 + 60 * DAY), *TIMELINE[1:]]
    assert frozen_changes(
        True, RULES, RULES | {"windows": moved_running}, TIMELINE, T0 + 15 * DAY
    ) == ["phase:submission"]
