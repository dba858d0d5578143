"""What an application must hold to be submitted: the budget table, the organisation's tax
code, the group, the sections; and the protocol number it gets. Pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from stdnum.it import codicefiscale, iva

SECTIONS = ("idea", "need", "novelty", "sustainability", "team", "timeline")
MIN_GROUP = 2  # an informal group: at least two residents


@dataclass(frozen=True)
class BudgetLine:
    what: str
    cents: int


@dataclass(frozen=True)
class Budget:
    total_cents: int  # the grant asked for: the sum of the lines
    cofunding_cents: int  # what the group brings itself
    problems: tuple[str, ...]


def budget(lines: list[BudgetLine], cofunding_cents: int, max_grant_cents: int) -> Budget:
    """Totals computed here, never typed; the grant asked must not exceed the call's maximum."""
    found: list[str] = []
    if not lines:
        found.append("no_lines")
    if any(not line.what.strip() for line in lines):
        found.append("line_without_description")
    if any(line.cents <= 0 for line in lines):
        found.append("line_not_positive")
    if cofunding_cents < 0:
        found.append("cofunding_negative")
    total = sum(line.cents for line in lines)
    if total > max_grant_cents:
        found.append("over_max_grant")
    return Budget(total, cofunding_cents, tuple(found))


def tax_code_problem(text: str) -> str | None:
    """An organisation's codice fiscale (16 characters for a person-run body, 11 digits for an
    entity) or partita IVA, checked with python-stdnum; None when it is valid."""
    value = text.strip().upper().replace(" ", "")
    if len(value) == 16:
        return None if codicefiscale.is_valid(value) else "tax_code_invalid"
    if len(value) == 11 and value.isdigit():
        return (
            None if (iva.is_valid(value) or codicefiscale.is_valid(value)) else "tax_code_invalid"
        )
    return "tax_code_invalid"


def missing_sections(sections: dict[str, str]) -> list[str]:
    return [name for name in SECTIONS if not (sections.get(name) or "").strip()]


def group_problem(confirmed_members: int) -> str | None:
    """The lead plus confirmed members must make at least two residents."""
    return None if confirmed_members + 1 >= MIN_GROUP else "group_too_small"


def protocol_number(prefix: str, year: int, sequence: int) -> str:
    """'SDQ-2025-000042': the call's prefix, the year, the order of arrival."""
    return f"{prefix}-{year}-{sequence:06d}"


def submission_problems(
    *,
    now: datetime,
    deadline: datetime,
    sections: dict[str, str],
    budget_check: Budget,
    group_check: str | None,
) -> list[str]:
    """Everything that stops a submission; the deadline is checked on the server's clock."""
    found: list[str] = []
    if now > deadline:
        found.append("deadline_passed")
    found += [f"section_missing:{name}" for name in missing_sections(sections)]
    found += list(budget_check.problems)
    if group_check:
        found.append(group_check)
    return found
