"""civic's rules on real elections: the official winners, and pabutools as the reference.

pabutools is GPL and used here only, as an independent check; civic/ never imports it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from civic.core.paths import ROOT
from civic.voting.rules import equal_shares, greedy
from civic.voting.rules.election import VoteType, scores
from civic.voting.rules.meta import tally
from civic.voting.rules.pabulib import PabulibError, parse, read, write
from civic.voting.rules.reproduce import check_file, official_marks

DATA = ROOT / "tests" / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))
# Small enough to write back in a moment.
SMALL = [f for f in FILES if f.stat().st_size < 60_000]

if not FILES:
    if os.environ.get("CIVIC_REQUIRE_PABULIB") == "1":
        raise RuntimeError(f"no Pabulib files in {DATA} (CIVIC_REQUIRE_PABULIB=1)")
    pytest.skip(f"no Pabulib files in {DATA}", allow_module_level=True)


def _pabutools(path: Path):  # type: ignore[no-untyped-def]
    pabutools = pytest.importorskip("pabutools.election")
    return pabutools.parse_pabulib(str(path))


# What civic makes of each file with the file's own rule (tally-dir's answer). Every file that
# is not "same" is explained in docs/tally-rules.md from the file's own data and comment.
EXPECTED = {
    "Hungary_Veszprem_2025": "differs",
    "Netherlands_Assen_2024": "same",
    "Poland_Czestochowa_2024": "same",
    "Poland_Gdynia_2020_Babie_Doly__small": "differs",
    "Poland_Krakow_2022_Czyzyny": "same-at-ties",
    "Poland_Poznan_2023_10_-_Swierczewo_Wilda_Zielony_Debiec": "same",
    "Poland_Poznan_2023_9_-_Stare_Miasto": "same",
    "Poland_Poznan_2024_9_-_Stare_Miasto__small": "same",
    "Poland_Swiecie_2023": "same",
    "Poland_Warszawa_2018_Niskie_Okecie": "same-at-ties",
    "Poland_Warszawa_2019_Las": "same",
    "Poland_Warszawa_2023_Mokotow": "same",
    "Poland_Warszawa_2024_Wesola": "same",
    "Poland_Wroclaw_2017_Rejon_nr_11_750": "same",
    "Poland_Zabrze_2020_Konczyce": "no-official",
    "Switzerland_Zurich_S5": "no-official",
    "US_Stanford_Dataset_PB_Greensboro_District_3_2019_vote_knapsacks": "no-official",
}


def test_the_expected_files_are_there() -> None:
    assert {f.stem for f in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_file_reproduces_its_official_winners_or_is_explained(path: Path) -> None:
    found = check_file(path)
    assert found.status == EXPECTED[path.stem], found.why
    if found.status != "same" and found.status != "no-official":
        explained = (ROOT / "docs" / "tally-rules.md").read_text(encoding="utf-8")
        assert path.name in explained


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_outcome_states_the_rule_that_ran(path: Path) -> None:
    election = read(path)
    extra = sum(election.projects[p].cost for p, m in official_marks(election).items() if m == 3)
    outcome = tally(election, extra_funds=extra)
    named = election.meta.get("rule", "unknown")
    assert outcome.rule
    assert outcome.named == named
    assert bool(outcome.note) == (named in ("unknown", "greedy-exclusive"))


def test_poznans_rule_stops_at_the_first_misfit_and_its_reserve_needs_80_percent() -> None:
    path = DATA / "Poland_Poznan_2023_10_-_Swierczewo_Wilda_Zielony_Debiec.pb"
    election = read(path)
    outcome = tally(election)
    assert outcome.marks() == official_marks(election) == {"X.3": 1, "X.5": 1}
    # 124,000 left is 15.5% of X.6: no reserve; X.4 would fit but the count stopped at X.6.
    assert outcome.results["X.6"].reason == "did_not_fit"
    assert outcome.results["X.4"].reason == "stopped"
    # The same votes with 640,000 (80% of X.6) left after X.3 and X.5: X.6 is funded, marked 2.
    richer = dataclasses.replace(election, budget=716_000 + 800_000 + 640_000)
    assert tally(richer).marks() == {"X.3": 1, "X.5": 1, "X.6": 2}
    poorer = dataclasses.replace(election, budget=716_000 + 800_000 + 639_999)
    assert tally(poorer).marks() == {"X.3": 1, "X.5": 1}


GREEDY_CHECKED = [f for f in FILES if read(f).vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_1)]


@pytest.mark.parametrize("path", GREEDY_CHECKED, ids=lambda p: p.stem)
def test_greedy_agrees_with_pabutools(path: Path) -> None:
    """Same winners, except where two projects have equal votes and the tie-breaks differ
    (civic: the cheaper first; pabutools: its own order)."""
    from pabutools.election import Cost_Sat
    from pabutools.rules import greedy_utilitarian_welfare

    instance, profile = _pabutools(path)
    reference = {str(p) for p in greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)}
    election = read(path)
    ours = set(greedy(election).winners)
    votes = scores(election)
    assert len({votes[p] for p in reference ^ ours}) <= 1, reference ^ ours


APPROVAL = [f for f in FILES if read(f).vote_type is VoteType.APPROVAL]
# pabutools' MES with add-one takes seconds on these, minutes on larger ones (Veszprém: 3.5).
ADD1_CHECKED = [f for f in APPROVAL if f in SMALL and len(read(f).projects) <= 24]


@pytest.mark.parametrize(
    ("path", "completion"),
    [(f, "none") for f in APPROVAL] + [(f, "add1") for f in ADD1_CHECKED],
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


def _flask(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "voting", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "CIVIC_ENV": "development",
            "HUEY_SQLITE_PATH": str(tmp_path / "h.db"),
        },
    )


def test_tally_dir_reports_every_file_by_vote_type_and_rule(tmp_path: Path) -> None:
    folder = tmp_path / "pb"
    folder.mkdir()
    chosen = [
        "Poland_Zabrze_2020_Konczyce",
        "Poland_Warszawa_2018_Niskie_Okecie",
        "Poland_Gdynia_2020_Babie_Doly__small",
        "Poland_Poznan_2023_9_-_Stare_Miasto",
    ]
    for stem in chosen:
        (folder / f"{stem}.pb").write_bytes((DATA / f"{stem}.pb").read_bytes())
    (folder / "broken.pb").write_text(
        "META\nkey;value\nbudget;ten\nPROJECTS\nproject_id;cost\nA;5\nVOTES\nvoter_id;vote\n1;A\n"
    )
    (folder / "custom.pb").write_text(
        "META\nkey;value\nbudget;10\nrule;borda-greedy\nPROJECTS\nproject_id;cost;selected\n"
        "A;5;1\nVOTES\nvoter_id;vote\n1;A\n"
    )
    machine = _flask("tally-dir", str(folder), "--json", tmp_path=tmp_path)
    assert machine.returncode == 0, machine.stderr
    files = {Path(f["file"]).stem: f for f in json.loads(machine.stdout)["files"]}
    assert {name: f["status"] for name, f in files.items()} == {
        "Poland_Zabrze_2020_Konczyce": "no-official",
        "Poland_Warszawa_2018_Niskie_Okecie": "same-at-ties",
        "Poland_Gdynia_2020_Babie_Doly__small": "differs",
        "Poland_Poznan_2023_9_-_Stare_Miasto": "same",
        "broken": "unreadable",
        "custom": "unreadable",
    }
    assert files["Poland_Gdynia_2020_Babie_Doly__small"]["different"] == {
        "5": {"file": 2, "civic": 0}
    }
    assert "borda-greedy" in files["custom"]["why"]
    assert "line 3" in files["broken"]["why"]
    totals = json.loads(machine.stdout)["totals"]
    assert {
        "vote_type": "choose-1",
        "rule": "greedy",
        "status": "no-official",
        "files": 1,
    } in totals
    people = _flask("tally-dir", str(folder), tmp_path=tmp_path)
    assert people.returncode == 0, people.stderr
    assert "1 differs, 1 no-official, 1 same, 1 same-at-ties, 2 unreadable of 6" in people.stdout
    assert "Poland_Gdynia_2020_Babie_Doly__small.pb: differs (5: file 2, civic 0)" in people.stdout


def test_the_tally_command_names_a_rule_it_does_not_know(tmp_path: Path) -> None:
    custom = tmp_path / "custom.pb"
    custom.write_text(
        "META\nkey;value\nbudget;10\nrule;borda-greedy\nPROJECTS\nproject_id;cost\nA;5\n"
        "VOTES\nvoter_id;vote\n1;A\n"
    )
    result = _flask("tally", str(custom), tmp_path=tmp_path)
    assert result.returncode != 0
    assert "'borda-greedy'" in result.stderr
