"""The sealed ballot box at volume: what sealing adds to a cast, and opening, shuffling and
tallying 100,000 sealed ballots, beside the same ballots tallied in the clear (the reference,
measured in the same run: the count as it was before ballots were sealed).

Builds a throwaway SQLite database (or uses --database-url), one Municipio with projects, and N
sealed approval ballots made exactly as a cast makes them (pack, pad, seal to the call's key).
Usage: .venv/bin/python bench/sealed_count.py [--ballots 100000] [--projects 40]
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
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
        from sqlalchemy import update

        from civic.accounts.services import create_user
        from civic.calls.models import CallPhase
        from civic.calls.queries import get_call
        from civic.proposals.models import Proposal
        from civic.voting import sealing, services, snapshot
        from civic.voting.models import SealedBallot, VoteSettings
        from civic.voting.rules.meta import tally
        from tests.factories.calls import make_call

        session = get_database(app).session_factory()
        now = datetime.now(UTC)
        call = make_call(session, threshold=0)
        area = call.areas[0].area_id
        author = create_user(session, email="bench@example.org", password="Bench-pass-1", now=now)
        rng = random.Random(1)
        ids = []
        for n in range(args.projects):
            proposal = Proposal(
                call_id=call.id, author_id=author.id, area_id=area, theme_id=call.themes[0].id,
                title=f"P{n}", body_md="", body_html="", status="feasible",
                cost_cents=rng.randrange(5, 40) * 1_000_00, created_at=now, updated_at=now,
            )  # fmt: skip
            session.add(proposal)
            session.flush()
            ids.append(proposal.id)
        session.add(VoteSettings(call_id=call.id, ballot_kind="approval", rule="greedy"))
        session.flush()
        key = services.ensure_server_key(session, call.id, now=now)
        seen = snapshot.build(session, call.id)
        assert seen is not None
        assert key.public_key is not None
        size = seen.ballot_size()
        chosen = [
            dict.fromkeys(rng.sample(ids, rng.randrange(1, 8)), 1) for _ in range(args.ballots)
        ]

        # What sealing adds to one cast: pack, pad and seal, as casting.py does.
        started = time.perf_counter()
        sealed = [
            sealing.seal(key.public_key, sealing.pack(call.id, area, c, size)) for c in chosen
        ]
        seal_ms = (time.perf_counter() - started) / len(chosen) * 1000
        day = (now - timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)
        session.execute(
            SealedBallot.__table__.insert(),  # type: ignore[attr-defined]
            [
                {"id": secrets.token_hex(16), "call_id": call.id, "area_id": area,
                 "channel": "online", "receipt_hash": None, "ciphertext": c,
                 "tracking_code": sealing.tracking_code(c), "cast_on": day}
                for c in sealed
            ],
        )  # fmt: skip
        session.execute(
            update(CallPhase)
            .where(CallPhase.call_id == call.id, CallPhase.kind == "voting")
            .values(starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1))
        )
        session.commit()
        call = get_call(session, call.id)

        # The share of the count spent decrypting, measured on its own.
        private = sealing.derived_keypair(app.config["BALLOT_KEY"], key.salt).private
        box = sealing.opener(private)
        started = time.perf_counter()
        for c in sealed:
            sealing.open_sealed(box, c)
        decrypt_seconds = time.perf_counter() - started

        started = time.perf_counter()
        results = services.tally_call(session, None, call, now=now)  # opens, shuffles, tallies
        session.commit()
        count_seconds = time.perf_counter() - started
        winners = sorted(str(w) for r in results if r.area_id == area for w in r.winners)

        # Reference: the same ballots, already readable, tallied as before sealing.
        started = time.perf_counter()
        election = services.election_for(session, call, area)
        clear_winners = sorted(tally(election, "greedy").winners)
        clear_seconds = time.perf_counter() - started
        session.close()
    print(f"ballots {args.ballots}, projects {args.projects}, database {url.split(':')[0]}")
    print(f"sealing one ballot (pack, pad to {size} bytes, seal): {seal_ms:.3f} ms (target < 1 ms)")
    print(
        f"open + check + shuffle + write + tally {args.ballots} sealed ballots: "
        f"{count_seconds:.2f}s (target < 30 s); decrypting alone {decrypt_seconds:.2f}s "
        f"({decrypt_seconds / count_seconds:.0%} of the count)"
    )
    print(
        f"reference, the same ballots tallied in the clear: {clear_seconds:.2f}s "
        f"(ratio {count_seconds / clear_seconds:.1f}x); same winners: "
        f"{'yes' if winners == clear_winners else 'NO'}"
    )


if __name__ == "__main__":
    main()
