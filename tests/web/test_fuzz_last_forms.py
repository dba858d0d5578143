"""The two forms whose starting values come from the page itself, fuzzed like the others
(tests/web/test_fuzz_forms.py): editing a call (its own Municipi, budgets and phases, as the
edit page fills them in) and a trustee's share on the count page. One field at a time takes
each hostile value: never a server error, and a refusal changes no row."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import Call, CallPhase
from civic.core.time import utcnow
from civic.voting import services
from civic.voting.models import ElectionTrustee
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import DAY, make_call, make_voting_call
from tests.web.helpers import form_fields, text
from tests.web.test_fuzz_forms import CORE, _try

pytestmark = pytest.mark.fuzz


def _without_csrf(app: Flask) -> FlaskClient:
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; these are about values
    return app.test_client()


def test_every_field_of_a_call_being_edited_meets_every_hostile_value(
    app: Flask, db: Session
) -> None:
    call = make_call(db, published=False)
    client = _without_csrf(app)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    url = f"/gestione/bandi/{call.id}/modifica"
    start = form_fields(text(client.get(url)), holding="title_it")
    start.pop("csrf_token", None)
    assert {"title_it", "total_budget", "submission_start", "voting_end"} <= set(start)
    assert any(re.fullmatch(r"budget_\d+", name) for name in start)

    known = None
    for key in sorted(start):
        for hostile in CORE:
            known = _try(client, db, url, start | {key: hostile}, known)

    # The page's own values go through, and saving them changes what it should.
    saved = client.post(url, data=start | {"title_it": "Bilancio partecipativo, rivisto"})
    assert saved.status_code == 302
    db.expire_all()
    edited = db.get(Call, call.id)
    assert edited is not None
    assert edited.title_it == "Bilancio partecipativo, rivisto"


def test_a_trustees_share_meets_every_hostile_value(app: Flask, db: Session) -> None:
    call, _projects = make_voting_call(db, secrecy="trustees")
    staff = make_user(db, roles=(Role.STAFF,))
    people = [make_user(db) for _ in range(2)]
    with app.test_request_context("/"):
        services.set_up_box(
            db, staff, call, mode="trustees", trustee_emails=[p.email for p in people],
            threshold=2, now=utcnow(),
        )  # fmt: skip
        db.commit()
    client = _without_csrf(app)
    log_in(client, people[0])
    other = app.test_client()
    log_in(other, people[1])
    own = f"/garante/bandi/{call.id}"
    client.post(own, data={"action": "ready"})
    other.post(own, data={"action": "ready"})  # the key is made once every trustee is ready
    collected = client.post(own, data={"action": "collect", "format": "page"})
    words = re.findall(r"<code>\d+\. ([a-z]+)</code>", text(collected))
    assert len(words) == 33
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call.id, CallPhase.kind == "voting")
        .values(starts_at=utcnow() - 3 * DAY, ends_at=utcnow() - DAY)
    )
    db.commit()

    count = f"/gestione/bandi/{call.id}/scrutinio"
    start = {"action": "share", "share": " ".join(words)}
    known = None
    for key in sorted(start):
        for hostile in [*CORE, " ".join(words[:-1]), " ".join(reversed(words))]:
            known = _try(client, db, count, start | {key: hostile}, known)
    for hostile in CORE:  # the trustee's own page, with its two buttons
        known = _try(client, db, own, {"action": hostile, "format": hostile}, known)
    assert db.scalars(select(ElectionTrustee.entered_at)).all() == [None, None]

    assert client.post(count, data=start).status_code == 302
    assert len([t for t in db.scalars(select(ElectionTrustee.entered_at)).all() if t]) == 1
