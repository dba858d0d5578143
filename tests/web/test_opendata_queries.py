"""The API's list endpoints and the exports read a bounded number of queries, whatever the
number of rows: the count is pinned with few rows and with many."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from civic.opendata.datasets import DATASETS
from tests.factories.calls import make_proposal, make_voting_call
from tests.factories.crowdfunding import make_campaign
from tests.factories.meetings import make_meeting


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {"RATELIMIT_API": "100000 per minute"}


def _queries(client: FlaskClient, count_queries: list[str], path: str) -> int:
    count_queries.clear()
    assert client.get(path).status_code == 200
    return len(count_queries)


def test_list_endpoints_issue_the_same_queries_for_few_rows_and_many(
    client: FlaskClient, db: Session, count_queries: list[str]
) -> None:
    with client.application.test_request_context("/"):
        call, _projects = make_voting_call(db, projects_per_area=1)
        make_meeting(db)
        make_campaign(db)
    paths = [f"/api/v1/{name}?limit=100" for name in DATASETS]
    paths += [f"/opendata/{name}.json" for name in DATASETS]
    few = {path: _queries(client, count_queries, path) for path in paths}
    with client.application.test_request_context("/"):
        for n in range(12):
            make_proposal(db, call, title=f"Altro {n}")
            make_meeting(db, title=f"Incontro {n}")
        for _ in range(3):
            make_campaign(db)
    many = {path: _queries(client, count_queries, path) for path in paths}
    assert many == few
    # And the numbers themselves stay small (a session, a user lookup at most, the data).
    assert max(many.values()) <= 6, many
