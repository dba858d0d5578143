"""Pure rules for meetings: places, the waiting list, windows for contributions, codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class MeetingKind(StrEnum):
    PRESENTATION = "presentation"  # an "incontro di presentazione" of a call
    HEARING = "hearing"  # a public hearing ("udienza pubblica")


class MeetingFormat(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class RegistrationMode(StrEnum):
    OFF = "off"  # come along, no registration
    PLATFORM = "platform"
    EXTERNAL = "external"  # registration on another site, by link


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class SpeakerStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


ACCESSIBILITY_SERVICES = ("sign_language", "captioning", "childcare", "step_free", "hearing_loop")

# Registration codes avoid letters and digits that are easily confused (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    """A registration code to read out or type at the door: 8 characters, about 40 bits."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed at the door, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[:32]


@dataclass(frozen=True)
class Places:
    """How full a meeting (and one of its groups) is, counting confirmed registrations."""

    capacity: int  # all places, reserved ones included
    reserved: int  # places kept for guests that staff register
    public_taken: int  # confirmed registrations in public places
    reserved_taken: int  # confirmed registrations in reserved places
    group_capacity: int | None = None  # the chosen breakout group's places, if any
    group_taken: int = 0

    @property
    def public_left(self) -> int:
        return max(0, self.capacity - self.reserved - self.public_taken)

    @property
    def reserved_left(self) -> int:
        return max(0, self.reserved - self.reserved_taken)

    @property
    def group_left(self) -> int | None:
        if self.group_capacity is None:
            return None
        return max(0, self.group_capacity - self.group_taken)

    def has_place(self, *, reserved: bool = False) -> bool:
        """Whether one more person can be confirmed (in a reserved place if ``reserved``)."""
        left = self.reserved_left if reserved else self.public_left
        group_left = self.group_left
        return left > 0 and (group_left is None or group_left > 0)


def contributions_open(
    *, published: bool, ends_at: datetime, days_after: int, now: datetime
) -> bool:
    """Written contributions are taken from publication until N days after the meeting ends."""
    return published and now <= ends_at + timedelta(days=days_after)


def retention_over(*, ends_at: datetime, retention_days: int, now: datetime) -> bool:
    """Whether the registrations' personal data must now be deleted."""
    return now >= ends_at + timedelta(days=retention_days)


def is_over(ends_at: datetime, now: datetime) -> bool:
    return now >= ends_at
