"""E-mail: messages wait in the session's outbox and leave through SMTP after the commit.

A rolled-back transaction sends nothing. Sending is a Huey job, so a slow or failing SMTP
server never holds up or breaks a request; the job retries. If the job queue itself (Redis)
cannot be reached, the message goes to a spool table instead and a periodic job hands it to
the queue once the queue is back: the request that committed still succeeds and no message
is lost.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import Flask, current_app, has_app_context, render_template
from flask_babel import force_locale
from huey import crontab
from sqlalchemy import JSON, Engine, delete, event, insert, select
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from . import smtp
from .db import Base
from .jobs import QUEUE_DOWN
from .queue import huey
from .time import utcnow

log = logging.getLogger("civic.mail")

OUTBOX_KEY = "civic.outbox"


@dataclass(frozen=True)
class OutgoingEmail:
    """A message ready to send: plain text, optional attachments as (name, type, bytes), and
    the address where its recipient stops this kind of message."""

    to: str
    subject: str
    body: str
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    unsubscribe: str = ""


# The notices a person may turn off or gather into a weekly digest, by template. Every other
# message (sign-in, passwords, receipts of payments, the steps of a grant, a changed ballot,
# registrations) answers something the person did or must know, and is always sent.
NOTICES: dict[str, str] = {
    "proposal_received": "receipts",
    "grant_submitted": "receipts",
    "crowdfunding_application_received": "receipts",
    "proposal_status_changed": "feasibility",
    "proposal_staff_answer": "feasibility",
    "vote_opening": "vote_opening",
    "results_published": "results",
    "campaign_succeeded": "campaigns",
    "campaign_failed": "campaigns",
    "meeting_changed": "meetings",
    "meeting_cancelled": "meetings",
    "meeting_reminder": "meetings",
    "project_update": "projects",
}


@dataclass(frozen=True)
class Delivery:
    """What a recipient wants done with a message: "each" (send it), "digest" (keep it for the
    weekly digest), "off" (drop it); and where they unsubscribe."""

    mode: str
    unsubscribe: str


# Set by the accounts feature, which knows people's settings (core imports no feature).
# Called with the session, the address and the notice kind (None: always sent).
Recipient = Callable[[Session, str, str | None], Delivery | None]
recipient: Recipient | None = None
# Keeps a message for the recipient's digest (accounts again).
keep_for_digest: Callable[[Session, str, OutgoingEmail], None] | None = None


def queue_email(
    session: Session,
    to: str,
    template: str,
    language: str = "it",
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    **context: Any,
) -> OutgoingEmail:
    """Render ``templates/emails/<template>.txt`` in the recipient's language and queue it.

    The template's first line is ``Subject: ...``; the rest is the body.
    """
    kind = NOTICES.get(template)
    delivery = recipient(session, to, kind) if recipient is not None else None
    with force_locale(language):
        rendered = render_template(f"emails/{template}.txt", **context)
        footer = (
            render_template("emails/_footer.txt", unsubscribe=delivery.unsubscribe, notice=kind)
            if delivery is not None
            else ""
        )
    first, _, body = rendered.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"emails/{template}.txt must start with a 'Subject:' line")
    message = OutgoingEmail(
        to=to,
        subject=first.removeprefix("Subject:").strip(),
        body=body.strip() + ("\n\n" + footer.strip() if footer.strip() else ""),
        attachments=attachments,
        unsubscribe=delivery.unsubscribe if delivery is not None else "",
    )
    if delivery is not None and delivery.mode == "off":
        return message  # the person turned this notice off: nothing leaves
    if delivery is not None and delivery.mode == "digest" and keep_for_digest is not None:
        keep_for_digest(session, to, message)
        return message
    if not session.in_transaction():
        session.begin()  # so that a rollback, not only a commit, settles the message's fate
    session.info.setdefault(OUTBOX_KEY, []).append(message)
    return message


def pending(session: Session) -> list[OutgoingEmail]:
    """Messages queued in this session and not yet handed over."""
    return list(session.info.get(OUTBOX_KEY, []))


class SpooledEmail(Base):
    """A committed message the job queue could not take; handed over when it is back."""

    __tablename__ = "email_spool"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    spooled_at: Mapped[datetime]


def _encode(data: dict[str, Any]) -> dict[str, Any]:
    attachments = [
        [name, mimetype, base64.b64encode(payload).decode()]
        for name, mimetype, payload in data.get("attachments", ())
    ]
    return {**data, "attachments": attachments}


def _decode(payload: dict[str, Any]) -> dict[str, Any]:
    attachments = tuple(
        (name, mimetype, base64.b64decode(body))
        for name, mimetype, body in payload.get("attachments", ())
    )
    return {**payload, "attachments": attachments}


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    messages = session.info.pop(OUTBOX_KEY, [])
    for number, message in enumerate(messages):
        try:
            send_email(asdict(message))
        except QUEUE_DOWN:
            log.warning("job queue unreachable: %d e-mails spooled", len(messages) - number)
            _spool(session, [asdict(m) for m in messages[number:]])
            return


def _spool(session: Session, messages: list[dict[str, Any]]) -> None:
    """Write messages to the spool on a connection of their own (the session's transaction
    has just committed)."""
    rows = [{"payload": _encode(m), "spooled_at": utcnow()} for m in messages]
    bind = session.get_bind()
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            connection.execute(insert(SpooledEmail), rows)
    else:  # a session bound to one connection (the tests' savepoints): write on it
        bind.execute(insert(SpooledEmail), rows)


def resend_spooled(session: Session, limit: int = 500) -> int:
    """Hand spooled messages to the queue, oldest first; returns how many left the spool. A
    message is removed only once the queue has taken it."""
    sent = 0
    rows = session.execute(
        select(SpooledEmail.id, SpooledEmail.payload).order_by(SpooledEmail.id).limit(limit)
    ).all()
    for spooled_id, payload in rows:
        try:
            send_email(_decode(payload))
        except QUEUE_DOWN:  # still down: try again at the next run
            log.warning("job queue still unreachable; %d e-mails wait in the spool", len(rows))
            break
        session.execute(delete(SpooledEmail).where(SpooledEmail.id == spooled_id))
        session.commit()
        sent += 1
    return sent


@event.listens_for(Session, "after_transaction_end")
def _discard(session: Session, transaction: SessionTransaction) -> None:
    # Runs after after_commit, so what is left when the outermost transaction ends was rolled back.
    if transaction.parent is None:
        session.info.pop(OUTBOX_KEY, None)


_worker_app: Flask | None = None
_app_factory: Callable[[], Flask] | None = None


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """How a job worker builds its app (``civic.worker`` passes ``create_app``; core imports
    nothing above it)."""
    global _app_factory
    _app_factory = factory


def job_app_context() -> AbstractContextManager[Any]:
    """Inside a request (or immediate mode) use its app; in a Huey worker build one app once."""
    global _worker_app
    if has_app_context():
        return nullcontext()
    if _worker_app is None:
        if _app_factory is None:
            raise RuntimeError("a job ran outside the app without civic.worker's app factory")
        _worker_app = _app_factory()
    return _worker_app.app_context()


def build_message(data: dict[str, Any], sender: str) -> EmailMessage:
    """Turn a queued message into a MIME message."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = data["to"]
    message["Subject"] = data["subject"]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="civic.localhost")
    if data.get("unsubscribe"):
        message["List-Unsubscribe"] = f"<{data['unsubscribe']}>"
    message.set_content(data["body"])
    for name, mimetype, payload in data.get("attachments", ()):
        maintype, _, subtype = mimetype.partition("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=name)
    return message


# huey has no type hints, so its decorator is untyped.
@huey.task(retries=5, retry_delay=60)  # type: ignore[untyped-decorator]
def send_email(data: dict[str, Any]) -> None:
    """Deliver one message through the configured SMTP server."""
    with job_app_context():
        cfg = current_app.config
        smtp.deliver(build_message(data, cfg["MAIL_DEFAULT_SENDER"]), cfg)


@huey.periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def resend_spooled_job() -> int:
    """Every minute: e-mails spooled while the queue was down go to the queue."""
    from .db import get_database

    with job_app_context():
        session = get_database().session_factory()
        try:
            return resend_spooled(session)
        finally:
            session.close()
