"""Pure rules for accounts: roles, the password policy, e-mail normalisation, sign-in locks."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Role(StrEnum):
    """What a person may do. Every account is a citizen; the others are granted."""

    CITIZEN = "citizen"
    ORGANISATION_MEMBER = "organisation_member"
    JUROR = "juror"
    STAFF = "staff"
    ADMIN = "admin"


GRANTABLE_ROLES: tuple[Role, ...] = (
    Role.ORGANISATION_MEMBER,
    Role.JUROR,
    Role.STAFF,
    Role.ADMIN,
)

LANGUAGES = ("it", "en")

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128  # argon2 hashes anything, but a cap keeps a request cheap

# Passwords often seen in leaks that are long enough to pass the length rule.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "12345678910",
        "123456789a",
        "0123456789",
        "1q2w3e4r5t",
        "qwertyuiop",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "abcdefghij",
        "abc1234567",
        "qwerty1234",
        "qwerty12345",
        "asdfghjkl1",
        "1qaz2wsx3edc",
        "zaq12wsxcde",
        "football12",
        "princess12",
        "sunshine12",
        "welcome123",
        "letmein123",
        "admin12345",
        "administrator",
        "changeme123",
        "trustno1234",
        "passwordpassword",
        "juventus123",
        "forzainter",
        "forzamilan",
        "ciaociao123",
        "milano1234",
    }
)


class PasswordProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_COMMON = "too_common"
    TOO_SIMPLE = "too_simple"
    CONTAINS_EMAIL = "contains_email"


def password_problems(password: str, email: str | None = None) -> list[PasswordProblem]:
    """What is wrong with a new password; an empty list means it is acceptable."""
    problems: list[PasswordProblem] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(PasswordProblem.TOO_LONG)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        problems.append(PasswordProblem.TOO_COMMON)
    if len(set(password)) < 4:
        problems.append(PasswordProblem.TOO_SIMPLE)
    if email:
        local = email.split("@", 1)[0].lower()
        if len(local) >= 4 and local in lowered:
            problems.append(PasswordProblem.CONTAINS_EMAIL)
    return problems


def normalise_email(email: str) -> str:
    """Addresses compare without case and surrounding spaces."""
    return email.strip().lower()


def lock_until(
    failures: int, last_failure: datetime, free_failures: int, max_minutes: int
) -> datetime | None:
    """When a run of failed sign-ins stops blocking new attempts, or None if it does not block.

    The first ``free_failures`` cost nothing; then each failure doubles the wait (1, 2, 4 ...
    minutes) up to ``max_minutes``.
    """
    if failures < free_failures:
        return None
    minutes = min(2 ** (failures - free_failures), max_minutes)
    return last_failure + timedelta(minutes=minutes)
