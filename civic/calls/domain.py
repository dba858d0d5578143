"""Pure rules of calls: kinds, phases on the clock, what freezes once a call is in use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CallKind(StrEnum):
    PARTICIPATORY_BUDGET = "participatory_budget"
    CROWDFUNDING = "crowdfunding"
    GRANTS = "grants"
    HEARINGS = "hearings"


class PhaseKind(StrEnum):
    """The steps of a call, in the order they are drawn. Windows may overlap (supports are often
    collected while submissions are still open)."""

    SUBMISSION = "submission"
    SUPPORTS = "supports"
    REVIEW = "review"
    VOTING = "voting"
    RESULTS = "results"
    EXECUTION = "execution"


PHASE_ORDER: tuple[PhaseKind, ...] = tuple(PhaseKind)


class CallStatus(StrEnum):
    """Where a call stands for the public, derived from the clock."""

    DRAFT = "draft"  # not published
    UPCOMING = "upcoming"  # published, no phase started yet
    OPEN = "open"  # some phase is running or still to come
    CLOSED = "closed"  # every phase has ended


@dataclass(frozen=True)
class Window:
    """A phase's span: from ``starts_at`` (included) to ``ends_at`` (excluded), aware datetimes."""

    kind: PhaseKind
    starts_at: datetime
    ends_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now


class TimelineError(ValueError):
    """A timeline that cannot be: a phase ending before it starts, or listed twice."""


def check_timeline(windows: list[Window]) -> None:
    """Refuse empty, inverted or repeated phases."""
    seen: set[PhaseKind] = set()
    for window in windows:
        if window.starts_at.tzinfo is None or window.ends_at.tzinfo is None:
            raise TimelineError("phase times must be aware datetimes")
        if window.ends_at <= window.starts_at:
            raise TimelineError(f"the {window.kind} phase ends before it starts")
        if window.kind in seen:
            raise TimelineError(f"the {window.kind} phase is listed twice")
        seen.add(window.kind)


def open_phases(windows: list[Window], now: datetime) -> set[PhaseKind]:
    """The phases running at ``now``."""
    return {w.kind for w in windows if w.is_open(now)}


def is_phase_open(windows: list[Window], kind: PhaseKind, now: datetime) -> bool:
    """Whether the ``kind`` phase is running at ``now`` (False if the call has no such phase)."""
    return kind in open_phases(windows, now)


def has_phase_started(windows: list[Window], kind: PhaseKind, now: datetime) -> bool:
    """Whether the ``kind`` phase has begun (it may have ended)."""
    return any(w.kind is kind and w.has_started(now) for w in windows)


def call_status(published: bool, windows: list[Window], now: datetime) -> CallStatus:
    """Draft, upcoming, open or closed, from the clock."""
    if not published:
        return CallStatus.DRAFT
    if not windows or all(now < w.starts_at for w in windows):
        return CallStatus.UPCOMING
    if all(w.ends_at <= now for w in windows):
        return CallStatus.CLOSED
    return CallStatus.OPEN


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    TODO = "todo"


def steps(windows: list[Window], now: datetime) -> list[tuple[Window, StepState]]:
    """The timeline in phase order, each marked done, current or still to come."""
    ordered = sorted(windows, key=lambda w: (w.starts_at, PHASE_ORDER.index(w.kind)))
    result = []
    for window in ordered:
        if window.ends_at <= now:
            state = StepState.DONE
        elif window.starts_at <= now:
            state = StepState.CURRENT
        else:
            state = StepState.TODO
        result.append((window, state))
    return result


def frozen_changes(
    in_use: bool,
    old: dict[str, object],
    new: dict[str, object],
    windows_before: list[Window],
    now: datetime,
) -> list[str]:
    """The rules a change would touch although the call is in use (has a proposal or ballot).

    Frozen once in use: budgets, eligible areas, kind, and any phase that has already started
    (its start, or its end once it is running). Titles, descriptions and documents stay free.
    """
    if not in_use:
        return []
    touched = [
        name
        for name in ("kind", "total_budget_cents", "area_budgets", "support_threshold")
        if old.get(name) != new.get(name)
    ]
    new_windows = {w.kind: w for w in new.get("windows", [])}  # type: ignore[attr-defined]
    for window in windows_before:
        if not window.has_started(now):
            continue
        changed = new_windows.get(window.kind)
        if (
            changed is None
            or changed.starts_at != window.starts_at
            or changed.ends_at != window.ends_at
        ):
            touched.append(f"phase:{window.kind}")
    return touched
