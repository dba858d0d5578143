"""Pure rules of voting: ballot kinds and their validation, receipts, coarse times."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class BallotKind(StrEnum):
    APPROVAL = "approval"  # choose between min and max projects
    KNAPSACK = "knapsack"  # choose projects whose total cost fits the area's budget
    CUMULATIVE = "cumulative"  # spread N points
    RANKED = "ranked"  # up to K projects in order
    SINGLE = "single"  # exactly one project ("vote for one", Pabulib's choose-1)


@dataclass(frozen=True)
class BallotRules:
    kind: BallotKind
    min_choices: int = 1
    max_choices: int = 0  # 0: no maximum
    points: int = 0  # cumulative: points to spread
    max_ranked: int = 3  # ranked: how many projects may be ranked
    budget_cents: int = 0  # knapsack: the area's budget


class Problem(StrEnum):
    EMPTY = "empty"
    UNKNOWN_PROJECT = "unknown_project"
    REPEATED = "repeated"
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    OVER_BUDGET = "over_budget"
    NEGATIVE_POINTS = "negative_points"
    POINTS_NOT_ALL_USED = "points_not_all_used"
    TOO_MANY_POINTS = "too_many_points"


@dataclass(frozen=True)
class Tally:
    """What the voter has chosen so far: shown beside the ballot as they choose."""

    count: int
    cost_cents: int
    points: int


def measure(choices: dict[int, int], costs: dict[int, int]) -> Tally:
    """Count, cost and points of a ballot (choices: project id -> points, or rank, or 1)."""
    chosen = [p for p, v in choices.items() if v > 0]
    return Tally(
        len(chosen), sum(costs.get(p, 0) for p in chosen), sum(max(v, 0) for v in choices.values())
    )


def problems(rules: BallotRules, choices: dict[int, int], costs: dict[int, int]) -> list[Problem]:
    """What is wrong with a ballot; empty when it can be cast.

    ``choices`` maps project ids to 1 (approval, knapsack), to points (cumulative) or to the
    rank given, 1 being the first (ranked). Zero means not chosen.
    """
    found: list[Problem] = []
    if any(p not in costs for p in choices):
        found.append(Problem.UNKNOWN_PROJECT)
    if any(v < 0 for v in choices.values()):
        found.append(Problem.NEGATIVE_POINTS)
    chosen = {p: v for p, v in choices.items() if v > 0}
    if not chosen:
        return [*found, Problem.EMPTY]
    tally = measure(chosen, costs)
    if rules.kind is BallotKind.SINGLE:
        if tally.count > 1:
            found.append(Problem.TOO_MANY)
    elif rules.kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        if tally.count < rules.min_choices:
            found.append(Problem.TOO_FEW)
        if rules.max_choices and tally.count > rules.max_choices:
            found.append(Problem.TOO_MANY)
        if rules.kind is BallotKind.KNAPSACK and tally.cost_cents > rules.budget_cents:
            found.append(Problem.OVER_BUDGET)
    elif rules.kind is BallotKind.CUMULATIVE:
        if tally.points > rules.points:
            found.append(Problem.TOO_MANY_POINTS)
        elif tally.points < rules.points:
            found.append(Problem.POINTS_NOT_ALL_USED)
    else:
        ranks = sorted(chosen.values())
        if len(set(ranks)) != len(ranks):
            found.append(Problem.REPEATED)
        if len(ranks) > rules.max_ranked:
            found.append(Problem.TOO_MANY)
        elif ranks != list(range(1, len(ranks) + 1)) and Problem.REPEATED not in found:
            found.append(Problem.TOO_FEW)  # a gap: ranks must be 1, 2, 3 ... in order
        if len(ranks) < rules.min_choices:
            found.append(Problem.TOO_FEW)
    return list(dict.fromkeys(found))


def as_points(rules: BallotRules, choices: dict[int, int]) -> list[tuple[int, int]]:
    """The ballot as (project, points) pairs for the tally: ranks become positional points."""
    chosen = {p: v for p, v in choices.items() if v > 0}
    if rules.kind is BallotKind.RANKED:
        return [
            (p, rules.max_ranked + 1 - rank)
            for p, rank in sorted(chosen.items(), key=lambda kv: kv[1])
        ]
    if rules.kind is BallotKind.CUMULATIVE:
        return sorted(chosen.items())
    return [(p, 1) for p in sorted(chosen)]


def new_receipt() -> str:
    """A secret code the voter keeps to change their ballot: 20 characters, 100 bits."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def receipt_hash(key: str, receipt: str, voter: int) -> str:
    """What is stored instead of the receipt: a keyed hash of the code and its voter together,
    so only that voter with their own code finds the ballot, and the hash names neither."""
    normalised = receipt.strip().upper().replace(" ", "")
    message = f"receipt:{voter}:{normalised}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def normalised(rules: BallotRules, choices: dict[int, int]) -> dict[int, int]:
    """The ballot as it is sealed: only what was chosen, and on approval ballots every choice
    weighs 1 whatever number was sent."""
    chosen = {p: v for p, v in choices.items() if v > 0}
    if rules.kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK, BallotKind.SINGLE):
        return dict.fromkeys(chosen, 1)
    return chosen


def coarse(moment: datetime) -> datetime:
    """Times kept with ballots and the roll: the day only, so the two cannot be matched by time."""
    utc = moment.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, tzinfo=UTC)


def areas_open_to(
    own_area: int | None, eligible: list[int], extra_areas: int, chosen: list[int]
) -> bool:
    """Whether a resident of ``own_area`` may vote in all of ``chosen`` areas: their own, plus up
    to ``extra_areas`` others among the call's eligible ones."""
    if own_area is None or own_area not in eligible:
        return False
    others = [a for a in chosen if a != own_area]
    return all(a in eligible for a in chosen) and len(set(others)) <= extra_areas
