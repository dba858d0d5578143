"""People choose which notices they receive (each, weekly, never); every e-mail carries a link
that changes this without signing in; messages about what they did always arrive."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts import notices
from civic.accounts.models import DigestItem, User
from civic.core.time import utcnow
from civic.meetings import services as meetings
from tests.factories.accounts import log_in, make_user
from tests.factories.meetings import make_meeting, make_staff, register
from tests.support import Mailbox
from tests.web.helpers import submit, text

ADA = "ada.settings@example.org"


def _cancel(app: Flask, db: Session, title: str) -> None:
    """Register Ada for a meeting (always told), then call it off (a notice of kind meetings)."""
    with app.test_request_context("/"):
        ada = db.scalar(select(User).where(User.email == ADA))
        staff = make_staff(db)
        meeting = make_meeting(db, staff, title=title)
        register(db, meeting, ada)
        meetings.cancel_meeting(db, staff, meeting, "Maltempo", now=utcnow())
        db.commit()


def test_the_link_in_a_notice_stops_that_notice_without_signing_in(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    make_user(db, email=ADA)
    _cancel(app, db, "Primo incontro")
    cancelled = [m for m in mailbox.to(ADA) if "annullato" in str(m["Subject"]).lower()]
    assert len(cancelled) == 1
    link = Mailbox.link(cancelled[0], "/e-mail/impostazioni/")
    assert cancelled[0]["List-Unsubscribe"] == f"<{link}>"
    registered = next(m for m in mailbox.to(ADA) if m is not cancelled[0])
    assert "sempre inviato" in Mailbox.body(registered)  # a registration is always sent
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)  # nobody signed in
    assert page.status_code == 200
    assert "Interrompi: Incontri a cui ti sei iscritto" in text(page)
    stopped = submit(client, "/" + path, {"action": "stop"})
    assert stopped.status_code == 302
    db.expire_all()
    ada = db.scalar(select(User).where(User.email == ADA))
    assert ada is not None
    assert ada.email_settings == {"meetings": "off"}
    mailbox.clear()
    _cancel(app, db, "Secondo incontro")
    subjects = [str(m["Subject"]).lower() for m in mailbox.to(ADA)]
    assert subjects
    assert not any("annullato" in s for s in subjects)


def test_a_weekly_digest_gathers_the_notices_and_sends_them_once(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    ada = make_user(db, email=ADA)
    ada.email_settings = {"meetings": "digest"}
    db.commit()
    _cancel(app, db, "Incontro in digest")
    assert not [m for m in mailbox.to(ADA) if "annullato" in str(m["Subject"]).lower()]
    assert db.scalar(select(func.count()).select_from(DigestItem)) == 1
    mailbox.clear()
    with app.test_request_context("/"):
        assert notices.send_digests(db, now=utcnow()) == 1
        db.commit()
    digest = mailbox.last_to(ADA)
    assert "1 avviso" in str(digest["Subject"])
    assert "Incontro in digest" in Mailbox.body(digest)
    assert db.scalar(select(func.count()).select_from(DigestItem)) == 0


def test_the_settings_page_saves_each_choice_and_refuses_nonsense(
    client: FlaskClient, db: Session
) -> None:
    ada = make_user(db, email=ADA)
    log_in(client, ada)
    page = text(client.get("/account/e-mail"))
    assert "Una volta a settimana" in page or "In un riepilogo settimanale" in page
    form = {kind: "each" for kind in notices.KINDS}
    refused = submit(client, "/account/e-mail", form | {"results": "sometimes"})
    assert refused.status_code == 200
    db.expire_all()
    assert db.get(User, ada.id).email_settings == {}  # type: ignore[union-attr]
    saved = submit(client, "/account/e-mail", form | {"results": "off", "projects": "digest"})
    assert saved.status_code == 302
    db.expire_all()
    settings = db.get(User, ada.id).email_settings  # type: ignore[union-attr]
    assert settings["results"] == "off"
    assert settings["projects"] == "digest"
    assert settings["meetings"] == "each"


def test_a_forged_or_orphaned_link_changes_nothing(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    ada = make_user(db, email=ADA)
    with app.test_request_context("/"):
        token = notices.token_for(ada.id, "results")
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(f"/e-mail/impostazioni/{forged}").status_code == 404
    assert client.post(f"/e-mail/impostazioni/{forged}", data={"action": "stop"}).status_code in (
        400,
        404,
    )
    db.expire_all()
    assert db.get(User, ada.id).email_settings == {}  # type: ignore[union-attr]
