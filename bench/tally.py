"""Tally every Pabulib file with civic's rules and with pabutools, in the same run.

Prints, per file and rule, civic's time, pabutools' time and the ratio; parsing is timed apart.
Usage: .venv/bin/python bench/tally.py [--rules greedy,mes,mes-add1] [--skip-reference-over SECONDS]
A benchmark, not a test: these machines are shared, so figures vary from run to run.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere: civic and config live at the project root

from civic.voting.rules import equal_shares, greedy  # noqa: E402
from civic.voting.rules.pabulib import read  # noqa: E402

DATA = ROOT / "tests" / "data" / "pabulib"


def ours(rule: str, election):  # type: ignore[no-untyped-def]
    if rule == "greedy":
        return greedy(election).winners
    if rule == "mes":
        return equal_shares(election).winners
    return equal_shares(election, completion="add1").winners


def reference(rule: str, path: Path):  # type: ignore[no-untyped-def]
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    instance, profile = parse_pabulib(str(path))
    started = time.perf_counter()
    if rule == "greedy":
        result = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    else:
        extra = {"voter_budget_increment": 1} if rule == "mes-add1" else {}
        multiprofile = profile.as_multiprofile()
        result = method_of_equal_shares(instance, multiprofile, sat_class=Cost_Sat, **extra)
    return sorted(str(p) for p in result), time.perf_counter() - started


def synthetic(voters: int) -> Path:
    """A random approval election of the size of Wrocław 2015 (no such file in shared/data)."""
    import random
    import tempfile

    from civic.voting.rules import Ballot, Project
    from civic.voting.rules.election import group_ballots
    from civic.voting.rules.pabulib import write

    rng = random.Random(2015)  # a repeatable benchmark
    projects = [Project(str(n), rng.randrange(20, 400) * 1000) for n in range(150)]
    popular = [p.id for p in projects]
    weights = [1 / (n + 1) for n in range(len(popular))]
    ballots = [
        Ballot(
            tuple(
                (p, 1) for p in sorted(set(rng.choices(popular, weights, k=rng.randrange(1, 11))))
            )
        )
        for _ in range(voters)
    ]
    text = write(
        {"budget": "25000000", "vote_type": "approval", "rule": "greedy"},
        projects,
        group_ballots(ballots),
    )
    path = Path(tempfile.mkdtemp()) / f"synthetic_{voters}_voters.pb"
    path.write_text(text)
    return path


def _why_different(election, expected: list[str], winners: list[str]) -> str:  # type: ignore[no-untyped-def]
    """Label a difference that involves projects tied in score (tie-break rules differ)."""
    from collections import Counter

    from civic.voting.rules.election import scores

    score = scores(election)
    tied = {p for p, s in score.items() if Counter(score.values())[s] > 1}
    differing = set(expected) ^ set(winners)
    return "differs at a tie" if differing & tied else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rules", default="greedy,mes,mes-add1")
    parser.add_argument(
        "--synthetic",
        type=int,
        default=0,
        help="also tally a random approval election with this many voters",
    )
    parser.add_argument(
        "--reference-add1-max-voters",
        type=int,
        default=5000,
        help="run pabutools' MES with add-one only up to this many voters (it takes minutes "
        "above; civic's runs on every file)",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    # MES's passes are compiled by numba, once per machine (then loaded from its cache once per
    # process): timed apart, like parsing, on a tiny election before the files.
    from civic.voting.rules import Ballot, Election, Project

    started = time.perf_counter()
    tiny = Election(10, {"a": Project("a", 6)}, [Ballot((("a", 1),))] * 3)
    equal_shares(tiny, completion="add1")
    print(f"(MES's compiled passes loaded in {time.perf_counter() - started:.2f} s, apart)")
    columns = ("file", "voters", "rule", "parse", "civic", "pabutools", "ratio", "same")
    print("{:58} {:>7} {:9} {:>7} {:>9} {:>10} {:>7} {}".format(*columns))
    paths = sorted(DATA.glob("*.pb"))
    if args.synthetic:
        paths.append(synthetic(args.synthetic))
    for path in paths:
        started = time.perf_counter()
        election = read(path)
        parse_seconds = time.perf_counter() - started
        for rule in args.rules.split(","):
            if election.vote_type != "approval" and rule != "greedy":
                continue
            started = time.perf_counter()
            winners = ours(rule, election)
            civic_seconds = time.perf_counter() - started
            slow = rule == "mes-add1" and election.voters > args.reference_add1_max_voters
            if slow:
                same, ratio, ref = "(pabutools not run)", "-", "        -"
            elif election.vote_type == "approval":
                expected, ref_seconds = reference(rule, path)
                same = (
                    "yes"
                    if expected == sorted(winners)
                    else _why_different(election, expected, winners)
                )
                ratio = f"{ref_seconds / civic_seconds:6.1f}x" if civic_seconds else "-"
                ref = f"{ref_seconds:9.3f}s"
            else:
                same, ratio, ref = "-", "-", "        -"
            print(
                f"{path.stem[:58]:58} {election.voters:7} {rule:9} {parse_seconds:6.2f}s "
                f"{civic_seconds:8.3f}s {ref} {ratio:>7} {same}"
            )


if __name__ == "__main__":
    main()
