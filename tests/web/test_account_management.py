"""Password reset, profile, "download my data" and "delete my account"."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from huey.signals import SIGNAL_ENQUEUED
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import RoleGrant, User
from civic.core.audit import AuditEntry
from civic.core.queue import huey
from civic.places.queries import list_municipi
from tests.conftest import csrf_from
from tests.factories.accounts import PASSWORD, log_in, make_user
from tests.factories.places import seed_municipi
from tests.support import Mailbox
from tests.web.helpers import same_page, submit, text

NEW = "Quiet-River-Stone-88"


def _reset_link(client: FlaskClient, mailbox: Mailbox, email: str) -> str:
    response = submit(client, "/password-dimenticata", {"email": email})
    assert response.status_code == 200
    return Mailbox.link(mailbox.last_to(email), "/reimposta-password/")


def test_a_reset_link_sets_a_new_password(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    make_user(db, email="lucia@example.org")
    link = _reset_link(client, mailbox, "lucia@example.org")
    response = submit(client, link, {"password": NEW, "confirm": NEW})
    assert response.status_code == 302
    ok = submit(client, "/accedi", {"email": "lucia@example.org", "password": NEW})
    assert ok.status_code == 302


def test_a_reset_link_works_only_once(client: FlaskClient, db: Session, mailbox: Mailbox) -> None:
    make_user(db, email="lucia@example.org")
    link = _reset_link(client, mailbox, "lucia@example.org")
    submit(client, link, {"password": NEW, "confirm": NEW})
    again = client.get(link)
    assert again.status_code == 302
    assert "/password-dimenticata" in again.headers["Location"]


def test_a_tampered_reset_link_is_refused(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    make_user(db, email="lucia@example.org")
    link = _reset_link(client, mailbox, "lucia@example.org")
    assert client.get(link + "x").status_code == 302


def test_a_reset_link_expires(client: FlaskClient, db: Session, mailbox: Mailbox) -> None:
    make_user(db, email="lucia@example.org")
    link = _reset_link(client, mailbox, "lucia@example.org")
    client.application.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 302
    assert "/password-dimenticata" in response.headers["Location"]


def test_asking_for_a_reset_never_says_whether_the_address_exists(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    make_user(db, email="lucia@example.org")
    known = submit(client, "/password-dimenticata", {"email": "lucia@example.org"})
    unknown = submit(client, "/password-dimenticata", {"email": "nobody@example.org"})
    assert same_page(known, "lucia@example.org") == same_page(unknown, "nobody@example.org")
    assert mailbox.to("nobody@example.org") == []
    assert len(mailbox.to("lucia@example.org")) == 1


def test_asking_for_a_reset_does_the_same_work_whether_or_not_the_address_exists(
    client: FlaskClient, db: Session, mailbox: Mailbox, count_queries: list[str]
) -> None:
    """Counted, not timed: each request queues one job and runs the same statements before
    it; only the job, later, looks the address up."""
    make_user(db, email="lucia@example.org")
    seen: list[tuple[str, int]] = []

    def enqueued(_signal: str, task: Any) -> None:
        seen.append((task.name, len(count_queries)))

    huey.signal(SIGNAL_ENQUEUED)(enqueued)
    try:
        work = []
        for address in ("lucia@example.org", "nobody@example.org"):
            page = client.get("/password-dimenticata")
            count_queries.clear()
            seen.clear()
            client.post(
                "/password-dimenticata",
                data={"csrf_token": csrf_from(text(page)), "email": address},
            )
            work.append([name for name, _ in seen[:1]] + [n for _, n in seen[:1]])
    finally:
        huey.disconnect_signal(enqueued, SIGNAL_ENQUEUED)
    assert work[0] == work[1]
    assert work[0][0] == "send_reset_link_job"
    assert len(mailbox.to("lucia@example.org")) == 1
    assert mailbox.to("nobody@example.org") == []


def test_the_reset_form_applies_the_password_policy(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    user = make_user(db, email="lucia@example.org")
    before = user.password_hash
    link = _reset_link(client, mailbox, "lucia@example.org")
    response = submit(client, link, {"password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert "is-invalid" in text(response)
    db.refresh(user)
    assert user.password_hash == before


def test_the_profile_saves_name_municipio_and_language(client: FlaskClient, db: Session) -> None:
    seed_municipi(db)
    db.commit()
    municipio = list_municipi(db)[2]
    user = make_user(db)
    log_in(client, user)
    response = submit(
        client,
        "/account/profilo",
        {"full_name": "Lucia B.", "municipio_id": str(municipio.id), "language": "en"},
    )
    assert response.status_code == 302
    db.refresh(user)
    assert (user.full_name, user.municipio_id, user.language) == ("Lucia B.", municipio.id, "en")
    assert "Municipio 3" in text(client.get("/account"))


def test_the_profile_refuses_an_unknown_municipio(client: FlaskClient, db: Session) -> None:
    seed_municipi(db)
    user = make_user(db)
    log_in(client, user)
    response = submit(
        client, "/account/profilo", {"full_name": "X", "municipio_id": "9999", "language": "it"}
    )
    assert response.status_code == 200
    assert 'id="municipio_id-error"' in text(response)
    db.refresh(user)
    assert user.municipio_id is None


def test_my_data_downloads_as_json_with_everything_held(client: FlaskClient, db: Session) -> None:
    user = make_user(db, email="lucia@example.org", full_name="Lucia Bianchi", roles=(Role.JUROR,))
    log_in(client, user)
    response = client.get("/account/i-miei-dati.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "lucia@example.org"
    assert data["account"]["full_name"] == "Lucia Bianchi"
    assert [r["role"] for r in data["account"]["roles"]] == ["juror"]
    assert "audit_log" in data


def test_deleting_the_account_erases_personal_data_and_keeps_the_row(
    client: FlaskClient, db: Session
) -> None:
    user = make_user(db, email="lucia@example.org", full_name="Lucia Bianchi", roles=(Role.STAFF,))
    user_id = user.id
    log_in(client, user)
    response = submit(client, "/account/elimina", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    row = db.get(User, user_id)
    assert row is not None
    assert row.deleted_at is not None
    assert (row.email, row.full_name, row.password_hash, row.municipio_id) == (
        None,
        None,
        None,
        None,
    )
    assert db.scalars(select(RoleGrant).where(RoleGrant.user_id == user_id)).all() == []
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "account.delete"))
    assert entry is not None
    assert entry.target_id == str(user_id)
    assert client.get("/account").status_code == 302


def test_deleting_needs_the_password(client: FlaskClient, db: Session) -> None:
    user = make_user(db, email="lucia@example.org")
    log_in(client, user)
    response = submit(client, "/account/elimina", {"password": "Wrong-Password-1", "confirm": "y"})
    assert response.status_code == 200
    db.refresh(user)
    assert user.deleted_at is None
    assert user.email == "lucia@example.org"


def test_the_address_of_a_deleted_account_can_register_again(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    user = make_user(db, email="lucia@example.org")
    log_in(client, user)
    submit(client, "/account/elimina", {"password": PASSWORD, "confirm": "y"})
    form = {"email": "lucia@example.org", "password": NEW, "confirm": NEW, "privacy": "y"}
    submit(client, "/registrati", form)
    assert "/verifica-email/" in Mailbox.body(mailbox.last_to("lucia@example.org"))
