"""Nonsense is refused beside its field, what was typed stays, nothing is written: amounts,
dates, phase order, budgets and invisible text, as staff and citizens would type them."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import Call
from civic.core.forms import clean_text
from civic.core.time import utcnow
from civic.places.queries import list_municipi
from tests.factories.accounts import log_in, make_user
from tests.factories.places import seed_municipi
from tests.web.helpers import VOTE_SETTINGS, submit, text

ZERO_WIDTH = "\u200b" * 6
NEXT = utcnow().year + 1  # a new call's phases start after today


def test_invisible_and_control_characters_are_cleaned_away() -> None:
    assert clean_text(ZERO_WIDTH) == ""
    assert clean_text("  Orto\u202e condiviso\x00 ") == "Orto condiviso"
    assert clean_text("riga uno\r\nriga due\tfine") == "riga uno\nriga due fine"
    assert clean_text("e\u0301") == "\u00e9"  # one letter, counted once


def _call_form(area_id: int, **changes: str) -> dict[str, str]:
    form = {
        "kind": "participatory_budget",
        "title_it": "Bilancio 2027",
        f"area_{area_id}": "y",
        f"budget_{area_id}": "100.000,00",
        "total_budget": "1.000.000,00",
        "submission_start": f"{NEXT}-03-01T09:00",
        "submission_end": f"{NEXT}-03-31T18:00",
        "voting_start": f"{NEXT}-05-01T09:00",
        "voting_end": f"{NEXT}-05-15T18:00",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v != "-"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"total_budget": "1" * 20}, "total_budget", "Scrivi un importo tra zero e un miliardo"),
        ({"budget_{a}": "9" * 18}, "budget_{a}", "Scrivi un importo tra zero e un miliardo"),
        ({"budget_{a}": "2.000.000,00"}, "budget_{a}", "più del totale"),
        ({"submission_start": "0001-01-01T00:00"}, "submission_start", "entro 10 anni"),
        ({"voting_start": f"{NEXT}-03-20T09:00"}, "voting_start", "chiusa la presentazione"),
        (
            {"submission_start": "2020-03-01T09:00", "submission_end": "2020-03-31T18:00",
             "voting_start": "2020-05-01T09:00", "voting_end": "2020-05-15T18:00"},
            "submission_start",
            "prima di oggi",
        ),
        ({"area_{a}": "-", "budget_{a}": "-"}, "kind", "almeno un Municipio"),
        ({"total_budget": "-"}, "total_budget", "il suo budget totale"),
        ({"title_it": ZERO_WIDTH}, "title_it", "obbligatorio"),
    ],
)  # fmt: skip
def test_a_call_that_cannot_work_is_refused_beside_its_field(
    client: FlaskClient, db: Session, changes: dict[str, str], field: str, message: str
) -> None:
    seed_municipi(db)
    db.commit()
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    area = list_municipi(db)[2].id
    form = _call_form(area, **{k.format(a=area): v for k, v in changes.items()})
    answer = submit(client, "/gestione/bandi/nuovo", form)
    page = text(answer)
    assert answer.status_code == 200
    assert f'id="{field.format(a=area)}-error"' in page or message in page
    assert message in page
    assert db.scalar(select(func.count()).select_from(Call)) == 0


def test_a_billion_euro_is_stored_exactly_and_a_cent_more_is_refused(
    client: FlaskClient, db: Session
) -> None:
    """€ 1 billion is the bound the forms state: it must fit the columns on both databases (a
    32-bit column holds € 21 million) and add up without overflowing."""
    from civic.calls.models import CallArea
    from civic.core.db import sum_cents

    seed_municipi(db)
    db.commit()
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    areas = [a.id for a in list_municipi(db)[:3]]
    billion = "1.000.000.000,00"
    over = submit(
        client, "/gestione/bandi/nuovo", _call_form(areas[0], total_budget="1.000.000.000,01")
    )
    assert "Scrivi un importo tra zero e un miliardo" in text(over)
    assert db.scalar(select(func.count()).select_from(Call)) == 0
    form = _call_form(areas[0], total_budget=billion, **{f"budget_{areas[0]}": billion})
    for area in areas[1:]:
        form.update({f"area_{area}": "y", f"budget_{area}": billion})
    assert submit(client, "/gestione/bandi/nuovo", form).status_code == 302
    call = db.scalars(select(Call)).one()
    assert call.total_budget_cents == 100_000_000_000
    total = db.scalar(select(sum_cents(CallArea.budget_cents)).where(CallArea.call_id == call.id))
    assert total == 300_000_000_000
    assert type(total) is int  # not PostgreSQL's numeric, which the driver reads as a Decimal


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cost": "9" * 17}, "cost", "Scrivi un importo tra zero e un miliardo"),
        ({"cost": "0"}, "cost", "costo stimato"),
        ({"cost": "150.000,00"}, "cost", "budget del Municipio"),  # the area has 100.000,00
        ({"lat": "sNaN"}, "lat", "Scrivi un numero"),
        ({"lat": "-1.286", "lon": "36.817"}, "lat", "fuori dalla città"),  # Nairobi
        ({"title": ZERO_WIDTH + "Orto"}, "title", "tra 5 e 200 caratteri"),  # 4 seen
    ],
)
def test_a_proposal_that_cannot_be_is_refused_and_keeps_what_was_typed(
    client: FlaskClient, db: Session, changes: dict[str, str], field: str, message: str
) -> None:
    from civic.proposals.models import Proposal
    from tests.factories.calls import make_call
    from tests.web.test_proposals import _form

    call = make_call(db)
    log_in(client, make_user(db))
    form = {**_form(call), **changes}
    answer = submit(client, f"/bandi/{call.slug}/proposte/nuova", form)
    page = text(answer)
    assert answer.status_code == 200
    assert f'id="{field}-error"' in page
    assert message in page
    assert "Servono" in page  # what was typed is still there
    assert db.scalar(select(func.count()).select_from(Proposal)) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_choices": "3", "max_choices": "2"}, "non può essere più del massimo"),
        ({"min_choices": "9"}, "più dei progetti della scheda più piccola (3)"),
        ({"max_choices": "7"}, "più dei progetti della scheda più grande (3)"),
    ],
)
def test_vote_settings_that_no_ballot_could_meet_are_refused(
    client: FlaskClient, db: Session, changes: dict[str, str], message: str
) -> None:
    from civic.voting.models import VoteSettings
    from tests.factories.calls import make_voting_call

    call, _projects = make_voting_call(db, voting_open=False)
    before = db.get(VoteSettings, call.id)
    assert before is not None
    kept = (before.min_choices, before.max_choices)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    form = VOTE_SETTINGS | changes
    answer = submit(client, f"/gestione/bandi/{call.id}/voto", form)
    assert answer.status_code == 200
    assert message in text(answer)
    db.expire_all()
    after = db.get(VoteSettings, call.id)
    assert after is not None
    assert (after.min_choices, after.max_choices) == kept
