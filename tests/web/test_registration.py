"""Register, verify the address by the e-mailed link, and the rules around it."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import User
from tests.factories.accounts import PASSWORD, make_user
from tests.support import Mailbox
from tests.web.helpers import same_page, submit, text

FORM = {
    "full_name": "Lucia Bianchi",
    "email": "Lucia@Example.org",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "privacy": "y",
}


def _users(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User)) or 0


def test_registration_creates_an_unverified_account_and_mails_a_link(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    response = submit(client, "/registrati", FORM)
    assert response.status_code == 200
    assert "lucia@example.org" in text(response).lower()
    user = db.scalar(select(User).where(User.email == "lucia@example.org"))
    assert user is not None
    assert user.email_verified_at is None
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert "/verifica-email/" in Mailbox.link(
        mailbox.last_to("lucia@example.org"), "/verifica-email/"
    )


def test_the_emailed_link_verifies_the_address_once(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    submit(client, "/registrati", FORM)
    link = Mailbox.link(mailbox.last_to("lucia@example.org"), "/verifica-email/")
    first = client.get(link, follow_redirects=True)
    assert first.status_code == 200
    user = db.scalar(select(User).where(User.email == "lucia@example.org"))
    assert user is not None
    assert user.email_verified_at is not None
    again = client.get(link, follow_redirects=True)
    assert again.status_code == 200
    assert "alert-info" in text(again)


def test_a_tampered_verification_link_is_refused(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    submit(client, "/registrati", FORM)
    link = Mailbox.link(mailbox.last_to("lucia@example.org"), "/verifica-email/")
    response = client.get(link[:-3] + "abc", follow_redirects=True)
    assert "alert-danger" in text(response)
    user = db.scalar(select(User).where(User.email == "lucia@example.org"))
    assert user is not None
    assert user.email_verified_at is None


def test_registering_a_taken_address_looks_the_same_and_warns_its_owner(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    make_user(db, email="lucia@example.org")
    fresh = submit(client, "/registrati", FORM | {"email": "nobody@example.org"})
    taken = submit(client, "/registrati", FORM)
    assert fresh.status_code == taken.status_code == 200
    assert same_page(fresh, "nobody@example.org") == same_page(taken, "Lucia@Example.org")
    assert _users(db) == 2  # the existing one and nobody@: no duplicate
    owner_mail = mailbox.last_to("lucia@example.org")
    assert "/password-dimenticata" in Mailbox.body(owner_mail)


def test_a_weak_password_is_refused_with_a_reason_and_nothing_is_created(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    response = submit(
        client, "/registrati", FORM | {"password": "password123", "confirm": "password123"}
    )
    assert response.status_code == 200
    assert "is-invalid" in text(response)
    assert _users(db) == 0
    assert mailbox.messages == []


def test_privacy_consent_is_required(client: FlaskClient, db: Session) -> None:
    data = {k: v for k, v in FORM.items() if k != "privacy"}
    response = submit(client, "/registrati", data)
    assert 'id="privacy-error"' in text(response)
    assert _users(db) == 0


def test_mismatched_passwords_are_refused(client: FlaskClient, db: Session) -> None:
    response = submit(client, "/registrati", FORM | {"confirm": PASSWORD + "x"})
    assert 'id="confirm-error"' in text(response)
    assert _users(db) == 0


def test_a_malformed_address_is_refused(client: FlaskClient, db: Session) -> None:
    response = submit(client, "/registrati", FORM | {"email": "not-an-address"})
    assert 'id="email-error"' in text(response)
    assert _users(db) == 0
