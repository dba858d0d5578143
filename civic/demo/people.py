"""The demo's people: staff, a juror, residents of the Municipi, with the passwords printed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.domain import Role
from ..accounts.models import RoleGrant, User
from ..accounts.services import create_user, get_user_by_email
from ..places.queries import list_municipi

DEMO_PEOPLE = (
    ("admin@demo.example.org", "Alessandra Admin", "admin", "Demo-admin-2026", 1),
    ("staff@demo.example.org", "Stefano Staff", "staff", "Demo-staff-2026", 1),
    ("giurato@demo.example.org", "Giulia Giurata", "juror", "Demo-juror-2026", 3),
    ("lucia@demo.example.org", "Lucia Bianchi", None, "Demo-citizen-2026", 3),
    ("marco@demo.example.org", "Marco Rossi", None, "Demo-citizen-2026", 8),
    ("fatima@demo.example.org", "Fatima El Amrani", None, "Demo-citizen-2026", 6),
)


NEIGHBOURS = (
    "Chiara Colombo",
    "Luca Ferrari",
    "Sara Ricci",
    "Davide Romano",
    "Elena Greco",
    "Matteo Conti",
    "Giorgia Marino",
    "Andrea Gallo",
    "Francesca Costa",
    "Paolo Fontana",
    "Aisha Diallo",
    "Wei Chen",
)


def _people(session: Session, now: datetime) -> tuple[int, int, list[User]]:
    municipi = {area.number: area.id for area in list_municipi(session)}
    added = 0
    for email, name, role, password, municipio in DEMO_PEOPLE:
        if get_user_by_email(session, email) is not None:
            continue
        user = create_user(
            session,
            email=email,
            password=password,
            full_name=name,
            verified=True,
            now=now,
            municipio_id=municipi[municipio],
        )
        if role:
            session.add(RoleGrant(user_id=user.id, role=Role(role).value, granted_at=now))
        added += 1
    for n, name in enumerate(NEIGHBOURS, start=1):
        email = f"vicino{n:02d}@demo.example.org"
        if get_user_by_email(session, email) is None:
            create_user(
                session,
                email=email,
                password="Demo-citizen-2026",  # the published demo password  # nosec B106
                full_name=name,
                verified=True,
                now=now,
                municipio_id=municipi[2 + n % 8],
            )
    session.flush()
    staff = get_user_by_email(session, "staff@demo.example.org")
    admin = get_user_by_email(session, "admin@demo.example.org")
    assert staff is not None
    assert admin is not None
    citizens = list(
        session.scalars(
            select(User)
            .where(User.email.like("%@demo.example.org"), User.id.not_in([staff.id, admin.id]))
            .order_by(User.id)
        )
    )
    return added, staff.id, citizens
