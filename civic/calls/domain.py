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
    """A timeline that cannot be; ``code`` says why and ``kind`` names the phase at fault."""

    def __init__(self, code: str, kind: PhaseKind | None = None) -> None:
        super().__init__(f"{code}: {kind}" if kind else code)
        self.code, self.kind = code, kind


# A phase that must wait for another to end: voting opens only once submissions have closed,
# and results come after the vote. Supports may overlap submissions.
AFTER: dict[PhaseKind, PhaseKind] = {
    PhaseKind.VOTING: PhaseKind.SUBMISSION,
    PhaseKind.RESULTS: PhaseKind.VOTING,
}


def check_timeline(windows: list[Window]) -> None:
    """Refuse empty, inverted, repeated or out-of-order phases."""
    seen: dict[PhaseKind, Window] = {}
    for window in windows:
        if window.starts_at.tzinfo is None or window.ends_at.tzinfo is None:
            raise TimelineError("naive_times", window.kind)
        if window.ends_at <= window.starts_at:
            raise TimelineError("ends_before_start", window.kind)
        if window.kind in seen:
            raise TimelineError("listed_twice", window.kind)
        seen[window.kind] = window
    for later, earlier in AFTER.items():
        if later in seen and earlier in seen and seen[later].starts_at < seen[earlier].ends_at:
            raise TimelineError(f"{later}_before_{earlier}_ends", later)


def written_by(windows: list[Window], now: datetime) -> datetime:
    """When a call with these phases was written at the latest: before its first phase (the
    demo and the tests build calls already under way, as if made in time)."""
    return min([now, *(w.starts_at for w in windows)])


def check_new_timeline(windows: list[Window], today_starts: datetime, horizon: datetime) -> None:
    """A call being created: no phase starts before today, and none ends past ``horizon``."""
    check_timeline(windows)
    for window in windows:
        if window.starts_at < today_starts:
            raise TimelineError("in_the_past", window.kind)
        if window.ends_at > horizon:
            raise TimelineError("too_far", window.kind)


def open_phases(windows: list[Window], now: datetime) -> set[PhaseKind]:
    """The phases running at ``now``."""
    return {w.kind for w in windows if w.is_open(now)}


def is_phase_open(windows: list[Window], kind: PhaseKind, now: datetime) -> bool:
    """Whether the ``kind`` phase is running at ``now`` (False if the call has no such phase)."""
    return kind in open_phases(windows, now)


def has_phase_started(windows: list[Window], kind: PhaseKind, now: datetime) -> bool:
    """Whether the ``kind`` phase has begun (it may have ended)."""
    return any(w.kind is kind and w.has_started(now) for w in windows)


def card_moment(windows: list[Window], now: datetime) -> tuple[str, Window] | None:
    """What a call's card says of its timeline: the phase running now (and until when), or
    the next one to start ("now" or "next", with its window); None once all have ended."""
    running = [w for w in windows if w.is_open(now)]
    if running:
        return "now", min(running, key=lambda w: w.ends_at)
    upcoming = [w for w in windows if w.starts_at > now]
    return ("next", min(upcoming, key=lambda w: w.starts_at)) if upcoming else None


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


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def unmoved_kept(before: list[Window], sent: list[Window]) -> list[Window]:
    """The phases as sent by the edit form, which shows times to the minute: a time sent as the
    form showed it keeps its stored value, seconds included, so that saving a text does not
    move a phase (nor look like moving one); any other time is taken as sent."""
    stored = {w.kind: w for w in before}
    kept = []
    for window in sent:
        old = stored.get(window.kind)
        if old is None:
            kept.append(window)
            continue
        starts = old.starts_at if _minute(old.starts_at) == window.starts_at else window.starts_at
        ends = old.ends_at if _minute(old.ends_at) == window.ends_at else window.ends_at
        kept.append(Window(window.kind, starts, ends))
    return kept


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
