from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.domain import PasswordProblem, lock_until, normalise_email, password_problems


def test_a_long_varied_password_passes() -> None:
    assert password_problems("Tall-Lantern-Mist-42", "lucia@example.org") == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1A!", PasswordProblem.TOO_SHORT),
        ("x" * 129 + "abcd", PasswordProblem.TOO_LONG),
        ("password123", PasswordProblem.TOO_COMMON),
        ("Qwertyuiop", PasswordProblem.TOO_COMMON),
        ("aaaaaaaaaaaa", PasswordProblem.TOO_SIMPLE),
        ("lucia.bianchi-2026", PasswordProblem.CONTAINS_EMAIL),
    ],
)
def test_weak_passwords_are_named(password: str, problem: PasswordProblem) -> None:
    assert problem in password_problems(password, "lucia.bianchi@example.org")


def test_emails_compare_without_case_or_spaces() -> None:
    assert normalise_email("  Lucia@Example.ORG ") == "lucia@example.org"


NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def test_first_failures_do_not_lock() -> None:
    assert lock_until(4, NOW, free_failures=5, max_minutes=60) is None


def test_lock_doubles_with_each_further_failure_up_to_the_cap() -> None:
    assert lock_until(5, NOW, 5, 60) == NOW + timedelta(minutes=1)
    assert lock_until(6, NOW, 5, 60) == NOW + timedelta(minutes=2)
    assert lock_until(8, NOW, 5, 60) == NOW + timedelta(minutes=8)
    assert lock_until(30, NOW, 5, 60) == NOW + timedelta(minutes=60)
