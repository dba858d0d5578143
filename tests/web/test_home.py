"""The home page shows what is happening: open calls with their phase, the next meetings and
the latest results, each linking on; and says so plainly when there is nothing."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from civic.calls.domain import PhaseKind, Window
from civic.core.time import utcnow
from civic.voting.models import VoteResult
from tests.factories.calls import make_call
from tests.factories.meetings import make_meeting
from tests.web.helpers import text


def test_an_empty_city_says_there_is_nothing_yet(client: FlaskClient) -> None:
    page = text(client.get("/"))
    assert "Nessun bando è aperto in questo momento" in page
    assert "Al momento non è previsto alcun incontro." in page
    assert "Non sono ancora stati pubblicati risultati." in page


def test_open_calls_meetings_and_results_are_shown_with_links(
    client: FlaskClient, db: Session
) -> None:
    now = utcnow()
    open_call = make_call(db, title="Bilancio aperto")
    ended = [
        Window(PhaseKind.SUBMISSION, now - timedelta(days=60), now - timedelta(days=50)),
        Window(PhaseKind.VOTING, now - timedelta(days=40), now - timedelta(days=30)),
    ]
    closed_call = make_call(db, title="Bilancio chiuso", windows=ended)
    draft = make_call(db, title="Bilancio in bozza", published=False)
    meeting = make_meeting(db, title="Presentazione in biblioteca")
    make_meeting(db, title="Incontro non pubblicato", publish=False)
    area = closed_call.areas[0].area_id
    db.add(
        VoteResult(
            call_id=closed_call.id, area_id=area, rule="greedy", budget_cents=100_000_00,
            winners=[11, 12], explanation={}, ballots=30, voters=30,
            computed_at=now, published_at=now,
        )
    )  # fmt: skip
    db.commit()
    page = text(client.get("/"))
    assert f'href="/bandi/{open_call.slug}"' in page
    assert "Bilancio aperto" in page
    assert "Ora: " in page  # the phase running now, as on the calls' list
    assert draft.title("it") not in page
    assert f'href="/bandi/{closed_call.slug}/risultati"' in page
    assert "2 progetti scelti" in page
    assert "Bilancio chiuso" in page.split("Ultimi risultati")[1]
    assert "Bilancio chiuso" not in page.split("Aperti ora")[1].split("Prossimi incontri")[0]
    assert f'href="/incontri/{meeting.slug}"' in page
    assert "Incontro non pubblicato" not in page
