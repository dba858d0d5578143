"""Tally a live call of N ballots straight from the database, beside pabutools on the same data.

Builds a throwaway SQLite database (or uses --database-url), loads one Municipio with projects
and N random approval ballots through the models, then times civic reading the ballots and
tallying them (greedy and MES) and pabutools tallying the same election exported as .pb.
Usage: .venv/bin/python bench/tally_db.py [--ballots 100000] [--projects 40]
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civic import create_app  # noqa: E402
from civic.core.db import get_database  # noqa: E402
from civic.core.migrate import upgrade  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    folder = tempfile.mkdtemp(prefix="civic-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    upgrade(url)
    app = create_app("development", {"DATABASE_URL": url, "HUEY_IMMEDIATE": True})
    with app.test_request_context("/"):
        from civic.accounts.services import create_user
        from civic.calls.queries import get_call
        from civic.proposals.models import Proposal
        from civic.voting import services
        from civic.voting.models import Ballot, VoteSettings
        from civic.voting.rules.meta import tally
        from tests.factories.calls import make_call

        session = get_database(app).session_factory()
        now = datetime.now(UTC)
        call = make_call(session, threshold=0)
        area = call.areas[0].area_id
        author = create_user(
            session, email="bench@example.org", password="Bench-password-1", now=now
        )
        rng = random.Random(1)
        ids = []
        for n in range(args.projects):
            proposal = Proposal(
                call_id=call.id,
                author_id=author.id,
                area_id=area,
                theme_id=call.themes[0].id,
                title=f"P{n}",
                body_md="",
                body_html="",
                status="feasible",
                cost_cents=rng.randrange(5, 40) * 1_000_00,
                created_at=now,
                updated_at=now,
            )
            session.add(proposal)
            session.flush()
            ids.append(proposal.id)
        session.add(VoteSettings(call_id=call.id, ballot_kind="approval", rule="greedy"))
        rows = [
            {
                "id": secrets.token_hex(16),
                "call_id": call.id,
                "area_id": area,
                "choices": {str(p): 1 for p in rng.sample(ids, rng.randrange(1, 8))},
            }
            for _ in range(args.ballots)
        ]
        session.execute(Ballot.__table__.insert(), rows)
        session.commit()
        call = get_call(session, call.id)

        started = time.perf_counter()
        election = services.election_for(session, call, area)
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        greedy_winners = tally(election, "greedy").winners
        greedy_seconds = time.perf_counter() - started
        started = time.perf_counter()
        tally(election, "mes")
        mes_seconds = time.perf_counter() - started

        from civic.voting.rules.pabulib import write

        pb = Path(folder) / "bench.pb"
        pb.write_text(
            write(
                {"budget": str(election.budget), "vote_type": "approval"},
                election.projects.values(),
                election.ballots,
            )
        )
        from pabutools.election import Cost_Sat, parse_pabulib
        from pabutools.rules import greedy_utilitarian_welfare

        instance, profile = parse_pabulib(str(pb))
        started = time.perf_counter()
        reference = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
        reference_seconds = time.perf_counter() - started
        same = sorted(str(p) for p in reference) == sorted(greedy_winners)
        session.close()
    total = read_seconds + greedy_seconds
    print(f"ballots {args.ballots}, projects {args.projects}, database {url.split(':')[0]}")
    print(
        f"civic: read from the database {read_seconds:.2f}s + greedy {greedy_seconds:.3f}s "
        f"= {total:.2f}s (target under 5 s); MES {mes_seconds:.2f}s"
    )
    print(
        f"pabutools greedy on the same election: {reference_seconds:.2f}s "
        f"(ratio {reference_seconds / greedy_seconds:.0f}x); "
        f"same winners: {'yes' if same else 'NO'}"
    )


if __name__ == "__main__":
    main()
