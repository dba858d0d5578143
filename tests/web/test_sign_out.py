"""Signing out ends the session on the server: a cookie copied before sign-out, session or
remember-me, opens nothing afterwards; "sign out on every device" ends them all."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories.accounts import PASSWORD, make_user
from tests.web.helpers import post_with_token, submit

SESSION, REMEMBER = "civic_session", "civic_remember"


def _signed_in(client: FlaskClient, email: str) -> dict[str, str]:
    answer = submit(client, "/accedi", {"email": email, "password": PASSWORD, "remember": "y"})
    assert answer.status_code == 302
    assert client.get("/account").status_code == 200
    cookies = {name: client.get_cookie(name) for name in (SESSION, REMEMBER)}
    assert all(cookies.values())
    return {name: cookie.value for name, cookie in cookies.items() if cookie is not None}


def _opens_account(client: FlaskClient, cookies: dict[str, str]) -> bool:
    replay = client.application.test_client()
    for name, value in cookies.items():
        replay.set_cookie(name, value)
    return replay.get("/account").status_code == 200


def test_cookies_copied_before_sign_out_open_nothing_after_it(
    client: FlaskClient, db: Session
) -> None:
    make_user(db, email="lucia@example.org")
    copied = _signed_in(client, "lucia@example.org")
    assert _opens_account(client, copied)  # a copy works while the session lasts
    post_with_token(client, "/esci")
    assert client.get("/account").status_code == 302
    assert not _opens_account(client, {SESSION: copied[SESSION]})
    assert not _opens_account(client, {REMEMBER: copied[REMEMBER]})


def test_signing_out_on_one_device_leaves_the_others_signed_in(
    client: FlaskClient, db: Session
) -> None:
    make_user(db, email="lucia@example.org")
    phone = client.application.test_client()
    on_phone = _signed_in(phone, "lucia@example.org")
    _signed_in(client, "lucia@example.org")
    post_with_token(client, "/esci")
    assert _opens_account(client, on_phone)


def test_signing_out_everywhere_ends_every_device(client: FlaskClient, db: Session) -> None:
    make_user(db, email="lucia@example.org")
    phone = client.application.test_client()
    on_phone = _signed_in(phone, "lucia@example.org")
    _signed_in(client, "lucia@example.org")
    answer = post_with_token(client, "/account/esci-ovunque")
    assert answer.status_code == 302
    assert client.get("/account").status_code == 302
    assert not _opens_account(client, on_phone)
    assert not _opens_account(client, {REMEMBER: on_phone[REMEMBER]})
    assert _signed_in(client, "lucia@example.org")  # signing in again works
