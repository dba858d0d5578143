"""The owner can always get in: a sign-in link by e-mail works whatever the throttle says,
once, for a limited time, and asking for one tells nothing about the address."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories.accounts import make_user
from tests.support import Mailbox
from tests.web.helpers import same_page, submit, text


def _link(client: FlaskClient, mailbox: Mailbox, email: str) -> str:
    answer = submit(client, "/accedi/link", {"email": email})
    assert answer.status_code == 200
    return Mailbox.link(mailbox.last_to(email), "/accedi/link/")


def test_a_client_made_to_wait_still_signs_in_with_the_link(
    client: FlaskClient, db: Session, mailbox: Mailbox, app: Flask
) -> None:
    make_user(db, email="lucia@example.org")
    for _ in range(app.config["SIGN_IN_FREE_FAILURES"] + 2):
        submit(client, "/accedi", {"email": "lucia@example.org", "password": "Wrong-Pass-99"})
    waiting = submit(client, "/accedi", {"email": "lucia@example.org", "password": "x"})
    assert "link inviato per e-mail" in text(waiting)
    link = _link(client, mailbox, "lucia@example.org")
    assert client.get(link).status_code == 200  # a button: opening the link uses nothing up
    assert client.get("/account").status_code == 302
    signed = submit(client, link, {})
    assert signed.status_code == 302
    assert client.get("/account").status_code == 200


def test_a_link_works_once(client: FlaskClient, db: Session, mailbox: Mailbox) -> None:
    make_user(db, email="lucia@example.org")
    link = _link(client, mailbox, "lucia@example.org")
    submit(client, link, {})
    other = client.application.test_client()
    again = submit(other, link, {})
    assert again.status_code == 302
    assert "/accedi/link" in again.headers["Location"]
    assert other.get("/account").status_code == 302


def test_an_old_or_forged_link_is_refused(
    client: FlaskClient, db: Session, mailbox: Mailbox, app: Flask
) -> None:
    make_user(db, email="lucia@example.org")
    link = _link(client, mailbox, "lucia@example.org")
    assert submit(client, link + "x", {}).status_code == 302
    assert client.get("/account").status_code == 302
    app.config["SIGN_IN_LINK_MAX_AGE"] = -1
    assert submit(client, link, {}).status_code == 302
    assert client.get("/account").status_code == 302


def test_asking_for_a_link_never_says_whether_the_address_exists(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    make_user(db, email="lucia@example.org")
    known = submit(client, "/accedi/link", {"email": "lucia@example.org"})
    unknown = submit(client, "/accedi/link", {"email": "nobody@example.org"})
    assert same_page(known, "lucia@example.org") == same_page(unknown, "nobody@example.org")
    assert mailbox.to("nobody@example.org") == []
    assert len(mailbox.to("lucia@example.org")) == 1
