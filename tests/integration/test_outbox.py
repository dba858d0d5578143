"""E-mail leaves through SMTP only after the transaction commits."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from civic.core.mail import pending, queue_email
from tests.factories.accounts import make_user
from tests.support import Mailbox


def test_a_committed_message_reaches_the_smtp_server(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    user = make_user(db, email="rita@example.org")
    queue_email(
        db, user.email or "", "verify_email", user=user, link="https://x.test/v/abc", hours=72
    )
    assert mailbox.messages == []
    db.commit()
    message = mailbox.last_to("rita@example.org")
    assert message["Subject"] == "Conferma il tuo indirizzo e-mail"
    assert "https://x.test/v/abc" in Mailbox.body(message)


def test_a_rolled_back_transaction_sends_nothing(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    user = make_user(db, email="rita@example.org")
    queue_email(
        db, "rita@example.org", "verify_email", user=user, link="https://x.test/v/abc", hours=72
    )
    db.rollback()
    assert pending(db) == []
    db.commit()
    assert mailbox.to("rita@example.org") == []


def test_messages_are_written_in_the_recipients_language(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    user = make_user(db, email="john@example.org", language="en")
    queue_email(
        db,
        "john@example.org",
        "verify_email",
        language="en",
        user=user,
        link="https://x.test/v",
        hours=72,
    )
    db.commit()
    assert mailbox.last_to("john@example.org")["Subject"] == "Confirm your e-mail address"
