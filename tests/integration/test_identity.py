"""SPID/CIE sign-in against a real OpenID Connect provider, the census, declared residency,
and fiscal numbers as personal data."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.core.audit import AuditEntry
from civic.core.time import utcnow
from civic.places.queries import list_municipi
from civic.residency import census
from civic.residency.models import CensusRecord, Residency
from civic.voting import services as voting
from tests.factories.accounts import PASSWORD, log_in, make_user
from tests.factories.calls import make_voting_call
from tests.oidc_support import CLIENT_ID, CLIENT_SECRET, log_in_at_provider, oidc_provider
from tests.web.helpers import post_with_token, submit, text

CALLBACK = "http://localhost/accedi/spid/ritorno"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider([CALLBACK]) as url:
        yield url


@pytest.fixture
def app_overrides(issuer: str) -> dict[str, Any]:
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}


def _spid_sign_in(client: FlaskClient, login: str) -> Any:
    start = client.get("/accedi/spid")
    assert start.status_code == 302
    back = log_in_at_provider(start.headers["Location"], login)
    assert back.startswith(CALLBACK)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def test_first_sign_in_creates_the_account_and_the_next_one_finds_it(
    client: FlaskClient, db: Session
) -> None:
    done = _spid_sign_in(client, "mario")
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/account")
    person = db.scalar(select(User).where(User.email == "mario.rossi@example.org"))
    assert person is not None
    assert (person.full_name, person.fiscal_number) == ("Mario Rossi", "RSSMRA85T10A562S")
    assert person.birth_date == date(1985, 12, 10)
    assert person.password_hash is None
    with client.application.app_context():
        assert person.fiscal_number_hash == census.fiscal_hash("RSSMRA85T10A562S")
    page = text(client.get("/account"))
    assert "RSSMRA85T10A562S" in page  # the person sees their own fiscal number
    client.post("/esci", data={"csrf_token": ""})
    again = client.application.test_client()
    assert _spid_sign_in(again, "mario").status_code == 302
    assert db.scalar(select(func.count()).select_from(User)) == 1
    actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "user")))
    assert actions.count("account.oidc_created") == 1
    assert actions.count("account.oidc_sign_in") == 1


def test_a_wrong_state_is_refused(client: FlaskClient, db: Session) -> None:
    start = client.get("/accedi/spid")
    back = log_in_at_provider(start.headers["Location"], "mario")
    parts = urlsplit(back)
    query = parts.query.replace("state=", "state=X")
    refused = client.get(f"{parts.path}?{query}", follow_redirects=True)
    assert "La procedura di accesso è scaduta" in text(refused)
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_a_tampered_id_token_is_refused(
    client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from authlib.integrations.flask_client.apps import FlaskOAuth2App

    real = FlaskOAuth2App.fetch_access_token

    def tampered(self: Any, *args: Any, **kwargs: Any) -> Any:
        token = real(self, *args, **kwargs)  # a real token from the real provider...
        header, payload, signature = token["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["fiscal_number"] = "TINIT-NREPLA80A01F205E"  # ...claiming to be someone else
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        token["id_token"] = f"{header}.{forged}.{signature}"
        return token

    monkeypatch.setattr(FlaskOAuth2App, "fetch_access_token", tampered)
    refused = _spid_sign_in(client, "mario")
    assert refused.headers["Location"].endswith("/accedi")
    assert "Non è stato possibile verificare la tua identità" in text(client.get("/accedi"))
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_the_provider_down_gets_a_clear_message(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    down = app.test_client()
    app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"
    from civic.accounts import oidc

    oidc.register(app)
    response = down.get("/accedi/spid", follow_redirects=True)
    assert "non è raggiungibile" in text(response)


def test_an_admin_can_require_spid_for_citizens(client: FlaskClient, db: Session) -> None:
    admin = make_user(db, roles=(Role.ADMIN,))
    citizen = make_user(db, email="citizen@example.org")
    log_in(client, admin)
    assert submit(client, "/admin/impostazioni", {"require_oidc": "y"}).status_code == 302
    other = client.application.test_client()
    refused = submit(other, "/accedi", {"email": citizen.email, "password": PASSWORD})
    assert "accedono con SPID o CIE" in text(refused)
    staff = make_user(db, roles=(Role.STAFF,), email="staff@example.org")
    allowed = submit(
        client.application.test_client(), "/accedi", {"email": staff.email, "password": PASSWORD}
    )
    assert allowed.status_code == 302
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "site.setting"))
    assert entry is not None


CSV = """fiscal_number,municipio,birth_date
RSSMRA85T10A562S,3,1985-12-10
VRDLGU70M01F205I,5,1970-08-01
"""


def test_the_census_keeps_only_keyed_hashes_and_verifies_on_sign_in(
    client: FlaskClient, db: Session
) -> None:
    from tests.factories.places import seed_municipi

    seed_municipi(db)
    staff = make_user(db, roles=(Role.STAFF,))
    desk = client.application.test_client()
    log_in(desk, staff)
    bad = CSV + "NOTAFISCALNUMBER,3,1990-01-01\nBNCGLI90A41F205H,12,1990-01-01\n"
    page = desk.get("/gestione/residenza/anagrafe")
    token = page.get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    import io

    refused = desk.post(
        "/gestione/residenza/anagrafe",
        data={"csrf_token": token, "file": (io.BytesIO(bad.encode()), "anagrafe.csv")},
        content_type="multipart/form-data",
    )
    assert "riga 4" in text(refused)
    assert "riga 5" in text(refused)
    assert db.scalar(select(func.count()).select_from(CensusRecord)) == 0
    done = desk.post(
        "/gestione/residenza/anagrafe",
        data={"csrf_token": token, "file": (io.BytesIO(CSV.encode()), "anagrafe.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    rows = db.scalars(select(CensusRecord)).all()
    assert len(rows) == 2
    assert all("RSSMRA" not in r.fiscal_hash and len(r.fiscal_hash) == 64 for r in rows)
    assert _spid_sign_in(client, "mario").status_code == 302
    person = db.scalar(select(User).where(User.email == "mario.rossi@example.org"))
    assert person is not None
    residency = db.get(Residency, person.id)
    assert residency is not None
    assert residency.method == "census"
    assert residency.municipio_id == list_municipi(db)[2].id
    # Giulia is not in the census: signed in, but not a verified resident.
    _spid_sign_in(client.application.test_client(), "giulia")
    giulia = db.scalar(select(User).where(User.email == "giulia.bianchi@example.org"))
    assert giulia is not None
    assert db.get(Residency, giulia.id) is None


def test_census_residents_vote_and_declared_residency_only_where_accepted(
    app_ctx: Flask, db: Session
) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    person = make_user(db)
    person.fiscal_number_hash = census.fiscal_hash("VRDLGU70M01F205I")
    staff = make_user(db, roles=(Role.STAFF,))
    number = next(a.number for a in list_municipi(db) if a.id == area)
    report = census.import_census(
        db, staff, f"VRDLGU70M01F205I,{number},1970-08-01\n", now=utcnow()
    )
    assert report.imported == 1
    voting.cast_ballot(db, person, call, area, {projects[area][0]: 1}, now=utcnow())
    declarer = make_user(db)
    census.declare(db, declarer, municipio_id=area, birth_date=date(1980, 1, 1), now=utcnow())
    with pytest.raises(voting.VoteRefused, match="not_verified"):
        voting.cast_ballot(db, declarer, call, area, {projects[area][0]: 1}, now=utcnow())
    from civic.voting.models import VoterRoll, VoteSettings

    settings = db.get(VoteSettings, call.id)
    assert settings is not None
    settings.allow_self_declared = True
    voting.cast_ballot(db, declarer, call, area, {projects[area][0]: 1}, now=utcnow())
    methods = dict(db.execute(select(VoterRoll.user_id, VoterRoll.residency_method)).all())
    assert methods == {person.id: "census", declarer.id: "self"}


def test_identity_data_is_for_the_person_and_admins_with_a_reason(
    client: FlaskClient, db: Session
) -> None:
    person = make_user(db, email="persona@example.org")
    person.fiscal_number = "RSSMRA85T10A562S"
    person.birth_date = date(1985, 12, 10)
    db.commit()
    admin = make_user(db, roles=(Role.ADMIN,))
    log_in(client, admin)
    page = text(client.get(f"/admin/utenti/{person.id}"))
    assert "RSSMRA85T10A562S" not in page
    short = post_with_token(client, f"/admin/utenti/{person.id}/identita", {"reason": "boh"})
    assert short.status_code == 302
    shown = post_with_token(
        client, f"/admin/utenti/{person.id}/identita", {"reason": "Verifica richiesta dal seggio"}
    )
    assert "RSSMRA85T10A562S" in text(shown)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "user.identity_viewed"))
    assert entry is not None
    assert entry.reason == "Verifica richiesta dal seggio"
    staff = client.application.test_client()
    log_in(staff, make_user(db, roles=(Role.STAFF,)))
    assert staff.post(
        f"/admin/utenti/{person.id}/identita", data={"reason": "x" * 20}
    ).status_code in (400, 403)


def test_identity_data_is_erased_with_the_account(app_ctx: Flask, db: Session) -> None:
    from civic.accounts.services import AccountRefused, delete_account

    person = make_user(db, email="leaving@example.org")
    person.password_hash = None  # a SPID account: confirms with the e-mail address
    person.fiscal_number = "RSSMRA85T10A562S"
    person.fiscal_number_hash = census.fiscal_hash("RSSMRA85T10A562S")
    person.birth_date = date(1985, 12, 10)
    with pytest.raises(AccountRefused):
        delete_account(db, person, password="wrong", now=utcnow())
    assert delete_account(db, person, password="leaving@example.org", now=utcnow())
    assert (person.fiscal_number, person.fiscal_number_hash, person.birth_date) == (
        None,
        None,
        None,
    )
    assert person.deleted_at is not None
    assert utcnow() - person.deleted_at < timedelta(minutes=1)


def test_declaring_residency_on_the_vote_page(client: FlaskClient, db: Session) -> None:
    with client.application.test_request_context("/"):
        call, projects = make_voting_call(db)
    area = next(iter(projects))
    person = make_user(db)
    log_in(client, person)
    page = f"/bandi/{call.slug}/voto"
    assert "Dichiara la mia residenza" not in text(client.get(page))  # not accepted here
    assert post_with_token(client, f"{page}/residenza", {}).status_code == 404
    from civic.voting.models import VoteSettings

    settings = db.get(VoteSettings, call.id)
    assert settings is not None
    settings.allow_self_declared = True
    db.commit()
    assert "Dichiara la mia residenza" in text(client.get(page))
    form = {"municipio_id": str(area), "birth_date": "1990-05-01"}
    missing = post_with_token(client, f"{page}/residenza", form)  # not declared true
    assert missing.status_code == 302
    assert db.get(Residency, person.id) is None
    outside = post_with_token(
        client, f"{page}/residenza", form | {"truthful": "y", "municipio_id": "999"}
    )
    assert outside.status_code == 302
    assert db.get(Residency, person.id) is None
    done = post_with_token(client, f"{page}/residenza", form | {"truthful": "y"})
    assert done.status_code == 302
    residency = db.get(Residency, person.id)
    assert residency is not None
    assert residency.method == "self"
    assert "Vota in questo Municipio" in text(client.get(page))


def test_no_export_carries_fiscal_numbers_or_birth_dates(
    client: FlaskClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(client.application.config, "MIN_PUBLISHED_BALLOTS", 1)  # a small vote
    from sqlalchemy import update

    from civic.calls.models import CallPhase
    from civic.voting.models import VoteSettings

    with client.application.test_request_context("/"):
        call, projects = make_voting_call(db)
        area = next(iter(projects))
        staff = make_user(db, roles=(Role.STAFF,))
        number = next(a.number for a in list_municipi(db) if a.id == area)
        census.import_census(db, staff, f"RSSMRA85T10A562S,{number},1985-12-10\n", now=utcnow())
        voter = make_user(db, full_name="Mario Rossi")
        voter.fiscal_number = "RSSMRA85T10A562S"
        voter.fiscal_number_hash = census.fiscal_hash("RSSMRA85T10A562S")
        voter.birth_date = date(1985, 12, 10)
        declarer = make_user(db)
        census.declare(db, declarer, municipio_id=area, birth_date=date(1979, 3, 4), now=utcnow())
        settings = db.get(VoteSettings, call.id)
        assert settings is not None
        settings.allow_self_declared = True
        for person in (voter, declarer):
            voting.cast_ballot(db, person, call, area, {projects[area][0]: 1}, now=utcnow())
        now = utcnow()
        db.execute(
            update(CallPhase)
            .where(CallPhase.call_id == call.id, CallPhase.kind == "voting")
            .values(starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1))
        )
        voting.tally_call(db, staff, call, now=utcnow())
        voting.publish_results(db, staff, call, now=utcnow())
        db.commit()
    exports = [
        client.get(f"/bandi/{call.slug}/risultati.csv"),
        client.get(f"/bandi/{call.slug}/risultati/{area}.pb"),
    ]
    page = text(client.get(f"/bandi/{call.slug}/risultati"))
    assert "di cui 1 con residenza dichiarata" in page  # declared residency, marked
    for response in exports:
        body = text(response)
        assert response.status_code == 200
        for secret in ("RSSMRA85T10A562S", "1985-12-10", "1979-03-04", "Mario Rossi"):
            assert secret not in body
