"""Residents are told once that their vote opened, in batches, and only if they want it."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from civic.core.time import utcnow
from civic.voting.models import VoteSettings
from civic.voting.services import announce
from tests.factories.accounts import make_user
from tests.factories.calls import make_voting_call
from tests.support import Mailbox


def _opened(mailbox: Mailbox) -> list[str]:
    return sorted(str(m["To"]) for m in mailbox.messages if "è aperto" in str(m["Subject"]))


def test_each_resident_is_told_once_in_batches_unless_they_said_no(
    app: Flask, db: Session, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(announce, "BATCH", 2)
    with app.test_request_context("/"):
        call, projects = make_voting_call(db)
        area = next(iter(projects))
        for n in range(3):
            make_user(db, email=f"resident{n}@example.org").municipio_id = area
        quiet = make_user(db, email="quiet@example.org")
        quiet.municipio_id, quiet.email_settings = area, {"vote_opening": "off"}
        make_user(db, email="nowhere@example.org")  # no Municipio given: not told
        db.commit()
        assert announce.announce_openings(db, now=utcnow()) == 2
        db.commit()
        settings = db.get(VoteSettings, call.id)
        assert settings is not None
        assert settings.announced_at is None  # more to tell
        assert announce.announce_openings(db, now=utcnow()) == 2  # the third, and "quiet"
        db.commit()
        assert settings.announced_at is None  # a full batch: there may be more
        assert announce.announce_openings(db, now=utcnow()) == 0
        db.commit()
        assert settings.announced_at is not None
        assert announce.announce_openings(db, now=utcnow()) == 0  # never again
    assert _opened(mailbox) == [f"resident{n}@example.org" for n in range(3)]
    body = Mailbox.body(mailbox.last_to("resident0@example.org"))
    assert f"/bandi/{call.slug}/voto" in body
