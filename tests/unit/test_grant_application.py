"""What a grant application needs before it can be submitted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from civic.grants import application as app
from civic.grants.application import BudgetLine

DEADLINE = datetime(2025, 3, 31, 22, 0, tzinfo=UTC)  # midnight in Rome (CEST)
SECTIONS = {name: "Testo" for name in app.SECTIONS}


def test_the_budget_total_is_computed_and_capped_by_the_maximum_grant() -> None:
    lines = [BudgetLine("Affitto sala", 12_000_00), BudgetLine("Formazione", 18_000_00)]
    ok = app.budget(lines, cofunding_cents=2_000_00, max_grant_cents=30_000_00)
    assert (ok.total_cents, ok.cofunding_cents, ok.problems) == (30_000_00, 2_000_00, ())
    over = app.budget([*lines, BudgetLine("Extra", 1)], 0, 30_000_00)
    assert over.problems == ("over_max_grant",)
    bad = app.budget([BudgetLine(" ", 0)], -1, 30_000_00)
    assert set(bad.problems) == {
        "line_without_description",
        "line_not_positive",
        "cofunding_negative",
    }
    assert app.budget([], 0, 30_000_00).problems == ("no_lines",)


def test_tax_codes_are_checked_with_stdnum() -> None:
    assert app.tax_code_problem("97123450153") is None  # an association's codice fiscale
    assert app.tax_code_problem("RSSMRA85T10A562S") is None
    assert app.tax_code_problem("97123450154") == "tax_code_invalid"  # wrong check digit
    assert app.tax_code_problem("ABC") == "tax_code_invalid"


def test_a_group_needs_two_residents_and_every_section() -> None:
    assert app.group_problem(confirmed_members=0) == "group_too_small"
    assert app.group_problem(confirmed_members=1) is None
    assert app.missing_sections(SECTIONS | {"team": " "}) == ["team"]


def test_submission_is_refused_after_the_deadline_on_the_servers_clock() -> None:
    budget = app.budget([BudgetLine("Sala", 10_000_00)], 0, 30_000_00)
    on_time = app.submission_problems(
        now=DEADLINE, deadline=DEADLINE, sections=SECTIONS, budget_check=budget, group_check=None
    )
    assert on_time == []
    late = app.submission_problems(
        now=DEADLINE + timedelta(seconds=1),
        deadline=DEADLINE,
        sections=SECTIONS | {"idea": ""},
        budget_check=budget,
        group_check="group_too_small",
    )
    assert late == ["deadline_passed", "section_missing:idea", "group_too_small"]


def test_protocol_numbers_are_ordered_and_fixed_width() -> None:
    assert app.protocol_number("SDQ", 2025, 42) == "SDQ-2025-000042"
