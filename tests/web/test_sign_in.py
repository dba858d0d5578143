"""Sign in and out, remember me, the lock after failures, and what is never revealed."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.models import SignInThrottle, User
from civic.accounts.services.common import _throttle_key
from tests.factories.accounts import PASSWORD, log_in, make_user
from tests.support import Mailbox
from tests.web.helpers import post_with_token, same_page, submit, text


def _sign_in(client: FlaskClient, email: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return submit(client, "/accedi", {"email": email, "password": password, **extra})


def test_a_verified_person_signs_in_and_reaches_their_account(
    client: FlaskClient, db: Session
) -> None:
    make_user(db, email="lucia@example.org", full_name="Lucia Bianchi")
    response = _sign_in(client, "LUCIA@example.org ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    page = client.get("/account")
    assert page.status_code == 200
    assert "Lucia Bianchi" in text(page)


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(
    client: FlaskClient, db: Session
) -> None:
    make_user(db, email="lucia@example.org")
    page = client.get("/account/profilo")
    assert page.status_code == 302
    assert "next=" in page.headers["Location"]
    ok = submit(
        client,
        "/accedi?next=/account/profilo",
        {"email": "lucia@example.org", "password": PASSWORD},
    )
    assert ok.headers["Location"].endswith("/account/profilo")
    client.post("/esci")
    post_with_token(client, "/esci")
    evil = submit(
        client,
        "/accedi?next=//evil.example/x",
        {"email": "lucia@example.org", "password": PASSWORD},
    )
    assert evil.headers["Location"].endswith("/account")


def test_wrong_password_and_unknown_address_get_the_same_answer(
    client: FlaskClient, db: Session
) -> None:
    make_user(db, email="lucia@example.org")
    wrong = _sign_in(client, "lucia@example.org", "Not-The-Password-1")
    unknown = _sign_in(client, "nobody@example.org", "Not-The-Password-1")
    assert wrong.status_code == unknown.status_code == 200
    assert same_page(wrong, "lucia@example.org") == same_page(unknown, "nobody@example.org")


def test_an_unverified_account_gets_a_new_link_instead_of_a_session(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    make_user(db, email="lucia@example.org", verified=False)
    response = _sign_in(client, "lucia@example.org")
    assert response.status_code == 200
    assert client.get("/account").status_code == 302
    assert "/verifica-email/" in Mailbox.body(mailbox.last_to("lucia@example.org"))


def test_repeated_failures_make_that_client_wait_even_for_the_right_password(
    client: FlaskClient, db: Session, app: Flask
) -> None:
    make_user(db, email="lucia@example.org")
    for _ in range(app.config["SIGN_IN_FREE_FAILURES"]):
        assert _sign_in(client, "lucia@example.org", "Wrong-Password-99").status_code == 200
    locked = _sign_in(client, "lucia@example.org")
    assert locked.status_code == 200
    assert client.get("/account").status_code == 302


def test_failures_from_one_client_never_lock_the_owner_out_from_another(
    client: FlaskClient, db: Session, app: Flask
) -> None:
    make_user(db, email="lucia@example.org")
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"  # someone guessing
    for _ in range(app.config["SIGN_IN_FREE_FAILURES"] + 3):
        _sign_in(client, "lucia@example.org", "Wrong-Password-99")
    assert _sign_in(client, "lucia@example.org").status_code == 200  # that client waits
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert _sign_in(owner, "lucia@example.org").status_code == 302
    assert owner.get("/account").status_code == 200


def test_the_lock_lifts_after_its_time(client: FlaskClient, db: Session, app: Flask) -> None:
    make_user(db, email="lucia@example.org")
    for _ in range(app.config["SIGN_IN_FREE_FAILURES"]):
        _sign_in(client, "lucia@example.org", "Wrong-Password-99")
    with app.app_context():
        mine = _throttle_key("lucia@example.org", "127.0.0.1")  # the test client's address
    throttle = db.scalar(select(SignInThrottle).where(SignInThrottle.email_key == mine))
    assert throttle is not None
    assert throttle.failures == app.config["SIGN_IN_FREE_FAILURES"]
    throttle.last_failure_at -= timedelta(minutes=2)
    db.commit()
    assert _sign_in(client, "lucia@example.org").status_code == 302
    # The client's count starts again; the count from everywhere ages out on its own.
    assert db.scalars(select(SignInThrottle.email_key)).all() != []
    assert db.scalar(select(SignInThrottle).where(SignInThrottle.email_key == mine)) is None


def test_unknown_addresses_are_locked_too_so_a_lock_reveals_nothing(
    client: FlaskClient, db: Session, app: Flask
) -> None:
    for _ in range(app.config["SIGN_IN_FREE_FAILURES"]):
        _sign_in(client, "nobody@example.org", "Wrong-Password-99")
    keys = db.scalars(select(SignInThrottle.email_key)).all()
    assert len(keys) == 2  # this client's count and the address's count from everywhere
    assert not [k for k in keys if "nobody" in k]


def test_remember_me_sets_a_long_lived_httponly_cookie(client: FlaskClient, db: Session) -> None:
    make_user(db, email="lucia@example.org")
    response = _sign_in(client, "lucia@example.org", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("civic_remember=")]
    assert remember
    assert "HttpOnly" in remember[0]
    assert "SameSite=Lax" in remember[0]
    assert "Expires=" in remember[0]


def test_without_remember_me_no_remember_cookie_is_set(client: FlaskClient, db: Session) -> None:
    make_user(db, email="lucia@example.org")
    response = _sign_in(client, "lucia@example.org")
    assert not [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("civic_remember=")
    ]


def test_sign_out_ends_the_session(client: FlaskClient, db: Session) -> None:
    user = make_user(db)
    log_in(client, user)
    assert client.get("/account").status_code == 200
    assert post_with_token(client, "/esci").status_code == 302
    assert client.get("/account").status_code == 302


def test_sign_out_needs_a_post_with_a_token(client: FlaskClient, db: Session) -> None:
    user = make_user(db)
    log_in(client, user)
    assert client.get("/esci").status_code == 405
    assert client.post("/esci").status_code == 400
    assert client.get("/account").status_code == 200


def test_a_changed_password_ends_other_sessions(
    client: FlaskClient, app: Flask, db: Session
) -> None:
    user = make_user(db)
    other = app.test_client()
    log_in(client, user)
    log_in(other, user)
    response = submit(
        client,
        "/account/password",
        {"current": PASSWORD, "password": "New-Harbour-Light-7", "confirm": "New-Harbour-Light-7"},
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_a_deleted_account_cannot_sign_in(client: FlaskClient, db: Session) -> None:
    user = make_user(db, email="lucia@example.org")
    log_in(client, user)
    submit(client, "/account/elimina", {"password": PASSWORD, "confirm": "y"})
    assert db.scalar(select(User).where(User.email == "lucia@example.org")) is None
    assert _sign_in(client, "lucia@example.org").status_code == 200
    assert client.get("/account").status_code == 302
