"""Every rule a Pabulib file names runs as defined, or is refused by name; never a substitute."""

from __future__ import annotations

from fractions import Fraction

import pytest

from civic.voting.rules import Ballot, Election, Project
from civic.voting.rules.election import Limits
from civic.voting.rules.greedy_steps import greedy_with_reserve
from civic.voting.rules.meta import RuleError, rule_from_meta, tally

POZNAN = (
    "#1: This special greedy rule works as follows: fund the most voted until the next does "
    "not fit. Finally, if the remaining budget is enough to fund at least 80% of that project, "
    "we fund it as well with the external reserve funds."
)


def election(
    budget: int,
    costs: dict[str, int],
    votes: dict[str, int],
    *,
    rule: str = "greedy",
    threshold: int | None = None,
    comment: str = "",
) -> Election:
    """One ballot group per project, weighted by its votes."""
    meta = {"rule": rule, **({"comment": comment} if comment else {})}
    return Election(
        budget=budget,
        projects={p: Project(p, c) for p, c in costs.items()},
        ballots=[Ballot(((p, 1),), n) for p, n in votes.items()],
        meta=meta,
        limits=Limits(min_project_score_threshold=threshold),
    )


def test_a_rule_name_civic_does_not_know_is_an_error_that_names_it() -> None:
    with pytest.raises(RuleError, match="'borda-greedy'"):
        tally(election(100, {"A": 10}, {"A": 1}, rule="borda-greedy"))


def test_unknown_runs_greedy_and_says_so() -> None:
    outcome = tally(election(100, {"A": 60, "B": 50}, {"A": 5, "B": 4}, rule="unknown"))
    assert (outcome.rule, outcome.named) == ("greedy", "unknown")
    assert outcome.winners == ["A"]
    assert "greedy ran" in outcome.note


def test_a_missing_rule_counts_as_unknown() -> None:
    assert rule_from_meta({}) == "unknown"


@pytest.mark.parametrize(
    "rule", ["greedy", "greedy-no-skip", "greedy-threshold", "greedy-exclusive", "greedy-custom"]
)
def test_every_greedy_variant_honours_the_score_threshold(rule: str) -> None:
    # B fits but has 2 votes, under the threshold of 3.
    made = election(
        100, {"A": 40, "B": 10}, {"A": 9, "B": 2}, rule=rule, threshold=3, comment=POZNAN
    )
    outcome = tally(made)
    assert outcome.winners == ["A"]
    assert outcome.results["B"].reason == "below_threshold"


def test_greedy_threshold_without_a_threshold_is_refused() -> None:
    with pytest.raises(RuleError, match="min_project_score_threshold"):
        tally(election(100, {"A": 40}, {"A": 9}, rule="greedy-threshold"))


def test_greedy_exclusive_states_its_rule_and_what_could_not_be_applied() -> None:
    outcome = tally(election(100, {"A": 40}, {"A": 9}, rule="greedy-exclusive"))
    assert outcome.rule == "greedy-exclusive"
    assert "exclude each other" in outcome.note


def test_no_skip_stops_at_what_does_not_fit_but_not_at_what_never_could() -> None:
    # W costs more than the whole budget (a withdrawn project); B does not fit after A.
    made = election(
        100, {"W": 999, "A": 70, "B": 40, "C": 10}, {"W": 9, "A": 8, "B": 7, "C": 6},
        rule="greedy-no-skip",
    )  # fmt: skip
    outcome = tally(made)
    assert outcome.winners == ["A"]
    assert outcome.results["W"].reason == "never_fits"
    assert outcome.results["B"].reason == "did_not_fit"
    assert outcome.results["C"].reason == "stopped"


def test_the_reserve_step_funds_the_project_that_stopped_the_count_when_80_percent_is_there() -> (
    None
):
    # A takes 60 of 100; B (50) does not fit, but the 40 left are 80% of it.
    made = election(
        100, {"A": 60, "B": 50, "C": 30}, {"A": 9, "B": 8, "C": 7}, rule="greedy-custom",
        comment=POZNAN,
    )  # fmt: skip
    outcome = tally(made)
    assert outcome.marks() == {"A": 1, "B": 2}
    assert outcome.results["B"].reason == "selected_by_reserve"
    assert outcome.details["reserve_used"] == 10
    assert outcome.spent == 110


def test_the_reserve_step_does_nothing_below_its_share() -> None:
    made = election(100, {"A": 70, "B": 50}, {"A": 9, "B": 8}, rule="greedy-custom", comment=POZNAN)
    assert tally(made).marks() == {"A": 1}  # 30 left is 60% of B


def test_extra_funds_fund_the_next_projects_in_order_marked_3() -> None:
    made = election(
        100, {"A": 60, "B": 50, "C": 30, "D": 20}, {"A": 9, "B": 8, "C": 7, "D": 6},
        rule="greedy-custom", comment=POZNAN,
    )  # fmt: skip
    outcome = tally(made, extra_funds=40)
    # B by the reserve (40 of 50 left), then 40 of extra funds: C (30), and D (20) no longer fits.
    assert outcome.marks() == {"A": 1, "B": 2, "C": 3}
    assert outcome.details["extra_funds_used"] == 30


def test_greedy_custom_without_a_comment_defining_it_is_refused() -> None:
    with pytest.raises(RuleError, match="comment"):
        tally(election(100, {"A": 60}, {"A": 9}, rule="greedy-custom"))


def test_a_live_call_gives_the_reserve_share_itself() -> None:
    made = election(100, {"A": 60, "B": 50}, {"A": 9, "B": 8}, rule="greedy-custom")
    assert tally(made, "greedy-custom", reserve=Fraction(3, 4)).marks() == {"A": 1, "B": 2}
    assert greedy_with_reserve(made, reserve_share=Fraction(0)).marks() == {"A": 1}


def test_ties_can_follow_the_published_order_instead_of_the_cheaper_project() -> None:
    made = election(100, {"A": 70, "B": 60}, {"A": 5, "B": 5})
    assert tally(made).winners == ["B"]  # cheaper first: civic's published tie-break
    assert tally(made, ties="order").winners == ["A"]


def test_add1_comparison_names_itself_and_says_when_greedy_replaced_it() -> None:
    # 60 voters want A and B, 40 want C: MES funds A and C, greedy A and B; the 60 prefer greedy.
    made = Election(
        100,
        {p: Project(p, 40) for p in "ABC"},
        [Ballot((("A", 1), ("B", 1)), 60), Ballot((("C", 1),), 40)],
        meta={"rule": "equalshares/add1-comparison"},
    )
    outcome = tally(made)
    assert outcome.rule == "mes-add1-comparison"
    assert sorted(outcome.winners) == ["A", "B"]
    assert "preferred greedy" in outcome.note
