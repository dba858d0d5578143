"""Which notices a person receives by e-mail, and how: each as it happens, gathered in a weekly
digest, or not at all. Everything else (sign-in, passwords, payments, the steps of an
application, a changed ballot) is always sent. Every message carries a link that changes these
settings without signing in: a signed token naming the person and the notice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import mail
from ..core.links import public_url
from ..core.time import utcnow
from .domain import normalise_email
from .models import DigestItem, User
from .tokens import TokenExpired, TokenInvalid, make_token, read_token

UNSUBSCRIBE = "civic.unsubscribe"
# A link in an old e-mail still works for a year and a bit.
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600
MODES = ("each", "digest", "off")
ALL = "all"

# In the order the settings page lists them.
KINDS = {
    "receipts": _l("Receipts of what you send (proposals, applications)"),
    "feasibility": _l("The city's decisions on your proposals"),
    "vote_opening": _l("A vote opening in your Municipio"),
    "results": _l("Results published, and whether your project won"),
    "campaigns": _l("Campaigns you backed: succeeded or failed"),
    "meetings": _l("Meetings you registered for: changes, cancellations, reminders"),
    "projects": _l("Updates of funded projects you follow"),
}


def mode_of(user: User, kind: str) -> str:
    mode = (user.email_settings or {}).get(kind, "each")
    return mode if mode in MODES else "each"


def token_for(user_id: int, kind: str) -> str:
    return make_token(current_app.config["SECRET_KEY"], UNSUBSCRIBE, {"u": user_id, "k": kind})


def read_unsubscribe(token: str) -> tuple[int, str] | None:
    """The person and notice a link names, or None if it is not a genuine, recent link."""
    try:
        payload = read_token(
            current_app.config["SECRET_KEY"], UNSUBSCRIBE, token, UNSUBSCRIBE_MAX_AGE
        )
    except (TokenExpired, TokenInvalid):
        return None
    user_id, kind = payload.get("u"), payload.get("k")
    if not isinstance(user_id, int) or (kind not in KINDS and kind != ALL):
        return None
    return user_id, str(kind)


def unsubscribe_link(user_id: int, kind: str) -> str:
    # Built from the URL map, not the request: messages are also written by jobs.
    path = current_app.url_map.bind("localhost").build(
        "accounts.email_settings_by_link", {"token": token_for(user_id, kind)}
    )
    return public_url(path)


def _person(session: Session, address: str) -> User | None:
    return session.scalar(
        select(User).where(User.email == normalise_email(address), User.deleted_at.is_(None))
    )


def _delivery(session: Session, address: str, kind: str | None) -> mail.Delivery | None:
    person = _person(session, address)
    if person is None:
        return None
    mode = mode_of(person, kind) if kind is not None else "each"
    return mail.Delivery(mode, unsubscribe_link(person.id, kind or ALL))


def _keep(session: Session, address: str, message: mail.OutgoingEmail) -> None:
    person = _person(session, address)
    if person is not None:
        session.add(
            DigestItem(
                user_id=person.id, subject=message.subject, body=message.body, created_at=utcnow()
            )
        )


def set_modes(session: Session, user: User, modes: dict[str, str], *, now: datetime) -> None:
    """Save the person's choice for each notice (unknown kinds and modes are ignored)."""
    settings: dict[str, Any] = dict(user.email_settings or {})
    for kind, mode in modes.items():
        if kind in KINDS and mode in MODES:
            settings[kind] = mode
    user.email_settings = settings
    session.flush()


def send_digests(session: Session, *, now: datetime) -> int:
    """Each person's waiting notices in one e-mail, then forgotten; returns how many left."""
    items = session.scalars(select(DigestItem).order_by(DigestItem.user_id, DigestItem.id)).all()
    waiting: dict[int, list[DigestItem]] = {}
    for item in items:
        waiting.setdefault(item.user_id, []).append(item)
    sent = 0
    for user_id, theirs in waiting.items():
        person = session.get(User, user_id)
        if person is not None and person.email and person.deleted_at is None:
            mail.queue_email(
                session, person.email, "digest", person.language, user=person, items=theirs
            )
            sent += 1
        for item in theirs:
            session.delete(item)
    session.flush()
    return sent


def install() -> None:
    """Tell the mail module whose settings decide (called once at start-up)."""
    mail.recipient = _delivery
    mail.keep_for_digest = _keep
