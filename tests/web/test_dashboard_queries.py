"""With 10,000 proposals, 100,000 ballots and 5,000 pledges loaded, the dashboard, the lists
behind its figures, the funded projects and every API list issue the same number of queries as
with a handful of records: the numbers are pinned."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.execution.models import TrackedProject
from civic.opendata.datasets import DATASETS
from civic.proposals.models import Proposal
from civic.voting.models import Ballot, VoteResult
from tests.factories.volume import load_volume

# The queries each page issues: figures are grouped queries, lists one page of rows.
PINNED = {
    "/dashboard": 11,
    "/dashboard?municipio={area}&anno={year}&tema={theme}": 11,
    "/dashboard/dati.csv": 8,
    "/dashboard/proposte": 7,
    "/dashboard/votazioni": 7,
    "/dashboard/crowdfunding": 7,
    "/dashboard/contributi": 7,
    "/progetti-finanziati": 7,  # with the count of cancelled projects, listed apart
    "/progetti-finanziati/{project}": 4,
    **{f"/api/v1/{name}?limit=100": 1 for name in DATASETS},
    "/api/v1/campaigns?limit=100": 3,  # the campaigns, their ledger totals, their backers
    "/api/v1/projects?limit=100": 2,  # the projects, their milestones
}


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {"RATELIMIT_API": "100000 per minute"}


def _counts(
    client: FlaskClient, count_queries: list[str], values: dict[str, Any]
) -> dict[str, int]:
    found = {}
    for path in PINNED:
        count_queries.clear()
        assert client.get(path.format(**values)).status_code == 200, path
        found[path] = len(count_queries)
    return found


def test_pages_issue_the_same_bounded_queries_for_a_handful_and_a_city(
    client: FlaskClient, db: Session, count_queries: list[str]
) -> None:
    from civic.core.time import utcnow

    with client.application.test_request_context("/"):
        small = load_volume(
            db, proposals=20, ballots=50, pledges=10, campaigns=2, grants=3, supporters=2
        )
    project = db.scalar(select(TrackedProject.id).order_by(TrackedProject.id))
    # A scope with a vote in it, so the votes' figures are counted in both loads.
    area, theme = db.execute(
        select(Proposal.area_id, Proposal.theme_id)
        .join(VoteResult, VoteResult.area_id == Proposal.area_id)
        .order_by(Proposal.id)
        .limit(1)
    ).one()
    values = {"project": project, "area": area, "year": utcnow().year, "theme": theme}
    few = _counts(client, count_queries, values)
    with client.application.test_request_context("/"):
        load_volume(db)
    assert db.scalar(select(func.count()).select_from(Ballot)) >= 100_000
    many = _counts(client, count_queries, values)
    assert few == PINNED
    assert many == PINNED
    assert small["proposals"] == 20
