"""civic's rules on real elections: the official winners, and pabutools as the reference.

pabutools is GPL and used here only, as an independent check; civic/ never imports it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from civic.core.paths import ROOT
from civic.voting.rules import equal_shares, greedy
from civic.voting.rules.election import VoteType
from civic.voting.rules.meta import tally
from civic.voting.rules.pabulib import PabulibError, parse, read, write

DATA = ROOT / "tests" / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))
# Small enough for pabutools' MES with add-one completion in a few seconds.
SMALL = [f for f in FILES if f.stat().st_size < 60_000]

if not FILES:
    if os.environ.get("CIVIC_REQUIRE_PABULIB") == "1":
        raise RuntimeError(f"no Pabulib files in {DATA} (CIVIC_REQUIRE_PABULIB=1)")
    pytest.skip(f"no Pabulib files in {DATA}", allow_module_level=True)


def _pabutools(path: Path):  # type: ignore[no-untyped-def]
    pabutools = pytest.importorskip("pabutools.election")
    return pabutools.parse_pabulib(str(path))


def test_the_expected_files_are_there() -> None:
    assert len(FILES) >= 7


@pytest.mark.parametrize(
    "path", [f for f in FILES if read(f).official_winners is not None], ids=lambda p: p.stem
)
def test_the_files_own_rule_reproduces_the_official_winners(path: Path) -> None:
    election = read(path)
    outcome = tally(election, "meta")
    assert sorted(outcome.winners) == sorted(election.official_winners or [])
    assert outcome.spent <= election.budget


@pytest.mark.parametrize(
    "path", [f for f in FILES if read(f).vote_type is VoteType.APPROVAL], ids=lambda p: p.stem
)
def test_greedy_agrees_with_pabutools(path: Path) -> None:
    from pabutools.election import Cost_Sat
    from pabutools.rules import greedy_utilitarian_welfare

    instance, profile = _pabutools(path)
    reference = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert sorted(str(p) for p in reference) == sorted(greedy(read(path)).winners)


APPROVAL = [f for f in FILES if read(f).vote_type is VoteType.APPROVAL]


@pytest.mark.parametrize(
    ("path", "completion"),
    [(f, "none") for f in APPROVAL] + [(f, "add1") for f in SMALL],
    ids=lambda v: v.stem if isinstance(v, Path) else v,
)
def test_equal_shares_agrees_with_pabutools(path: Path, completion: str) -> None:
    """Plain MES on every approval file; with add-one on the small ones (minutes otherwise)."""
    from pabutools.election import Cost_Sat
    from pabutools.rules import method_of_equal_shares

    instance, profile = _pabutools(path)
    extra = {"voter_budget_increment": 1} if completion == "add1" else {}
    reference = method_of_equal_shares(
        instance, profile.as_multiprofile(), sat_class=Cost_Sat, **extra
    )
    ours = equal_shares(read(path), completion=completion)
    assert sorted(str(p) for p in reference) == sorted(ours.winners)


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.stem)
def test_writing_and_reading_back_gives_the_same_election(path: Path) -> None:
    election = read(path)
    text = write(election.meta, election.projects.values(), election.ballots)
    again = parse(text)
    assert again.budget == election.budget
    assert again.projects == election.projects
    assert sorted(again.ballots, key=repr) == sorted(election.ballots, key=repr)
    assert again.voters == election.voters


def test_a_broken_file_is_a_clear_error() -> None:
    with pytest.raises(PabulibError, match="missing section VOTES"):
        parse("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\n")


def test_the_tally_command_prints_the_winners_as_json(tmp_path: Path) -> None:
    path = next(f for f in FILES if "Assen" in f.name)
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "flask"),
            "--app",
            "wsgi",
            "voting",
            "tally",
            str(path),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "CIVIC_ENV": "development",
            "HUEY_SQLITE_PATH": str(tmp_path / "h.db"),
        },
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rule"] == "mes-add1"
    assert sorted(data["winners"]) == sorted(read(path).official_winners or [])
    assert data["seconds"] >= 0


def test_the_tally_command_refuses_a_file_that_is_not_pabulib(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text("hello")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "voting", "tally", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "CIVIC_ENV": "development",
            "HUEY_SQLITE_PATH": str(tmp_path / "h.db"),
        },
    )
    assert result.returncode != 0
    assert "not a valid Pabulib file" in result.stderr
