"""Guessing one address's password from many network addresses meets a ceiling of its own:
past it passwords wait for every client, unknown addresses alike, and the owner still gets in
with the e-mailed link."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import SignInThrottle
from tests.factories.accounts import PASSWORD, make_user
from tests.support import Mailbox
from tests.web.helpers import same_page, submit, text


@pytest.fixture(autouse=True)
def _lower_ceiling(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ceiling of 8 instead of 30: the same behaviour, a quarter of the password checks
    (still above the 5 a single client gets, so no client waits on its own count)."""
    monkeypatch.setitem(app.config, "SIGN_IN_ACCOUNT_FREE_FAILURES", 8)
    assert app.config["SIGN_IN_FREE_FAILURES"] < 8


def _guess_from_many_places(app: Flask, email: str, times: int) -> None:
    """One failure each from ``times`` network addresses: no client reaches its own wait."""
    for n in range(times):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"198.51.100.{n % 250}"
        answer = submit(guesser, "/accedi", {"email": email, "password": f"Guess-{n}-Wrong"})
        assert answer.status_code == 200


def _owner(app: Flask) -> FlaskClient:
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    return owner


def test_below_the_ceiling_the_owner_signs_in_from_elsewhere(db: Session, app: Flask) -> None:
    make_user(db, email="lucia@example.org")
    _guess_from_many_places(
        app, "lucia@example.org", app.config["SIGN_IN_ACCOUNT_FREE_FAILURES"] - 1
    )
    owner = _owner(app)
    assert (
        submit(owner, "/accedi", {"email": "lucia@example.org", "password": PASSWORD}).status_code
        == 302
    )
    assert owner.get("/account").status_code == 200


def test_past_the_ceiling_passwords_wait_for_every_client(db: Session, app: Flask) -> None:
    make_user(db, email="lucia@example.org")
    _guess_from_many_places(app, "lucia@example.org", app.config["SIGN_IN_ACCOUNT_FREE_FAILURES"])
    owner = _owner(app)
    waiting = submit(owner, "/accedi", {"email": "lucia@example.org", "password": PASSWORD})
    assert waiting.status_code == 200  # even the right password
    assert "da molti luoghi" in text(waiting)
    assert "link inviato per e-mail" in text(waiting)
    assert owner.get("/account").status_code == 302
    assert owner.get("/account").status_code == 302


def test_the_owner_gets_in_with_the_link_whatever_the_ceiling_says(
    db: Session, app: Flask, mailbox: Mailbox
) -> None:
    make_user(db, email="lucia@example.org")
    _guess_from_many_places(
        app, "lucia@example.org", app.config["SIGN_IN_ACCOUNT_FREE_FAILURES"] + 3
    )
    owner = _owner(app)
    assert submit(owner, "/accedi/link", {"email": "lucia@example.org"}).status_code == 200
    link = Mailbox.link(mailbox.last_to("lucia@example.org"), "/accedi/link/")
    assert submit(owner, link, {}).status_code == 302
    assert owner.get("/account").status_code == 200


def test_an_unknown_address_meets_the_same_ceiling_so_it_reveals_nothing(
    db: Session, app: Flask
) -> None:
    make_user(db, email="lucia@example.org")
    ceiling = app.config["SIGN_IN_ACCOUNT_FREE_FAILURES"]
    _guess_from_many_places(app, "lucia@example.org", ceiling)
    _guess_from_many_places(app, "nobody@example.org", ceiling)
    known = submit(_owner(app), "/accedi", {"email": "lucia@example.org", "password": "Wrong-1"})
    unknown = submit(_owner(app), "/accedi", {"email": "nobody@example.org", "password": "Wrong-1"})
    assert same_page(known, "lucia@example.org") == same_page(unknown, "nobody@example.org")
    # The counts are keyed hashes: neither address is readable in the table.
    keys = db.scalars(select(SignInThrottle.email_key)).all()
    assert not [k for k in keys if "lucia" in k or "nobody" in k]


def test_the_owners_success_does_not_hand_guessers_a_fresh_ceiling(db: Session, app: Flask) -> None:
    make_user(db, email="lucia@example.org")
    ceiling = app.config["SIGN_IN_ACCOUNT_FREE_FAILURES"]
    _guess_from_many_places(app, "lucia@example.org", ceiling - 1)
    before = db.scalar(select(func.max(SignInThrottle.failures)))
    owner = _owner(app)
    assert (
        submit(owner, "/accedi", {"email": "lucia@example.org", "password": PASSWORD}).status_code
        == 302
    )
    db.expire_all()
    assert db.scalar(select(func.max(SignInThrottle.failures))) == before == ceiling - 1
    _guess_from_many_places(app, "lucia@example.org", 1)
    late = _owner(app)
    waiting = submit(late, "/accedi", {"email": "lucia@example.org", "password": PASSWORD})
    assert "da molti luoghi" in text(waiting)
