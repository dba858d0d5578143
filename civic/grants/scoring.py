"""Jury scoring, exact: weighted totals, agreement between jurors, normalisation, the ranking.

Scores are on a 0-5 scale in half points, kept as whole half-points (0-10) so that every sum
and comparison is exact; "not applicable" is missing, never zero. A criterion's weight is a
whole number; an application's total for a juror is the weighted mean of the criteria scored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from statistics import median

HALF_POINTS_MAX = 10  # 5 points


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: int
    threshold: Fraction = Fraction(0)  # minimum mean score (in points) to stay eligible


def points(half_points: int) -> Fraction:
    return Fraction(half_points, 2)


def check_score(half_points: int | None) -> None:
    """None is "not applicable"; otherwise a whole number of half points from 0 to 10."""
    if half_points is not None and not 0 <= half_points <= HALF_POINTS_MAX:
        raise ValueError("scores go from 0 to 5 in half points")


def weighted_total(
    criteria: Sequence[Criterion], scores: Mapping[str, int | None]
) -> Fraction | None:
    """The weighted mean (in points) of the criteria scored; None if none was scored."""
    given = [(c.weight, score) for c in criteria if (score := scores.get(c.code)) is not None]
    weight = sum(w for w, _score in given)
    if weight == 0:
        return None
    return sum((w * points(score) for w, score in given), Fraction(0)) / weight


@dataclass(frozen=True)
class Summary:
    """One application's scores from its jurors."""

    totals: dict[str, Fraction]  # juror -> weighted total
    mean: Fraction | None
    median: Fraction | None
    spread: Fraction | None  # highest minus lowest
    disagreement: bool
    criterion_means: dict[str, Fraction] = field(default_factory=dict)


def summarise(
    criteria: Sequence[Criterion],
    by_juror: Mapping[str, Mapping[str, int | None]],
    disagreement_spread: Fraction,
) -> Summary:
    totals = {
        juror: total
        for juror, scores in by_juror.items()
        if (total := weighted_total(criteria, scores)) is not None
    }
    values = sorted(totals.values())
    criterion_means: dict[str, Fraction] = {}
    for criterion in criteria:
        given = [
            points(score) for s in by_juror.values() if (score := s.get(criterion.code)) is not None
        ]
        if given:
            criterion_means[criterion.code] = sum(given, Fraction(0)) / len(given)
    if not values:
        return Summary(totals, None, None, None, False, criterion_means)
    spread = values[-1] - values[0]
    return Summary(
        totals,
        sum(values, Fraction(0)) / len(values),
        Fraction(median(values)),
        spread,
        spread > disagreement_spread,
        criterion_means,
    )


def z_scores(totals: Mapping[str, Mapping[str, Fraction]]) -> dict[str, dict[str, float]]:
    """Per juror, each total as a z-score against that juror's own totals (juror -> application
    -> z). A juror who gave everything the same mark, or scored one application, gives 0."""
    found: dict[str, dict[str, float]] = {}
    for juror, given in totals.items():
        values = [float(v) for v in given.values()]
        mean = sum(values) / len(values) if values else 0.0
        variance = sum((v - mean) ** 2 for v in values) / len(values) if values else 0.0
        deviation = math.sqrt(variance)
        found[juror] = {
            application: (float(value) - mean) / deviation if deviation > 0 else 0.0
            for application, value in given.items()
        }
    return found


def normalised(z: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """Each application's mean z-score over the jurors who scored it."""
    sums: dict[str, list[float]] = {}
    for given in z.values():
        for application, value in given.items():
            sums.setdefault(application, []).append(value)
    return {application: sum(v) / len(v) for application, v in sums.items()}


def krippendorff_alpha(units: Iterable[Sequence[float]]) -> float | None:
    """Agreement between jurors (interval data, missing values allowed): 1 is perfect, 0 is
    chance. ``units``: for each application, the totals its jurors gave. None when there is
    not enough to say (fewer than two pairable values, or no variation at all)."""
    pairable = [list(values) for values in units if len(values) >= 2]
    n = sum(len(values) for values in pairable)
    if n < 2:
        return None
    observed = (
        sum(
            sum((a - b) ** 2 for i, a in enumerate(values) for j, b in enumerate(values) if i != j)
            / (len(values) - 1)
            for values in pairable
        )
        / n
    )
    every = [value for values in pairable for value in values]
    expected = sum(
        (a - b) ** 2 for i, a in enumerate(every) for j, b in enumerate(every) if i != j
    ) / (n * (n - 1))
    if expected == 0:
        return None
    return 1 - observed / expected


@dataclass(frozen=True)
class Candidate:
    application: str
    score: Fraction | float  # raw weighted mean, or normalised
    requested_cents: int
    criterion_means: dict[str, Fraction]
    overall_mean: Fraction | None
    tie_key: tuple[object, ...] = ()  # the published tie-break, smaller first


@dataclass(frozen=True)
class Ranking:
    order: list[str]  # eligible applications, best first
    funded: list[str]
    reserve: list[str]
    below_threshold: list[str]
    funding_line_after: int  # how many are above the line


def rank(
    candidates: Sequence[Candidate],
    criteria: Sequence[Criterion],
    overall_threshold: Fraction,
    budget_cents: int,
) -> Ranking:
    """Thresholds first (every criterion's mean and the overall mean), then the score, then the
    published tie-break; funded down the list until the budget runs out, the rest in reserve."""
    eligible: list[Candidate] = []
    below: list[str] = []
    for candidate in candidates:
        overall = candidate.overall_mean
        fails = (
            overall is None
            or overall < overall_threshold
            or any(
                candidate.criterion_means.get(c.code, Fraction(0)) < c.threshold
                for c in criteria
                if c.threshold > 0
            )
        )
        (below.append(candidate.application) if fails else eligible.append(candidate))
    eligible.sort(key=lambda c: (-c.score, c.tie_key, c.application))
    funded: list[str] = []
    reserve: list[str] = []
    left = budget_cents
    line_drawn = False
    for candidate in eligible:
        if not line_drawn and candidate.requested_cents <= left:
            funded.append(candidate.application)
            left -= candidate.requested_cents
        else:
            line_drawn = True  # the line is drawn where the money runs out
            reserve.append(candidate.application)
    return Ranking([c.application for c in eligible], funded, reserve, below, len(funded))
