"""Balanced jury assignment with conflicts of interest and recusals."""

from __future__ import annotations

import random

import pytest

from civic.grants.assignment import NotEnoughJurors, assign, recuse

JURORS = ["anna", "bruno", "carla", "dario", "elena"]


def test_every_application_gets_its_jurors_and_loads_are_balanced() -> None:
    applications = [f"app{n:02d}" for n in range(12)]
    result = assign(applications, JURORS, per_application=3)
    assert all(len(set(js)) == 3 for js in result.jurors.values())
    assert sum(result.load.values()) == 36
    assert max(result.load.values()) - min(result.load.values()) <= 1


def test_no_juror_gets_an_application_they_declared_a_conflict_on() -> None:
    rng = random.Random(6)
    applications = [f"app{n:02d}" for n in range(20)]
    conflicts = {j: set(rng.sample(applications, 4)) for j in JURORS}
    result = assign(applications, JURORS, per_application=2, conflicts=conflicts)
    for application, jurors in result.jurors.items():
        for juror in jurors:
            assert application not in conflicts[juror]
    assert max(result.load.values()) - min(result.load.values()) <= 1


def test_manual_changes_are_kept_and_the_rest_filled_around_them() -> None:
    result = assign(["a", "b", "c"], JURORS, per_application=2, existing={"a": ["anna", "bruno"]})
    assert result.jurors["a"] == ["anna", "bruno"]
    assert all(len(result.jurors[x]) == 2 for x in ("b", "c"))


def test_too_few_eligible_jurors_is_said_not_hidden() -> None:
    conflicts = {j: {"a"} for j in JURORS[:4]}
    with pytest.raises(NotEnoughJurors, match="a: needs 2 jurors, 1 available"):
        assign(["a"], JURORS, per_application=2, conflicts=conflicts)


def test_a_recusal_hands_the_application_to_the_least_loaded_eligible_juror() -> None:
    applications = ["a", "b", "c", "d"]
    result = assign(applications, JURORS, per_application=2)
    leaving = result.jurors["a"][0]
    conflicts = {leaving: {"a"}}
    after, replacement = recuse(result, "a", leaving, JURORS, conflicts)
    assert leaving not in after.jurors["a"]
    assert replacement in after.jurors["a"]
    assert len(after.jurors["a"]) == 2
    assert after.load[leaving] == result.load[leaving] - 1
    eligible_loads = [
        result.load[j] for j in JURORS if j not in result.jurors["a"] and j != leaving
    ]
    assert result.load[replacement] == min(eligible_loads)
    with pytest.raises(ValueError, match="not assigned"):
        recuse(after, "a", leaving, JURORS, conflicts)


def test_the_same_input_gives_the_same_assignment() -> None:
    applications = [f"app{n}" for n in range(9)]
    assert assign(applications, JURORS, 3).jurors == assign(applications, JURORS, 3).jurors
