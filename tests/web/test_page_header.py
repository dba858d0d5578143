"""The page header is kept per language, sign-in state, roles and page (civic.core.chrome):
each person still sees their own name, token, return path and count, and nothing of anyone
else's; a name or an address cannot smuggle markup or a marker into it."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.core import chrome
from civic.core.time import utcnow
from civic.proposals.models import Notification
from tests.factories.accounts import PASSWORD, log_in, make_user
from tests.web.helpers import post_with_token, submit, text

HEADER = re.compile(r"<header.*?</header>", re.S)


def _header(html: str) -> str:
    found = HEADER.search(html)
    assert found is not None
    return found.group(0)


def test_two_people_on_the_same_page_each_see_their_own_header(app: Flask, db: Session) -> None:
    make_user(db, email="lucia@example.org", full_name="Lucia Bianchi")
    make_user(db, email="marco@example.org", full_name="Marco Rossi", roles=(Role.STAFF,))
    lucia, marco = app.test_client(), app.test_client()
    submit(lucia, "/accedi", {"email": "lucia@example.org", "password": PASSWORD})
    submit(marco, "/accedi", {"email": "marco@example.org", "password": PASSWORD})

    hers = _header(text(lucia.get("/bandi")))
    his = _header(text(marco.get("/bandi")))
    anonymous = _header(text(app.test_client().get("/bandi")))
    again = _header(text(lucia.get("/bandi")))

    assert "Lucia Bianchi" in hers
    assert "Marco Rossi" not in hers
    assert "Marco Rossi" in his
    assert "Lucia Bianchi" not in his
    assert "/gestione" in his
    assert "/gestione" not in hers
    assert "Lucia" not in anonymous
    assert "Marco" not in anonymous
    assert "/accedi" in anonymous
    assert again == hers.replace(_token(hers), _token(again))
    assert chrome._MARK not in hers + his + anonymous  # every marker was filled
    assert 'aria-current="page"' in hers  # the current page's link is marked

    # Each token written into the kept header is the reader's own: signing out with it works.
    assert post_with_token(lucia, "/esci").status_code == 302
    assert lucia.get("/account").status_code == 302
    assert marco.get("/account").status_code == 200


def _token(header: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', header)
    assert found is not None
    return found.group(1)


def test_a_name_holding_markup_or_a_marker_is_shown_as_typed(app: Flask, db: Session) -> None:
    typed = f'<img src=x onerror="alert(1)"> {chrome._MARK}-csrf'
    make_user(db, email="eva@example.org", full_name=typed)
    client = app.test_client()
    submit(client, "/accedi", {"email": "eva@example.org", "password": PASSWORD})
    stored = db.scalar(select(User).where(User.email == "eva@example.org"))
    assert stored is not None
    assert stored.display_name.startswith("<img")

    header = _header(text(client.get("/bandi?q=%22%3E%3Cscript%3E")))

    assert "<img" not in header
    assert "&lt;img src=x" in header
    assert f"{chrome._MARK}-csrf" in header  # written as typed, not filled with a token
    assert "<script>" not in header
    assert 'value="/bandi?q=%22%3E%3Cscript%3E"' in header


def test_the_unread_count_is_each_readers_own(app: Flask, db: Session) -> None:
    lucia, marco = make_user(db), make_user(db)
    hers, his = app.test_client(), app.test_client()
    log_in(hers, lucia)
    log_in(his, marco)
    his.get("/bandi")  # kept for a signed-in resident on this page with no unread notice

    db.add(Notification(user_id=lucia.id, kind="status_changed", created_at=utcnow()))
    db.commit()

    assert "Notifiche (1)" in _header(text(hers.get("/bandi")))
    assert "Notifiche (" not in _header(text(his.get("/bandi")))
