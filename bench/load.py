"""Voting day under load: civic as in production (gunicorn, PostgreSQL, Redis, Huey) driven
by locust from this machine, then checked for anything lost or counted twice.

Simulated people: voters casting and changing ballots, readers browsing the public pages and
the dashboard,
password sign-ins, backers pledging (card confirmed on localstripe, as Stripe.js would) and
people registering for a meeting with too few places. Afterwards, from the database: ballots
equal the casts the clients saw accepted, one roll entry per voter, every changed ballot holds
its new choices, active pledges equal what the clients confirmed and the ledger's pledged total,
the ledger balances, and the meeting is never over capacity. Then the same locust users hit a
bare Flask endpoint that only inserts one row (bench/bare.py), served the same way: the ceiling
civic's ballot cast is compared with.

All traffic stays on 127.0.0.1; bounded by --seconds and by the people loaded.
Usage: .venv/bin/python bench/load.py [--seconds 60] [--users 48] [--workers 2]
Target (issue #10): >= 200 ballot casts/s sustained, p95 < 200 ms, no errors.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stack import Stack, cpu_use, run_locust, seed, stack  # noqa: E402

CAST = "POST cast ballot"


def check(made: Stack, accepted: dict[str, Any]) -> list[str]:
    """What the database holds against what the clients were told. Empty: nothing lost."""
    app = made.app()
    problems: list[str] = []
    with app.app_context():
        from sqlalchemy import func, select

        from civic.core.db import get_database
        from civic.crowdfunding import ledger
        from civic.crowdfunding.models import Pledge
        from civic.meetings.models import Registration
        from civic.voting import domain, sealing
        from civic.voting.models import ElectionKey, SealedBallot, VoterRoll
        from civic.voting.services.common import _key

        problems += [f"client exception: {text}" for text in accepted.get("exceptions", [])]
        session = get_database(app).session_factory()
        plan = made.plan
        casts = accepted.get("casts", [])
        ballots = session.scalar(
            select(func.count())
            .select_from(SealedBallot)
            .where(SealedBallot.call_id == plan["call_id"])
        )
        roll = session.scalars(
            select(VoterRoll.user_id).where(VoterRoll.call_id == plan["call_id"])
        ).all()
        uncertain = set(accepted.get("uncertain_casts", []))
        if ballots != len(roll):
            problems.append(f"ballots {ballots} != voter roll {len(roll)}")
        if len(roll) != len(set(roll)):
            problems.append(f"a voter is on the roll twice ({len(roll) - len(set(roll))})")
        if missing := set(casts) - set(roll):
            problems.append(f"{len(missing)} accepted casts are not on the roll: lost")
        if unexplained := set(roll) - set(casts) - uncertain:
            problems.append(f"{len(unexplained)} ballots nobody cast")
        key = _key()
        # The operator's check opens the changed ballots with the server key (server mode).
        election = session.get(ElectionKey, plan["call_id"])
        opener = (
            sealing.opener(sealing.derived_keypair(app.config["BALLOT_KEY"], election.salt).private)
            if election is not None and election.mode == "server"
            else None
        )
        changes = [(v, r, c, True) for v, r, c in accepted.get("changes", [])]
        changes += [(v, r, c, False) for v, r, c in accepted.get("uncertain_changes", [])]
        for voter_id, receipt, chosen, certain in changes:
            sealed = session.scalar(
                select(SealedBallot.ciphertext).where(
                    SealedBallot.receipt_hash == domain.receipt_hash(key, receipt, voter_id)
                )
            )
            stored = None
            if sealed is not None and opener is not None:
                _call, _area, opened = sealing.unpack(sealing.open_sealed(opener, sealed))
                stored = {str(p): v for p, v in opened.items()}
            if stored is None:
                problems.append(f"ballot {receipt[:5]}... lost when changed")
            elif certain and stored != {str(p): 1 for p in chosen}:
                problems.append(f"changed ballot {receipt[:5]}... holds {stored}, not {chosen}")
        pledges = dict(
            session.execute(
                select(Pledge.reference, Pledge.amount_cents).where(
                    Pledge.campaign_id == plan["campaign_id"], Pledge.state == "active"
                )
            ).all()
        )
        confirmed = {reference: cents for reference, cents in accepted.get("pledges", [])}
        if pledges != confirmed:
            problems.append(f"active pledges {len(pledges)} != confirmed {len(confirmed)}")
        totals = ledger.totals(session, plan["campaign_id"])
        if totals.pledged != sum(pledges.values()):
            problems.append(f"ledger pledged {totals.pledged} != pledges {sum(pledges.values())}")
        if ledger.unbalanced(session):
            problems.append("the ledger does not balance")
        statuses = session.execute(
            select(Registration.status, func.count())
            .where(Registration.meeting_id == plan["meeting_id"])
            .group_by(Registration.status)
        ).all()
        by_status = dict(statuses)
        if by_status.get("confirmed", 0) > plan["capacity"]:
            problems.append(f"meeting over capacity: {by_status}")
        people = set(
            session.scalars(
                select(Registration.user_id).where(Registration.meeting_id == plan["meeting_id"])
            )
        )
        told = set(accepted.get("registrations", []))
        if told - people:
            problems.append(f"{len(told - people)} accepted registrations lost")
        if people - told - set(accepted.get("uncertain_registrations", [])):
            problems.append("registrations nobody made")
        session.close()
    return problems


def bare_ceiling(made: Stack, users: int, seconds: int) -> dict[str, float]:
    import psycopg

    url = made.database_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bare_rows (id bigserial PRIMARY KEY, voter bigint, at timestamptz)"
        )
    made.start_web("bench.bare:app", DATABASE_URL=url)
    stats, _accepted = run_locust(made, users, seconds, ["BareInsert"], "bare")
    made.stop("gunicorn")
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT count(*) FROM bare_rows").fetchone()
    figures = stats["POST bare insert"]
    if rows is None or rows[0] < figures["requests"] - figures["failures"]:
        raise RuntimeError("the bare endpoint lost rows")
    return figures


def report(
    stats: dict[str, dict[str, float]],
    bare: dict[str, float],
    problems: list[str],
    cores: dict[str, float],
) -> int:
    heads = ("requests", "fails", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print(f"{'endpoint':<24}" + "".join(f"{h:>9}" for h in heads))
    for name, row in sorted(stats.items(), key=lambda item: item[0] != "Aggregated"):
        print(
            f"{name:<24}{row['requests']:>9.0f}{row['failures']:>9.0f}{row['rps']:>9.1f}"
            f"{row['p50']:>9.0f}{row['p95']:>9.0f}{row['p99']:>9.0f}"
        )
    print(
        f"{'bare insert (ceiling)':<24}{bare['requests']:>9.0f}{bare['failures']:>9.0f}"
        f"{bare['rps']:>9.1f}{bare['p50']:>9.0f}{bare['p95']:>9.0f}{bare['p99']:>9.0f}"
    )
    cast = stats.get(CAST, {"rps": 0.0, "p95": 0.0, "failures": 1.0})
    errors = stats.get("Aggregated", {}).get("failures", 0.0)
    print(f"ballot casts: {cast['rps']:.1f}/s, p95 {cast['p95']:.0f} ms; "
          f"ratio to the bare insert: {cast['rps'] / bare['rps']:.2f}")  # fmt: skip
    used = ", ".join(f"{part} {share:.2f}" for part, share in cores.items() if share >= 0.005)
    print(f"cores used during the run ({os.cpu_count()} here): {used}")
    print("nothing lost: " + ("yes" if not problems else "NO"))
    for problem in problems:
        print("  - " + problem)
    met = cast["rps"] >= 200 and cast["p95"] < 200 and errors == 0 and not problems
    print(f"target (>= 200 casts/s, p95 < 200 ms, no errors): {'met' if met else 'NOT met'}")
    return 0 if not problems else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=48, help="concurrent simulated people")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (on 2 cores, 2 served most)"
    )
    parser.add_argument("--voters", type=int, default=0, help="default: enough for the run")
    parser.add_argument("--capacity", type=int, default=150)
    parser.add_argument(
        "--people",
        default="Voter,Reader,PasswordSignIn,Backer,Attendee",
        help="which simulated people (locustfile classes); Voter alone measures the cast path",
    )
    parser.add_argument(
        "--change-share", type=float, default=0.25, help="share of voters who change their ballot"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    folder = Path(tempfile.mkdtemp(prefix="civic-load-"))
    voters = args.voters or 400 * args.seconds
    with stack("civic_load", args.workers, folder) as made:
        seed(made, voters=voters, backers=1000, attendees=1000, capacity=args.capacity)
        made.start_jobs()
        made.start_web()
        made.plan["change_share"] = args.change_share
        classes = args.people.split(",")
        cores: dict[str, float] = {}

        def measure() -> None:  # the middle of the run, once every user has started
            time.sleep(min(5, args.seconds / 4))
            cores.update(cpu_use(args.seconds / 2))

        stats, accepted = run_locust(
            made, args.users, args.seconds, classes, "civic", during=measure
        )
        made.stop("gunicorn")
        problems = check(made, accepted)
        bare = bare_ceiling(made, args.users, args.seconds)
    print(f"(logs and locust CSVs in {folder})")
    sys.exit(report(stats, bare, problems, cores))


if __name__ == "__main__":
    main()
