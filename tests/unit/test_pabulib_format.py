"""Reading every Pabulib file the format allows, and refusing, with a place, what breaks it."""

from __future__ import annotations

import pytest

from civic.voting.rules.election import VoteType
from civic.voting.rules.pabulib import PabulibError, parse, write


def pb(meta: str, projects: str, votes: str, *, newline: str = "\n") -> str:
    text = f"META\nkey;value\n{meta}\nPROJECTS\n{projects}\nVOTES\n{votes}\n"
    return text.replace("\n", newline)


PROJECTS = "project_id;cost;name;selected\nA;60;Park;1\nB;50;Library;0\nC;30;Bench;1"


def test_a_choose_one_election_is_read_as_one_approval_per_voter() -> None:
    election = parse(pb("budget;100\nvote_type;choose-1", PROJECTS, "voter_id;vote\n1;A\n2;B\n3;A"))
    assert election.vote_type is VoteType.CHOOSE_1
    assert sorted((b.points, b.weight) for b in election.ballots) == [
        ((("A", 1),), 2),
        ((("B", 1),), 1),
    ]
    assert election.problems == []


def test_a_choose_one_ballot_with_two_projects_is_counted_and_reported() -> None:
    election = parse(pb("budget;100\nvote_type;choose-1", PROJECTS, "voter_id;vote\n1;A\n2;A,B"))
    assert election.voters == 2  # counted as the file records it
    (problem,) = election.problems
    assert (problem.line, problem.voter_id) == (13, "2")
    assert "choose-1" in problem.message


def test_quoted_names_with_semicolons_and_crlf_line_ends() -> None:
    projects = 'project_id;cost;name\nA;60;"Park; trees and ""benches"""\nB;50;Library'
    election = parse(pb("budget;100", projects, "voter_id;vote\n1;A,B", newline="\r\n"))
    assert election.projects["A"].name == 'Park; trees and "benches"'
    assert election.projects["B"].cost == 50
    assert election.voters == 1


def test_categories_targets_and_the_selected_marks_are_kept() -> None:
    projects = (
        "project_id;cost;category;target;selected\n"
        "A;60;education,culture;children;1\nB;50;sport;;2\nC;30;;;"
    )
    election = parse(pb("budget;100", projects, "voter_id;vote\n1;A"))
    assert election.projects["A"].categories == ("education", "culture")
    assert election.projects["A"].targets == ("children",)
    assert election.selected == {"A": 1, "B": 2, "C": 0}
    assert election.official_winners == ["A"]


@pytest.mark.parametrize(
    ("meta", "votes", "message"),
    [
        ("min_length;2", "1;A\n2;A,C", "at least 2"),
        ("max_length;1", "1;A,B\n2;A", "at most 1"),
        ("max_sum_cost;100", "1;A,B\n2;A", "more than 100"),
        ("min_sum_cost;50", "1;C\n2;A", "less than 50"),
    ],
)
def test_every_approval_limit_of_meta_is_checked(meta: str, votes: str, message: str) -> None:
    election = parse(pb(f"budget;100\n{meta}", PROJECTS, f"voter_id;vote\n{votes}"))
    (problem,) = election.problems
    assert problem.voter_id == "1"
    assert message in problem.message
    assert election.voters == 2


@pytest.mark.parametrize(
    ("meta", "points", "message"),
    [
        ("max_points;5", "6,1", "more than 5 points"),
        ("min_points;2", "1,3", "fewer than 2 points"),
        ("max_sum_points;5", "3,3", "at most 5"),
        ("min_sum_points;3", "1,1", "at least 3"),
    ],
)
def test_every_points_limit_of_meta_is_checked(meta: str, points: str, message: str) -> None:
    election = parse(
        pb(
            f"budget;100\nvote_type;cumulative\n{meta}",
            PROJECTS,
            f"voter_id;vote;points\n1;A,B;{points}\n2;A;3",
        )
    )
    (problem,) = election.problems
    assert problem.voter_id == "1"
    assert message in problem.message


def test_the_score_threshold_is_read() -> None:
    election = parse(
        pb("budget;100\nmin_project_score_threshold;2", PROJECTS, "voter_id;vote\n1;A")
    )
    assert election.limits.min_project_score_threshold == 2


def test_ordinal_ballots_take_the_points_the_file_gives_or_positions() -> None:
    given = parse(pb("budget;100\nvote_type;ordinal", PROJECTS, "voter_id;vote;points\n1;C,A;5,1"))
    assert given.ballots[0].points == (("C", 5), ("A", 1))
    ranked = parse(
        pb("budget;100\nvote_type;ordinal\nmax_length;3", PROJECTS, "voter_id;vote\n1;C,A")
    )
    assert ranked.ballots[0].points == (("C", 3), ("A", 2))


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        (pb("budget;100", PROJECTS, "voter_id;vote\n1;A\n2;Z"), 12, "vote"),
        (pb("budget;100", PROJECTS, "voter_id;vote\n1;A,A"), 11, "vote"),
        (pb("budget;ten", PROJECTS, "voter_id;vote\n1;A"), 3, "budget"),
        (pb("budget;100\nmax_length;two", PROJECTS, "voter_id;vote\n1;A"), 4, "max_length"),
        (pb("budget;100", "project_id;cost\nA;sixty", "voter_id;vote\n1;A"), 6, "cost"),
        (pb("budget;100", "project_id;cost\nA;60.5", "voter_id;vote\n1;A"), 6, "cost"),
        (pb("budget;100", "project_id;cost\nA;60\nA;50", "voter_id;vote\n1;A"), 7, "project_id"),
        (
            pb("budget;100", "project_id;cost;selected\nA;60;yes", "voter_id;vote\n1;A"),
            6,
            "selected",
        ),
        (pb("budget;100\nvote_type;best-of", PROJECTS, "voter_id;vote\n1;A"), 4, "vote_type"),
        (
            pb("budget;100\nvote_type;cumulative", PROJECTS, "voter_id;vote;points\n1;A,B;3"),
            12,
            "points",
        ),
    ],
)
def test_a_file_that_breaks_the_format_names_the_line_and_the_field(
    text: str, line: int, field: str
) -> None:
    with pytest.raises(PabulibError) as refused:
        parse(text)
    assert (refused.value.line, refused.value.field) == (line, field)
    assert f"line {line}" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\n", "missing section VOTES"),
        ("budget;10\nMETA\n", "data before the first section"),
        (pb("vote_type;approval", PROJECTS, "voter_id;vote\n1;A"), "META has no budget"),
        (pb("budget;100", "id;cost\nA;5", "voter_id;vote\n1;A"), "no column 'project_id'"),
        (pb("budget;100", PROJECTS, "voter;vote\n1;A"), "no column 'voter_id'"),
        (
            pb("budget;100\nvote_type;scoring", PROJECTS, "voter_id;vote\n1;A"),
            "need a points column",
        ),
    ],
)
def test_a_file_without_its_parts_is_refused_in_words(text: str, message: str) -> None:
    with pytest.raises(PabulibError, match=message):
        parse(text)


def test_writing_keeps_later_steps_marks() -> None:
    election = parse(pb("budget;100", PROJECTS, "voter_id;vote\n1;A"))
    text = write(
        election.meta, election.projects.values(), election.ballots, selected={"A": 1, "C": 2}
    )
    assert parse(text).selected == {"A": 1, "B": 0, "C": 2}
