"""Execution tracking rules: which reports of progress are accepted."""

from __future__ import annotations

from datetime import date

import pytest

from civic.core.money import MAX_AMOUNT_CENTS
from civic.execution.domain import (
    ExecutionRefused,
    Progress,
    Status,
    changed_fields,
    check_milestone,
    check_progress,
)

PLANNED = Progress(Status.PLANNED, 0, 0, 0)
RUNNING = Progress(Status.IN_PROGRESS, 40, 10_000_00, 4_000_00)


@pytest.mark.parametrize(
    ("before", "after", "code"),
    [
        (RUNNING, Progress(Status.IN_PROGRESS, 101, 10_000_00, 0), "percent_range"),
        (RUNNING, Progress(Status.IN_PROGRESS, -1, 10_000_00, 0), "percent_range"),
        (RUNNING, Progress(Status.IN_PROGRESS, 50, -1, 0), "amount_range"),
        (RUNNING, Progress(Status.IN_PROGRESS, 50, MAX_AMOUNT_CENTS + 1, 0), "amount_range"),
        (RUNNING, Progress(Status.IN_PROGRESS, 50, 100, 101), "spent_over_committed"),
        (RUNNING, Progress(Status.COMPLETED, 99, 10_000_00, 4_000_00), "completed_not_full"),
        (RUNNING, Progress(Status.PLANNED, 40, 10_000_00, 4_000_00), "planned_has_progress"),
        (RUNNING, RUNNING, "nothing_changed"),
        (
            Progress(Status.COMPLETED, 100, 1, 1),
            Progress(Status.IN_PROGRESS, 90, 1, 1),
            "status_move",
        ),
        (Progress(Status.CANCELLED, 0, 0, 0), PLANNED, "status_move"),
    ],
)
def test_a_report_that_breaks_a_rule_is_refused_with_its_reason(
    before: Progress, after: Progress, code: str
) -> None:
    with pytest.raises(ExecutionRefused) as refused:
        check_progress(before, after)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (PLANNED, Progress(Status.IN_PROGRESS, 0, 5_000_00, 0)),
        (PLANNED, Progress(Status.CANCELLED, 0, 0, 0)),
        (PLANNED, Progress(Status.COMPLETED, 100, 5_000_00, 5_000_00)),  # a small job, done
        (RUNNING, Progress(Status.COMPLETED, 100, 10_000_00, 10_000_00)),
        (RUNNING, Progress(Status.CANCELLED, 40, 10_000_00, 4_000_00)),
        (RUNNING, Progress(Status.IN_PROGRESS, 30, 10_000_00, 4_000_00)),  # a correction down
        (RUNNING, Progress(Status.PLANNED, 0, 0, 0)),  # started by mistake
    ],
)
def test_reports_within_the_rules_pass(before: Progress, after: Progress) -> None:
    check_progress(before, after)


def test_changed_fields_name_what_moved_in_a_fixed_order() -> None:
    after = Progress(Status.COMPLETED, 100, 10_000_00, 9_000_00)
    assert changed_fields(RUNNING, after) == ["status", "percent", "spent_cents"]
    assert changed_fields(RUNNING, RUNNING) == []


def test_a_milestone_needs_a_title_and_a_date() -> None:
    check_milestone("Inizio lavori", date(2027, 1, 1))
    for title, when, code in [
        ("  ", date(2027, 1, 1), "milestone_title"),
        ("x" * 201, date(2027, 1, 1), "milestone_title"),
        ("Inizio lavori", None, "milestone_date"),
    ]:
        with pytest.raises(ExecutionRefused) as refused:
            check_milestone(title, when)
        assert refused.value.code == code
