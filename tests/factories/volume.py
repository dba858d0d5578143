"""A city's worth of records, loaded in bulk: for the query-count test and bench/pages.py.

10,000 proposals with supports, 100,000 ballots with published results and their winners
tracked, 5,000 pledges with their ledger lines, and grants awarded. Rows go in with Core
inserts in batches: the services would take minutes for this many and are tested elsewhere.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.time import utcnow
from civic.crowdfunding.models import LedgerEntry, Pledge
from civic.execution.services import track_funded
from civic.grants.models import GrantApplication
from civic.proposals.models import Proposal, Support
from civic.voting.models import Ballot, VoteResult
from tests.factories.accounts import make_user
from tests.factories.calls import make_voting_call
from tests.factories.crowdfunding import make_campaign
from tests.factories.grants import make_grant_call

BATCH = 5_000


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start : start + BATCH])


def _pick(ids: list[int], n: int) -> int:
    return ids[n % min(7, len(ids))]


def load_volume(
    session: Session,
    *,
    proposals: int = 10_000,
    ballots: int = 100_000,
    pledges: int = 5_000,
    campaigns: int = 10,
    grants: int = 300,
    supporters: int = 20,
) -> dict[str, Any]:
    """Load the records (inside a request context: the factories render e-mails)."""
    now = utcnow()
    staff = make_user(session, roles=(Role.STAFF,), email=None)
    call, _projects = make_voting_call(session, voting_open=False, projects_per_area=1)
    areas = [a.area_id for a in call.areas]
    themes = [t.id for t in call.themes]
    author = make_user(session, email=None)
    rows = [
        {
            "call_id": call.id,
            "author_id": author.id,
            "area_id": areas[n % len(areas)],
            "theme_id": themes[n % len(themes)],
            "title": f"Proposta di carico {n}",
            "body_md": "Testo.",
            "body_html": "<p>Testo.</p>",
            "cost_cents": (20 + n % 80) * 1_000_00,
            "lat": 45.40 + (n % 100) / 1000,
            "lon": 9.10 + (n % 150) / 1000,
            "status": "feasible",
            "submitted_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(proposals)
    ]
    _insert(session, Proposal, rows)
    ids = list(session.scalars(select(Proposal.id).where(Proposal.call_id == call.id)))
    fans = [make_user(session, email=None) for _ in range(supporters)]
    supports = [
        {"proposal_id": pid, "user_id": fan.id, "created_at": now}
        for index, fan in enumerate(fans)
        for pid in ids[index :: max(1, supporters // 2)]
    ]
    _insert(session, Support, supports)
    by_area: dict[int, list[int]] = {}
    for pid, area in session.execute(
        select(Proposal.id, Proposal.area_id).where(Proposal.call_id == call.id)
    ):
        by_area.setdefault(area, []).append(pid)
    _insert(
        session,
        Ballot,
        [
            {
                "id": secrets.token_hex(16),
                "call_id": call.id,
                "area_id": areas[n % len(areas)],
                "channel": "online",
                "choices": {str(_pick(by_area[areas[n % len(areas)]], n)): 1},
                "cast_on": now - timedelta(days=1),
            }
            for n in range(ballots)
        ],
    )
    for area in areas:
        voters = len(range(areas.index(area), ballots, len(areas)))
        session.add(
            VoteResult(
                call_id=call.id, area_id=area, rule="greedy", budget_cents=1_000_000_00,
                winners=by_area[area][:5], explanation={}, ballots=voters, voters=voters,
                computed_at=now, published_at=now,
            )
        )  # fmt: skip
    session.commit()
    made_campaigns = [make_campaign(session, staff=staff) for _ in range(campaigns)]
    tag = secrets.token_hex(4)  # this load's pledges, apart from an earlier load's
    pledge_rows = [
        {
            "campaign_id": made_campaigns[n % campaigns].id,
            "backer_id": None,
            "amount_cents": 10_00 + n % 50 * 100,
            "reference": f"carico-{tag}-{n}",
            "state": "active",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(pledges)
    ]
    _insert(session, Pledge, pledge_rows)
    ledger_rows = []
    for pledge_id, campaign_id, amount in session.execute(
        select(Pledge.id, Pledge.campaign_id, Pledge.amount_cents).where(
            Pledge.reference.like(f"carico-{tag}-%")
        )
    ):
        for account, cents in (("pledged", amount), ("backer_commitments", -amount)):
            ledger_rows.append(
                {
                    "movement": f"pledge_committed:{pledge_id}",
                    "campaign_id": campaign_id,
                    "pledge_id": pledge_id,
                    "kind": "pledge_committed",
                    "account": account,
                    "amount_cents": cents,
                    "created_at": now,
                }
            )
    _insert(session, LedgerEntry, ledger_rows)
    grant_call, _settings = make_grant_call(session, staff)
    _insert(
        session,
        GrantApplication,
        [
            {
                "call_id": grant_call.id,
                "lead_user_id": None,
                "group_name": f"Gruppo {n}",
                "title": f"Progetto di quartiere {n}",
                "area_id": areas[n % len(areas)],
                "total_cents": 10_000_00 + n * 100,
                "state": "funded",
                "protocol_number": f"CARICO-{grant_call.id}-{n}",
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(grants)
        ],
    )
    track_funded(session, now=now)
    session.commit()
    return {"call": call.id, "proposals": proposals, "ballots": ballots, "pledges": pledges}
