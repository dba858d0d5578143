"""The residency desk: staff verify a person's Municipio and date of birth in person."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.audit import AuditEntry
from civic.places.queries import list_municipi
from civic.residency.models import Residency
from tests.factories.accounts import PASSWORD, log_in, make_user
from tests.factories.places import seed_municipi
from tests.web.helpers import submit, text


def _desk(client: FlaskClient, db: Session, **changes: str):  # type: ignore[no-untyped-def]
    seed_municipi(db)
    db.commit()
    area = list_municipi(db)[4]
    form = {
        "email": "anna@example.org",
        "municipio_id": str(area.id),
        "birth_date": "1990-04-12",
        "document_type": "carta_identita",
    } | changes
    return area, submit(client, "/gestione/residenza", form)


def test_staff_verify_a_residency_and_the_log_omits_the_birth_date(
    client: FlaskClient, db: Session
) -> None:
    person = make_user(db, email="anna@example.org")
    operator = make_user(db, roles=(Role.STAFF,))
    log_in(client, operator)
    area, response = _desk(client, db)
    assert response.status_code == 302
    residency = db.get(Residency, person.id)
    assert residency is not None
    assert (residency.municipio_id, str(residency.birth_date), residency.verified_by_id) == (
        area.id,
        "1990-04-12",
        operator.id,
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "residency.desk"))
    assert entry is not None
    assert entry.after == {"municipio_id": area.id, "document_type": "carta_identita"}
    assert "1990" not in json.dumps(entry.after)


def test_an_impossible_birth_date_is_refused(client: FlaskClient, db: Session) -> None:
    person = make_user(db, email="anna@example.org")
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    _area, response = _desk(client, db, birth_date="2999-01-01")
    assert response.status_code == 200
    assert 'id="birth_date-error"' in text(response)
    assert db.get(Residency, person.id) is None


def test_residency_is_in_my_data_and_erased_with_the_account(
    client: FlaskClient, db: Session
) -> None:
    person = make_user(db, email="anna@example.org")
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    _desk(client, db)
    log_in(client, person)
    data = json.loads(client.get("/account/i-miei-dati.json").get_data(as_text=True))
    assert data["residency"]["birth_date"] == "1990-04-12"
    submit(client, "/account/elimina", {"password": PASSWORD, "confirm": "y"})
    assert db.get(Residency, person.id) is None
