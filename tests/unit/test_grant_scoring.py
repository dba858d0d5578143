"""Grant scoring and the application's states, as pure rules."""

from __future__ import annotations

from fractions import Fraction

import pytest

from civic.grants import scoring, states
from civic.grants.scoring import Candidate, Criterion

CRITERIA = [
    Criterion("need", 3, threshold=Fraction(2)),
    Criterion("novelty", 2),
    Criterion("sustainability", 1),
]


def test_the_weighted_total_is_exact_and_not_applicable_is_missing_not_zero() -> None:
    # 4.5, 3 and 2 points weighted 3:2:1 -> (13.5 + 6 + 2) / 6 = 43/12.
    assert scoring.weighted_total(CRITERIA, {"need": 9, "novelty": 6, "sustainability": 4}) == (
        Fraction(43, 12)
    )
    # Sustainability not applicable: the mean of the other two, not a zero dragging it down.
    assert scoring.weighted_total(CRITERIA, {"need": 9, "novelty": 6, "sustainability": None}) == (
        Fraction(39, 10)
    )
    assert scoring.weighted_total(CRITERIA, {"need": None}) is None


def test_scores_are_half_points_from_zero_to_five() -> None:
    scoring.check_score(10)
    scoring.check_score(None)
    for bad in (-1, 11):
        with pytest.raises(ValueError, match="half points"):
            scoring.check_score(bad)


def test_mean_median_spread_and_the_disagreement_flag() -> None:
    by_juror = {
        "anna": {"need": 10, "novelty": 10, "sustainability": 10},  # 5
        "bruno": {"need": 6, "novelty": 6, "sustainability": 6},  # 3
        "carla": {"need": 8, "novelty": 8, "sustainability": 8},  # 4
    }
    summary = scoring.summarise(CRITERIA, by_juror, disagreement_spread=Fraction(3, 2))
    assert (summary.mean, summary.median, summary.spread) == (4, 4, 2)
    assert summary.disagreement
    assert summary.criterion_means["need"] == 4
    calm = scoring.summarise(CRITERIA, by_juror, disagreement_spread=Fraction(2))
    assert not calm.disagreement  # above the set spread only


def test_z_scores_take_out_a_jurors_own_severity() -> None:
    totals = {
        "strict": {"a": Fraction(1), "b": Fraction(2), "c": Fraction(3)},
        "generous": {"a": Fraction(3), "b": Fraction(4), "c": Fraction(5)},
        "flat": {"a": Fraction(4), "b": Fraction(4)},
    }
    z = scoring.z_scores(totals)
    assert z["strict"] == pytest.approx(z["generous"])  # the same judgement, shifted
    assert z["strict"]["a"] == pytest.approx(-1.2247, abs=1e-4)
    assert z["flat"] == {"a": 0.0, "b": 0.0}
    assert scoring.normalised(z)["c"] == pytest.approx(1.2247, abs=1e-4)


def test_krippendorffs_alpha_is_one_for_perfect_agreement_and_low_for_none() -> None:
    assert scoring.krippendorff_alpha([[1, 1], [3, 3], [5, 5]]) == pytest.approx(1.0)
    assert scoring.krippendorff_alpha([[1, 5], [5, 1], [3, 3]]) < 0.1
    assert scoring.krippendorff_alpha([[2, 2], [2, 2]]) is None  # no variation to agree on
    assert scoring.krippendorff_alpha([[4]]) is None  # nothing pairable
    # Missing values: an application scored by one juror only does not count.
    assert scoring.krippendorff_alpha([[1, 1], [5, 5], [3]]) == pytest.approx(1.0)


def _candidate(name: str, score: str, requested: int, need: int = 4, **kw: object) -> Candidate:
    return Candidate(
        name,
        Fraction(score),
        requested,
        {"need": Fraction(need)},
        Fraction(score),
        **kw,  # type: ignore[arg-type]
    )


def test_the_ranking_applies_thresholds_then_draws_the_funding_line() -> None:
    candidates = [
        _candidate("low-need", "4.8", 10_000_00, need=1),  # fails the criterion threshold
        _candidate("a", "4.5", 30_000_00),
        _candidate("b", "4.2", 25_000_00),
        _candidate("c", "4.0", 10_000_00),  # fits the money left but is under the line
        _candidate("weak", "1.5", 5_000_00),  # fails the overall threshold
    ]
    ranking = scoring.rank(candidates, CRITERIA, Fraction(2), budget_cents=56_000_00)
    assert ranking.order == ["a", "b", "c"]
    assert ranking.funded == ["a", "b"]
    assert ranking.reserve == ["c"]  # the line is drawn where the money runs out
    assert sorted(ranking.below_threshold) == ["low-need", "weak"]
    assert ranking.funding_line_after == 2


def test_ties_follow_the_published_tie_break() -> None:
    tied = [
        _candidate("late", "4", 1_000_00, tie_key=(2,)),
        _candidate("early", "4", 1_000_00, tie_key=(1,)),
    ]
    assert scoring.rank(tied, CRITERIA, Fraction(0), 10_000_00).order == ["early", "late"]


def test_the_application_states_allow_only_the_published_moves() -> None:
    state = states.move("draft", states.State.SUBMITTED)
    state = states.move(state, states.State.FORMAL_CHECK)
    state = states.move(state, states.State.INTEGRATION_REQUESTED)
    state = states.move(state, states.State.FORMAL_CHECK)
    state = states.move(state, states.State.UNDER_REVIEW)
    assert states.move(state, states.State.RANKED) == "ranked"
    with pytest.raises(states.IllegalMove):
        states.move("submitted", states.State.FUNDED)
    with pytest.raises(states.IllegalMove):
        states.move("inadmissible", states.State.FORMAL_CHECK)
    assert states.State.CLOSED in states.FINAL
    assert states.State.INTEGRATION_REQUESTED in states.EDITABLE
