"""The trustees' pages over HTTP: a trustee's own page answers 404 to anyone else, the share is
collected once with the key this browser holds, the count page refuses a wrong share with its
message and keeps nothing, and outsiders cannot see the count."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import CallPhase
from civic.core.time import utcnow
from civic.voting import services
from civic.voting.models import ElectionTrustee
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import DAY, make_voting_call
from tests.web.helpers import submit, text


def _box(client: FlaskClient, db: Session):  # type: ignore[no-untyped-def]
    call, _projects = make_voting_call(db, secrecy="trustees")
    staff = make_user(db, roles=(Role.STAFF,))
    people = [make_user(db) for _ in range(2)]
    with client.application.test_request_context("/"):
        services.set_up_box(
            db, staff, call, mode="trustees", trustee_emails=[p.email for p in people],
            threshold=2, now=utcnow(),
        )  # fmt: skip
        db.commit()
    return call, staff, people


def test_the_share_is_shown_once_as_a_page_or_a_pdf(client: FlaskClient, db: Session) -> None:
    call, _staff, people = _box(client, db)
    page = f"/garante/bandi/{call.id}"
    clients = []
    for person in people:
        own = client.application.test_client()
        log_in(own, person)
        submit(own, page, {"action": "ready"})
        clients.append(own)
    outsider = client.application.test_client()
    log_in(outsider, make_user(db))
    assert outsider.get(page).status_code == 404  # a trustee's page is theirs alone
    shown = submit(clients[0], page, {"action": "collect", "format": "page"})
    assert shown.headers["Cache-Control"] == "no-store"
    words = re.findall(r"<code>\d+\. ([a-z]+)</code>", text(shown))
    assert len(words) == 33
    again = submit(clients[0], page, {"action": "collect", "format": "page"})
    assert "Hai già ritirato la tua quota" in text(again)
    pdf = submit(clients[1], page, {"action": "collect", "format": "pdf"})
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store"
    assert db.scalars(select(ElectionTrustee.sealed_share)).all() == [None, None]


def test_the_count_page_refuses_a_wrong_share_and_outsiders(
    client: FlaskClient, db: Session
) -> None:
    call, _staff, people = _box(client, db)
    page = f"/garante/bandi/{call.id}"
    own = client.application.test_client()
    log_in(own, people[0])
    submit(own, page, {"action": "ready"})
    other = client.application.test_client()
    log_in(other, people[1])
    submit(other, page, {"action": "ready"})
    mine = re.findall(
        r"<code>\d+\. ([a-z]+)</code>", text(submit(own, page, {"action": "collect"}))
    )
    theirs = re.findall(
        r"<code>\d+\. ([a-z]+)</code>", text(submit(other, page, {"action": "collect"}))
    )
    now = utcnow()
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call.id, CallPhase.kind == "voting")
        .values(starts_at=now - 3 * DAY, ends_at=now - DAY)
    )
    db.commit()
    count = f"/gestione/bandi/{call.id}/scrutinio"
    wrong = submit(own, count, {"action": "share", "share": " ".join(theirs)})
    assert wrong.status_code == 200
    assert "Questa non è la tua quota per questo bando." in text(wrong)
    assert " ".join(theirs) in text(wrong)  # what was typed is kept
    assert db.scalars(select(ElectionTrustee.entered_at)).all() == [None, None]
    right = submit(own, count, {"action": "share", "share": " ".join(mine)})
    assert right.status_code == 302
    assert "Inserite 1 quote su 2." in text(own.get(count))
    outsider = client.application.test_client()
    log_in(outsider, make_user(db))
    assert outsider.get(count).status_code == 403
    assert submit(
        outsider, count, {"action": "share", "share": " ".join(mine)}, form_page=page
    ).status_code in (403, 404)


def test_staff_name_the_trustees_in_rows_from_the_settings_page(
    client: FlaskClient, db: Session
) -> None:
    from tests.factories.calls import make_call
    from tests.web.helpers import VOTE_SETTINGS, form_fields, rows

    call = make_call(db)
    staff = make_user(db, roles=(Role.STAFF,))
    people = [make_user(db, email=f"garante{n}@example.org") for n in range(3)]
    log_in(client, staff)
    url = f"/gestione/bandi/{call.id}/voto"
    page = text(client.get(url))
    assert "per riga" not in page  # no free-text syntax
    blank = form_fields(page, "trustees-0-email")
    assert [blank[f"trustees-{n}-email"] for n in range(3)] == ["", "", ""]

    chosen = VOTE_SETTINGS | {"secrecy": "trustees", "threshold": "2"}
    typed = chosen | rows(
        "trustees", {"email": "garante0@example.org"}, {"email": "non-un-indirizzo"}
    )
    refused = text(submit(client, url, typed))
    assert 'id="trustees-1-email-error"' in refused  # beside the row it is about
    assert 'value="non-un-indirizzo"' in refused  # kept as typed
    assert services.trustees_of(db, call.id) == []

    added = text(submit(client, url, typed | {"rows": "add:trustees"}))
    assert 'name="trustees-2-email"' in added
    assert services.trustees_of(db, call.id) == []

    named = chosen | rows(
        "trustees",
        *({"email": p.email} for p in people),
        {"email": ""},  # a blank row: skipped
    )
    assert submit(client, url, named).status_code == 302
    seats = services.trustees_of(db, call.id)
    assert sorted(s.user_id for s in seats) == sorted(p.id for p in people)
    again = form_fields(text(client.get(url)), "trustees-0-email")
    assert sorted(again[f"trustees-{n}-email"] for n in range(3)) == sorted(
        str(p.email) for p in people
    )
